"""The age question by voice (questions.yaml `age`), through the skill's request handling with real envelopes: the
answer is said with a lead-in FreeTextIntent carries ("he's nine"), and the words the model puts in its
AMAZON.SearchQuery slot are what the skill is sent."""

from __future__ import annotations

import pytest

from shared.content import load_content
from tests.skill.alexa_device import AlexaDevice, Reply
from tests.skill.test_interaction_models import (
    custom_types,
    intents_by_name,
    intents_matching,
    sample_pattern,
    spoken_forms,
)

CONTENT = load_content()
WORDS = CONTENT.language("en-US").words
AGE_QUESTION = WORDS["questions"]["age"]["voice"]
CHILD_REASON = WORDS["spoken_red_flags"]["child_fever_limp_or_joint"]
FALL_REASON = WORDS["spoken_red_flags"]["older_adult_fall_back_or_neck"]
URGENT = "See a doctor today."


def search_query_words(utterance: str, locale: str = "en-US") -> str:
    """What the model sends for a spoken answer: it reaches FreeTextIntent alone, and its description slot holds
    the words after the lead-in."""
    assert intents_matching(locale, utterance) == {"FreeTextIntent"}, utterance
    intent = intents_by_name(locale)["FreeTextIntent"]
    types = custom_types(locale)
    heard = {found.group("description") for sample in intent["samples"]
             for found in [sample_pattern(sample, intent, types).match(utterance.lower())] if found}
    assert heard, utterance
    return min(heard, key=len)  # the most specific sample's slot ("nine", not "nine years old")


def until_asked_age(device: AlexaDevice, first: str) -> list[Reply]:
    """Describe it, answer every yes/no question "no", and stop at the age question or the verdict."""
    replies = [device.free_text(first)]
    while AGE_QUESTION not in replies[-1].speech and not replies[-1].card and len(replies) < 8:
        replies.append(device.no())
    return replies


@pytest.mark.parametrize("first", [
    "my son has a fever and won't stand on his leg",
    "my daughter's got a limp and a temperature after her cramps",
])
@pytest.mark.parametrize("answer", ["he's nine", "she's seven years old", "she's a teenager", "he's under sixteen",
                                    "they're only little", "she is four"])
def test_age_child_by_voice_is_told_to_see_a_doctor_today_at_once(
    device: AlexaDevice, first: str, answer: str
) -> None:
    asked = until_asked_age(device, first)
    assert AGE_QUESTION in asked[-1].speech, [reply.speech for reply in asked]
    assert not any(URGENT in reply.speech for reply in asked)

    verdict = device.free_text(search_query_words(answer))

    assert verdict.speech.startswith(f"{URGENT} {CHILD_REASON}"), verdict.speech
    assert verdict.card is not None and "Not a diagnosis." in verdict.speech


@pytest.mark.parametrize("answer", ["he's forty", "she's grown up", "they're an adult", "he's seventy",
                                    "she is sixty five or over"])
def test_age_adult_by_voice_is_not_escalated_by_the_child_flag(device: AlexaDevice, answer: str) -> None:
    until_asked_age(device, "my son has a fever and won't stand on his leg")

    after = device.free_text(search_query_words(answer))
    rest = [after]
    while not rest[-1].card and len(rest) < 6:
        rest.append(device.no())

    assert AGE_QUESTION not in after.speech
    assert not any(CHILD_REASON in reply.speech for reply in rest), [reply.speech for reply in rest]


@pytest.mark.parametrize("first", [
    "my 6 year old has a fever and a limp",
    "my teenage son has a limp and a fever",
    "my toddler won't walk and has a fever",
    "I'm 34 and I've got a fever and a limp in my calf",
])
def test_age_already_said_by_voice_is_never_asked(device: AlexaDevice, first: str) -> None:
    assert not any(AGE_QUESTION in reply.speech for reply in until_asked_age(device, first))


@pytest.mark.parametrize("first", ["my son has a calf cramp", "my wife's back went into spasm lifting a box"])
def test_age_not_asked_by_voice_without_a_sign_an_age_decides(device: AlexaDevice, first: str) -> None:
    assert not any(AGE_QUESTION in reply.speech for reply in until_asked_age(device, first))


def test_age_older_person_after_a_fall_by_voice_gets_the_fracture_check(device: AlexaDevice) -> None:
    asked = until_asked_age(device, "my mum fell and hurt her back")
    assert AGE_QUESTION in asked[-1].speech

    verdict = device.free_text(search_query_words("I'm aged eighty two"))

    assert verdict.speech.startswith(f"{URGENT} {FALL_REASON}"), verdict.speech


def test_age_question_is_said_last_with_the_mic_open(device: AlexaDevice) -> None:
    asked = until_asked_age(device, "my son has a fever and won't stand on his leg")

    assert asked[-1].speech.endswith(AGE_QUESTION)
    assert asked[-1].reprompt, "the mic stays open for the answer"


@pytest.mark.parametrize(("said", "band"), [("a child", "child"), ("a teenager", "child"), ("toddler", "child"),
                                            ("an adult", "adult"), ("grown up", "adult"),
                                            ("sixty five plus", "older_adult"), ("elderly", "older_adult")])
def test_age_bare_answer_by_voice_reaches_the_age_slot_the_question_elicits(
    device: AlexaDevice, said: str, band: str
) -> None:
    asked = until_asked_age(device, "my son has a fever and won't stand on his leg")
    directives = asked[-1].raw["response"].get("directives", [])
    assert [d.get("slotToElicit") for d in directives if d["type"] == "Dialog.ElicitSlot"] == ["age"]
    # Alexa resolves a bare answer to the AGE_BAND value it names (the model's own values and synonyms).
    assert spoken_forms(custom_types("en-US")["AGE_BAND"])[said] == band

    reply = device.elicited(age=band)

    if band == "child":
        assert reply.speech.startswith(f"{URGENT} {CHILD_REASON}"), reply.speech
    else:
        assert AGE_QUESTION not in reply.speech and CHILD_REASON not in reply.speech, reply.speech
