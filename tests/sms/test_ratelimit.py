"""Per-number rate limit: the first message over the limit gets one notice, later ones get no reply."""

from __future__ import annotations

import time
from collections.abc import Callable

from shared.stores import Store
from tests.sms.conftest import TwilioPoster
from tests.sms.helpers import assert_sms_text

OTHER = "+15550100888"


def test_rate_limit_excess_gets_one_notice_then_silence(make_poster: Callable, memory_store: Store) -> None:
    post, _ = make_poster(memory_store, sms_rate_limit=3)
    assert all(post(body).messages for body in ("hi", "1", "no"))
    notice = post("1").text
    assert_sms_text(notice)
    assert "pause replies" in notice and "+1 555 0100" in notice and "911" in notice
    assert post("2").silent
    assert post("HELP").silent


def test_rate_limit_counts_each_number_separately(make_poster: Callable, memory_store: Store) -> None:
    post, _ = make_poster(memory_store, sms_rate_limit=2)
    post("hi")
    post("hi")
    assert "pause replies" in post("hi").text
    assert "Which muscle" in post("hi", OTHER).text


def test_rate_limit_never_blocks_an_opt_out(make_poster: Callable, memory_store: Store) -> None:
    post, _ = make_poster(memory_store, sms_rate_limit=1)
    post("hi")
    post("hi")
    assert post("STOP").silent
    assert len(memory_store.scan("optouts")) == 1


def test_rate_limit_window_ends_and_replies_resume(make_poster: Callable, memory_store: Store) -> None:
    post, _ = make_poster(memory_store, sms_rate_limit=1, sms_rate_window_seconds=1)
    assert post("hi").messages
    assert "pause replies" in post("hi").text
    time.sleep(1.1)
    assert "Sorry, I did not catch that. Which muscle" in post("hi").text


def test_rate_limit_default_allows_a_full_conversation(twilio_post: TwilioPoster) -> None:
    for body in ("calf cramp", "no", "1", "1", "no", "TIPS", "CALL", "1", "HELP", "NEW", "6", "no", "no", "3"):
        assert twilio_post(body).messages, body
