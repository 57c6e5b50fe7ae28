"""Callback requests for the clinic's staff: stored durably, owing a staff text that sms/notifications.py sends.

Each record is a CallbackRecord (shared/records.py); it never expires. Storing it is all the patient's message
does: the staff text is sent outside the webhook (the stream and the schedule deployed, a thread locally), so a
slow or failing Twilio never delays the patient's reply, and the request is never lost because Twilio or the
network was down.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from shared.records import CALLBACKS
from shared.stores import Store
from shared.triage import Assessment
from sms import notifications

logger = logging.getLogger(__name__)


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
        **notifications.owed_fields(now),
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

