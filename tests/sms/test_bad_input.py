"""Odd input gets a short, helpful reply: never an error, never an empty or oversized message."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.stores import Store
from sms.app import create_app
from tests.sms.conftest import TwilioPoster, make_settings, twilio_params
from tests.sms.helpers import assert_sms_text


@pytest.mark.parametrize("body", ["", "   ", "\n\t"])
def test_bad_input_empty_body_asks_for_words(twilio_post: TwilioPoster, body: str) -> None:
    text = twilio_post(body).text
    assert_sms_text(text)
    assert text.startswith("Sorry, I could not read that.") and "calf, hard knot" in text


@pytest.mark.parametrize("body", ["\U0001f62d\U0001f62d\U0001f9b5", "\U0001f44d", "?!...", "\u2764\ufe0f"])
def test_bad_input_emoji_only_asks_for_words(twilio_post: TwilioPoster, body: str) -> None:
    text = twilio_post(body).text
    assert_sms_text(text)
    assert text.startswith("Sorry, I could not read that.")


def test_bad_input_emoji_mid_question_repeats_the_question(twilio_post: TwilioPoster) -> None:
    twilio_post("hi")
    text = twilio_post("\U0001f937").text
    assert text.startswith("Sorry, I could not read that.\nWhich muscle is it? Reply 1 calf")
    assert "Right now:" in twilio_post("1").text  # the question is still pending


@pytest.mark.parametrize(
    "body",
    [
        "\u043c\u043e\u044f \u0438\u043a\u0440\u0430 \u0441\u0432\u0435\u043b\u0430",
        "\u6211\u7684\u5c0f\u817f\u62bd\u7b4b\u4e86",
    ],
)
def test_bad_input_other_script_says_english_only_with_numbered_options(twilio_post: TwilioPoster, body: str) -> None:
    twilio_post("hi")
    text = twilio_post(body).text
    assert_sms_text(text)
    assert text.startswith("Sorry, I can only read English.") and "Reply 1 calf" in text


def test_bad_input_other_latin_language_gets_numbered_question(twilio_post: TwilioPoster) -> None:
    text = twilio_post("Tengo un calambre muy fuerte, me duele mucho").text
    assert_sms_text(text)
    assert "Which muscle is it? Reply 1 calf" in text


def test_bad_input_mms_with_media_and_no_text_asks_for_words(twilio_post: TwilioPoster, memory_store: Store) -> None:
    text = twilio_post("", media=2).text
    assert_sms_text(text)
    assert "not pictures" in text
    assert memory_store.scan("conversations") != []  # counted for the rate limit, nothing else


def test_bad_input_mms_with_text_reads_the_text(twilio_post: TwilioPoster) -> None:
    assert twilio_post("my calf locked up", media=1).text.startswith("Right now:")


def test_bad_input_1600_character_body_still_gets_a_two_segment_reply(twilio_post: TwilioPoster) -> None:
    body = ("my calf locked up during my run and it really hurts. " * 40)[:1600]
    assert len(body) == 1600
    text = twilio_post(body).text
    assert_sms_text(text)
    assert text.startswith("Right now:")


def test_bad_input_body_longer_than_twilio_allows_is_cut_not_refused(twilio_post: TwilioPoster) -> None:
    text = twilio_post("x" * 20000 + " calf").text
    assert_sms_text(text)


@pytest.mark.parametrize("body", ["MENU", "SUBSCRIBE", "ABC", "stop please", "<Response/>&amp;"])
def test_bad_input_unknown_keyword_gets_a_helpful_reply(twilio_post: TwilioPoster, body: str) -> None:
    twilio_post("my eyelid keeps twitching, it flickers on and off for seconds")
    twilio_post("a few days")
    text = twilio_post(body).text
    assert_sms_text(text)
    assert "TIPS" in text and "CALL" in text and "NEW" in text


def test_bad_input_control_characters_and_bad_num_media_are_harmless(twilio_post: TwilioPoster) -> None:
    params = twilio_params("calf\x00\x07 cramp")
    params["NumMedia"] = "lots"
    reply = twilio_post("", params=params)
    assert_sms_text(reply.text)


def test_bad_input_signed_request_without_sender_is_a_400_not_a_crash(twilio_post: TwilioPoster) -> None:
    params = {k: v for k, v in twilio_params("hi").items() if k != "From"}
    reply = twilio_post("", params=params)
    assert reply.status == 400


def test_bad_input_without_message_sid_is_still_answered(tmp_path: Path, memory_store: Store) -> None:
    poster = TwilioPoster(create_app(make_settings(tmp_path), memory_store).test_client())
    params = {k: v for k, v in twilio_params("calf cramp").items() if "Sid" not in k or k == "AccountSid"}
    assert poster("", params=params).text.startswith("Right now:")


@pytest.mark.parametrize(
    "body",
    ["J'ai une crampe au mollet depuis 10 minutes, ça fait très mal",
     "Tengo un calambre en la pierna desde hace una hora y me duele mucho"],
)
def test_bad_input_other_language_says_english_and_the_emergency_number_with_no_self_care(
    twilio_post: TwilioPoster, body: str
) -> None:
    text = twilio_post(body).text
    assert_sms_text(text)
    assert text.startswith("Sorry, I can only read English. In an emergency call 911 now.")
    assert "Right now:" not in text and "Which muscle is it? Reply 1 calf" in text
    assert "Right now:" in twilio_post("1").text  # the numbered answer is understood: now the relief step


def test_bad_input_other_language_mid_question_asks_it_again_without_relief(twilio_post: TwilioPoster) -> None:
    twilio_post("my calf is cramping")
    text = twilio_post("no entiendo nada de lo que dices").text
    assert text.startswith("Sorry, I can only read English. In an emergency call 911 now.")
    assert "Right now:" not in text and "Reply 1 for yes, 2 for no" in text


def test_bad_input_other_language_with_a_shared_warning_word_is_still_an_emergency(twilio_post: TwilioPoster) -> None:
    assert twilio_post("Tengo un calambre en la pierna y no puedo respirar bien").text.startswith("Call 911 now.")
