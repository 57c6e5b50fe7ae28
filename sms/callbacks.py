"""Callback requests for the clinic's staff: stored durably first, then staff are told by SMS.

Each record is a CallbackRecord (shared/records.py); it never expires. A failed notification leaves notified
False; `retry_notifications` (a scheduled Lambda) tries again, so a request is never lost because Twilio or the
network was down.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from shared.config import Settings
from shared.content import Content
from shared.records import CALLBACKS
from shared.stores import Store, StoreUnavailable, VersionConflict, update
from shared.triage import Assessment
from sms.outbound import OutboundError, send_sms
from sms.replies import render_reply, sms_locale

logger = logging.getLogger(__name__)

# After this many failed sends the request stays on the staff page but is no longer retried by SMS.
MAX_NOTIFY_ATTEMPTS = 10


class _Erased(Exception):
    """The request was deleted (the person texted DELETE) before its notification state was saved."""


def callback_id(message_sid: str | None) -> str:
    """A short reference for staff; derived from the MessageSid so a redelivery cannot store it twice."""
    seed = message_sid or uuid.uuid4().hex
    return "cb_" + hashlib.sha256(seed.encode()).hexdigest()[:12]


def summarise(assessment: Assessment, words: dict[str, Any]) -> str:
    """A triage summary for staff, built from rule ids and their reasons only (none of the person's own words)."""
    part = (assessment.body_part or "unknown muscle").replace("_", " ")
    verdict = assessment.verdict if assessment.verdict == "unclear" else f"{assessment.verdict} ({assessment.strength})"
    summary = f"{verdict}, {part}; urgency {assessment.urgency.replace('_', ' ')}"
    if assessment.red_flag:
        summary += f": {words['red_flags'][assessment.red_flag]}"
    if assessment.reason_ids:
        summary += "; " + "; ".join(words["reasons"][rule] for rule in assessment.reason_ids)
    return summary


def store_callback(
    store: Store,
    *,
    message_sid: str | None,
    phone: str,
    phone_hash: str,
    window: str,
    assessment: Assessment,
    words: dict[str, Any],
    now: float,
    content_version: str = "",
) -> dict[str, Any]:
    """Store a callback request durably and return it; a redelivered message returns the stored one. It carries the
    content version that gave the advice, so the clinic can tell later which content said what."""
    record_id = callback_id(message_sid)
    data = {
        "id": record_id,
        "created_at": datetime.fromtimestamp(now, UTC).isoformat(),
        "phone": phone,
        "phone_hash": phone_hash,
        "window": window,
        "summary": summarise(assessment, words),
        "urgency": assessment.urgency,
        "content_version": content_version,
        "status": "new",
        "notified": False,
        "notify_attempts": 0,
    }
    if not store.claim(CALLBACKS, record_id, data):
        existing = store.get(CALLBACKS, record_id)
        if existing is not None:
            return existing.data
        # Erased between the two calls: store it again (a conflict here surfaces as a store error).
        store.put(CALLBACKS, record_id, data, expected_version=0)
    logger.info(
        "callback stored",
        extra={
            "callback_id": record_id, "phone_hash": phone_hash, "urgency": assessment.urgency,
            "content_version": content_version,
        },
    )
    return data


def notify_staff(settings: Settings, store: Store, content: Content, callback: dict[str, Any]) -> bool:
    """Text the clinic's staff number about a callback request and record the attempt; never raises."""
    record_id = callback["id"]
    body = render_reply("staff_callback", content, sms_locale(content), callback=callback)
    try:
        send_sms(settings, str(content.clinic["staff_sms_number"]), body)
        sent, error = True, None
    except OutboundError as exc:
        sent, error = False, type(exc.__cause__ or exc).__name__
        logger.warning("staff notification failed", extra={"callback_id": record_id, "error_type": error})

    def mark(data: dict | None) -> dict:
        if data is None:
            raise _Erased
        data = dict(data)
        data["notify_attempts"] = int(data.get("notify_attempts", 0)) + 1
        data["notified"] = bool(data.get("notified")) or sent
        if error:
            data["last_notify_error"] = error
        return data

    try:
        update(store, CALLBACKS, record_id, mark)
    except _Erased:
        logger.info("callback erased before its notification was recorded", extra={"callback_id": record_id})
    except (StoreUnavailable, VersionConflict) as exc:
        # The request itself is stored; at worst staff get a second text from the retry.
        error_type = type(exc).__name__
        logger.warning("notification state not saved", extra={"callback_id": record_id, "error_type": error_type})
    return sent


def retry_notifications(settings: Settings, store: Store, content: Content) -> dict[str, int]:
    """Send every pending staff notification again; returns counts of retried, notified and failed."""
    pending = [
        record.data
        for record in store.scan(CALLBACKS)
        if not record.data.get("notified")
        and record.data.get("status") == "new"
        and int(record.data.get("notify_attempts", 0)) < MAX_NOTIFY_ATTEMPTS
    ]
    notified = sum(notify_staff(settings, store, content, data) for data in sorted(pending, key=_created))
    counts = {"retried": len(pending), "notified": notified, "failed": len(pending) - notified}
    logger.info("staff notification retry", extra=counts)
    return counts


def _created(data: dict[str, Any]) -> str:
    return str(data.get("created_at", ""))


def erase_callbacks(store: Store, phone_hash: str) -> int:
    """Delete every callback request made from this number; returns how many."""
    mine = [record.key for record in store.scan(CALLBACKS) if record.data.get("phone_hash") == phone_hash]
    for key in mine:
        store.delete(CALLBACKS, key)
    return len(mine)
