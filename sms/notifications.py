"""Texting the clinic's staff about callback requests, outside any patient's request, until the text is delivered.

A callback request is stored owing a staff text (in the "notifications owed" index, shared/records.py). The SMS
webhook only stores it and answers the patient; the staff_notify function sends it (deployed: at once from the
callbacks table's stream, and every minute from a schedule; locally: the server's notifier thread). Each send
carries a StatusCallback, and the request counts as notified only when Twilio reports the text *delivered*.
Failed or undelivered texts, and texts with no delivery report in time, are sent again with a growing wait; a
request still owed after OVERDUE_AFTER_SECONDS is logged as overdue on every round (an alarm watches for it)
until it is delivered or staff pick the request up in the inbox.

Twilio's status callbacks arrive out of order (platform b-2, [T27][T28]): a delivery state never moves back from
a final one, and a report about an earlier attempt's text can only add "delivered".
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.config import Settings
from shared.content import Content
from shared.records import CALLBACKS, NOTIFICATIONS_OWED, STAFF_QUEUE
from shared.stores import Store, StoreUnavailable, VersionConflict, rewrite
from sms import optouts
from sms.outbound import OutboundError, delivered_on_send, send_sms, status_callback_url
from sms.replies import render_reply, sms_locale

logger = logging.getLogger(__name__)

# After this many sends the request is no longer texted; it stays owed (and overdue) until staff pick it up.
MAX_NOTIFY_ATTEMPTS = 8
# A sent text with no delivery report after this long is sent again (a carrier may never report; staff get a
# second text rather than none).
CONFIRM_WAIT_SECONDS = 10 * 60
# After a failed send or a failed/undelivered report: 1, 2, 4 ... minutes, at most 30.
RETRY_BASE_SECONDS = 60
RETRY_CAP_SECONDS = 30 * 60
# The alarm's threshold (serverless.yml, StaffNotificationOverdueAlarm): staff should know within half an hour.
OVERDUE_AFTER_SECONDS = 30 * 60
OVERDUE_MESSAGE = "staff notification overdue"

# Twilio's outbound message statuses, in the order a text moves through them; the last four are final.
STATUS_ORDER = ("accepted", "scheduled", "queued", "sending", "sent", "delivered", "undelivered", "failed", "canceled")
FINAL_STATUSES = frozenset({"delivered", "undelivered", "failed", "canceled"})
FAILED_STATUSES = frozenset({"undelivered", "failed", "canceled"})


@dataclass(frozen=True)
class Round:
    """What one pass over the owed notifications did."""

    sent: int = 0
    failed: int = 0
    overdue: int = 0

    def as_dict(self) -> dict[str, int]:
        """The counts, as the scheduled function returns them."""
        return {"sent": self.sent, "failed": self.failed, "overdue": self.overdue}


def retry_wait(attempts: int) -> float:
    """Seconds to wait before sending again after the `attempts`-th send failed."""
    return float(min(RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1), RETRY_CAP_SECONDS))


def settled(data: dict) -> dict:
    """The request with its notification settled: out of the owed index, so nobody sends or reads it again."""
    return {key: value for key, value in data.items() if key not in ("notify_queue", "notify_due_at")}


def _created_seconds(data: dict) -> float | None:
    try:
        return datetime.fromisoformat(str(data.get("created_at"))).timestamp()
    except ValueError:
        return None


def send_owed(settings: Settings, store: Store, content: Content, now: float | None = None) -> Round:
    """Send every owed staff text that is due, and log each request owed for longer than the alarm allows."""
    now = time.time() if now is None else now
    # The local server's rounds also move opt-outs journalled during a store outage into the store (sms/optouts.py).
    optouts.replay_journal(store, settings)
    sent = failed = overdue = 0
    for record in store.query(NOTIFICATIONS_OWED, STAFF_QUEUE):
        data = record.data
        created = _created_seconds(data)
        if created is not None and now - created >= OVERDUE_AFTER_SECONDS:
            overdue += 1
            # One line per request per round: the alarm's metric filter counts them (no number, no summary).
            logger.error(
                OVERDUE_MESSAGE,
                extra={
                    "callback_id": record.key,
                    "minutes": round((now - created) / 60),
                    "attempts": data.get("notify_attempts"),
                    "notify_status": data.get("notify_status"),
                },
            )
        due = data.get("notify_due_at")
        if isinstance(due, int | float) and due <= now and int(data.get("notify_attempts", 0)) < MAX_NOTIFY_ATTEMPTS:
            outcome = send_one(settings, store, content, record.key, now)
            sent += outcome is True
            failed += outcome is False
    result = Round(sent, failed, overdue)
    logger.info("staff notifications round", extra=result.as_dict())
    return result


def send_one(
    settings: Settings, store: Store, content: Content, callback_id: str, now: float | None = None
) -> bool | None:
    """Send the request's staff text if it is still owed and due; True sent, False failed, None not due.

    The attempt is taken with a version-checked write before anything is sent, so the stream and the schedule
    (or two rounds) never text staff twice for one due attempt.
    """
    now = time.time() if now is None else now
    taken: dict[str, Any] = {}

    def take(record: Any) -> tuple[dict, float | None] | None:
        data = record.data if record is not None else None
        if not _is_due(data, now):
            raise _NotDue
        attempts = int(data.get("notify_attempts", 0)) + 1
        updated = {**data, "notify_attempts": attempts, "notify_status": "sending", "notify_due_at": now +
                   CONFIRM_WAIT_SECONDS, "notify_sent_at": now}
        updated.pop("notify_message_sid", None)
        taken.clear()
        taken.update(updated)
        return updated, record.expires_at

    try:
        rewrite(store, CALLBACKS, callback_id, take, attempts=1)
    except (_NotDue, VersionConflict):
        return None  # settled, not yet due, or another sender took this attempt
    body = render_reply("staff_callback", content, sms_locale(content), callback=taken)
    try:
        message_sid = send_sms(
            settings,
            str(content.clinic["staff_sms_number"]),
            body,
            status_callback=status_callback_url(settings, "staff", callback_id),
        )
    except OutboundError as exc:
        error = type(exc.__cause__ or exc).__name__
        logger.warning("staff notification failed", extra={"callback_id": callback_id, "error_type": error})
        _change(store, callback_id, lambda data: _after_failure(data, now, error, taken["notify_attempts"]))
        return False
    logger.info("staff notification sent", extra={"callback_id": callback_id, "message_sid": message_sid,
                                                   "attempt": taken["notify_attempts"]})
    if delivered_on_send(message_sid):
        _change(store, callback_id, lambda data: _delivered(data, message_sid))
    else:
        _change(store, callback_id, lambda data: _sent(data, message_sid, taken["notify_attempts"]))
    return True


class _NotDue(Exception):
    """The request is settled, erased, or not due yet."""


def _is_due(data: dict | None, now: float) -> bool:
    if data is None or data.get("notify_queue") != STAFF_QUEUE or data.get("status", "new") != "new":
        return False
    due = data.get("notify_due_at")
    return isinstance(due, int | float) and due <= now and int(data.get("notify_attempts", 0)) < MAX_NOTIFY_ATTEMPTS


def _sent(data: dict, message_sid: str, attempt: int) -> dict:
    if data.get("notify_attempts") != attempt or data.get("notify_queue") != STAFF_QUEUE:
        return data  # a report or a newer attempt got there first; keep what it wrote
    status = data.get("notify_status")
    if status in FINAL_STATUSES and data.get("notify_message_sid") == message_sid:
        return data
    return {**data, "notify_message_sid": message_sid, "notify_status": "queued"}


def _delivered(data: dict, message_sid: str) -> dict:
    return settled({**data, "notified": True, "notify_status": "delivered", "notify_message_sid": message_sid})


def _after_failure(data: dict, now: float, error: str | None, attempt: int) -> dict:
    if data.get("notify_queue") != STAFF_QUEUE or data.get("notify_attempts") != attempt:
        return data
    updated = {**data, "notify_status": "failed", "notify_due_at": now + retry_wait(attempt)}
    if error:
        updated["last_notify_error"] = error
    return updated


def _change(store: Store, callback_id: str, change: Callable[[dict], dict]) -> None:
    """Apply a change to the request if it still exists; never raises (the next round repairs a lost write)."""

    def apply(record: Any) -> tuple[dict, float | None] | None:
        if record is None:
            raise _NotDue  # erased by DELETE meanwhile: nothing to record
        return change(record.data), record.expires_at

    try:
        rewrite(store, CALLBACKS, callback_id, apply)
    except _NotDue:
        logger.info("callback erased before its notification state was saved", extra={"callback_id": callback_id})
    except (StoreUnavailable, VersionConflict) as exc:
        logger.warning("notification state not saved", extra={"callback_id": callback_id,
                                                              "error_type": type(exc).__name__})


def record_status(
    store: Store, callback_id: str, message_sid: str, status: str, error_code: str | None, now: float | None = None
) -> None:
    """Apply Twilio's report on a staff text: delivered settles the request; failed or undelivered makes the
    text due again after a wait; an earlier status never overwrites a later one."""
    now = time.time() if now is None else now
    status = status.lower()

    def apply(data: dict) -> dict:
        if data.get("notified"):
            return data  # delivered is final
        if status == "delivered":
            # Any attempt's text reaching staff is enough, even one reported after a newer attempt was sent.
            return _delivered(data, message_sid)
        if data.get("notify_message_sid") != message_sid or data.get("notify_queue") != STAFF_QUEUE:
            return data  # about an earlier attempt, or settled: nothing to change
        current = data.get("notify_status")
        if current in FINAL_STATUSES or not _later(status, current):
            return data
        updated = {**data, "notify_status": status}
        if status in FAILED_STATUSES:
            updated["notify_due_at"] = now + retry_wait(int(data.get("notify_attempts", 1)))
            if error_code:
                updated["last_notify_error"] = f"twilio {error_code}"
        return updated

    _change(store, callback_id, apply)


def _later(status: str, current: object) -> bool:
    """True when `status` comes after `current` in a text's life (an unknown status changes nothing)."""
    if status not in STATUS_ORDER:
        return False
    return current not in STATUS_ORDER or STATUS_ORDER.index(status) > STATUS_ORDER.index(current)


def stream_callback_ids(event: dict[str, Any]) -> list[str]:
    """The ids of callback requests a DynamoDB stream event says were just stored (INSERT records)."""
    ids = []
    for record in event.get("Records") or []:
        if record.get("eventName") != "INSERT":
            continue
        key = ((record.get("dynamodb") or {}).get("Keys") or {}).get("pk", {}).get("S")
        if isinstance(key, str) and key:
            ids.append(key)
    return ids
