"""The age question by text (questions.yaml `age`): a parent who says no age is asked it when a red flag that holds
only at an age could hold, and the answer decides that flag at once, through the signed webhook."""

from __future__ import annotations

import pytest

from shared.content import load_content
from tests.sms.conftest import TwilioPoster
from tests.sms.helpers import assert_sms_text

CONTENT = load_content()
WORDS = CONTENT.language("en-US").words
AGE_QUESTION = WORDS["questions"]["age"]["sms"]
CHILD_REASON = WORDS["red_flags"]["child_fever_limp_or_joint"]
FALL_REASON = WORDS["red_flags"]["older_adult_fall_back_or_neck"]
URGENT = "Please see a doctor today: "

# A parent's first message: a fever or a limp, and someone of no stated age.
NO_AGE_SAID = [
    "my son has a fever and won't stand on his leg",
    "my daughter's got a limp and a temperature after her cramps",
    "my boy is limping after a cramp in his calf and has a temperature of 38.5",
    "my daughter has a high temperature and keeps getting cramp in her thigh",
    "he's been limping since his leg cramped at football and now he's got a fever",
    # one sign alone: a limp, or a fever
    "my son won't put weight on his leg since his calf cramped",
    "my daughter has a temperature and cramp in her calf",
]
CHILD_ANSWERS = ["1", "he's 9", "nine", "she's 7 years old", "she's a teenager", "a toddler", "under 16",
                 "still at primary school"]
NOT_A_CHILD = ["2", "he's 40", "grown up", "an adult", "she's 70", "3", "sixty seven", "he's not a kid anymore"]


def text(post: TwilioPoster, body: str) -> str:
    """Send one message; the reply must be one GSM-7 text within its segments."""
    reply = post(body)
    assert reply.status == 200
    assert_sms_text(reply.text, 306)
    return reply.text


def until_asked_age(post: TwilioPoster, first: str) -> list[str]:
    """Send the first message, answer every other question with its second option ("no"), and stop at the age
    question or the verdict; returns every reply."""
    replies = [text(post, first)]
    while "Reply 1" in replies[-1] and AGE_QUESTION not in replies[-1] and len(replies) < 8:
        replies.append(text(post, "2"))
    return replies


@pytest.mark.parametrize("first", NO_AGE_SAID)
@pytest.mark.parametrize("answer", CHILD_ANSWERS)
def test_age_child_with_fever_or_limp_is_told_to_see_a_doctor_today_right_after_the_answer(
    twilio_post: TwilioPoster, first: str, answer: str
) -> None:
    replies = until_asked_age(twilio_post, first)
    assert AGE_QUESTION in replies[-1], replies
    assert "Reply 1 a child under 16, 2 an adult 16 to 64, 3 someone 65 or over." in replies[-1]
    assert not any(URGENT in reply for reply in replies), "no visit today before the age is known"

    after = text(twilio_post, answer)

    # The very next reply, first thing: see a doctor today and why; no stretch or rub ahead of it.
    assert after.startswith(URGENT + CHILD_REASON), after
    assert "Right now" not in after
    assert "Not a diagnosis." in after


@pytest.mark.parametrize("answer", NOT_A_CHILD)
def test_age_adult_or_older_is_not_escalated_by_the_child_flag(twilio_post: TwilioPoster, answer: str) -> None:
    replies = until_asked_age(twilio_post, "my son has a fever and won't stand on his leg")
    assert AGE_QUESTION in replies[-1]

    after = text(twilio_post, answer)
    rest = [after]
    while "Reply 1" in rest[-1] and len(rest) < 6:
        rest.append(text(twilio_post, "2"))

    assert AGE_QUESTION not in after, "the answer was taken, not asked again"
    assert not any(CHILD_REASON in reply for reply in rest), rest
    assert "Not a diagnosis." in rest[-1]


def test_age_a_bare_number_that_is_no_option_is_asked_again_not_guessed(twilio_post: TwilioPoster) -> None:
    until_asked_age(twilio_post, "my son has a fever and won't stand on his leg")

    again = text(twilio_post, "9")
    child = text(twilio_post, "1")

    assert again.startswith("Sorry, I did not catch that.") and AGE_QUESTION in again
    assert child.startswith(URGENT + CHILD_REASON)


@pytest.mark.parametrize("first", [
    "my 6 year old has a fever and a limp",
    "my teenage son has a limp and a fever after cramp in his calf",
    "my toddler won't walk and has a fever",
    "my little girl has a temperature and is limping, her calf cramped",
    "our 10 year old has a fever and cramps in his legs",
    "my son is 40 and has a fever and a limp after a calf cramp",
    "I'm 34 and I've got a fever and a limp with a calf cramp",
    "my grandad fell and his back has gone into spasm",
    "my dad is 82, he fell and now his lower back is in spasm",
])
def test_age_already_said_is_never_asked(twilio_post: TwilioPoster, first: str) -> None:
    replies = until_asked_age(twilio_post, first)

    assert not any(AGE_QUESTION in reply for reply in replies), replies


@pytest.mark.parametrize("first", [
    "my son has a calf cramp",
    "my daughter gets cramp in her foot at night",
    "my husband's back went into spasm lifting the sofa",
    "my son has a calf cramp, no fever and he's walking fine",
    "my mum's neck is stiff after sleeping funny",
    "I get cramp in my calf most nights",
])
def test_age_not_asked_when_no_sign_an_age_decides_is_said(twilio_post: TwilioPoster, first: str) -> None:
    replies = until_asked_age(twilio_post, first)

    assert not any(AGE_QUESTION in reply for reply in replies), replies


@pytest.mark.parametrize(("first", "answer"), [
    ("my mum fell and hurt her back, it's gone into spasm", "3"),
    ("my mum fell and hurt her back, it's gone into spasm", "she's 82"),
    ("I fell over in the garden and my lower back went into spasm", "seventy"),
    ("my dad slipped and fell and his neck has seized up", "he's a pensioner"),
])
def test_age_older_person_after_a_fall_gets_the_fracture_check_today(
    twilio_post: TwilioPoster, first: str, answer: str
) -> None:
    replies = until_asked_age(twilio_post, first)
    assert AGE_QUESTION in replies[-1], replies

    after = text(twilio_post, answer)

    assert after.startswith(URGENT + FALL_REASON), after


def test_age_younger_person_after_a_fall_is_not_sent_for_a_fracture_check(twilio_post: TwilioPoster) -> None:
    until_asked_age(twilio_post, "my mum fell and hurt her back, it's gone into spasm")

    after = text(twilio_post, "she's 50")

    assert FALL_REASON not in after and AGE_QUESTION not in after


def test_age_still_asked_when_the_muscle_question_is_passed_over(twilio_post: TwilioPoster) -> None:
    # The age waits for the muscle (so an urgent answer is said at once), never for a muscle nobody can name.
    first = text(twilio_post, "my daughter has a fever and a limp")
    again = text(twilio_post, "dunno")
    age = text(twilio_post, "no idea")
    after = text(twilio_post, "1")

    assert "Which muscle is it?" in first and again.startswith("Sorry, I did not catch that.")
    assert AGE_QUESTION in age
    assert after.startswith(URGENT + CHILD_REASON)
