"""Whole conversations over SMS: what a person texts and what they read back, turn by turn."""

from __future__ import annotations

import pytest

from shared.render import SMS_TIPS_LIMIT
from shared.stores import Store
from tests.sms.conftest import TwilioPoster, phone_key
from tests.sms.helpers import assert_sms_text


def converse(post: TwilioPoster, *messages: str) -> list[str]:
    """Send each message in turn; every one must get exactly one GSM-7 reply within its budget."""
    replies = []
    for message in messages:
        reply = post(message)
        assert reply.status == 200
        text = reply.text
        assert_sms_text(text, SMS_TIPS_LIMIT if message.strip().upper() == "TIPS" else 306)
        replies.append(text)
    return replies


def test_conversation_cramp_after_a_run_ends_with_reasons_tips_and_a_saved_callback(
    twilio_post: TwilioPoster, memory_store: Store
) -> None:
    first, exertion, verdict, tips, window, confirmed = converse(
        twilio_post,
        "my calf locked up during my run, 2 mins ago, no swelling",
        "2",
        "nope",
        "TIPS",
        "CALL",
        "after 3pm please",
    )
    assert first.startswith("Right now: Straighten the leg and pull your toes toward your nose")
    # Nobody is asked to text YES (a carrier opt-in keyword): 1 and 2 answer, and so do words.
    assert first.endswith("Reply 1 for yes, 2 for no.") and first.count("?") == 1 and "YES" not in first
    assert exertion.startswith("Any chest pain")
    assert verdict.startswith("Most likely a cramp: the muscle is one hard, tight knot")
    assert "TIPS" in verdict and "CALL" in verdict and "NEW" in verdict and "Not a diagnosis" in verdict
    assert tips.startswith("Tips from NextPain Care:") and "1) Stretch" in tips
    assert "Reply 1 morning, 2 afternoon, 3 evening" in window
    assert "callback request is saved" in confirmed and "(after 3pm please)" in confirmed
    (callback,) = [record.data for record in memory_store.scan("callbacks")]
    assert callback["window"] == "after 3pm please" and callback["urgency"] == "self_care"
    assert callback["summary"].startswith("cramp (strong), calf")


def test_conversation_numbers_words_and_free_text_all_answer_questions(twilio_post: TwilioPoster) -> None:
    replies = converse(twilio_post, "CRAMP", "1", "nope", "it is a hard knot")
    # A relief step in the first reply even with no muscle named: a general one that rubs nothing.
    assert replies[0].startswith("Right now: Stop and gently stretch") and "rub" not in replies[0].lower()
    assert "Which muscle is it? Reply 1 calf" in replies[0]
    assert replies[1].startswith("Right now: Straighten the leg") and "swollen" in replies[1]
    assert "How does it feel?" in replies[2]
    # A hard knot, and they called it a cramp: no more questions needed.
    assert replies[3].startswith("Most likely a cramp: the muscle is one hard, tight knot")


def test_conversation_back_spasm_after_lifting_is_most_likely_a_spasm(twilio_post: TwilioPoster) -> None:
    first, nerve_answer, verdict = converse(
        twilio_post, "my back went into spasm after lifting a box, stiff and sore to move", "no", "no"
    )
    assert first.startswith("Right now: Stop, and find a comfortable position")
    assert "numbness around your groin" in first
    assert "chest pain" in nerve_answer
    # Stiff and sore after lifting, and "went into spasm" in their own word.
    assert verdict.startswith("Most likely a spasm: the muscle is stiff and sore to move")


def test_conversation_eyelid_twitch_gets_relief_and_verdict_in_the_first_reply(twilio_post: TwilioPoster) -> None:
    (reply,) = converse(twilio_post, "my eyelid keeps twitching, it flickers on and off for seconds")
    assert reply.startswith("Right now: Eyelid twitches are usually harmless.")
    assert "Most likely a spasm" in reply and "Reply TIPS, CALL or NEW" in reply


def test_conversation_mixed_signs_give_an_honest_unclear(twilio_post: TwilioPoster) -> None:
    # Twitching (a spasm's pattern) during a run (a cramp's context), with no word of their own to tip it.
    replies = converse(twilio_post, "my calf jumps on and off during my run", "no", "no", "TIPS")
    assert replies[2].startswith("Hard to tell if this is a cramp or a spasm: the signs are mixed.")
    assert replies[3].startswith("Tips from NextPain Care:")


def test_conversation_with_nothing_to_tell_them_apart_says_not_enough_yet(twilio_post: TwilioPoster) -> None:
    # "The signs are mixed" only when they are (issue 14).
    replies = converse(twilio_post, "my arm hurts", "dunno", "no idea", "not sure", "dunno")
    assert "How does it feel?" in replies[0] and replies[1].startswith("Sorry, I did not catch that. How does it feel?")
    # Never the same question a third time: after two misses it moves on.
    assert "How does it feel?" not in replies[2] and "When did it start?" in replies[2]
    assert "When did it start?" in replies[3] and "When did it start?" not in replies[4]
    assert "Not enough to tell a cramp from a spasm yet." in replies[4] and "mixed" not in replies[4]


def test_conversation_emergency_in_first_message_answers_at_once(twilio_post: TwilioPoster) -> None:
    first, again = converse(twilio_post, "cramp in my calf and now I have chest pain", "hello?")
    assert first.startswith("Call 911 now.") and "clot in the lung" in first
    assert "Which muscle" not in first and "Right now" not in first
    assert again == first


def test_conversation_emergency_sign_mid_conversation_stops_the_questions(twilio_post: TwilioPoster) -> None:
    replies = converse(twilio_post, "my calf", "no", "1", "1", "yes", "3")
    assert "chest pain" in replies[3]
    # "Which one?", with what to do meanwhile; then the emergency, for the sign confirmed (dark urine).
    assert replies[4].startswith("Call 911 now if you notice chest pain, trouble breathing or dark urine.")
    assert "Reply 1 chest pain, 2 trouble breathing, 3 dark urine." in replies[4]
    assert replies[5].startswith("Call 911 now. Dark or cola-coloured urine")


def test_conversation_urgent_leg_swelling_says_see_a_doctor_today(twilio_post: TwilioPoster) -> None:
    replies = converse(twilio_post, "my calf locked up during my run", "yes", "warm", "no")
    # Swollen, red or warm: which one? Meanwhile no rubbing, and what to do if it is.
    assert replies[1].startswith("Right now: Don't rub or massage it.") and "Which one?" in replies[1]
    # After the urgent sign only red-flag questions remain (chest pain / dark urine), then the advice at once.
    assert "chest pain" in replies[2]
    assert replies[3].startswith("Please see a doctor today: swelling, redness or warmth in one leg")
    assert "Most likely a cramp" in replies[3]


def test_conversation_routine_long_twitch_says_book_a_check_up(twilio_post: TwilioPoster) -> None:
    (reply,) = converse(twilio_post, "my eyelid has been twitching for three weeks")
    assert reply.startswith("Right now:")
    assert "Book a check-up: a twitch that lasts more than two weeks" in reply


def test_conversation_self_care_verdict_has_no_urgency_line(twilio_post: TwilioPoster) -> None:
    replies = converse(twilio_post, "my calf locked up during my run, 2 mins ago, no swelling", "no")
    assert "Please see" not in replies[1] and "Book a check-up" not in replies[1] and "911" not in replies[1]


def test_conversation_unanswerable_reply_repeats_the_question(twilio_post: TwilioPoster) -> None:
    question, again = converse(twilio_post, "hi", "banana")
    assert again == "Sorry, I did not catch that. " + question.split("\n", 1)[1]  # the relief step is not repeated


def test_conversation_after_verdict_an_unknown_word_lists_the_keywords(twilio_post: TwilioPoster) -> None:
    replies = converse(twilio_post, "my eyelid keeps twitching, it flickers on and off for seconds", "MENU")
    assert "TIPS" in replies[1] and "CALL" in replies[1] and "NEW" in replies[1]


def test_conversation_state_is_stored_per_number_under_its_hash(twilio_post: TwilioPoster, memory_store: Store) -> None:
    converse(twilio_post, "my calf locked up")
    record = memory_store.get("conversations", phone_key())
    assert record is not None and record.data["conversation"]["pending"] == "leg_swelling"
    assert record.expires_at is not None


@pytest.mark.parametrize("window", ["1", "morning"])
def test_conversation_callback_window_by_number_or_word(twilio_post: TwilioPoster, window: str) -> None:
    replies = converse(twilio_post, "CALL", window)
    assert "(morning)" in replies[1]
