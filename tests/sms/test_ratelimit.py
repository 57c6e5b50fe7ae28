"""Per-number rate limit: the first message over the limit gets one notice, later ones get no reply."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from shared.stores import Store
from tests.sms.conftest import TwilioPoster, phone_key
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
    for body in ("calf cramp", "no", "1", "1", "no", "TIPS", "CALL", "1", "help?", "NEW", "6", "no", "no", "3"):
        assert twilio_post(body).messages, body


def test_rate_limit_delete_does_not_reset_the_count(make_poster: Callable, memory_store: Store) -> None:
    post, _ = make_poster(memory_store, sms_rate_limit=3)
    post("my calf locked up during my run")
    post("no")
    assert "erased" in post("DELETE").text
    record = memory_store.get("conversations", phone_key())
    # Nothing of the person is left but the count (no words, no answers), kept only until the window ends.
    assert record is not None and set(record.data) == {"rate"} and record.data["rate"]["count"] == 3
    assert record.expires_at is not None and record.expires_at <= time.time() + 600
    assert "pause replies" in post("hi").text


def test_rate_limit_delete_over_the_limit_still_erases_and_confirms(make_poster: Callable, memory_store: Store) -> None:
    post, _ = make_poster(memory_store, sms_rate_limit=1)
    post("my calf locked up during my run")
    post("CALL")  # over the limit: paused
    assert post("still there?").silent

    deleted = post("DELETE")

    assert deleted.text.startswith("Done: erased your conversation, history and callback requests.")
    record = memory_store.get("conversations", phone_key())
    assert record is not None and set(record.data) == {"rate"} and record.data["rate"]["count"] == 4
    assert post("hi").silent  # the count was kept: DELETE did not reset the limit


def test_rate_limit_stop_over_the_limit_is_still_recorded(make_poster: Callable, memory_store: Store) -> None:
    post, _ = make_poster(memory_store, sms_rate_limit=1)
    post("my calf locked up during my run")
    post("hi")
    assert post("hi again").silent

    assert post("Stop.").text.startswith("You are unsubscribed from Cramp Check")
    assert memory_store.get("optouts", phone_key()) is not None


def test_rate_limit_counts_across_the_conversations_expiry(make_poster: Callable, memory_store: Store) -> None:
    post, _ = make_poster(memory_store, sms_rate_limit=2, conversation_ttl_seconds=1)
    assert "swollen" in post("calf cramp").text
    time.sleep(1.1)
    assert "Which muscle is it?" in post("yes").text  # a fresh conversation, in the same window
    assert "pause replies" in post("hi").text


def test_rate_limit_keyword_only_message_does_not_keep_the_conversation_alive(
    make_poster: Callable, memory_store: Store
) -> None:
    post, _ = make_poster(memory_store, conversation_ttl_seconds=1)
    assert "swollen" in post("calf cramp").text
    time.sleep(0.6)
    assert "NextPain Care" in post("help!").text  # not an exact keyword: the line answers it, not Twilio
    time.sleep(0.6)
    assert "Which muscle is it?" in post("yes").text  # expired one silence limit after "calf cramp"


def test_rate_limit_count_alone_is_kept_only_until_its_window_ends(make_poster: Callable, memory_store: Store) -> None:
    post, _ = make_poster(memory_store, sms_rate_window_seconds=1)
    assert "NextPain Care" in post("help!").text  # not an exact keyword: the line answers it, not Twilio
    assert memory_store.get("conversations", phone_key()) is not None
    time.sleep(1.1)
    assert memory_store.get("conversations", phone_key()) is None


def test_rate_limit_two_racing_messages_are_both_counted(make_poster: Callable, store: Store) -> None:
    posters = [make_poster(store, sms_rate_limit=2)[0] for _ in range(2)]
    barrier = threading.Barrier(2)
    replies: list = [None, None]

    def send(index: int) -> None:
        barrier.wait()
        replies[index] = posters[index](("my calf", "during my run")[index])

    threads = [threading.Thread(target=send, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(reply.status == 200 and len(reply.messages) == 1 for reply in replies)
    assert not any("pause replies" in reply.text or "problem" in reply.text for reply in replies)
    record = store.get("conversations", phone_key())
    assert record is not None and record.data["conversation"]["turns"] == 2  # neither dialogue step was lost
    assert "pause replies" in posters[0]("help!").text


def test_rate_limit_record_left_by_the_previous_version_is_ignored(make_poster: Callable, memory_store: Store) -> None:
    # Before the count moved into the conversation record it had its own, expiring one window after the last message.
    now = time.time()
    old = {"window_start": now, "count": 99, "noticed": True}
    memory_store.put("conversations", f"rate:{phone_key()}", old, expected_version=0, expires_at=now + 600)
    post, _ = make_poster(memory_store, sms_rate_limit=2)
    assert "Which muscle" in post("hi").text
    assert "Which muscle" in post("hi").text
    assert "pause replies" in post("hi").text
