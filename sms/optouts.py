"""Opt-outs per phone hash. They never expire: nothing is sent to an opted-out number until it opts in."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.stores import Store, update

COLLECTION = "optouts"


def is_opted_out(store: Store, phone_hash: str) -> bool:
    """True when this number has opted out and not opted back in."""
    return store.get(COLLECTION, phone_hash) is not None


def record_opt_out(store: Store, phone_hash: str, word: str, now: float) -> None:
    """Remember the opt-out (keeping the first one if the person repeats it)."""
    stamp = datetime.fromtimestamp(now, UTC).isoformat()
    update(store, COLLECTION, phone_hash, lambda data: data or {"opted_out_at": stamp, "keyword": word})


def record_opt_in(store: Store, phone_hash: str) -> None:
    """Forget the opt-out, so replies are sent again."""
    store.delete(COLLECTION, phone_hash)
