"""Callback requests for the clinic's staff, from either channel: stored durably, owing a staff text.

The SMS line (CALL, then a time) and the Alexa skill ("ask the clinic to call me", then a time) store the same
CallbackRecord (shared/records.py) through `store_callback`; the staff notifier (sms/notifications.py) texts staff
about each one and the staff inbox (staff/) shows them. Storing is all a patient's request does: the staff text is
sent outside it, so a slow or failing Twilio never delays the reply and never loses the request.

A request expires after the clinic's retention period (clinic.yaml `retention_days`, shared/health_data.py): staff
see an unhandled one until then.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from shared.records import CALLBACKS, STAFF_QUEUE
from shared.stores import Store
from shared.triage import Assessment

logger = logging.getLogger(__name__)

# What a request made by voice with the health-data switch off carries instead of an urgency: the skill keeps no
# triage with it (shared/health_data.py). The staff text and the inbox say "not recorded".
NOT_RECORDED = "not_recorded"


def callback_id(request_id: str | None) -> str:
    """A short reference for staff, derived from the request that asked (a Twilio MessageSid or an Alexa request
    id) so a redelivery cannot store it twice."""
    seed = request_id or uuid.uuid4().hex
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


def owed_fields(now: float) -> dict[str, Any]:
    """The fields a new callback request carries while its staff text is owed (due at once)."""
    return {"notified": False, "notify_attempts": 0, "notify_queue": STAFF_QUEUE, "notify_due_at": now}


def store_callback(
    store: Store,
    *,
    request_id: str | None,
    phone: str,
    phone_hash: str,
    window: str,
    assessment: Assessment | None,
    words: dict[str, Any],
    now: float,
    expires_at: float,
    channel: str,
    content_version: str = "",
) -> dict[str, Any]:
    """Store a callback request durably and return it; a redelivered request returns the stored one.

    With an assessment it carries the triage summary and urgency, and the content version that gave the advice (so
    the clinic can tell later which content said what); without one (a voice request while the skill keeps no
    health information) it carries the number and the time window only.
    """
    record_id = callback_id(request_id)
    data = {
        "id": record_id,
        "created_at": datetime.fromtimestamp(now, UTC).isoformat(),
        "phone": phone,
        "phone_hash": phone_hash,
        "window": window,
        "channel": channel,
        "summary": summarise(assessment, words) if assessment is not None else "",
        "urgency": assessment.urgency if assessment is not None else NOT_RECORDED,
        "content_version": content_version if assessment is not None else "",
        "status": "new",
        **owed_fields(now),
    }
    if not store.claim(CALLBACKS, record_id, data, expires_at=expires_at):
        existing = store.get(CALLBACKS, record_id)
        if existing is not None:
            return existing.data
        # Erased between the two calls: store it again (a conflict here surfaces as a store error).
        store.put(CALLBACKS, record_id, data, expected_version=0, expires_at=expires_at)
    logger.info(
        "callback stored",
        extra={
            "callback_id": record_id, "phone_hash": phone_hash, "urgency": data["urgency"], "channel": channel,
            "content_version": data["content_version"],
        },
    )
    return data
