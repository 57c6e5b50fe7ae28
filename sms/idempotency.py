"""Twilio may deliver one message twice (retries after a timeout). The MessageSid is claimed with an
atomic conditional write before any side effect, and the reply is stored with it, so a redelivery
gets the same reply and changes nothing (platform b-2, [T30][T39])."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from shared.stores import Store, StoreUnavailable, VersionConflict

logger = logging.getLogger(__name__)

COLLECTION = "conversations"
# Twilio's retries come within its 15 s request window; a day also covers a late redelivery.
CLAIM_TTL_SECONDS = 24 * 3600
# A redelivery that arrives while the first attempt is still working waits for its reply this long,
# inside Twilio's 15 s budget.
REPLAY_WAIT_SECONDS = 5.0
_POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Replay:
    """The outcome of a message already handled: its reply (None: it was answered with silence)."""

    reply: str | None
    finished: bool


def claim_key(sid: str) -> str:
    """The record that marks this MessageSid as taken."""
    return f"sid:{sid}"


def claim_message(store: Store, sid: str, now: float) -> Replay | None:
    """Claim the MessageSid; None when this request owns it, else the earlier attempt's reply."""
    if store.claim(COLLECTION, claim_key(sid), {"state": "processing"}, expires_at=now + CLAIM_TTL_SECONDS):
        return None
    deadline = time.monotonic() + REPLAY_WAIT_SECONDS
    while True:
        record = store.get(COLLECTION, claim_key(sid))
        if record is not None and record.data.get("state") == "done":
            return Replay(reply=record.data.get("reply"), finished=True)
        if time.monotonic() >= deadline:
            return Replay(reply=None, finished=False)
        time.sleep(_POLL_SECONDS)


def finish_message(store: Store, sid: str, reply: str | None, now: float) -> None:
    """Store the reply with the claim so a redelivery repeats it; a failure here is logged, not raised."""
    try:
        store.put(
            COLLECTION,
            claim_key(sid),
            {"state": "done", "reply": reply},
            expected_version=1,
            expires_at=now + CLAIM_TTL_SECONDS,
        )
    except (StoreUnavailable, VersionConflict) as exc:
        # The person still gets this reply; only a redelivery would miss it.
        logger.warning("sms reply not stored with its claim", extra={"error_type": type(exc).__name__})


def release_message(store: Store, sid: str) -> None:
    """Drop a claim whose processing changed nothing, so Twilio's retry can try again."""
    try:
        store.delete(COLLECTION, claim_key(sid))
    except StoreUnavailable:
        logger.warning("sms claim not released: store unavailable")
