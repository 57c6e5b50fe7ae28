"""Erasure: DELETE by text and "forget my history" by voice remove every record about one phone number.

What goes, for the number (found by its hash, shared/records.py's indexes): its callback requests (number, window,
summary), the reply text kept with each of its MessageSid claims (a reply can quote the person's own words), its
SMS conversation, its episode history and the Alexa history linked with it, and every text in the local outbox to
the number or about one of its callback requests. Then the store leaves no copy in its own files (SQLite: deleted
content zeroed and the write-ahead log emptied, shared/stores/sqlite.py).

What stays is kept under the number's hash with nothing the person wrote, and the reply names it (Erasure):
- the opt-out, when the number replied STOP: it is what keeps every text of ours (a staff text back, "text me
  that") from reaching them;
- the MessageSid claims, for their 30 days (sms/idempotency.py): without them a resent copy of an old message
  would be handled again and write back what was erased;
- the rate count, until its window ends: erasing must not reset the line's rate limit;
- deployed, DynamoDB's point-in-time backups of the callbacks table roll erased requests off within 35 days
  (serverless.yml; AWS keeps no way to delete one item from a backup).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from shared.config import Settings
from shared.handover import linked_key
from shared.identity import hashed_id
from shared.outbox import remove_from_outbox
from shared.records import (
    ATTRIBUTES,
    CALLBACKS,
    CALLBACKS_BY_PHONE,
    CLAIM_RETENTION_SECONDS,
    CLAIMS_BY_PHONE,
    CONVERSATIONS,
    OPTOUTS,
    RATE,
)
from shared.stores import Record, Store, rewrite

logger = logging.getLogger(__name__)

# How long DynamoDB's point-in-time recovery keeps a table's past (the callbacks table has it on, serverless.yml).
BACKUP_DAYS = 35


@dataclass(frozen=True)
class Erasure:
    """What one erasure removed, and what it had to keep (each kept item is hashed and holds no words)."""

    callbacks: int  # callback requests removed
    replies: int  # stored replies removed from MessageSid claims
    texts: int  # local-outbox texts removed
    linked: bool  # a linked Alexa history went too
    opted_out: bool  # kept: the opt-out record that honours STOP
    claims: bool  # kept: MessageSid claims, ids only, for claim_days
    claim_days: int
    rate_minutes: int | None  # kept: the rate count, until its window ends (at most this many minutes); None: none
    backup_days: int | None  # deployed: erased callback requests leave the backups within this many days


def erase_number(store: Store, settings: Settings, phone_hash: str, *, now: float) -> Erasure:
    """Erase everything kept about this number on every channel (see the module docstring); returns what went and
    what stays. Runs call by call (it reads indexes), never inside a store transaction."""
    callback_ids = [record.key for record in store.query(CALLBACKS_BY_PHONE, phone_hash)]
    for key in callback_ids:
        store.delete(CALLBACKS, key)
    replies, claims = _scrub_replies(store, phone_hash)
    rate_count = _forget_conversation(store, phone_hash, settings.sms_rate_window_seconds, now)
    other = linked_key(store, phone_hash)
    if other is not None:
        store.delete(ATTRIBUTES, other)
    store.delete(ATTRIBUTES, phone_hash)
    texts = remove_from_outbox(settings, lambda entry: _about(entry, settings, phone_hash, callback_ids))
    # Last: the deleted values may still sit in the store's own files until now.
    store.purge_deleted()
    erasure = Erasure(
        callbacks=len(callback_ids),
        replies=replies,
        texts=texts,
        linked=other is not None,
        opted_out=store.get(OPTOUTS, phone_hash) is not None,
        claims=claims,
        claim_days=CLAIM_RETENTION_SECONDS // 86400,
        rate_minutes=-(-settings.sms_rate_window_seconds // 60) if rate_count else None,
        backup_days=BACKUP_DAYS if settings.deployed and callback_ids else None,
    )
    logger.info(
        "number erased",
        extra={
            "phone_hash": phone_hash,
            "callbacks_erased": erasure.callbacks,
            "replies_erased": erasure.replies,
            "texts_erased": erasure.texts,
            "linked_erased": erasure.linked,
        },
    )
    return erasure


def _about(entry: dict, settings: Settings, phone_hash: str, callback_ids: list[str]) -> bool:
    """True for an outbox text to this number, or a staff text naming one of its callback requests."""
    to = entry.get("to")
    if isinstance(to, str) and hashed_id("phone", to, settings.hash_salt) == phone_hash:
        return True
    body = entry.get("body")
    return isinstance(body, str) and any(key in body for key in callback_ids)


def _scrub_replies(store: Store, phone_hash: str) -> tuple[int, bool]:
    """Drop the reply text of this number's MessageSid claims (the only conversation records carrying its hash),
    keeping the claims; returns (replies scrubbed, whether any claim stays)."""
    claims = store.query(CLAIMS_BY_PHONE, phone_hash)
    with_reply = [record for record in claims if record.data.get("reply") is not None]
    for record in with_reply:
        # Version-checked from what the query read; rewritten since (a redelivery finished it), read again.
        rewrite(store, CONVERSATIONS, record.key, _without_reply, already_read=record)
    return len(with_reply), bool(claims)


def _without_reply(record: Record | None) -> tuple[dict, float | None] | None:
    """A claim as kept after erasure: its reply gone, expiring as it would have."""
    if record is None:
        return None
    return {**record.data, "reply": None}, record.expires_at


def _forget_conversation(store: Store, phone_hash: str, window_seconds: int, now: float) -> bool:
    """Erase the SMS conversation, keeping only a rate count whose window has not ended, until it ends (the record
    expires then); True if one is kept."""
    kept: list[bool] = []

    def count_only(record: Record | None) -> tuple[dict, float | None] | None:
        rate = record.data.get(RATE) if record is not None else None
        start = rate.get("window_start") if isinstance(rate, dict) else None
        ends = start + window_seconds if isinstance(start, int | float) and not isinstance(start, bool) else None
        kept.append(ends is not None and ends > now)
        return ({RATE: rate}, ends) if kept[-1] else None

    rewrite(store, CONVERSATIONS, phone_hash, count_only)
    return kept[-1]
