"""Behaviour of every state store against its real backend: memory, a SQLite file, a local DynamoDB server."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError

from shared.records import CALLBACKS_BY_STATUS
from shared.stores import (
    COLLECTIONS,
    Store,
    StoreUnavailable,
    VersionConflict,
    rewrite,
    store_from_settings,
    update,
)
from shared.stores.dynamodb import create_tables
from tests.dynamodb_local import REGION, REPO_ROOT, free_port

PHONE_HASH = "3f1c9a7e5b2d4c60"
LATER = 3600.0


def _increment(data: dict | None) -> dict:
    count = 0 if data is None else data["count"]
    return {"count": count + 1}


# --- Contract shared by every store -----------------------------------------------------------------


def test_store_put_then_get_returns_same_data_at_version_one(store: Store) -> None:
    data = {"state": "ask_pattern", "answers": {"body_part": "calf", "context": ["sleep"]}, "turns": 2}
    expires_at = time.time() + LATER

    written = store.put("conversations", PHONE_HASH, data, expected_version=0, expires_at=expires_at)
    read = store.get("conversations", PHONE_HASH)

    assert written.version == 1
    assert read is not None
    assert (read.key, read.data, read.version) == (PHONE_HASH, data, 1)
    assert read.expires_at == pytest.approx(expires_at)


def test_store_get_missing_key_returns_none(store: Store) -> None:
    assert store.get("attributes", "never-written") is None


def test_store_put_with_current_version_increments_version(store: Store) -> None:
    store.put("attributes", "user-a", {"episodes": 1}, expected_version=0)

    second = store.put("attributes", "user-a", {"episodes": 2}, expected_version=1)
    third = store.put("attributes", "user-a", {"episodes": 3}, expected_version=2)

    assert (second.version, third.version) == (2, 3)
    assert store.get("attributes", "user-a").data == {"episodes": 3}


def test_store_stale_write_raises_version_conflict_and_keeps_winner(store: Store) -> None:
    store.put("conversations", PHONE_HASH, {"state": "start"}, expected_version=0)
    store.put("conversations", PHONE_HASH, {"state": "ask_duration"}, expected_version=1)

    with pytest.raises(VersionConflict):
        store.put("conversations", PHONE_HASH, {"state": "ask_pattern"}, expected_version=1)

    kept = store.get("conversations", PHONE_HASH)
    assert (kept.data, kept.version) == ({"state": "ask_duration"}, 2)


def test_store_create_over_live_record_raises_version_conflict(store: Store) -> None:
    store.put("optouts", PHONE_HASH, {"opted_out": True}, expected_version=0)

    with pytest.raises(VersionConflict):
        store.put("optouts", PHONE_HASH, {"opted_out": False}, expected_version=0)

    assert store.get("optouts", PHONE_HASH).data == {"opted_out": True}


def test_store_versioned_write_to_missing_key_raises_version_conflict(store: Store) -> None:
    with pytest.raises(VersionConflict):
        store.put("attributes", "user-b", {"episodes": 1}, expected_version=1)

    assert store.get("attributes", "user-b") is None


def test_store_claim_same_message_twice_succeeds_only_once(store: Store) -> None:
    expires_at = time.time() + LATER

    first = store.claim("conversations", "sid:SM0123", {"seen": True}, expires_at=expires_at)
    second = store.claim("conversations", "sid:SM0123", {"seen": True}, expires_at=expires_at)

    assert (first, second) == (True, False)
    assert store.get("conversations", "sid:SM0123").version == 1


def test_store_claim_concurrent_threads_exactly_one_wins(store: Store) -> None:
    barrier = threading.Barrier(8)

    def attempt(_: int) -> bool:
        barrier.wait()
        return store.claim("conversations", "sid:SM0456", {"seen": True}, expires_at=time.time() + LATER)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(attempt, range(8)))

    assert results.count(True) == 1


def test_store_expired_record_is_absent_and_recreatable_at_version_one(store: Store) -> None:
    store.put("conversations", PHONE_HASH, {"state": "ask_pattern"}, expected_version=0, expires_at=time.time() - 1)

    assert store.get("conversations", PHONE_HASH) is None
    assert store.scan("conversations") == []
    with pytest.raises(VersionConflict):
        store.put("conversations", PHONE_HASH, {"state": "stale"}, expected_version=1)

    fresh = store.put(
        "conversations", PHONE_HASH, {"state": "start"}, expected_version=0, expires_at=time.time() + LATER
    )
    assert fresh.version == 1
    assert store.get("conversations", PHONE_HASH).data == {"state": "start"}


def test_store_expired_claim_can_be_claimed_again(store: Store) -> None:
    assert store.claim("conversations", "sid:SM0789", {"seen": True}, expires_at=time.time() - 1)

    assert store.claim("conversations", "sid:SM0789", {"seen": True}, expires_at=time.time() + LATER)
    assert not store.claim("conversations", "sid:SM0789", {"seen": True}, expires_at=time.time() + LATER)


def test_store_put_without_expiry_clears_previous_expiry(store: Store) -> None:
    store.put("attributes", "user-c", {"episodes": 1}, expected_version=0, expires_at=time.time() + LATER)

    store.put("attributes", "user-c", {"episodes": 2}, expected_version=1)

    assert store.get("attributes", "user-c").expires_at is None


def test_store_delete_forgets_record_and_missing_key_is_noop(store: Store) -> None:
    store.put("optouts", PHONE_HASH, {"opted_out": True}, expected_version=0)

    store.delete("optouts", PHONE_HASH)
    store.delete("optouts", "never-written")

    assert store.get("optouts", PHONE_HASH) is None
    assert store.put("optouts", PHONE_HASH, {"opted_out": False}, expected_version=0).version == 1


def test_store_scan_returns_live_records_of_that_collection_only(store: Store) -> None:
    now = time.time()
    store.put("callbacks", "cb-1", {"reason": "red_flag"}, expected_version=0)
    store.put("callbacks", "cb-2", {"reason": "asked"}, expected_version=0)
    store.put("callbacks", "cb-2", {"reason": "asked", "called": True}, expected_version=1)
    store.put("callbacks", "cb-old", {"reason": "gone"}, expected_version=0, expires_at=now - 1)
    store.put("conversations", "cb-1", {"state": "start"}, expected_version=0, expires_at=now + LATER)

    found = {record.key: (record.data, record.version) for record in store.scan("callbacks")}

    assert found == {
        "cb-1": ({"reason": "red_flag"}, 1),
        "cb-2": ({"reason": "asked", "called": True}, 2),
    }


def test_store_scan_beyond_one_page_returns_every_record(store: Store) -> None:
    # DynamoDB returns at most 1 MB per Scan page; 30 records of ~50 kB need two pages.
    filler = "x" * 50_000
    for number in range(30):
        store.put("callbacks", f"cb-{number:02d}", {"note": filler, "n": number}, expected_version=0)

    numbers = sorted(record.data["n"] for record in store.scan("callbacks"))

    assert numbers == list(range(30))


def test_store_same_key_in_two_collections_are_separate(store: Store) -> None:
    store.put("optouts", PHONE_HASH, {"opted_out": True}, expected_version=0)
    store.put("conversations", PHONE_HASH, {"state": "start"}, expected_version=0)

    store.delete("conversations", PHONE_HASH)

    assert store.get("optouts", PHONE_HASH).data == {"opted_out": True}


def test_store_mutating_returned_data_does_not_change_stored_record(store: Store) -> None:
    written = store.put("attributes", "user-d", {"history": ["calf"]}, expected_version=0)
    written.data["history"].append("foot")
    store.get("attributes", "user-d").data["history"].append("neck_shoulder")

    assert store.get("attributes", "user-d").data == {"history": ["calf"]}


def test_store_data_that_is_not_json_is_rejected_before_writing(store: Store) -> None:
    with pytest.raises(TypeError):
        store.put("attributes", "user-e", {"when": object()}, expected_version=0)

    assert store.get("attributes", "user-e") is None


def test_store_unknown_collection_raises_value_error(store: Store) -> None:
    with pytest.raises(ValueError, match="unknown collection"):
        store.get("sessions", "user-f")



def test_store_unknown_collection_inside_a_transaction_raises_value_error(store: Store) -> None:
    with store.transaction():
        for call in (
            lambda: store.get("sessions", "user-f"),
            lambda: store.put("sessions", "user-f", {"n": 1}, expected_version=0),
        ):
            with pytest.raises(ValueError, match="unknown collection"):
                call()
        store.put("attributes", "user-f", {"n": 1}, expected_version=0)

    assert store.get("attributes", "user-f").data == {"n": 1}

# --- update(): read, change, conditional write, retry -----------------------------------------------


def test_update_missing_record_creates_it_from_none(store: Store) -> None:
    seen: list[dict | None] = []

    def change(data: dict | None) -> dict:
        seen.append(data)
        return {"count": 1}

    record = update(store, "attributes", "user-g", change, expires_at=time.time() + LATER)

    assert seen == [None]
    assert (record.data, record.version) == ({"count": 1}, 1)
    assert store.get("attributes", "user-g").data == {"count": 1}


def test_update_eight_threads_ten_increments_each_counts_eighty(store: Store) -> None:
    barrier = threading.Barrier(8)

    def worker(_: int) -> None:
        # All threads start together so their read-change-write cycles really overlap. Eight writers
        # hammering one key nonstop starve the losers far beyond real traffic (one person's messages),
        # so the retry budget is raised: what is tested here is that no increment is lost.
        barrier.wait()
        for _ in range(10):
            update(store, "attributes", "counter", _increment, attempts=60)

    with ThreadPoolExecutor(max_workers=8) as pool:
        for result in [pool.submit(worker, n) for n in range(8)]:
            result.result()

    final = store.get("attributes", "counter")
    assert (final.data, final.version) == ({"count": 80}, 80)


def test_update_gives_up_with_version_conflict_after_attempts(store: Store) -> None:
    store.put("attributes", "contested", {"count": 0}, expected_version=0)
    calls = 0

    def change_while_another_writer_wins(data: dict | None) -> dict:
        nonlocal calls
        calls += 1
        # Another writer commits between our read and our write, every time.
        current = store.get("attributes", "contested")
        store.put("attributes", "contested", {"count": current.data["count"] + 1}, expected_version=current.version)
        return {"count": -1}

    with pytest.raises(VersionConflict):
        update(store, "attributes", "contested", change_while_another_writer_wins, attempts=3)

    assert calls == 3
    assert store.get("attributes", "contested").data == {"count": 3}


def test_rewrite_sets_the_expiry_the_change_derives_from_what_it_read(store: Store) -> None:
    store.put("attributes", "user-r", {"until": time.time() + LATER}, expected_version=0)

    written = rewrite(store, "attributes", "user-r", lambda current: ({"kept": True}, current.data["until"]))

    stored = store.get("attributes", "user-r")
    assert stored.data == {"kept": True} and stored.version == written.version == 2
    assert stored.expires_at == pytest.approx(written.expires_at)


def test_rewrite_change_giving_none_deletes_the_record(store: Store) -> None:
    store.put("attributes", "user-s", {"n": 1}, expected_version=0)

    assert rewrite(store, "attributes", "user-s", lambda _current: None) is None

    assert store.get("attributes", "user-s") is None


# --- transaction(): one unit of work ----------------------------------------------------------------


@pytest.fixture(params=["memory", "sqlite"])
def locking_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The stores whose transaction holds a lock from its start, so a version conflict inside shows at once."""
    built = store_from_settings(request.param, path=tmp_path / "state" / "cramp.sqlite3")
    yield built
    if request.param == "sqlite":
        built.close()


def _write_a_turn(store: Store) -> None:
    """A claim, a counter update, a replaced record and a delete, as one SMS turn makes them."""
    assert store.claim("conversations", "sid:SM0001", {"state": "processing"}, expires_at=time.time() + LATER)
    update(store, "conversations", "rate:phone", _increment)
    current = store.get("attributes", "phone")
    store.put("attributes", "phone", {"episodes": 2}, expected_version=current.version)
    store.delete("optouts", "phone")


def _seed(store: Store) -> None:
    store.put("attributes", "phone", {"episodes": 1}, expected_version=0)
    store.put("optouts", "phone", {"opted_out": True}, expected_version=0)


def test_store_transaction_keeps_every_write_inside_and_reads_see_them(store: Store) -> None:
    _seed(store)

    with store.transaction():
        _write_a_turn(store)
        assert store.get("attributes", "phone").data == {"episodes": 2}

    assert store.get("conversations", "sid:SM0001").data == {"state": "processing"}
    assert store.get("conversations", "rate:phone").data == {"count": 1}
    assert (store.get("attributes", "phone").data, store.get("attributes", "phone").version) == ({"episodes": 2}, 2)
    assert store.get("optouts", "phone") is None


def test_store_transaction_failing_half_way_leaves_nothing_written(store: Store) -> None:
    _seed(store)
    before = {collection: store.scan(collection) for collection in COLLECTIONS}

    with pytest.raises(RuntimeError), store.transaction() as atomic:
        _write_a_turn(store)
        raise RuntimeError("the process died here")

    assert atomic is True
    assert {collection: store.scan(collection) for collection in COLLECTIONS} == before
    # The claim is gone with the rest, so the same message can be claimed again.
    assert store.claim("conversations", "sid:SM0001", {"state": "processing"}, expires_at=time.time() + LATER)


def test_store_transaction_nested_joins_the_outer_one_and_fails_with_it(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        with store.transaction():
            store.put("callbacks", "cb-1", {"reason": "asked"}, expected_version=0)
        assert store.get("callbacks", "cb-1") is not None
        raise RuntimeError("after the inner one ended")

    assert store.get("callbacks", "cb-1") is None


def test_store_transaction_nested_failure_caught_outside_it_commits_with_the_outer_one(store: Store) -> None:
    with store.transaction():
        store.put("callbacks", "cb-1", {"reason": "asked"}, expected_version=0)
        with pytest.raises(RuntimeError), store.transaction():
            store.put("callbacks", "cb-2", {"reason": "asked"}, expected_version=0)
            raise RuntimeError("the inner one has no rollback of its own")
        store.put("callbacks", "cb-3", {"reason": "asked"}, expected_version=0)

    assert sorted(record.key for record in store.scan("callbacks")) == ["cb-1", "cb-2", "cb-3"]
    # The thread's transaction is over: the next one starts afresh and commits on its own.
    with store.transaction():
        store.put("callbacks", "cb-4", {"reason": "asked"}, expected_version=0)
    assert store.get("callbacks", "cb-4") is not None


def test_store_transaction_version_conflict_inside_a_locking_store_is_recoverable(locking_store: Store) -> None:
    locking_store.put("attributes", "user-h", {"n": 1}, expected_version=0)

    with locking_store.transaction():
        with pytest.raises(VersionConflict):
            locking_store.put("attributes", "user-h", {"n": 99}, expected_version=5)
        locking_store.put("attributes", "user-h", {"n": 2}, expected_version=1)

    assert locking_store.get("attributes", "user-h").data == {"n": 2}


def test_store_transaction_with_a_stale_write_fails_whole_and_writes_nothing(store: Store) -> None:
    store.put("attributes", "user-h", {"n": 1}, expected_version=0)
    store.put("attributes", "user-h", {"n": 2}, expected_version=1)  # another writer, after this unit read v1

    with pytest.raises(VersionConflict), store.transaction():
        store.put("callbacks", "cb-1", {"reason": "asked"}, expected_version=0)
        store.put("attributes", "user-h", {"n": 99}, expected_version=1)

    assert store.get("callbacks", "cb-1") is None
    assert (store.get("attributes", "user-h").data, store.get("attributes", "user-h").version) == ({"n": 2}, 2)


def test_store_get_many_reads_what_plain_gets_read_in_order_and_sees_the_units_writes(store: Store) -> None:
    now = time.time()
    store.put("optouts", "phone", {"opted_out": True}, expected_version=0)
    store.put("conversations", "rate:phone", {"count": 3}, expected_version=0, expires_at=now + LATER)
    store.put("conversations", "phone", {"state": "old"}, expected_version=0, expires_at=now - 1)
    items = [("optouts", "phone"), ("conversations", "rate:phone"), ("conversations", "phone"), ("attributes", "phone")]
    plain = [store.get(collection, key) for collection, key in items]

    together = store.get_many(items)
    with store.transaction():
        store.put("conversations", "phone", {"state": "new"}, expected_version=0, expires_at=now + LATER)
        store.delete("optouts", "phone")
        update(store, "conversations", "rate:phone", lambda data: {"count": data["count"] + 1})
        during = store.get_many(items[:3])

    assert together == plain
    assert plain[2] is None and plain[3] is None  # expired, and never written
    assert during[0] is None
    assert (during[1].data, during[1].version) == ({"count": 4}, 2)
    assert (during[2].data, during[2].version) == ({"state": "new"}, 1)
    assert store.get_many(items[:3]) == during
    assert store.get_many([]) == []


def test_store_record_written_in_a_unit_read_twice_is_two_separate_copies(store: Store) -> None:
    with store.transaction():
        store.put("attributes", "user-i", {"episodes": ["calf"]}, expected_version=0)
        store.get("attributes", "user-i").data["episodes"].append("foot")
        again = store.get("attributes", "user-i")

    assert again.data == {"episodes": ["calf"]}


def test_sqlite_store_failed_statement_inside_a_transaction_fails_the_commit_even_if_caught(tmp_path: Path) -> None:
    sqlite_store = store_from_settings("sqlite", path=tmp_path / "cramp.sqlite3")
    try:
        with pytest.raises(StoreUnavailable), sqlite_store.transaction():
            sqlite_store.put("callbacks", "cb-1", {"reason": "asked"}, expected_version=0)
            with pytest.raises(StoreUnavailable):
                # A key SQLite cannot bind stands in for a disk error: the statement fails inside the transaction.
                sqlite_store.get("callbacks", ("not", "a", "key"))  # type: ignore[arg-type]
            with pytest.raises(StoreUnavailable):
                sqlite_store.put("callbacks", "cb-2", {"reason": "asked"}, expected_version=0)
            with pytest.raises(StoreUnavailable):
                sqlite_store.get("callbacks", "cb-1")

        assert sqlite_store.scan("callbacks") == []
        sqlite_store.put("callbacks", "cb-3", {"reason": "asked"}, expected_version=0)
        assert [record.key for record in sqlite_store.scan("callbacks")] == ["cb-3"]
    finally:
        sqlite_store.close()


def test_sqlite_store_transaction_is_invisible_to_another_process_until_commit(tmp_path: Path) -> None:
    path = tmp_path / "cramp.sqlite3"
    sqlite_store = store_from_settings("sqlite", path=path)
    code = (
        "import json, sys; from shared.stores import store_from_settings; "
        "other = store_from_settings('sqlite', path=sys.argv[1]); "
        "print(json.dumps(other.get('callbacks', 'cb-1') is None))"
    )

    def other_process_sees_nothing() -> bool:
        result = subprocess.run(
            [sys.executable, "-c", code, str(path)],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return json.loads(result.stdout)

    try:
        with sqlite_store.transaction():
            sqlite_store.put("callbacks", "cb-1", {"reason": "asked"}, expected_version=0)
            inside = other_process_sees_nothing()
        after = other_process_sees_nothing()
    finally:
        sqlite_store.close()

    assert (inside, after) == (True, False)


# --- Choosing a store ---------------------------------------------------------------------------------


def test_store_from_settings_unknown_kind_raises_value_error() -> None:
    with pytest.raises(ValueError, match="unknown store kind"):
        store_from_settings("redis")


def test_store_from_settings_dynamodb_without_every_table_raises_value_error() -> None:
    with pytest.raises(ValueError, match="callbacks"):
        store_from_settings(
            "dynamodb", table_names={"conversations": "c-tbl", "attributes": "a-tbl", "optouts": "o-tbl"}
        )


def test_store_package_import_does_not_load_boto3() -> None:
    # boto3 costs ~236 ms at cold start; only a DynamoDB store may pay it, and only when built.
    code = (
        "import sys, shared.stores, shared.stores.dynamodb; "
        "shared.stores.store_from_settings('memory'); "
        "print('boto3' in sys.modules, 'sqlite3' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=60
    )

    assert result.stdout.split() == ["False", "False"]


# --- SQLite file --------------------------------------------------------------------------------------


def test_sqlite_store_data_survives_reopening_in_fresh_process(tmp_path: Path) -> None:
    path = tmp_path / "cramp.sqlite3"
    first = store_from_settings("sqlite", path=path)
    first.put("optouts", PHONE_HASH, {"opted_out": True}, expected_version=0)
    first.close()
    code = (
        "import json, sys; from shared.stores import store_from_settings; "
        "store = store_from_settings('sqlite', path=sys.argv[1]); "
        "record = store.get('optouts', sys.argv[2]); "
        "store.put('optouts', sys.argv[2], {'opted_out': False}, expected_version=record.version); "
        "print(json.dumps([record.data, record.version]))"
    )

    result = subprocess.run(
        [sys.executable, "-c", code, str(path), PHONE_HASH],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )

    assert json.loads(result.stdout) == [{"opted_out": True}, 1]
    reopened = store_from_settings("sqlite", path=path)
    assert (reopened.get("optouts", PHONE_HASH).data, reopened.get("optouts", PHONE_HASH).version) == (
        {"opted_out": False},
        2,
    )
    reopened.close()


def test_sqlite_store_stored_text_is_compact_sorted_ascii_json_in_and_out_of_transactions(tmp_path: Path) -> None:
    path = tmp_path / "cramp.sqlite3"
    sqlite_store = store_from_settings("sqlite", path=path)
    data = {"z": [1.5, -0.0, 10**20, None, True], "a": {"y": "é \"quoted\" \n 😀", "b": {}}, "m": float("inf")}
    try:
        sqlite_store.put("attributes", "alone", data, expected_version=0)
        with sqlite_store.transaction():
            sqlite_store.put("attributes", "in-transaction", data, expected_version=0)
    finally:
        sqlite_store.close()
    reader = sqlite3.connect(path)
    stored = dict(reader.execute("SELECT key, data FROM records").fetchall())
    reader.close()

    # The text older versions wrote and read: json.dumps with sorted keys, no spaces, non-ASCII escaped.
    expected = json.dumps(data, sort_keys=True, separators=(",", ":"))
    assert stored == {"alone": expected, "in-transaction": expected}


def test_store_circular_data_is_refused_before_anything_is_written(store: Store) -> None:
    data: dict[str, Any] = {"name": "loop"}
    data["self"] = data

    with pytest.raises((ValueError, RecursionError)):
        store.put("attributes", "loop", data, expected_version=0)

    assert store.get("attributes", "loop") is None


def _rows_in_file(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]


def test_sqlite_store_callback_past_its_retention_is_not_returned_and_is_purged_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "purge.sqlite3"
    store = store_from_settings("sqlite", path=path)
    now = time.time()
    created = "2026-11-25T19:00:00+00:00"
    store.put("callbacks", "cb_old", {"phone": "+15550001111", "status": "new", "created_at": created},
              expected_version=0, expires_at=now - 1)
    store.put("callbacks", "cb_new", {"phone": "+15550002222", "status": "new", "created_at": created},
              expected_version=0, expires_at=now + LATER)

    assert store.get("callbacks", "cb_old") is None
    assert [record.key for record in store.scan("callbacks")] == ["cb_new"]
    assert [record.key for record in store.query(CALLBACKS_BY_STATUS, "new")] == ["cb_new"]
    store.close()
    # Purged on the next process's first write: the number is gone from the file, not only hidden.
    reopened = store_from_settings("sqlite", path=path)
    reopened.put("optouts", "phone_x", {"opted_out": True}, expected_version=0)
    reopened.close()
    assert _rows_in_file(path) == 2
    assert b"+15550001111" not in path.read_bytes()


def test_sqlite_store_purge_expired_deletes_only_expired_rows(tmp_path: Path) -> None:
    store = store_from_settings("sqlite", path=tmp_path / "purge.sqlite3")
    store.put("attributes", "gone", {"n": 1}, expected_version=0, expires_at=time.time() - 1)
    store.put("attributes", "kept", {"n": 2}, expected_version=0, expires_at=time.time() + LATER)
    store.put("optouts", "forever", {"n": 3}, expected_version=0)

    assert store.purge_expired() == 1
    assert {record.key for record in store.scan("attributes")} == {"kept"}
    assert store.get("optouts", "forever") is not None
    store.close()


def test_sqlite_store_missing_parent_directories_are_created(tmp_path: Path) -> None:
    path = tmp_path / "data" / "local" / "cramp.sqlite3"
    sqlite_store = store_from_settings("sqlite", path=path)

    sqlite_store.put("callbacks", "cb-1", {"reason": "asked"}, expected_version=0)

    assert path.is_file()
    sqlite_store.close()


def test_sqlite_store_unusable_path_raises_store_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the data directory should be")
    sqlite_store = store_from_settings("sqlite", path=blocker / "cramp.sqlite3")

    with pytest.raises(StoreUnavailable):
        sqlite_store.get("optouts", PHONE_HASH)


def test_sqlite_store_locked_by_other_writer_raises_store_unavailable_then_recovers(tmp_path: Path) -> None:
    path = tmp_path / "cramp.sqlite3"
    sqlite_store = store_from_settings("sqlite", path=path)
    sqlite_store.put("optouts", PHONE_HASH, {"opted_out": True}, expected_version=0)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        with pytest.raises(StoreUnavailable):
            sqlite_store.put("optouts", PHONE_HASH, {"opted_out": False}, expected_version=1)
        elapsed = time.monotonic() - started
        # WAL mode: readers are not blocked by the other writer.
        assert sqlite_store.get("optouts", PHONE_HASH).data == {"opted_out": True}
    finally:
        other.execute("ROLLBACK")
        other.close()

    assert elapsed < 4.0
    assert sqlite_store.put("optouts", PHONE_HASH, {"opted_out": False}, expected_version=1).version == 2
    sqlite_store.close()


def _files_holding(path: Path, secret: bytes) -> list[str]:
    """Which of the database's files (the database, its -wal and -shm) hold these bytes."""
    files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
    return [f.name for f in files if f.exists() and secret in f.read_bytes()]


def test_sqlite_store_purge_after_delete_leaves_no_copy_in_the_database_wal_or_shm(tmp_path: Path) -> None:
    path = tmp_path / "cramp.sqlite3"
    sqlite_store = store_from_settings("sqlite", path=path)
    secret = b"+15550007777 evenings after six"
    sqlite_store.put("callbacks", "cb-other", {"phone": "+15550008888"}, expected_version=0)
    record = sqlite_store.put("callbacks", "cb-1", {"phone": secret.decode(), "n": 1}, expected_version=0)
    for n in range(2, 6):  # earlier versions of the page pile up in the write-ahead log
        record = sqlite_store.put("callbacks", "cb-1", {"phone": secret.decode(), "n": n},
                                  expected_version=record.version)
    assert _files_holding(path, secret)

    sqlite_store.delete("callbacks", "cb-1")
    assert _files_holding(path, secret) == ["cramp.sqlite3-wal"]  # deleted, yet still readable in the log
    sqlite_store.purge_deleted()

    assert _files_holding(path, secret) == []
    assert sqlite_store.get("callbacks", "cb-other").data == {"phone": "+15550008888"}
    sqlite_store.close()


def test_sqlite_store_purge_after_rewrite_leaves_no_copy_of_the_old_value(tmp_path: Path) -> None:
    path = tmp_path / "cramp.sqlite3"
    sqlite_store = store_from_settings("sqlite", path=path)
    old = sqlite_store.put("conversations", "sid:SM1", {"reply": "we will call you weekday evenings after six"},
                           expected_version=0)
    sqlite_store.purge_deleted()  # the reply now sits in the database file itself
    sqlite_store.put("conversations", "sid:SM1", {"reply": None, "erased": True}, expected_version=old.version)

    sqlite_store.purge_deleted()

    assert _files_holding(path, b"weekday evenings after six") == []
    sqlite_store.close()


def test_sqlite_store_purge_while_another_connection_reads_raises_store_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "cramp.sqlite3"
    sqlite_store = store_from_settings("sqlite", path=path)
    sqlite_store.put("callbacks", "cb-1", {"phone": "+15550007777"}, expected_version=0)
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM records").fetchone()
    sqlite_store.delete("callbacks", "cb-1")
    try:
        with pytest.raises(StoreUnavailable):
            sqlite_store.purge_deleted()
    finally:
        reader.execute("ROLLBACK")
        reader.close()
    sqlite_store.purge_deleted()
    assert _files_holding(path, b"+15550007777") == []
    sqlite_store.close()


def test_store_purge_deleted_keeps_every_live_record(store: Store) -> None:
    store.put("optouts", PHONE_HASH, {"keyword": "STOP"}, expected_version=0)

    store.purge_deleted()

    assert store.get("optouts", PHONE_HASH).data == {"keyword": "STOP"}


# --- DynamoDB (local server) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "operation",
    [
        lambda s: s.get("conversations", PHONE_HASH),
        lambda s: s.put("conversations", PHONE_HASH, {"state": "start"}, expected_version=0),
        lambda s: s.claim("conversations", "sid:SM0123", {"seen": True}),
    ],
    ids=["get", "put", "claim"],
)
def test_dynamodb_store_closed_port_raises_store_unavailable_quickly(aws_test_credentials: None, operation) -> None:
    names = {collection: f"closed-{collection}" for collection in COLLECTIONS}
    dead_store = store_from_settings(
        "dynamodb", table_names=names, endpoint_url=f"http://127.0.0.1:{free_port()}", region=REGION
    )

    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as raised:
        operation(dead_store)

    assert time.monotonic() - started < 3.0
    assert isinstance(raised.value.__cause__, EndpointConnectionError)


def test_dynamodb_store_missing_table_raises_store_unavailable(dynamodb_endpoint: str) -> None:
    names = {collection: f"absent-{collection}" for collection in COLLECTIONS}
    unconfigured = store_from_settings("dynamodb", table_names=names, endpoint_url=dynamodb_endpoint, region=REGION)

    with pytest.raises(StoreUnavailable, match="ResourceNotFoundException"):
        unconfigured.get("optouts", PHONE_HASH)


def test_dynamodb_create_tables_makes_on_demand_tables_keyed_by_pk_and_is_repeatable(
    dynamodb_admin: Any, dynamodb_table_names: dict[str, str]
) -> None:
    # The fixture already created these tables; a second run (local dev restarting) must not fail.
    create_tables(dynamodb_admin, dynamodb_table_names)

    for table in dynamodb_table_names.values():
        description = dynamodb_admin.describe_table(TableName=table)["Table"]
        assert description["TableStatus"] == "ACTIVE"
        assert description["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
        assert description["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
