"""Keywords: whole-message words, case- and space-insensitive, with the carrier rules for STOP and START."""

from __future__ import annotations

import pytest

from shared.stores import Store
from sms.keywords import HELP_WORDS, OPT_IN_WORDS, OPT_OUT_WORDS, Keyword, match_keyword
from tests.sms.conftest import SENDER, TwilioPoster, phone_key
from tests.sms.helpers import assert_sms_text, conversation_erased

OTHER_SENDER = "+15550100777"


@pytest.mark.parametrize(
    ("body", "keyword"),
    [
        ("HELP", Keyword.HELP),
        ("info", Keyword.HELP),
        ("  Help \n", Keyword.HELP),
        ("stop", Keyword.STOP),
        ("S T O P", Keyword.STOP),
        ("Stop.", Keyword.STOP),
        ("stopall", Keyword.STOP),
        ("Unsubscribe", Keyword.STOP),
        ("cancel", Keyword.STOP),
        ("END", Keyword.STOP),
        ("quit", Keyword.STOP),
        ("revoke", Keyword.STOP),
        ("OptOut", Keyword.STOP),
        ("start", Keyword.START),
        ("unstop", Keyword.START),
        ("Yes", Keyword.START),
        ("new", Keyword.NEW),
        ("Restart", Keyword.NEW),
        ("tips", Keyword.TIPS),
        ("call", Keyword.CALL),
        ("delete", Keyword.DELETE),
        ("De Lete!", Keyword.DELETE),
        # Any Unicode space a phone keyboard can insert: no-break, em space, ideographic space, line separator.
        ("\u00a0STOP\u2003", Keyword.STOP),
        ("he\u3000lp\u2028", Keyword.HELP),
    ],
)
def test_keyword_whole_message_in_any_case_or_spacing_is_recognised(body: str, keyword: Keyword) -> None:
    match = match_keyword(body)
    assert match is not None and match.keyword == keyword


@pytest.mark.parametrize(
    "body",
    [
        "stop please",
        "it will not stop",
        "stopping",
        "help me my calf",
        "call me maybe",
        "new cramp in my calf",
        "",
        "1",
    ],
)
def test_keyword_inside_a_sentence_is_ordinary_text(body: str) -> None:
    assert match_keyword(body) is None


@pytest.mark.parametrize(("body", "twilio"), [("STOP", True), (" stop\n", True), ("Stop.", False), ("S T O P", False)])
def test_keyword_exact_opt_out_is_known_to_be_answered_by_twilio(body: str, twilio: bool) -> None:
    match = match_keyword(body)
    assert match is not None and match.handled_by_twilio is twilio


@pytest.mark.parametrize("word", HELP_WORDS + ("help ", " Info"))
def test_keyword_help_names_the_clinic_phone_stop_and_rates(twilio_post: TwilioPoster, word: str) -> None:
    text = twilio_post(word).text
    assert_sms_text(text)
    for needed in ("NextPain Care", "+1 555 0100", "STOP", "rates may apply", "not a diagnosis", "911"):
        assert needed in text, needed


def test_keyword_help_mid_question_keeps_the_question_pending(twilio_post: TwilioPoster) -> None:
    assert "Which muscle" in twilio_post("hi").text
    twilio_post("HELP")
    assert "Right now:" in twilio_post("1").text  # "1" still answers "which muscle": calf


@pytest.mark.parametrize("word", OPT_OUT_WORDS + ("stop", " Quit "))
def test_keyword_opt_out_is_recorded_and_answered_only_by_twilio(
    twilio_post: TwilioPoster, memory_store: Store, word: str
) -> None:
    reply = twilio_post(word)
    assert reply.silent
    assert len(memory_store.scan("optouts")) == 1


def test_keyword_opt_out_silences_every_later_message(twilio_post: TwilioPoster, memory_store: Store) -> None:
    twilio_post("my calf locked up")
    assert twilio_post("STOP").silent
    for body in ("hi", "HELP", "TIPS", "CALL", "NEW", "my calf cramp and chest pain", ""):
        assert twilio_post(body).silent, body
    assert memory_store.scan("callbacks") == []


def test_keyword_opt_out_twilio_did_not_catch_gets_our_confirmation(
    twilio_post: TwilioPoster, memory_store: Store
) -> None:
    text = twilio_post("Stop.").text
    assert_sms_text(text)
    assert "no more messages" in text and "START" in text
    assert twilio_post("hi").silent


def test_keyword_opt_out_stored_for_one_number_only(twilio_post: TwilioPoster) -> None:
    twilio_post("STOP")
    assert "Which muscle" in twilio_post("hi", OTHER_SENDER).text


@pytest.mark.parametrize("word", OPT_IN_WORDS + ("start", "Unstop"))
def test_keyword_opt_in_after_opt_out_resumes_replies(
    twilio_post: TwilioPoster, memory_store: Store, word: str
) -> None:
    twilio_post("STOP")
    text = twilio_post(word).text
    assert_sms_text(text)
    assert "subscribed" in text and "STOP" in text
    assert memory_store.scan("optouts") == []
    assert "Which muscle" in twilio_post("hi").text


def test_keyword_yes_without_opt_out_answers_the_question(twilio_post: TwilioPoster) -> None:
    assert "swollen, red or warm" in twilio_post("calf cramp").text
    # "YES" from someone who never opted out is an answer (the line itself asks for 1 or 2, never for YES).
    assert "Which one?" in twilio_post("YES").text
    assert "Please see a doctor today" in twilio_post("1").text


def test_keyword_start_without_opt_out_simply_starts(twilio_post: TwilioPoster) -> None:
    assert "Which muscle" in twilio_post("START").text


@pytest.mark.parametrize("word", ["NEW", "restart", " New "])
def test_keyword_new_starts_over_from_the_first_question(twilio_post: TwilioPoster, word: str) -> None:
    twilio_post("my calf locked up during my run")
    text = twilio_post(word).text
    assert text.startswith("OK, starting again.") and "Which muscle" in text
    assert "Right now:" in twilio_post("6").text  # 6 = lower back: a fresh body-part answer


def test_keyword_tips_lists_tips_within_four_segments(twilio_post: TwilioPoster) -> None:
    twilio_post("my calf locked up during my run, 2 mins ago")
    twilio_post("no")
    text = twilio_post("TIPS").text
    assert_sms_text(text, limit=612)
    assert text.startswith("Tips from NextPain Care") and "1) " in text and "Quinine" in text


def test_keyword_call_asks_for_a_time_window(twilio_post: TwilioPoster) -> None:
    text = twilio_post("call").text
    assert "When should NextPain Care call you back?" in text and "1 morning" in text


def test_keyword_delete_erases_conversation_and_callbacks(twilio_post: TwilioPoster, memory_store: Store) -> None:
    twilio_post("my calf locked up during my run")
    twilio_post("CALL")
    twilio_post("2")
    assert len(memory_store.scan("callbacks")) == 1
    text = twilio_post("DELETE").text
    assert_sms_text(text)
    assert "erased" in text
    assert memory_store.scan("callbacks") == []
    assert conversation_erased(memory_store, phone_key(SENDER))
    assert "Which muscle" in twilio_post("hi").text  # a fresh start


def test_keyword_delete_keeps_other_numbers_data(twilio_post: TwilioPoster, memory_store: Store) -> None:
    twilio_post("my calf locked up", OTHER_SENDER)
    twilio_post("DELETE", SENDER)
    assert memory_store.get("conversations", phone_key(OTHER_SENDER)) is not None


def test_keyword_delete_while_opted_out_erases_silently_and_stays_opted_out(
    twilio_post: TwilioPoster, memory_store: Store
) -> None:
    twilio_post("my calf locked up")
    twilio_post("STOP")
    assert twilio_post("DELETE").silent
    assert len(memory_store.scan("optouts")) == 1
    assert conversation_erased(memory_store, phone_key(SENDER))
