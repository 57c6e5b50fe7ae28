"""Erasure checked on disk: after DELETE, no data file of the running server holds the person's number or words.

The real server (`python -m server`, SQLite, the local outbox) takes a conversation, a callback request with a
window typed in the person's words, and the staff text about it; other people text meanwhile. Then the person texts
DELETE, and every file in the data folder (the database, its -wal and -shm, the outbox, the opt-out journal) is read
as bytes, as anyone with the disk could read it, for the number in three spellings, the window and the description.
The same search before DELETE must find them, or the check would prove nothing.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from reliability.harness import ServerProcess, phone_number, post_sms, twilio_form

DESCRIPTION = "my left calf knotted up while salsa dancing"
WINDOW = "weekday evenings after half past six"
OUTBOX_WAIT_S = 10.0


def needles(number: str) -> dict[str, bytes]:
    """What must not survive the erasure, in every spelling a file could hold it."""
    digits = number.lstrip("+")
    return {"number": number.encode(), "number without +": digits.encode(), "national number": digits[-10:].encode(),
            "callback window": WINDOW.encode(), "description": DESCRIPTION.encode()}


def found(data_dir: Path, wanted: dict[str, bytes]) -> list[str]:
    """'<what> in <file>' for each needle a data file holds."""
    return [f"{kind} in {path.name}" for path in sorted(data_dir.rglob("*")) if path.is_file()
            for kind, needle in wanted.items() if needle in path.read_bytes()]


def run(workdir: Path) -> dict[str, Any]:
    """DELETE on the running server, then every data file searched."""
    server = ServerProcess(data_dir=workdir / "erasure-data", log_path=workdir / "erasure-server.log")
    person, others = phone_number(8000), [phone_number(8001 + n) for n in range(3)]
    wanted = needles(person)
    with server, requests.Session() as session:
        for body in (DESCRIPTION, "no", "no", "CALL", WINDOW):
            post_sms(session, server.url, twilio_form(body, person))
            for other in others:
                post_sms(session, server.url, twilio_form("my calf cramped up hard while running", other))
        outbox = server.data_dir / "outbox.jsonl"
        deadline = time.monotonic() + OUTBOX_WAIT_S
        while not (outbox.exists() and outbox.read_text(encoding="utf-8").strip()) and time.monotonic() < deadline:
            time.sleep(0.1)  # the server's notifier writes the staff text about the request
        before = found(server.data_dir, wanted)
        deleted = post_sms(session, server.url, twilio_form("DELETE", person))
        after = found(server.data_dir, wanted)
        files = sorted(path.name for path in server.data_dir.rglob("*") if path.is_file())
        still_there = post_sms(session, server.url, twilio_form("no", others[0]))
    return {
        "files_read": files,
        "found_before": before,
        "found_after": after,
        "reply": deleted.messages[0] if deleted.messages else "",
        "others_kept": still_there.status == 200 and bool(still_there.messages),
    }


def main() -> int:
    """`python -m reliability.erasure_files`: print the results as JSON."""
    argparse.ArgumentParser(description=__doc__).parse_args()
    with tempfile.TemporaryDirectory(prefix="cramp-erasure-") as tmp:
        print(json.dumps(run(Path(tmp)), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
