"""STOP and DELETE while the store is down: an opt-out is never lost (journalled in the data folder and replayed
into the store when it answers again), DELETE is asked for again, and neither is an empty answer with nothing kept.

Every outage is a real one: another process holding SQLite's write lock, the database file mounted read-only,
the whole data folder read-only, a DynamoDB endpoint nothing listens on."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from shared.config import Settings
from shared.stores import Store, open_store, store_from_settings
from sms import notifications, optouts
from sms.app import create_app
from tests.dynamodb_local import REGION, REPO_ROOT, free_port
from tests.sms.conftest import TwilioPoster, make_settings, phone_key

STOPPED = "You are unsubscribed from Cramp Check"
STOP_AGAIN = "Sorry, your opt-out could not be saved just now. Please text STOP again in a few minutes."
DELETE_AGAIN = "Sorry, I could not erase your data just now. Please text DELETE again in a few minutes."


def poster(settings: Settings, store: Store) -> TwilioPoster:
    """The SMS line over this store, posted to as Twilio posts."""
    return TwilioPoster(create_app(settings, store).test_client())


@contextlib.contextmanager
def write_locked(path: Path) -> Iterator[None]:
    """Another process's connection holding SQLite's write lock (a long transaction, a stuck tool)."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """`path` (a file or folder) mounted read-only over itself: root ignores file modes, a read-only mount it obeys."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    bound = subprocess.run(["mount", "--bind", str(path), str(path)], capture_output=True, text=True, check=False)
    if bound.returncode != 0:
        pytest.skip(f"root without the right to bind-mount: {bound.stderr.strip()}")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(path)], check=True)
        yield
    finally:
        # Lazily: a connection a failed test left open must not keep the mount (and the next test) stuck.
        subprocess.run(["umount", "--lazy", str(path)], check=True)


@pytest.fixture
def sqlite_line(tmp_path: Path) -> Iterator[tuple[Settings, Store, TwilioPoster]]:
    """The line on the local server's SQLite file, with one conversation started (so the file exists)."""
    settings = make_settings(tmp_path, store="sqlite")
    store = open_store(settings)
    post = poster(settings, store)
    assert post("my calf locked up during my run").text
    yield settings, store, post
    store.close()


def opted_out(store: Store) -> bool:
    return store.get("optouts", phone_key()) is not None


@pytest.mark.parametrize(("word", "reply"), [("STOP", None), ("Stop.", STOPPED)])
def test_outage_stop_while_sqlite_is_locked_is_journalled_then_kept(sqlite_line, word: str, reply: str | None) -> None:
    settings, store, post = sqlite_line

    with write_locked(settings.sqlite_path):
        answer = post(word)
        assert not opted_out(store)  # the store really could not take it

    # Twilio answered an exact STOP itself; a keyword it did not answer gets the line's own confirmation.
    assert answer.messages == ([reply] if reply else []) or answer.text.startswith(reply)
    assert [e["phone_hash"] for e in optouts.pending_opt_outs(settings)] == [phone_key()]
    assert post("my calf cramped again").silent  # the next message replays the journal first: nothing is sent
    assert opted_out(store)
    assert optouts.pending_opt_outs(settings) == []


def test_outage_stop_while_the_sqlite_file_is_read_only_is_journalled_then_kept(sqlite_line) -> None:
    settings, store, post = sqlite_line
    store.purge_deleted()  # everything in the database file itself, so its -wal is not needed to read it
    store.close()  # the next call opens the file as it is then: read-only

    with read_only(settings.sqlite_path):
        assert post("Stop.").text.startswith(STOPPED)
        assert not opted_out(store)
        store.close()  # reopened writable once the mount is gone

    assert optouts.pending_opt_outs(settings)
    notifications.send_owed(settings, store, load_content_once())  # the notifier's round replays it too
    assert opted_out(store)
    assert post("hello?").silent


def test_outage_stop_with_the_whole_data_folder_read_only_asks_to_send_stop_again(
    sqlite_line, caplog: pytest.LogCaptureFixture
) -> None:
    settings, store, post = sqlite_line
    store.purge_deleted()
    store.close()

    with read_only(settings.data_dir), caplog.at_level(logging.ERROR):
        answer = post("Stop.")
        exact = post("STOP")
        store.close()

    assert answer.text.startswith(STOP_AGAIN)
    assert exact.silent  # Twilio answered and blocks the line's texts; our reply could not reach them
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR] == [
        "opt-out not recorded: store and journal unavailable"] * 2
    assert post("STOP").silent and opted_out(store)  # sent again once the store answers: kept


def test_outage_stop_while_dynamodb_is_down_is_journalled_then_kept(
    tmp_path: Path, dynamodb_endpoint: str, dynamodb_table_names: dict[str, str]
) -> None:
    settings = make_settings(tmp_path)
    down = store_from_settings("dynamodb", table_names=dynamodb_table_names,
                               endpoint_url=f"http://127.0.0.1:{free_port()}", region=REGION)
    live = store_from_settings("dynamodb", table_names=dynamodb_table_names, endpoint_url=dynamodb_endpoint,
                               region=REGION)

    assert poster(settings, down)("Stop.").text.startswith(STOPPED)
    assert optouts.pending_opt_outs(settings) and not opted_out(live)

    # The same line's next message, with DynamoDB answering again.
    assert poster(settings, live)("my calf cramped again").silent
    assert opted_out(live)


def test_outage_delete_while_sqlite_is_locked_asks_to_send_it_again_and_then_erases(sqlite_line) -> None:
    settings, store, post = sqlite_line

    with write_locked(settings.sqlite_path):
        answer = post("DELETE")

    assert answer.text.startswith(DELETE_AGAIN)
    assert store.get("conversations", phone_key()).data.get("conversation")  # nothing was half-erased
    assert post("DELETE").text.startswith("Done: erased your conversation")
    assert "conversation" not in store.get("conversations", phone_key()).data


def test_outage_delete_while_dynamodb_is_down_asks_to_send_it_again(tmp_path: Path, aws_test_credentials: None) -> None:
    settings = make_settings(tmp_path)
    down = store_from_settings("dynamodb", table_names={c: f"down-{c}" for c in ("conversations", "attributes",
                                                                                 "optouts", "callbacks")},
                               endpoint_url=f"http://127.0.0.1:{free_port()}", region=REGION)

    assert poster(settings, down)("DELETE").text.startswith(DELETE_AGAIN)


def test_outage_journal_line_cut_short_by_a_crash_does_not_stop_the_replay(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    store = store_from_settings("memory")
    optouts.journal_opt_out(settings, phone_key(), "STOP", 1_700_000_000.0)
    with optouts.journal_path(settings).open("a", encoding="utf-8") as fh:
        fh.write('{"phone_hash": "phone_cut')

    assert optouts.replay_journal(store, settings) == 1

    assert store.get("optouts", phone_key()).data == {"opted_out_at": "2023-11-14T22:13:20+00:00", "keyword": "STOP"}
    assert not optouts.journal_path(settings).exists()


def test_outage_journal_replay_keeps_an_earlier_opt_out_already_stored(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    store = store_from_settings("memory")
    optouts.record_opt_out(store, phone_key(), "QUIT", 1_600_000_000.0)
    optouts.journal_opt_out(settings, phone_key(), "STOP", 1_700_000_000.0)

    optouts.replay_journal(store, settings)

    assert store.get("optouts", phone_key()).data["keyword"] == "QUIT"


OTHER = "+15550003333"


def test_outage_journal_opt_out_written_after_a_crash_cut_a_line_short_is_kept(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    store = store_from_settings("memory")
    optouts.journal_opt_out(settings, phone_key(), "STOP", 1_700_000_000.0)
    with optouts.journal_path(settings).open("a", encoding="utf-8") as fh:
        fh.write('{"phone_hash": "phone_cut')  # the process died mid-write
    optouts.journal_opt_out(settings, phone_key(OTHER), "STOP", 1_700_000_060.0)  # the restarted server's next

    assert optouts.replay_journal(store, settings) == 2

    assert opted_out(store) and store.get("optouts", phone_key(OTHER)) is not None


def test_outage_journal_keeps_the_word_the_person_sent(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    store = store_from_settings("memory")
    optouts.journal_opt_out(settings, phone_key(), "UNSUBSCRIBE", 1_700_000_000.0)

    optouts.replay_journal(store, settings)

    assert store.get("optouts", phone_key()).data == {"opted_out_at": "2023-11-14T22:13:20+00:00",
                                                      "keyword": "UNSUBSCRIBE"}


def test_outage_journal_line_with_only_the_phone_hash_opts_out_as_stop_from_now(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    store = store_from_settings("memory")
    path = optouts.journal_path(settings)
    path.parent.mkdir(parents=True)
    lines = ['{"keyword": "STOP"}', '["STOP"]', json.dumps({"phone_hash": phone_key()}), '{"phone_hash": 7}']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    assert optouts.replay_journal(store, settings) == 1

    stored = store.get("optouts", phone_key()).data
    assert stored["keyword"] == "STOP"
    assert abs(datetime.fromisoformat(stored["opted_out_at"]).timestamp() - time.time()) < 60
    assert [record.key for record in store.scan("optouts")] == [phone_key()]


def test_outage_journal_goes_where_security_md_says_even_before_the_data_folder_exists(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, data_dir=tmp_path / "fresh" / "data")

    optouts.journal_opt_out(settings, phone_key(), "STOP", 1_700_000_000.0)

    assert (tmp_path / "fresh" / "data" / "optouts-pending.jsonl").is_file()
    security = (REPO_ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    assert "`optouts-pending.jsonl` in the data folder" in security


def test_outage_journal_waits_while_the_store_is_still_locked_then_moves(sqlite_line) -> None:
    settings, store, _post = sqlite_line
    assert optouts.replay_journal(store, settings) == 0  # nothing journalled: nothing to move
    optouts.journal_opt_out(settings, phone_key(), "STOP", 1_700_000_000.0)

    with write_locked(settings.sqlite_path):
        assert optouts.replay_journal(store, settings) == 0
    assert [entry["phone_hash"] for entry in optouts.pending_opt_outs(settings)] == [phone_key()]

    assert optouts.replay_journal(store, settings) == 1
    assert opted_out(store) and not optouts.journal_path(settings).exists()


_CONTENT = []


def load_content_once():
    """The content, loaded once for this module."""
    if not _CONTENT:
        from shared.content import load_content

        _CONTENT.append(load_content())
    return _CONTENT[0]
