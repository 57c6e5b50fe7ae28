"""A Twilio redelivery (same MessageSid) gets the same reply and changes nothing a second time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from shared import handover
from shared.stores import Store, store_from_settings
from sms import idempotency
from sms.notifications import send_owed
from sms.outbound import read_outbox
from tests.sms.conftest import SENDER, TwilioPoster, new_sid, phone_key, twilio_params
from tests.sms.helpers import conversation_erased, nothing_stored


def turns(store: Store) -> int:
    """How many dialogue turns the test sender's conversation has taken."""
    record = store.get("conversations", phone_key(SENDER))
    return record.data["conversation"]["turns"] if record else 0


def test_idempotency_redelivery_gets_the_same_reply_and_one_turn(make_poster: Callable, store: Store) -> None:
    twilio_post, _ = make_poster(store)
    twilio_post("hi")
    params = twilio_params("1")
    first = twilio_post("", params=params)
    again = twilio_post("", params=params)
    assert again.messages == first.messages and first.text.startswith("Right now:")
    assert turns(store) == 2
    assert "How does it feel" in twilio_post("no").text  # the next answer moves on from where it was


def test_idempotency_redelivered_callback_is_stored_and_notified_once(make_poster: Callable, store: Store) -> None:
    twilio_post, app = make_poster(store)
    twilio_post("my calf locked up")
    twilio_post("CALL")
    params = twilio_params("2")
    first = twilio_post("", params=params)
    for _ in range(2):
        assert twilio_post("", params=params).messages == first.messages
    assert callbacks_and_outbox(store, app) == (1, 1)


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


def leave_claim_processing(store: Store, sid: str, lease_until: float) -> None:
    """Put the MessageSid's claim back to 'processing', as an owner that died (or a late claim write) leaves it."""
    key = idempotency.claim_key(sid)
    record = store.get("conversations", key)
    data = {
        "state": "processing",
        "claimed_at": lease_until - idempotency.CLAIM_LEASE_SECONDS,
        "lease_until": lease_until,
    }
    expires_at = time.time() + idempotency.CLAIM_RETENTION_SECONDS
    store.put("conversations", key, data, expected_version=record.version if record else 0, expires_at=expires_at)


def callbacks_and_outbox(store: Store, app: Flask) -> tuple[int, int]:
    """Callback requests stored, and staff texts sent once the notifier has sent every owed one."""
    line = app.extensions["cramp_sms"]
    send_owed(line.settings, store, line.content)
    return len(store.scan("callbacks")), len(read_outbox(app.extensions["cramp_sms"].settings))


def test_idempotency_redelivery_after_the_lease_expired_is_handled(make_poster: Callable, store: Store) -> None:
    twilio_post, _ = make_poster(store)
    twilio_post("hi")
    params = twilio_params("1")
    leave_claim_processing(store, params["MessageSid"], lease_until=time.time() - 1)

    reply = twilio_post("", params=params)

    assert reply.text.startswith("Right now:")
    assert turns(store) == 2
    claim = store.get("conversations", idempotency.claim_key(params["MessageSid"]))
    assert claim is not None and claim.data["state"] == "done" and claim.data["reply"] == reply.text


def test_idempotency_redelivery_during_a_live_lease_gets_the_safe_reply_and_changes_nothing(
    make_poster: Callable, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(idempotency, "REPLAY_WAIT_SECONDS", 0.2)
    twilio_post, _ = make_poster(store)
    twilio_post("hi")
    params = twilio_params("1")
    leave_claim_processing(store, params["MessageSid"], lease_until=time.time() + 60)

    reply = twilio_post("", params=params)

    assert "Sorry, our text line has a problem" in reply.text
    assert turns(store) == 1


def test_idempotency_expired_lease_is_taken_over_by_exactly_one_of_many_redeliveries(
    make_poster: Callable, store: Store
) -> None:
    posters = [make_poster(store)[0] for _ in range(4)]
    posters[0]("hi")
    params = twilio_params("1")
    leave_claim_processing(store, params["MessageSid"], lease_until=time.time() - 1)
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
    assert turns(store) == 2


def test_idempotency_owner_died_after_its_writes_redelivery_moves_the_conversation_and_texts_staff_once(
    make_poster: Callable, store: Store
) -> None:
    # Only DynamoDB keeps the writes of an owner that died mid-turn; here they are put back by hand on every store.
    post, app = make_poster(store)
    post("my calf locked up")
    post("CALL")
    params = twilio_params("2")
    first = post("", params=params)
    # The owner stored the conversation, the callback and the staff text, then died before finishing its claim.
    leave_claim_processing(store, params["MessageSid"], lease_until=time.time() - 1)
    turns_before = turns(store)

    again = post("", params=params)

    assert again.messages == first.messages and "callback request is saved" in first.text
    assert turns(store) == turns_before
    assert callbacks_and_outbox(store, app) == (1, 1)


def test_idempotency_finished_claim_is_kept_thirty_days_with_its_reply(
    twilio_post: TwilioPoster, memory_store: Store
) -> None:
    params = twilio_params("my calf locked up")
    first = twilio_post("", params=params)

    claim = memory_store.get("conversations", idempotency.claim_key(params["MessageSid"]))

    assert claim is not None and claim.data["reply"] == first.text
    assert claim.expires_at is not None and claim.expires_at >= time.time() + 29 * 24 * 3600


def test_idempotency_late_release_does_not_drop_a_claim_taken_over_since(memory_store: Store) -> None:
    sid = new_sid()
    started = time.time() - idempotency.CLAIM_LEASE_SECONDS - 1
    first = idempotency.claim_message(memory_store, sid, started, "phone_x")
    second = idempotency.claim_message(memory_store, sid, time.time(), "phone_x")
    assert isinstance(first, idempotency.Claim) and isinstance(second, idempotency.Claim)

    idempotency.release_message(memory_store, first, time.time())

    record = memory_store.get("conversations", idempotency.claim_key(sid))
    assert record is not None and record.version == second.version and record.data["state"] == "processing"
    idempotency.finish_message(memory_store, second, "the reply", time.time(), "phone_x")
    assert idempotency.claim_message(memory_store, sid, time.time(), "phone_x") == idempotency.Replay("the reply", True)


def test_idempotency_replay_after_delete_resurrects_nothing_and_keeps_no_reply_text(
    make_poster: Callable, memory_store: Store
) -> None:
    post, app = make_poster(memory_store)
    post("my calf locked up")
    post("CALL")
    params = twilio_params("weekday mornings before nine")
    assert "weekday mornings before nine" in post("", params=params).text
    post("DELETE")
    claims = [r for r in memory_store.scan("conversations") if r.key.startswith("sid:")]

    replay = post("", params=params)

    assert len(claims) == 4
    assert not any("weekday mornings" in str(r.data) for r in memory_store.scan("conversations"))
    assert replay.silent
    assert conversation_erased(memory_store, phone_key(SENDER))
    # Erased before the notifier's round: staff are never texted about a request the person deleted.
    assert callbacks_and_outbox(memory_store, app) == (0, 0)


class CrashingOnEpisode:
    """A real store whose process dies (once) while recording the episode, the turn's last write before its reply."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.crashed = False

    def put(self, collection: str, key: str, *args, **kwargs):
        if collection == "attributes" and not self.crashed:
            self.crashed = True
            raise RuntimeError("killed mid-turn")
        return self.inner.put(collection, key, *args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_idempotency_turn_that_dies_half_way_leaves_nothing_and_the_redelivery_gets_a_normal_reply(
    make_poster: Callable, tmp_path: Path, kind: str
) -> None:
    store = store_from_settings(kind, path=tmp_path / "state" / "cramp.sqlite3")
    crashing, _ = make_poster(CrashingOnEpisode(store))
    params = twilio_params("my eyelid keeps twitching for a few seconds while I sit at my desk")

    first = crashing("", params=params)

    # The person still got the safe reply, and the claim, the rate count and the conversation went with the turn.
    assert "Sorry, our text line has a problem" in first.text
    assert nothing_stored(store)
    healthy, _ = make_poster(store)
    redelivery = healthy("", params=params)
    assert redelivery.text.startswith("Right now:") and "spasm" in redelivery.text
    assert turns(store) == 1
    assert len(handover.episodes(store, phone_key(SENDER))) == 1
    assert healthy("", params=params).messages == redelivery.messages
