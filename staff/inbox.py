"""What the staff inbox shows and does, whoever signs staff in: callback requests by status (newest first), one
number's requests, marking them called or done, and texting a patient back.

Every view and change is logged with the staff user's id and the callback id, never a patient's number or
summary. Requests are found through the store's indexes (shared/records.py), never by reading a whole table.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.config import Settings, SettingsError
from shared.content import Content
from shared.identity import hashed_id
from shared.records import CALLBACKS, CALLBACKS_BY_PHONE, CALLBACKS_BY_STATUS, OPTOUTS
from shared.stores import Record, Store, rewrite
from sms.notifications import MAX_NOTIFY_ATTEMPTS, settled
from sms.outbound import OutboundError, send_sms, status_callback_url

logger = logging.getLogger(__name__)

STATUSES = ("new", "called", "done")
URGENCY_LABELS = {"emergency": "Emergency", "urgent": "Urgent", "routine": "Routine", "self_care": "Self-care"}
STATUS_LABELS = {"new": "New", "called": "Called", "done": "Done"}
MAX_KEY_CHARS = 200
# Finished requests pile up for good; the inbox shows the latest of them (the open ones are all shown).
DONE_SHOWN = 50
# A text back stays within two GSM-7 segments, as every text the line sends (platform b-2, [T14]).
TEXT_BACK_MAX_CHARS = 306


@dataclass(frozen=True)
class StaffUser:
    """Who is signed in to the inbox: a stable id for the logs (Cognito's `sub`, or "local") and a name to show."""

    id: str
    name: str


@dataclass(frozen=True)
class CallbackRow:
    """One callback request as the inbox shows it."""

    key: str
    received: str
    received_iso: str
    sort_time: float
    phone: str
    window: str
    summary: str
    urgency: str
    urgency_label: str
    status: str
    status_label: str
    notified: bool
    notify_attempts: int
    notify_status: str
    content_version: str

    def as_dict(self) -> dict[str, Any]:
        """The row as the deployed inbox's JSON gives it."""
        return asdict(self)


def _timestamp(value: Any) -> float:
    """created_at as seconds since the epoch, whether it was stored as a number or an ISO-8601 string."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return 0.0
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()
    return 0.0


def _text(value: Any, fallback: str = "") -> str:
    return value.strip() if isinstance(value, str) and value.strip() else fallback


def clinic_zone(clinic: dict[str, Any]) -> tzinfo:
    """The clinic's time zone from clinic.yaml (`timezone:`, an IANA name); UTC when it names none."""
    name = clinic.get("timezone")
    if name is None:
        return UTC
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise SettingsError(f"clinic.yaml: timezone {name!r} is not an IANA time zone name "
                            "(such as America/New_York or Europe/London)") from error


def row_of(record: Record, zone: tzinfo = UTC) -> CallbackRow:
    """A stored callback request as the inbox shows it, whatever fields an older record lacks."""
    data = record.data if isinstance(record.data, dict) else {}
    when = _timestamp(data.get("created_at"))
    moment = datetime.fromtimestamp(when, zone)
    urgency = _text(data.get("urgency"), "routine")
    status = _text(data.get("status"), "new")
    attempts = data.get("notify_attempts")
    return CallbackRow(
        key=record.key,
        received=moment.strftime("%a %d %b %Y, %H:%M %Z") if when else "unknown",
        received_iso=moment.isoformat() if when else "",
        sort_time=when,
        phone=_text(data.get("phone"), "no number"),
        window=_text(data.get("window"), "any time"),
        summary=_text(data.get("summary"), "no summary"),
        urgency=urgency,
        urgency_label=URGENCY_LABELS.get(urgency, urgency.replace("_", " ").capitalize()),
        status=status,
        status_label=STATUS_LABELS.get(status, status.capitalize()),
        notified=bool(data.get("notified")),
        notify_attempts=attempts if isinstance(attempts, int) else 0,
        notify_status=_text(data.get("notify_status"), "delivered" if data.get("notified") else "not sent yet"),
        content_version=_text(data.get("content_version"), "not recorded"),
    )


def callback_rows(store: Store, zone: tzinfo = UTC) -> list[CallbackRow]:
    """The open requests (new, called) and the latest finished ones, newest first, with times in `zone`."""
    records = [record for status in ("new", "called") for record in store.query(CALLBACKS_BY_STATUS, status)]
    records += store.query(CALLBACKS_BY_STATUS, "done", newest_first=True, limit=DONE_SHOWN)
    rows = [row_of(record, zone) for record in records]
    rows.sort(key=lambda row: (row.sort_time, row.key), reverse=True)
    return rows


def log_view(user: StaffUser, view: str, **extra: Any) -> None:
    """Log that a member of staff looked at the inbox (who and what, never a patient's number)."""
    logger.info("staff inbox viewed", extra={"staff_user": user.id, "view": view, **extra})


def rows_for_number(store: Store, key: str, zone: tzinfo = UTC) -> list[CallbackRow] | None:
    """Every request made from the number of request `key`, newest first; None when `key` does not exist."""
    record = store.get(CALLBACKS, key)
    if record is None:
        return None
    phone_hash = record.data.get("phone_hash")
    if not isinstance(phone_hash, str) or not phone_hash:
        return [row_of(record, zone)]
    return [row_of(found, zone) for found in store.query(CALLBACKS_BY_PHONE, phone_hash, newest_first=True)]


class _Missing(Exception):
    """The request is not (or no longer) stored."""


def set_status(store: Store, key: str, status: str, user: StaffUser) -> bool:
    """Record that staff called the patient or finished with the request; False if no such request.

    Once a member of staff has it in hand, the staff text about it is no longer owed (settled).
    """
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")

    def change(record: Record | None) -> tuple[dict, float | None]:
        if record is None:
            raise _Missing
        updated = dict(record.data)
        updated["status"] = status
        updated[f"{status}_at"] = datetime.now(UTC).isoformat()
        updated[f"{status}_by"] = user.id
        return (settled(updated) if status != "new" else updated), record.expires_at

    try:
        rewrite(store, CALLBACKS, key, change)
    except _Missing:
        return False
    logger.info("staff inbox: status changed", extra={"staff_user": user.id, "callback_id": key, "status": status})
    return True


class TextBackRefused(Exception):
    """The text back cannot be sent; the message says why, in words for staff."""


def text_back(settings: Settings, store: Store, content: Content, key: str, body: str, user: StaffUser) -> str:
    """Text the patient of request `key` from the line's number; returns the message's id.

    Never to a number that opted out (it replied STOP): the law and the carriers forbid it.
    """
    body = body.strip()
    if not body or len(body) > TEXT_BACK_MAX_CHARS:
        raise TextBackRefused(f"Write a message of 1 to {TEXT_BACK_MAX_CHARS} characters.")
    record = store.get(CALLBACKS, key)
    if record is None:
        raise TextBackRefused("That callback request no longer exists.")
    phone = record.data.get("phone")
    if not isinstance(phone, str) or not phone:
        raise TextBackRefused("That request has no number to text.")
    phone_hash = record.data.get("phone_hash") or hashed_id("phone", phone, settings.hash_salt)
    if store.get(OPTOUTS, phone_hash) is not None:
        logger.info("staff text back refused: opted out", extra={"staff_user": user.id, "callback_id": key})
        raise TextBackRefused("This number has opted out of texts (it replied STOP). Call instead.")
    try:
        message_id = send_sms(settings, phone, body, status_callback=status_callback_url(settings, "staff_reply", key))
    except OutboundError as exc:
        logger.warning("staff text back failed", extra={"staff_user": user.id, "callback_id": key,
                                                        "error_type": type(exc.__cause__ or exc).__name__})
        raise TextBackRefused("The text could not be sent. Try again, or call.") from exc
    logger.info("staff text back sent", extra={"staff_user": user.id, "callback_id": key, "message_id": message_id})
    return message_id


def default_text_back(content: Content) -> str:
    """What the text-back box starts with: who is writing and how to call back (staff may change it)."""
    clinic = content.clinic
    name, phone = clinic.get("name", "the clinic"), clinic.get("phone", "")
    return f"This is {name} about your callback request. Call us on {phone}."


__all__ = [
    "MAX_NOTIFY_ATTEMPTS",
    "CallbackRow",
    "StaffUser",
    "TextBackRefused",
    "callback_rows",
    "clinic_zone",
    "default_text_back",
    "log_view",
    "row_of",
    "rows_for_number",
    "set_status",
    "text_back",
]
