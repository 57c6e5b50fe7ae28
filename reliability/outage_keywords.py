"""STOP and DELETE while the SQLite store cannot be written: an opt-out is never lost, DELETE is asked for again.

- locked: the real server (`python -m server`, SQLite) while another process holds the database's write lock, as a
  long transaction or a stuck tool would. Texters send an exact STOP (Twilio answers it), "Stop." (the line must),
  DELETE and an ordinary message; after the lock goes, each opted-out number's next message gets nothing, its
  opt-out is stored, and DELETE sent again erases.
- read-only: the database file mounted read-only (root ignores file modes; a read-only mount it obeys), through the
  SMS line over the SQLite store in this process, since the server refuses to start on a read-only file; then the
  mount goes and the same line replays its journal.

The DynamoDB-compatible store frozen by SIGSTOP gets the same two keywords in reliability/faults.py.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Any

import requests

from reliability.harness import HASH_SALT, ServerProcess, phone_number, post_sms, twilio_form
from shared.identity import hashed_id
from shared.stores import store_from_settings

STOPPED = "You are unsubscribed from Cramp Check"
DELETE_AGAIN = "Please text DELETE again"
ERASED = "Done: erased your conversation"
SAFE_MARK = "our text line has a problem"


def _opted_out(store_path: Path, index: int) -> bool:
    store = store_from_settings("sqlite", path=store_path)
    try:
        return store.get("optouts", hashed_id("phone", phone_number(index), HASH_SALT)) is not None
    finally:
        store.close()


def locked(workdir: Path) -> dict[str, Any]:
    """The real server while another process holds SQLite's write lock."""
    server = ServerProcess(data_dir=workdir / "locked-data", log_path=workdir / "locked-server.log")
    db = server.data_dir / "cramp-check.sqlite3"
    result: dict[str, Any] = {"problems": []}
    problems = result["problems"]
    with server, requests.Session() as session:
        for index in (7000, 7001, 7002, 7003):
            post_sms(session, server.url, twilio_form("my calf cramped up hard while running", phone_number(index)))
        other = sqlite3.connect(db, isolation_level=None, timeout=5)
        other.execute("BEGIN IMMEDIATE")
        try:
            exact = post_sms(session, server.url, twilio_form("STOP", phone_number(7000)))
            loose = post_sms(session, server.url, twilio_form("Stop.", phone_number(7001)))
            delete = post_sms(session, server.url, twilio_form("DELETE", phone_number(7002)))
            ordinary = post_sms(session, server.url, twilio_form("no", phone_number(7003)))
            kept_while_locked = _opted_out(db, 7000) or _opted_out(db, 7001)
        finally:
            other.execute("ROLLBACK")
            other.close()
        if exact.status != 200 or exact.messages:
            problems.append(f"exact STOP while locked: HTTP {exact.status} {exact.messages!r} (Twilio answers it)")
        if loose.status != 200 or not any(m.startswith(STOPPED) for m in loose.messages):
            problems.append(f"'Stop.' while locked: HTTP {loose.status} {loose.messages!r}")
        if delete.status != 200 or not any(DELETE_AGAIN in m for m in delete.messages):
            problems.append(f"DELETE while locked: HTTP {delete.status} {delete.messages!r}")
        if ordinary.status != 200 or not any(SAFE_MARK in m for m in ordinary.messages):
            problems.append(f"ordinary text while locked: HTTP {ordinary.status} {ordinary.messages!r}")
        if kept_while_locked:
            problems.append("an opt-out reached the database while it was locked: the lock was not real")
        after = [post_sms(session, server.url, twilio_form("my calf cramped again", phone_number(i))) for i in
                 (7000, 7001)]
        result["replies_after_stop"] = sum(len(answer.messages) for answer in after)
        result["stops_kept"] = sum(_opted_out(db, i) for i in (7000, 7001))
        erased = post_sms(session, server.url, twilio_form("DELETE", phone_number(7002)))
        result["delete_again_erased"] = any(m.startswith(ERASED) for m in erased.messages)
    result["journal_left"] = (server.data_dir / "optouts-pending.jsonl").exists()
    return result


def read_only(workdir: Path) -> dict[str, Any]:
    """The SMS line over a SQLite file mounted read-only, then writable again."""
    from dataclasses import replace

    from reliability.load import reference_settings
    from sms.app import create_app
    from sms.inbound import Inbound

    settings = replace(reference_settings(workdir / "read-only-data"), store="sqlite")
    store = store_from_settings("sqlite", path=settings.sqlite_path)
    line = create_app(settings, store).extensions["cramp_sms"]

    def text(index: int, body: str) -> str | None:
        return line.handle(Inbound(phone_number(index), body, "SM" + uuid.uuid4().hex, 0))

    for index in (7100, 7101):
        text(index, "my calf cramped up hard while running")
    store.purge_deleted()
    store.close()  # the next call opens the file as it is then
    path = str(settings.sqlite_path)
    if os.geteuid() != 0:
        return {"skipped": "needs root to mount the database file read-only (root ignores file modes)"}
    bound = subprocess.run(["mount", "--bind", path, path],  # noqa: S603, S607 - the system's mount, our own file
                           capture_output=True, text=True, check=False)
    if bound.returncode != 0:
        return {"skipped": f"bind mount refused: {bound.stderr.strip()}"}
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", path], check=True)  # noqa: S603, S607
        loose = text(7100, "Stop.")
        delete = text(7101, "DELETE")
        journalled = (settings.data_dir / "optouts-pending.jsonl").exists()
        store.close()
    finally:
        subprocess.run(["umount", "--lazy", path], check=True)  # noqa: S603, S607
    after = text(7100, "my calf cramped again")
    kept = store.get("optouts", hashed_id("phone", phone_number(7100), HASH_SALT)) is not None
    store.close()
    return {
        "stop_confirmed": bool(loose and loose.startswith(STOPPED)),
        "journalled": journalled,
        "delete_asked_again": bool(delete and DELETE_AGAIN in delete),
        "reply_after_stop": after is not None,
        "stop_kept": kept,
    }


def run(workdir: Path) -> dict[str, Any]:
    """Both SQLite outages."""
    return {"locked": locked(workdir), "read_only": read_only(workdir)}


def main() -> int:
    """`python -m reliability.outage_keywords`: print the results as JSON."""
    argparse.ArgumentParser(description=__doc__).parse_args()
    with tempfile.TemporaryDirectory(prefix="cramp-outage-keywords-") as tmp:
        print(json.dumps(run(Path(tmp)), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
