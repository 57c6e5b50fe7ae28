"""Finding records by something other than their key, on every store: the indexes of shared/records.py."""

from __future__ import annotations

import time

import pytest

from shared.records import CALLBACKS_BY_PHONE, CALLBACKS_BY_STATUS, CLAIMS_BY_PHONE, NOTIFICATIONS_OWED, STAFF_QUEUE
from shared.stores import Store

MINE = "phone-hash-of-the-sender-0001"
THEIRS = "phone-hash-of-someone-else-02"


def callback(key: str, phone_hash: str, created_at: str, **extra: object) -> dict:
    """A callback request as shared/callbacks.py stores it (the fields the indexes read)."""
    return {"id": key, "phone_hash": phone_hash, "created_at": created_at, "status": "new", **extra}


def put(store: Store, collection: str, key: str, data: dict, expires_at: float | None = None) -> None:
    store.put(collection, key, data, expected_version=0, expires_at=expires_at)


def test_query_by_phone_finds_only_that_numbers_callbacks_oldest_first(store: Store) -> None:
    put(store, "callbacks", "cb_b", callback("cb_b", MINE, "2026-12-01T10:00:00+00:00"))
    put(store, "callbacks", "cb_a", callback("cb_a", MINE, "2026-11-30T09:00:00+00:00"))
    put(store, "callbacks", "cb_x", callback("cb_x", THEIRS, "2026-12-01T11:00:00+00:00"))

    found = store.query(CALLBACKS_BY_PHONE, MINE)

    assert [record.key for record in found] == ["cb_a", "cb_b"]
    assert found[0].data == callback("cb_a", MINE, "2026-11-30T09:00:00+00:00")
    assert found[0].version == 1


def test_query_newest_first_with_limit_gives_the_latest(store: Store) -> None:
    for day in range(1, 6):
        put(store, "callbacks", f"cb_{day}", callback(f"cb_{day}", MINE, f"2026-12-0{day}T08:00:00+00:00"))

    found = store.query(CALLBACKS_BY_STATUS, "new", newest_first=True, limit=2)

    assert [record.key for record in found] == ["cb_5", "cb_4"]


def test_query_follows_a_record_whose_field_changed_and_drops_one_that_lost_it(store: Store) -> None:
    put(store, "callbacks", "cb_1", callback("cb_1", MINE, "2026-12-01T08:00:00+00:00", notify_queue=STAFF_QUEUE,
                                             notify_due_at=100.0))
    put(store, "callbacks", "cb_2", callback("cb_2", MINE, "2026-12-01T09:00:00+00:00", notify_queue=STAFF_QUEUE,
                                             notify_due_at=200.0))
    # Delivered: the field that put it in the sparse index goes, so the notifier never reads it again.
    store.put("callbacks", "cb_1", callback("cb_1", MINE, "2026-12-01T08:00:00+00:00", status="called"),
              expected_version=1)

    assert [record.key for record in store.query(NOTIFICATIONS_OWED, STAFF_QUEUE)] == ["cb_2"]
    assert [record.key for record in store.query(CALLBACKS_BY_STATUS, "called")] == ["cb_1"]
    assert [record.key for record in store.query(CALLBACKS_BY_STATUS, "new")] == ["cb_2"]


def test_query_numeric_sort_at_most_returns_only_what_is_due(store: Store) -> None:
    for key, due in (("cb_late", 300.0), ("cb_now", 150.0), ("cb_early", 20.0)):
        put(store, "callbacks", key, callback(key, MINE, "2026-12-01T08:00:00+00:00", notify_queue=STAFF_QUEUE,
                                               notify_due_at=due))

    due = store.query(NOTIFICATIONS_OWED, STAFF_QUEUE, sort_at_most=150.0)

    assert [record.key for record in due] == ["cb_early", "cb_now"]


@pytest.mark.parametrize("bad_due", ["soon", None, True, float("inf")])
def test_query_leaves_out_a_record_whose_sort_field_is_not_of_the_index_kind(store: Store, bad_due: object) -> None:
    # A DynamoDB index refuses a key of the wrong type; the store must neither fail the write nor index it.
    put(store, "callbacks", "cb_odd", callback("cb_odd", MINE, "2026-12-01T08:00:00+00:00", notify_queue=STAFF_QUEUE,
                                               notify_due_at=bad_due))

    assert store.query(NOTIFICATIONS_OWED, STAFF_QUEUE) == []
    assert store.get("callbacks", "cb_odd") is not None


def test_query_partition_only_index_and_expired_records(store: Store) -> None:
    now = time.time()
    put(store, "conversations", "sid:SM1", {"state": "done", "phone_hash": MINE}, expires_at=now + 3600)
    put(store, "conversations", "sid:SM2", {"state": "done", "phone_hash": MINE}, expires_at=now - 1)
    put(store, "conversations", "sid:SM3", {"state": "done", "phone_hash": THEIRS}, expires_at=now + 3600)
    put(store, "conversations", MINE, {"conversation": {}, "updated_at": now})  # no phone_hash: not in the index

    assert [record.key for record in store.query(CLAIMS_BY_PHONE, MINE)] == ["sid:SM1"]


def test_query_sees_records_written_in_a_committed_transaction(store: Store) -> None:
    with store.transaction():
        put(store, "callbacks", "cb_t", callback("cb_t", MINE, "2026-12-01T08:00:00+00:00"))
        put(store, "conversations", "sid:SMT", {"state": "done", "phone_hash": MINE})

    assert [record.key for record in store.query(CALLBACKS_BY_PHONE, MINE)] == ["cb_t"]
    assert [record.key for record in store.query(CLAIMS_BY_PHONE, MINE)] == ["sid:SMT"]
