"""Opt-outs per phone hash. They never expire: nothing is sent to an opted-out number until it opts in.

An opt-out is never lost to a store outage. When the store cannot take it (SQLite locked or read-only, DynamoDB
down), it goes to a journal file in the data folder (fsynced, the phone hash and the word only), replayed into the
store before the line handles its next message once the store answers again (and by the staff notifier's rounds).
A journal, not a reply asking to send STOP again: Twilio answers an exact STOP itself and blocks the line's texts
to the number from then on (default opt-out handling), so such a reply would never reach the person, who has
already been told they are unsubscribed. Twilio's block does not cover our own record's other jobs: the stored
opt-out is what keeps the staff text back and "Alexa, text me that" from texting them, and it is the only guard
for a keyword Twilio did not answer ("Stop."). Only when the journal cannot be written either (a read-only disk,
or the Lambda's read-only file system: deployed there is no journal) does the line ask for STOP again, when Twilio
has not answered the message itself.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from shared.config import Settings
from shared.records import OPTOUTS
from shared.stores import NOT_READ, AlreadyRead, Store, StoreUnavailable, VersionConflict, update

logger = logging.getLogger(__name__)

_JOURNAL_LOCK = threading.Lock()


def record_opt_out(
    store: Store, phone_hash: str, word: str, now: float, *, already_read: AlreadyRead = NOT_READ
) -> None:
    """Remember the opt-out (keeping the first one if the person repeats it)."""
    stamp = datetime.fromtimestamp(now, UTC).isoformat()
    opt_out = {"opted_out_at": stamp, "keyword": word}
    update(store, OPTOUTS, phone_hash, lambda data: data or opt_out, already_read=already_read)


def record_opt_in(store: Store, phone_hash: str) -> None:
    """Forget the opt-out, so replies are sent again."""
    store.delete(OPTOUTS, phone_hash)


def journal_path(settings: Settings) -> Path:
    """The file holding opt-outs the store could not take yet."""
    return settings.data_dir / "optouts-pending.jsonl"


def journal_opt_out(settings: Settings, phone_hash: str, word: str, now: float) -> None:
    """Keep an opt-out the store could not take, on disk before returning; OSError when the file cannot be written."""
    path = journal_path(settings)
    # The leading newline ends a line a crash cut short, which would otherwise swallow this opt-out into it.
    line = "\n" + json.dumps({"phone_hash": phone_hash, "keyword": word, "at": now}) + "\n"
    with _JOURNAL_LOCK:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
    logger.warning("opt-out journalled while the store is unavailable", extra={"phone_hash": phone_hash})


def pending_opt_outs(settings: Settings) -> list[dict]:
    """The journalled opt-outs not yet in the store, oldest first (a line cut short by a crash is skipped)."""
    path = journal_path(settings)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    entries = []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("phone_hash"), str):
            entries.append(entry)
    return entries


def replay_journal(store: Store, settings: Settings) -> int:
    """Move every journalled opt-out into the store; the journal goes once all are in. Returns how many moved; while
    the store is still unavailable nothing is lost: the journal stays for the next try."""
    # One process per data folder (the local server): under the lock the journal cannot go between look and unlink.
    with _JOURNAL_LOCK:
        if not journal_path(settings).exists():
            return 0
        entries = pending_opt_outs(settings)
        try:
            for entry in entries:
                # A line without the word or the time (written by hand) still opts out: as STOP, from now.
                keyword = entry.get("keyword") if isinstance(entry.get("keyword"), str) else "STOP"
                at = entry.get("at") if isinstance(entry.get("at"), int | float) else time.time()
                record_opt_out(store, entry["phone_hash"], keyword, at)
        except (StoreUnavailable, VersionConflict) as exc:
            logger.warning("opt-out journal not replayed yet", extra={"error_type": type(exc).__name__})
            return 0
        # Recording is idempotent (the first opt-out is kept), so a crash before this line only replays again.
        journal_path(settings).unlink()
    if entries:
        logger.info("opt-out journal replayed", extra={"opt_outs": len(entries)})
    return len(entries)
