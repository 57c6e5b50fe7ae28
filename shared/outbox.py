"""The local outbox: where local mode "sends" a text when there are no Twilio credentials (data_dir/outbox.jsonl).

One JSON object per line: the message's id, the number it was for, its text and when. The local server, the tests
and the try-it page read it to see what would have been sent. It holds numbers and health text, so erasure
(shared/erasure.py) rewrites it without the erased person's lines. No Twilio here: the skill's erasure reaches it
without the SMS line's sender.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shared.config import Settings

# The outbox's id prefix: such a message was written to the file, never handed to Twilio.
LOCAL_ID_PREFIX = "local-"
_LOCK = threading.Lock()


def outbox_path(settings: Settings) -> Path:
    """Where local mode writes the messages it would have sent."""
    return settings.data_dir / "outbox.jsonl"


def read_outbox(settings: Settings) -> list[dict[str, Any]]:
    """Every message written to the local outbox, oldest first."""
    path = outbox_path(settings)
    if not path.exists():
        return []
    with _LOCK, path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def append_to_outbox(settings: Settings, to: str, body: str) -> str:
    """Write one message to the outbox and return its id; OSError when the file cannot be written."""
    message_id = f"{LOCAL_ID_PREFIX}{uuid.uuid4().hex}"
    entry = {"id": message_id, "to": to, "body": body, "created_at": time.time()}
    path = outbox_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _LOCK, path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry) + "\n")
    return message_id


def remove_from_outbox(settings: Settings, about: Callable[[dict[str, Any]], bool]) -> int:
    """Rewrite the outbox without every message `about` picks; returns how many went.

    The kept lines go to a new file that replaces the old one (fsynced first), so a crash leaves either file whole.
    """
    path = outbox_path(settings)
    with _LOCK:
        if not path.exists():
            return 0
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        kept = [line for line in lines if not about(json.loads(line))]
        removed = len(lines) - len(kept)
        if removed:
            fresh = path.with_name(path.name + ".new")
            with fresh.open("w", encoding="utf-8") as fh:
                fh.write("".join(line + "\n" for line in kept))
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(fresh, path)
    return removed
