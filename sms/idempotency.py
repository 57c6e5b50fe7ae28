"""Twilio may deliver one message twice (retries after a timeout). The MessageSid is claimed with an
atomic conditional write before any side effect, and the reply is stored with it, so a redelivery
gets the same reply and changes nothing (platform b-2, [T30][T39]).

The claim, everything the turn writes and the reply commit in one store transaction (SmsLine._turn): a
committed claim is always finished, and a turn that fails leaves no claim at all, so Twilio's redelivery
handles the message afresh. DELETE is the exception (it scans, so it runs call by call, see
sms/conversation.py): there a claim in "processing" carries a lease. Its owner can die mid-request (a crash,
a Lambda timeout) and a claim write that timed out against a frozen store can land after the request gave
up; either way nobody will finish that claim. A redelivery that finds the lease expired takes the claim
over with a version-checked write, so exactly one worker holds it, and handles the message.

Replays: Twilio signs the URL and the POST parameters with HMAC-SHA1 keyed with the auth token, and the
signature covers no timestamp or nonce (platform requirements, Authenticity [T1][T2]), so a captured
request stays valid for ever. The claim, kept CLAIM_RETENTION_SECONDS with its reply, is the replay guard: within that
window a replay gets the recorded reply and has no new effect. A replay after the window is handled
again; that residual limit is the platform's, and only a key rotation (a new auth token) ends it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from shared.records import CLAIM_PREFIX, CLAIM_RETENTION_SECONDS, CONVERSATIONS
from shared.stores import NOT_READ, AlreadyRead, Store, StoreUnavailable, VersionConflict

logger = logging.getLogger(__name__)

__all__ = ["CLAIM_RETENTION_SECONDS", "Claim", "Replay", "claim_key", "claim_message", "finish_message",
           "lease_expired", "release_message", "try_claim"]

# A live owner never holds a claim longer than this: the SMS Lambda is killed after 14 s and Twilio drops
# the webhook after 15 s in total [T11], so a claim still "processing" 20 s after it was taken has a dead owner. The 5 s
# margin over Twilio's 15 s covers clock skew between hosts; a shorter lease could hand a message to a
# second worker while the first is still on it, a longer one keeps a redelivery from being handled.
CLAIM_LEASE_SECONDS = 20.0
# A redelivery that arrives while the first attempt is still working waits for its reply this long,
# inside Twilio's 15 s budget.
REPLAY_WAIT_SECONDS = 5.0
_POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Replay:
    """The outcome of a message already handled: its reply (None: it was answered with silence)."""

    reply: str | None
    finished: bool


@dataclass(frozen=True)
class Claim:
    """This request owns the MessageSid; `version` is what its finishing write must find (0: none yet)."""

    sid: str
    version: int


def claim_key(sid: str) -> str:
    """The record that marks this MessageSid as taken."""
    return f"{CLAIM_PREFIX}{sid}"


def _processing(now: float, phone_hash: str, takeovers: int) -> dict:
    return {
        "state": "processing",
        "claimed_at": now,
        "lease_until": now + CLAIM_LEASE_SECONDS,
        "phone_hash": phone_hash,
        "takeovers": takeovers,
    }


def lease_expired(data: dict, now: float) -> bool:
    """Tell whether a "processing" claim's owner has run out of time (a claim without a lease predates leases)."""
    lease_until = data.get("lease_until")
    if not isinstance(lease_until, int | float) or isinstance(lease_until, bool):
        return True
    return lease_until <= now


def try_claim(
    store: Store, sid: str, now: float, phone_hash: str, *, atomic: bool = False, already_read: AlreadyRead = NOT_READ
) -> Claim | Replay | None:
    """One attempt at the MessageSid: the claim (new, or taken over from an expired lease), the earlier
    attempt's reply, or None while a live attempt still holds it. Never waits, so it can run inside a
    store transaction.

    `atomic`: it runs inside a transaction that undoes everything if the turn fails (SQLite, memory). The
    transaction's lock already keeps every other attempt out until the reply is stored, and nobody can
    see a "processing" claim before then, so a new claim is not written at all: finish_message creates it
    (Claim version 0). `already_read` is the claim as the turn's batch read found it.
    """
    key = claim_key(sid)
    if atomic:
        record = store.get(CONVERSATIONS, key) if already_read is NOT_READ else already_read
        if record is None:
            return Claim(sid, 0)
    elif store.claim(CONVERSATIONS, key, _processing(now, phone_hash, 0), expires_at=now + CLAIM_RETENTION_SECONDS):
        return Claim(sid, 1)
    else:
        record = store.get(CONVERSATIONS, key)
    if record is None:
        # Released by an attempt that changed nothing: this redelivery may claim it afresh.
        if store.claim(CONVERSATIONS, key, _processing(now, phone_hash, 0), expires_at=now + CLAIM_RETENTION_SECONDS):
            return Claim(sid, 1)
        return None
    if record.data.get("state") == "done":
        return Replay(reply=record.data.get("reply"), finished=True)
    if not lease_expired(record.data, now):
        return None
    takeovers = record.data.get("takeovers")
    takeovers = takeovers + 1 if isinstance(takeovers, int) else 1
    try:
        store.put(
            CONVERSATIONS,
            key,
            _processing(now, phone_hash, takeovers),
            expected_version=record.version,
            expires_at=now + CLAIM_RETENTION_SECONDS,
        )
    except VersionConflict:
        return None  # another redelivery took it over first: wait for its reply like any redelivery
    logger.warning("sms claim taken over after its lease expired", extra={"phone_hash": phone_hash})
    return Claim(sid, record.version + 1)


def claim_message(store: Store, sid: str, now: float, phone_hash: str) -> Claim | Replay:
    """Claim the MessageSid (or take over an expired lease); else wait for the earlier attempt's reply.

    It sleeps between attempts, so it must not run inside a store transaction (that would hold the lock the
    earlier attempt needs to finish).
    """
    started = time.monotonic()
    while True:
        taken = try_claim(store, sid, now + (time.monotonic() - started), phone_hash)
        if taken is not None:
            return taken
        if time.monotonic() - started >= REPLAY_WAIT_SECONDS:
            return Replay(reply=None, finished=False)
        time.sleep(_POLL_SECONDS)


def finish_message(store: Store, claim: Claim, reply: str | None, now: float, phone_hash: str) -> None:
    """Store the reply with the claim so a redelivery repeats it; a failure here is logged, not raised."""
    try:
        store.put(
            CONVERSATIONS,
            claim_key(claim.sid),
            {"state": "done", "reply": reply, "phone_hash": phone_hash, "finished_at": now},
            expected_version=claim.version,
            expires_at=now + CLAIM_RETENTION_SECONDS,
        )
    except (StoreUnavailable, VersionConflict) as exc:
        # The person still gets this reply; only a redelivery would miss it. A conflict means this attempt
        # outlived its lease and a redelivery took over: that one's reply is the one kept.
        logger.warning("sms reply not stored with its claim", extra={"error_type": type(exc).__name__})


def release_message(store: Store, claim: Claim, now: float) -> None:
    """Give back a claim whose processing changed nothing, so Twilio's retry can try again.

    The release is a version-checked write that expires at once rather than a delete: a release that lands
    late (a frozen store) must not drop a claim a redelivery has taken over since.
    """
    try:
        store.put(
            CONVERSATIONS, claim_key(claim.sid), {"state": "released"}, expected_version=claim.version, expires_at=now
        )
    except (StoreUnavailable, VersionConflict) as exc:
        logger.warning("sms claim not released", extra={"error_type": type(exc).__name__})

