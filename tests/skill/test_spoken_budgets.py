"""Every spoken turn the skill can produce (tests/skill/spoken_turns.py, generated from the content) keeps its
budget in seconds at 150 words a minute (issue 15), and a verdict turn that would run over says its why on the card
only, never a safety part (alexa/_parts.ssml.j2 ranks what yields)."""

from __future__ import annotations

import html
import re
import shutil
from functools import cache
from pathlib import Path

from shared.content import CONTENT_DIR, Content, load_content
from shared.dialogue import Conversation, Reply, Step, Turn
from shared.facts import Observations
from shared.speech import VERDICT_SECONDS, spoken_seconds
from shared.triage import assess
from skill.replies import Voice
from tests.shared.builders import observations_satisfying
from tests.skill.spoken_turns import CEILING, EMERGENCY, NOTICE, VERDICT, SpokenTurn, spoken_turns

CONTENT = load_content()
POINTER = "see your card"


@cache
def all_turns() -> tuple[SpokenTurn, ...]:
    """Rendered once for every test here."""
    return tuple(spoken_turns(CONTENT))


def over(turns: list[SpokenTurn], budget: float | None = None) -> list[str]:
    """The turns over their budget (or over `budget`), worst first, for the failure message."""
    late = [t for t in turns if t.seconds > (budget if budget is not None else t.budget)]
    late.sort(key=lambda t: -t.seconds)
    return [f"{t.seconds:.1f}s {t.locale} {t.situation}: {t.speech.text}" for t in late[:5]]


def test_spoken_turns_cover_every_locale_red_flag_and_body_part() -> None:
    turns = all_turns()
    assert {t.locale for t in turns} == set(CONTENT.locales)
    flags = {t.assessment.red_flag for t in turns if t.assessment is not None}
    assert {flag.id for flag in CONTENT.red_flags} <= flags
    parts = {t.assessment.body_part for t in turns if t.assessment is not None}
    assert set(CONTENT.concepts["body_part"]) <= parts


def test_no_spoken_turn_runs_over_twenty_seconds() -> None:
    assert not over(list(all_turns()), CEILING)


def test_spoken_turns_keep_their_budget() -> None:
    assert not over(list(all_turns()))


def test_emergency_turn_says_the_number_in_its_first_sentence_within_eight_seconds() -> None:
    emergencies = [t for t in all_turns() if t.situation.startswith("emergency")]
    assert emergencies
    for turn in emergencies:
        first = re.split(r"(?<=[.!?])\s", turn.speech.text, maxsplit=1)[0]
        number = CONTENT.locales[turn.locale]["emergency_spoken"]
        assert first.startswith("Call") and number in first, turn.speech.text
        assert turn.seconds <= EMERGENCY, turn.speech.text
        assert turn.speech.reprompt is None  # nothing delays the call


def test_one_time_notices_are_one_short_sentence() -> None:
    notices = [t for t in all_turns() if t.situation.endswith("notice")]
    assert len(notices) == 2 * len(CONTENT.locales)
    for turn in notices:
        assert len(re.findall(r"[.!?](\s|$)", turn.speech.text.strip())) == 1, turn.speech.text
        assert spoken_seconds(turn.speech.text) <= NOTICE


def test_a_verdict_says_not_a_diagnosis_once() -> None:
    verdicts = [t for t in all_turns() if t.situation.startswith(("assessment", "emergency"))]
    for turn in verdicts:
        assert turn.speech.text.lower().count("diagnosis") == 1, turn.speech.text


# --- What yields when a verdict turn would run over ----------------------------------------------------------


def said(ssml: str) -> str:
    """The words as heard: SSML escapes undone."""
    return html.unescape(ssml)


def spoken_flag(content: Content, locale: str, flag_id: str) -> tuple[str, str]:
    """A red flag's spoken form split as the template says it: (why it matters, what to do after it, or "")."""
    why, _, rest = content.language(locale).words["spoken_red_flags"][flag_id].partition(". ")
    return (why + "." if rest else why), rest


def safety_parts(content: Content, turn: SpokenTurn) -> list[str]:
    """What a verdict turn always says, in the order it says it: the urgency, what to do about the red flag, a
    changed relief step, what to do if a warning sign is there, "Not a diagnosis", the notice and the offer."""
    a, voice, loc = turn.assessment, Voice(turn.locale, content), content.locales[turn.locale]
    parts = {"urgent": [f"See a {loc['clinician']} today."], "routine": ["Book a check-up."]}.get(a.urgency, [])
    if a.urgency in ("urgent", "routine"):
        parts.append(spoken_flag(content, turn.locale, a.red_flag)[1])
    if turn.turn.show_relief:
        parts.append(content.language(turn.locale).words["relief"][a.relief_id])
    if a.if_present_urgency:
        parts.append("If there's")
    parts.append("Not a diagnosis")
    if turn.notice_due:
        parts.append(said(voice.say("history_notice")))
    parts.append(said(voice.say(f"offer_{turn.turn.offer}")))
    return [part for part in parts if part]


def assert_safety_in_order(content: Content, turn: SpokenTurn) -> None:
    """Every safety part said, each after the one before it, the offer last."""
    speech, at = said(turn.speech.text), 0
    for part in safety_parts(content, turn):
        found = speech.find(part, at)
        assert found >= 0, (part, speech)
        at = found + len(part)
    assert speech.endswith(said(Voice(turn.locale, content).say(f"offer_{turn.turn.offer}"))), speech
    assert speech.count("diagnosis") == 1, speech


def assert_why_on_the_card(content: Content, turn: SpokenTurn) -> None:
    """The card carries the red flag's full reason, how many this week and a verdict's reasons; a turn that does
    not say the red flag's why points to the card, once."""
    a, words = turn.assessment, content.language(turn.locale).words
    card, speech = turn.speech.card, said(turn.speech.text)
    if a.urgency in ("urgent", "routine"):
        assert words["red_flags"][a.red_flag][1:] in card, card
        if spoken_flag(content, turn.locale, a.red_flag)[0] not in speech:
            assert speech.count(POINTER) == 1, speech
    if a.observations.recent_episodes >= 2:
        assert "cramp or spasm you've told me about this week." in card, card
    for reason in a.reason_ids if a.verdict != "unclear" else ():
        assert words["reasons"][reason][1:] in card, card
    assert speech.count(POINTER) <= 1, speech


def verdict_turns() -> list[SpokenTurn]:
    """The grid's verdict turns (not the emergencies or questions)."""
    return [t for t in all_turns() if t.turn is not None and t.turn.reply == Reply.ASSESSMENT]


def test_every_verdict_turn_says_its_safety_parts_in_order_and_keeps_its_why_on_the_card() -> None:
    turns = verdict_turns()
    assert any(spoken_flag(CONTENT, t.locale, t.assessment.red_flag)[0] not in said(t.speech.text)
               for t in turns if t.assessment.urgency in ("urgent", "routine")), "no verdict turn needed to yield"
    for turn in turns:
        assert_safety_in_order(CONTENT, turn)
        assert_why_on_the_card(CONTENT, turn)


def verdict(content: Content, observations: Observations, *, show_relief: bool, notice_due: bool,
            offer: Step = Step.OFFER_TIPS, locale: str = "en-US") -> SpokenTurn:
    """A verdict turn as the skill says it."""
    turn = Turn(Conversation(step=offer), Reply.ASSESSMENT, assess(observations, content), show_relief=show_relief)
    speech = Voice(locale, content).for_turn(turn, notice_due=notice_due)
    return SpokenTurn("verdict", locale, speech, VERDICT, turn.assessment, turn, notice_due)


def said_in_full(content: Content, turn: SpokenTurn) -> str:
    """The same turn with every part said (the template rendered with nothing moved to the card)."""
    voice = Voice(turn.locale, content)
    return voice.say("assessment", **turn.turn.context(), notice_due=turn.notice_due, recurrence="",
                     notice=voice.say("history_notice") if turn.notice_due else "",
                     offer_question=voice.say(f"offer_{turn.turn.offer}"))


def test_verdict_turn_over_budget_keeps_its_reason_on_the_card_and_says_the_safety_parts_in_order() -> None:
    # Cramps that keep coming back, in a calf that may be swollen, red or warm: a check-up, no rubbing, and what to
    # do if the leg is swollen, with the one-time notice and the tips offer.
    flag = next(flag for flag in CONTENT.red_flags if flag.id == "frequent_or_sleep_disturbing")
    facts = observations_satisfying(flag.when).merge(Observations(
        body_part="calf", pattern="locked", contexts=frozenset({"exercise"}),
        possible_signs=frozenset({"swelling", "redness", "warmth"}),
    ))
    turn = verdict(CONTENT, facts, show_relief=True, notice_due=True)
    assert spoken_seconds(said_in_full(CONTENT, turn)) > VERDICT_SECONDS
    speech = said(turn.speech.text)

    assert turn.seconds <= VERDICT_SECONDS, speech
    assert speech.startswith("Book a check-up. Don't rub or massage it."), speech
    assert spoken_flag(CONTENT, "en-US", flag.id)[0] not in speech
    assert_safety_in_order(CONTENT, turn)
    assert_why_on_the_card(CONTENT, turn)


def clinic_copy(tmp_path: Path, spoken: str, flag_id: str = "wound_before_cramps") -> Content:
    """The packaged content with one red flag's spoken form reworded, as a clinic would."""
    folder = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, folder)
    wording = folder / "languages" / "en" / "wording.yaml"
    text = wording.read_text(encoding="utf-8")
    line = f"  {flag_id}: {CONTENT.language('en-US').words['spoken_red_flags'][flag_id]}\n"
    assert line in text
    wording.write_text(text.replace(line, f"  {flag_id}: {spoken}\n"), encoding="utf-8")
    return load_content(folder)


def test_a_clinics_longer_reason_goes_to_the_card_and_its_advice_is_still_said(tmp_path: Path) -> None:
    why = ("Cramps that start in the days after a cut, a bite or a puncture wound, above all one dirtied with soil, "
           "rust or manure, can be an early sign of tetanus and need a check.")
    edited = clinic_copy(tmp_path, f"{why} Keep the wound clean and covered.")
    flag = next(flag for flag in edited.red_flags if flag.id == "wound_before_cramps")
    facts = observations_satisfying(flag.when).merge(Observations(body_part="calf"))
    before = verdict(CONTENT, facts, show_relief=False, notice_due=False, offer=Step.OFFER_CALLBACK)
    after = verdict(edited, facts, show_relief=False, notice_due=False, offer=Step.OFFER_CALLBACK)
    speech = said(after.speech.text)

    assert spoken_flag(CONTENT, "en-US", flag.id)[0] in said(before.speech.text)  # short enough to say, as packaged
    assert after.seconds <= VERDICT_SECONDS, speech
    assert why not in speech and "Keep the wound clean and covered." in speech, speech
    assert speech.startswith("See a doctor today."), speech
    assert_safety_in_order(edited, after)
    assert_why_on_the_card(edited, after)


def test_a_clinics_longer_verdict_reason_goes_before_the_red_flags(tmp_path: Path) -> None:
    # The verdict's reason yields first: the red flag's reason stays said while there is room for it.
    edited = clinic_copy(tmp_path, "A wound before cramps needs a tetanus check.")
    flag = next(flag for flag in edited.red_flags if flag.id == "wound_before_cramps")
    facts = observations_satisfying(flag.when).merge(Observations(pattern="locked", contexts=frozenset({"exercise"})))
    turn = verdict(edited, facts, show_relief=False, notice_due=True, offer=Step.OFFER_CALLBACK)
    speech = said(turn.speech.text)
    reason = edited.language("en-US").words["reasons"][turn.assessment.reason_ids[0]]

    assert spoken_seconds(said_in_full(edited, turn)) > VERDICT_SECONDS
    assert "A wound before cramps needs a tetanus check." in speech and reason not in speech, speech
    assert turn.seconds <= VERDICT_SECONDS
