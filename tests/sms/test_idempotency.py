"""A Twilio redelivery (same MessageSid) gets the same reply and changes nothing a second time."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from flask import Flask

from shared.stores import Store
from sms.outbound import read_outbox
from tests.sms.conftest import SENDER, TwilioPoster, new_sid, phone_key, twilio_params


def turns(store: Store) -> int:
    """How many dialogue turns the test sender's conversation has taken."""
    record = store.get("conversations", phone_key(SENDER))
    return record.data["conversation"]["turns"] if record else 0


def test_idempotency_redelivery_gets_the_same_reply_and_one_turn(
    twilio_post: TwilioPoster, memory_store: Store
) -> None:
    twilio_post("hi")
    params = twilio_params("1")
    first = twilio_post("", params=params)
    again = twilio_post("", params=params)
    assert again.messages == first.messages and first.text.startswith("Right now:")
    assert turns(memory_store) == 2
    assert "How does it feel" in twilio_post("no").text  # the next answer moves on from where it was


def test_idempotency_redelivered_callback_is_stored_and_notified_once(
    twilio_post: TwilioPoster, memory_store: Store, sms_app: Flask
) -> None:
    twilio_post("my calf locked up")
    twilio_post("CALL")
    params = twilio_params("2")
    first = twilio_post("", params=params)
    for _ in range(2):
        assert twilio_post("", params=params).messages == first.messages
    assert len(memory_store.scan("callbacks")) == 1
    assert len(read_outbox(sms_app.extensions["cramp_sms"].settings)) == 1


def test_idempotency_redelivered_silence_stays_silent(twilio_post: TwilioPoster, memory_store: Store) -> None:
    params = twilio_params("STOP")
    assert twilio_post("", params=params).silent
    assert twilio_post("", params=params).silent
    assert len(memory_store.scan("optouts")) == 1


def test_idempotency_simultaneous_redelivery_waits_for_the_first_reply(
    make_poster: Callable, memory_store: Store, tmp_path: Path
) -> None:
    posters = [make_poster(memory_store)[0] for _ in range(4)]
    posters[0]("hi")
    params = twilio_params("1", sid=new_sid())
    replies: list = [None] * len(posters)
    barrier = threading.Barrier(len(posters))

    def deliver(index: int) -> None:
        barrier.wait()
        replies[index] = posters[index]("", params=params)

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(len(posters))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {tuple(reply.messages) for reply in replies} == {tuple(replies[0].messages)}
    assert replies[0].text.startswith("Right now:")
    assert turns(memory_store) == 2
