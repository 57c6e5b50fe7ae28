"""Can the local server keep what it is told? A data folder it can write, and a store that takes a real write.

Checked before the server listens (a read-only disk or a damaged SQLite side file is a clear message, not a
traceback on the first patient's text, nor a SIGBUS from SQLite mapping a shared-memory file it cannot extend)
and on every /healthz.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from shared.config import Settings
from shared.stores import Store, update
from sms.outbound import outbox_path

PROBE_COLLECTION = "attributes"
# Not an Alexa user's key (those are "alexa_" + a hash), so the probe never touches a person's record.
PROBE_KEY = "healthz-probe"
PROBE_TTL_SECONDS = 3600
# SQLite in WAL mode keeps the database in three files; the side files appear while it is open.
SQLITE_SUFFIXES = ("", "-wal", "-shm")


def data_dir_problem(settings: Settings) -> str | None:
    """Why the local data folder cannot be written (with what to do about it), or None when it can."""
    folder = settings.data_dir
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        return f"the data folder {folder} is a file, not a folder; set CRAMP_DATA_DIR to a folder"
    except OSError as exc:
        return f"cannot create the data folder {folder} ({exc.strerror or exc}); set CRAMP_DATA_DIR to a writable one"
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        reason = exc.strerror or exc
        return f"cannot write in the data folder {folder} ({reason}); make it writable or set CRAMP_DATA_DIR"
    files = [Path(f"{settings.sqlite_path}{suffix}") for suffix in SQLITE_SUFFIXES] + [outbox_path(settings)]
    for path in files:
        if not (path.exists() or path.is_symlink()):
            continue
        try:
            with open(path, "r+b"):
                pass
        except OSError as exc:
            return (f"cannot write {path} ({exc.strerror or exc}); make it a writable file, or move it away if "
                    "the server is not running")
    return None


def probe_store(store: Store) -> None:
    """Write one small expiring record; raises whatever the store raises when it cannot take a write."""
    now = time.time()
    update(store, PROBE_COLLECTION, PROBE_KEY, lambda _: {"checked_at": now}, expires_at=now + PROBE_TTL_SECONDS)
