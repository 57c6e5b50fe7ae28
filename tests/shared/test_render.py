"""Every channel's rendering of every verdict x urgency x body part: valid, GSM-7, within budget, honest wording.

Budgets: SMS replies at most 306 GSM-7 units (2 segments), the tips list 612 (4); a spoken verdict at most
~25 s at ~150 words a minute, so 62 words. Every assessment says "not a diagnosis" exactly once and never
tells the person they "have" something.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from shared.content import load_content
from shared.facts import Observations
from shared.render import SMS_LIMIT, SMS_TIPS_LIMIT, fit_sms, gsm7_units, is_gsm7, render, to_gsm7
from shared.triage import Assessment, assess
from tests.shared.builders import RED_FLAGS, assessment_grid, observations_satisfying

CONTENT = load_content()
LOCALES = sorted(CONTENT.locales)
SPOKEN_WORD_LIMIT = 62
GRID = [assess(observations, CONTENT) for observations in assessment_grid()]
RELIEF_TEXTS = sorted(set(CONTENT.relief.values()) | {item.say for item in CONTENT.context_relief})


def spoken_words(ssml: str) -> int:
    return len(re.sub(r"<[^>]+>", " ", ssml).split())


def parse_ssml(fragment: str) -> ET.Element:
    """Alexa wraps the fragment in <speak>; it must then be well-formed XML."""
    return ET.fromstring(f"<speak>{fragment}</speak>")


def verdict_template(result: Assessment) -> str:
    return "emergency" if result.urgency == "emergency" else "assessment"


def check_wording(text: str) -> None:
    lowered = " ".join(text.lower().split())
    assert "you have" not in lowered, text
    assert "definitely" not in lowered, text
    assert lowered.count("diagnos") == lowered.count("not a diagnosis"), text


def renderings(result: Assessment, locale: str) -> dict[str, str]:
    name = verdict_template(result)
    return {
        "alexa": render("alexa", name, locale, assessment=result, content=CONTENT),
        "sms": render("sms", name, locale, assessment=result, content=CONTENT),
        "card": render("card", "assessment", locale, assessment=result, content=CONTENT),
    }


# --- Every verdict x urgency x body part -------------------------------------------------------------------


def test_render_grid_covers_every_verdict_urgency_and_body_part() -> None:
    covered = {(r.verdict, r.urgency, r.body_part) for r in GRID}
    assert len(covered) == 3 * 4 * 11


@pytest.mark.parametrize("locale", LOCALES)
def test_render_every_assessment_alexa_is_valid_ssml_within_25_seconds(locale: str) -> None:
    for result in GRID:
        speech = render("alexa", verdict_template(result), locale, assessment=result, content=CONTENT)
        root = parse_ssml(speech)
        assert root.tag == "speak"
        assert spoken_words(speech) <= SPOKEN_WORD_LIMIT, speech


@pytest.mark.parametrize("locale", LOCALES)
def test_render_every_assessment_sms_is_gsm7_within_two_segments(locale: str) -> None:
    for result in GRID:
        text = render("sms", verdict_template(result), locale, assessment=result, content=CONTENT)
        assert is_gsm7(text), text
        assert gsm7_units(text) <= SMS_LIMIT, (gsm7_units(text), text)


@pytest.mark.parametrize("locale", LOCALES)
def test_render_every_assessment_says_not_a_diagnosis_exactly_once_and_never_you_have(locale: str) -> None:
    for result in GRID:
        for channel, text in renderings(result, locale).items():
            check_wording(text)
            assert text.lower().count("not a diagnosis") == 1, (channel, text)


@pytest.mark.parametrize("locale", LOCALES)
def test_render_card_shows_verdict_relief_and_clinic(locale: str) -> None:
    for result in GRID:
        card = render("card", "assessment", locale, assessment=result, content=CONTENT)
        assert CONTENT.clinic["phone"] in card
        if result.urgency == "emergency":
            # An emergency card says only what to do now.
            assert "relief" not in card.lower() and "Right now" not in card
            continue
        assert result.relief in card
        if result.verdict != "unclear":
            assert f"a {result.verdict}" in card


def test_render_verdict_words_match_the_verdict_in_every_channel() -> None:
    cramp = assess(Observations(pattern="locked", contexts=frozenset({"exercise"})), CONTENT)
    spasm = assess(Observations(pattern="twitching"), CONTENT)
    unclear = assess(Observations(), CONTENT)
    for channel in ("alexa", "sms", "card"):
        assert "a cramp" in render(channel, "assessment", "en-US", assessment=cramp, content=CONTENT)
        assert "a spasm" in render(channel, "assessment", "en-US", assessment=spasm, content=CONTENT)
        assert "hard to tell" in render(channel, "assessment", "en-US", assessment=unclear, content=CONTENT).lower()


def test_render_spoken_reason_follows_because() -> None:
    result = assess(Observations(contexts=frozenset({"exercise"})), CONTENT)
    speech = render("alexa", "assessment", "en-US", assessment=result, content=CONTENT)
    assert "because it came on during or right after exertion" in speech


# --- Each red flag shows its urgency in every channel ------------------------------------------------------


def _urgency_marks(urgency: str, locale: str) -> dict[str, str]:
    loc = CONTENT.locale(locale)
    if urgency == "emergency":
        return {"alexa": f"Call {loc['emergency_spoken']} now", "sms": f"Call {loc['emergency_number']} now",
                "card": f"call {loc['emergency_number']} now"}
    if urgency == "urgent":
        return dict.fromkeys(("alexa", "sms", "card"), "today")
    return dict.fromkeys(("alexa", "sms", "card"), "check-up")


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("flag", RED_FLAGS, ids=[flag.id for flag in RED_FLAGS])
def test_render_red_flag_urgency_shows_in_every_channel(flag, locale: str) -> None:
    result = assess(observations_satisfying(flag.when), CONTENT)
    assert result.red_flag == flag.id
    marks = _urgency_marks(flag.urgency, locale)
    for channel, text in renderings(result, locale).items():
        assert marks[channel] in text, (channel, text)
        assert flag.reason[:30].lower() in text.lower(), (channel, text)


@pytest.mark.parametrize(("locale", "spoken"), [("en-US", "9 1 1"), ("en-GB", "9 9 9"), ("en-AU", "triple zero")])
def test_render_emergency_speech_uses_the_local_number(locale: str, spoken: str) -> None:
    result = assess(Observations(signs=frozenset({"chest_pain"})), CONTENT)
    speech = render("alexa", "emergency", locale, assessment=result, content=CONTENT)
    assert speech.count(spoken) == 2


def test_render_self_care_mentions_no_urgency() -> None:
    result = assess(Observations(body_part="calf", pattern="locked"), CONTENT)
    for text in renderings(result, "en-US").values():
        assert "today" not in text and "check-up" not in text and "911" not in text


# --- Questions, with and without the relief step -----------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("question", CONTENT.questions, ids=[q.id for q in CONTENT.questions])
def test_render_every_question_with_any_relief_fits_each_channel(question, locale: str) -> None:
    base = assess(Observations(), CONTENT)
    for relief in RELIEF_TEXTS:
        result = replace(base, relief=relief)
        for show_relief, rephrase in ((True, False), (False, True), (False, False)):
            context = {"assessment": result, "question": question, "show_relief": show_relief, "rephrase": rephrase}
            speech = render("alexa", "question", locale, **context, content=CONTENT)
            parse_ssml(speech)
            assert spoken_words(speech) <= SPOKEN_WORD_LIMIT, speech
            text = render("sms", "question", locale, **context, content=CONTENT)
            assert is_gsm7(text) and gsm7_units(text) <= SMS_LIMIT, (gsm7_units(text), text)
            for rendered in (speech, text):
                check_wording(rendered)
                assert (relief in rendered) == show_relief or "&#39;" in rendered


def test_render_choice_question_sms_numbers_its_options() -> None:
    question = CONTENT.question("pattern")
    text = render(
        "sms", "question", "en-US", assessment=assess(Observations(), CONTENT), question=question, show_relief=False,
        rephrase=False, content=CONTENT
    )
    for index, option in enumerate(question.options, start=1):
        assert f"{index} {option.label}" in to_gsm7(text)


def test_render_rephrased_question_is_worded_differently() -> None:
    question = CONTENT.question("leg_swelling")
    result = assess(Observations(body_part="calf"), CONTENT)
    context = {"assessment": result, "question": question, "show_relief": False}
    first = render("alexa", "question", "en-US", **context, rephrase=False, content=CONTENT)
    again = render("alexa", "question", "en-US", **context, rephrase=True, content=CONTENT)
    assert first != again and question.voice_rephrase in again


# --- Tips --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(
    "facts", [{"pattern": "locked"}, {"pattern": "twitching"}, {}], ids=["cramp", "spasm", "unclear"]
)
def test_render_tips_fit_four_segments_and_carry_the_medicine_caution(facts: dict, locale: str) -> None:
    result = assess(Observations.from_dict(facts), CONTENT)
    tips = [tip for tip in CONTENT.tips if tip.id in result.tip_ids]
    text = render("sms", "tips", locale, assessment=result, tips=tips, content=CONTENT)
    assert is_gsm7(text) and gsm7_units(text) <= SMS_TIPS_LIMIT, (gsm7_units(text), text)
    speech = render("alexa", "tips", locale, assessment=result, tips=tips, content=CONTENT)
    parse_ssml(speech)
    card = render("card", "tips", locale, assessment=result, tips=tips, content=CONTENT)
    for rendered in (text, speech, card):
        check_wording(rendered)
        assert "Quinine, including tonic water, is not a treatment" in rendered
    # The clinic's offer (conservative care first) leads to the hand-off where there is room for it.
    for rendered in (speech, card):
        assert "conservative care" in rendered and "physical therapy" in rendered


# --- Escaping and GSM-7 helpers ----------------------------------------------------------------------------


def test_render_ssml_escapes_content_text() -> None:
    awkward = replace(CONTENT, clinic={**CONTENT.clinic, "name": 'Smith & Jones <Care> "Clinic"'})
    speech = render("alexa", "tips", "en-US", content=awkward, assessment=assess(Observations(), CONTENT), tips=[])
    assert "Smith &amp; Jones &lt;Care&gt;" in speech
    assert "Smith & Jones <Care>" in "".join(parse_ssml(speech).itertext())


def test_render_sms_turns_typographic_characters_into_gsm7() -> None:
    name = "O\u2019Neil\u2019s \u201cCare\u201d \u2014 clinic \U0001f4aa"
    awkward = replace(CONTENT, clinic={**CONTENT.clinic, "name": name})
    text = render("sms", "tips", "en-US", content=awkward, assessment=assess(Observations(), CONTENT), tips=[])
    assert "O'Neil's \"Care\" - clinic" in text
    assert is_gsm7(text)


def test_render_unknown_channel_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown channel"):
        render("fax", "assessment", "en-US", assessment=assess(Observations(), CONTENT), content=CONTENT)


def test_gsm7_extension_characters_count_twice() -> None:
    assert gsm7_units("abc") == 3
    assert gsm7_units("[€]") == 6
    # Each of the ten, the regex-special ones (backslash, ^, [, ], |) and the form feed included.
    assert all(gsm7_units(f"a{ch}b") == 4 for ch in "^{}\\[~]|€\f")
    assert gsm7_units("a-b.c*d") == 7
    assert is_gsm7("Café £5 @ 10:00") and not is_gsm7("caf\u00e9 \u2014 ok") and not is_gsm7("\U0001f600")


def test_gsm7_fit_sms_keeps_a_long_reply_within_its_budget() -> None:
    long_text = "word " * 200
    cut = fit_sms(long_text)
    assert gsm7_units(cut) <= SMS_LIMIT and cut.endswith("...")
    assert fit_sms("short reply") == "short reply"
    braces = fit_sms("{x} " * 200)
    assert gsm7_units(braces) <= SMS_LIMIT and braces.startswith("{x} {x}")
    assert gsm7_units(fit_sms("€" * 400)) <= SMS_LIMIT
