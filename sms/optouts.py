"""Opt-outs per phone hash. They never expire: nothing is sent to an opted-out number until it opts in."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.records import OPTOUTS
from shared.stores import NOT_READ, AlreadyRead, Store, update


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
