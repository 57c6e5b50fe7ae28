"""Safe to follow, by text (issue 14): every red flag through the real webhook, and a whole conversation for each
dialogue fix. Each reply is checked as a phone shows it: GSM-7 and within its segments."""

from __future__ import annotations

import pytest

from shared.content import load_content
from shared.dialogue import Conversation, Event, Message, next_step
from shared.facts import Observations
from shared.render import SMS_TIPS_LIMIT
from shared.stores import Store
from sms.replies import render_turn
from tests.red_flag_phrases import BY_FACTS, PHRASES
from tests.sms.conftest import TwilioPoster
from tests.sms.helpers import assert_sms_text

CONTENT = load_content()
WORDS = CONTENT.language("en-US").words
FLAGS = {flag.id: flag for flag in CONTENT.red_flags}
LEAD = {"emergency": "Call 911 now.", "urgent": "Please see a doctor today: ", "routine": "Book a check-up: "}


def converse(post: TwilioPoster, *messages: str) -> list[str]:
    """Send each message in turn; every one must get exactly one GSM-7 reply within its budget."""
    replies = []
    for message in messages:
        reply = post(message)
        assert reply.status == 200
        assert_sms_text(reply.text, SMS_TIPS_LIMIT if reply.text.startswith("Tips from") else 306)
        replies.append(reply.text)
    return replies


def until_answered(post: TwilioPoster, first: str) -> str:
    """Text the first message, answer every question "2" (no, or the second option), and return the last reply."""
    text = converse(post, first)[0]
    for _ in range(6):
        if "Reply 1" not in text or "Call 911 now." in text.split("\n")[0]:
            break
        text = converse(post, "2")[0]
    return text


def assert_escalated(text: str, flag_id: str) -> None:
    flag = FLAGS[flag_id]
    reason = WORDS["red_flags"][flag_id]
    assert LEAD[flag.urgency] in text, (flag_id, text)
    assert reason[0].upper() + reason[1:] in text or reason in text, (flag_id, text)


@pytest.mark.parametrize("flag_id", sorted(PHRASES))
def test_safety_every_red_flag_said_by_text_gets_its_urgency_and_its_own_reason(
    twilio_post: TwilioPoster, flag_id: str
) -> None:
    assert_escalated(until_answered(twilio_post, PHRASES[flag_id]), flag_id)


@pytest.mark.parametrize("flag_id", sorted(BY_FACTS))
def test_safety_red_flags_resting_on_an_age_reach_the_text_reply(flag_id: str) -> None:
    # The reader does not read ages yet (issue 13): the dialogue is given the facts, the SMS line words the turn.
    turn = next_step(Conversation(), Event.DESCRIBE, Message(facts=Observations.from_dict(BY_FACTS[flag_id])),
                     content=CONTENT)
    while turn.question is not None:
        turn = next_step(turn.conversation, Event.DESCRIBE, Message(text="2"), content=CONTENT)
    text = render_turn(turn, CONTENT, "en-US")
    assert_sms_text(text)
    assert_escalated(text, flag_id)


# A warning sign described rather than named (the reader's described-sign classes), one per class, first message.
DESCRIBED = [
    ("when I cough there's a red tinge to it and my calf is swollen", "chest_or_breathing"),
    ("my son went stiff and then shook all over, now he's really sleepy", "heat_stroke_signs"),
    ("can't catch it, my breath I mean, and my calf is swollen", "chest_or_breathing"),
    ("calf cramp for 15 minutes now and it has got worse", "cramp_not_easing"),
    ("temps hit 36 today and my thighs have been cramping for 2 hours", "heat_with_vomiting_or_long"),
    ("my 4 year old has a fever and keeps holding her leg up", "child_fever_limp_or_joint"),
    ("my weight has reduced by 6 kg and my back is in spasm", "back_with_fever_or_night_pain"),
    ("calf cramp, 4th time this wk", "frequent_or_sleep_disturbing"),
    ("my fingers lock up only when I sign my name", "writers_cramp"),
]


@pytest.mark.parametrize(("text", "flag_id"), DESCRIBED, ids=[flag for _, flag in DESCRIBED])
def test_safety_a_warning_sign_described_not_named_gets_its_urgency_by_text(
    twilio_post: TwilioPoster, text: str, flag_id: str
) -> None:
    assert_escalated(until_answered(twilio_post, text), flag_id)


def test_safety_every_red_flag_is_in_one_of_the_two_tables() -> None:
    assert set(PHRASES) | set(BY_FACTS) == set(FLAGS)


# --- Whole conversations, one per dialogue fix ------------------------------------------------------------------


def test_safety_calf_first_reply_says_not_to_rub_a_swollen_red_or_warm_calf(twilio_post: TwilioPoster) -> None:
    first, which, question = converse(twilio_post, "my calf cramped", "yes", "2")
    assert "Rub the calf only if it isn't swollen, red or warm." in first
    assert which.startswith("Right now: Don't rub or massage it.") and "rub the" not in which.lower()
    assert "redness" in question or "Please see a doctor today" in question


def test_safety_heat_cramp_gets_no_drink_until_heat_stroke_is_ruled_out(twilio_post: TwilioPoster) -> None:
    first, after_no = converse(twilio_post, "my calf cramped up working outside in the heat", "no")
    assert first.startswith("Right now: Stop, get somewhere cool") and "drink" not in first and "sip" not in first
    assert "Is anyone confused, fainting, very hot with dry skin, or being sick?" in first
    assert "sip water or a sports drink" in after_no


def test_safety_heat_danger_confirmed_says_give_no_drinks(twilio_post: TwilioPoster) -> None:
    _, which, emergency = converse(twilio_post, "cramps in the heat", "yes", "1")
    assert which.startswith("Call 911 now if you notice confusion, fainting or very hot or dry skin.")
    assert emergency.startswith("Call 911 now.") and "Give no drinks" in emergency


def test_safety_fresh_strain_gets_no_heat_or_massage(twilio_post: TwilioPoster) -> None:
    (first,) = converse(twilio_post, "I pulled my hamstring at football")
    assert first.startswith("Right now: After a strain or a fall, rest it and use a cold pack")
    assert "No heat or massage for 2 to 3 days." in first


def test_safety_neck_after_a_fall_is_not_told_to_keep_moving(twilio_post: TwilioPoster) -> None:
    (first,) = converse(twilio_post, "my neck went into spasm after I fell")
    assert "keep moving" not in first.lower() and "No heat or massage" in first


def test_safety_hamstring_gets_a_hamstring_stretch(twilio_post: TwilioPoster) -> None:
    (first,) = converse(twilio_post, "cramp in my hamstring")
    assert "lean forward from your hips" in first and "toes toward your nose" not in first


def test_safety_dialysis_tips_do_not_suggest_sports_drinks_or_salt(twilio_post: TwilioPoster) -> None:
    replies = converse(twilio_post, "calf cramps at night, I'm on dialysis", "2", "1", "TIPS")
    assert "Book a check-up" in replies[-2] or "Book a check-up" in replies[-3]
    tips = replies[-1]
    assert "sports drink" not in tips and "salty snack" not in tips
    assert "Told to limit fluids or salt? Keep to that plan" in tips


def test_safety_quinine_is_said_truly(twilio_post: TwilioPoster) -> None:
    (tips,) = converse(twilio_post, "TIPS")
    assert "Quinine and tonic water are not for routine cramps; a doctor may prescribe quinine for severe ones" in tips


def test_safety_off_menu_answers_answer_yes_no_questions(twilio_post: TwilioPoster) -> None:
    replies = converse(twilio_post, "my hand cramped", "not really", "a bit")
    assert "tingling around your mouth" in replies[0]
    assert "How does it feel?" in replies[1]  # "not really" was a no
    assert replies[2].startswith("Sorry, I did not catch that. How does it feel?")  # "a bit" picks no option


def test_safety_a_question_is_never_sent_a_third_time(twilio_post: TwilioPoster) -> None:
    first, second, third = converse(twilio_post, "calf cramp", "dunno", "not sure")
    question = "Is that leg swollen, red or warm to touch?"
    assert question in first and question in second and question not in third
    # Moved on safely: nothing denied, no rubbing, and what to do if it is there.
    assert "Don't rub or massage it" in third and "See a doctor today if you notice swelling" in third


def test_safety_red_flag_said_late_escalates_after_the_verdict(twilio_post: TwilioPoster) -> None:
    replies = converse(twilio_post, "my calf locked up during my run", "2", "2", "no, but now my pee is dark brown")
    assert "Most likely a cramp" in replies[2]
    assert replies[3].startswith("Call 911 now. Dark or cola-coloured urine")


def test_safety_after_an_emergency_call_and_tips_lead_with_it(twilio_post: TwilioPoster, memory_store: Store) -> None:
    emergency, tips, call, confirmed = converse(twilio_post, "cramps and chest pain", "TIPS", "CALL", "1")
    assert emergency.startswith("Call 911 now.") and tips == emergency
    assert call.startswith("Call 911 now: a callback cannot replace that.")
    assert confirmed.startswith("Call 911 now: do not wait for this callback.")
    (callback,) = [record.data for record in memory_store.scan("callbacks")]
    assert callback["urgency"] == "emergency" and callback["content_version"] == CONTENT.version


def test_safety_yes_after_the_verdict_is_the_tips_then_a_callback(twilio_post: TwilioPoster) -> None:
    replies = converse(twilio_post, "my calf locked up during my run", "2", "2", "yes", "1")
    assert replies[3].startswith("Tips from NextPain Care:")
    assert replies[4].startswith("When should NextPain Care call you back?")


def test_safety_no_reply_ever_asks_to_text_yes(twilio_post: TwilioPoster) -> None:
    # Carriers treat YES as an opt-in keyword: every yes/no question asks for 1 or 2 (words still work).
    replies = converse(twilio_post, "calf cramp during my run", "2", "yes", "1")
    assert not any("YES" in reply for reply in replies)
