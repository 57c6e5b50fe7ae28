"""The staff inbox: callback requests newest first, marked called or done, behind the staff password."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Blueprint, Response, current_app, redirect, render_template, request, session, url_for

from server.security import (
    STAFF_IDLE_SECONDS,
    LoginThrottle,
    StaffSessions,
    csrf_token,
    hashed_device,
    require_csrf,
    staff_password_matches,
)
from server.staff_text_retry import RETRY_INTERVAL_SECONDS
from shared.config import LOCAL_STAFF_PASSWORD, Settings, SettingsError
from shared.stores import Store, StoreUnavailable, VersionConflict, update
from sms.callbacks import MAX_NOTIFY_ATTEMPTS

logger = logging.getLogger(__name__)

bp = Blueprint("staff", __name__)

STATUSES = ("new", "called", "done")
URGENCY_ORDER = {"emergency": 0, "urgent": 1, "routine": 2, "self_care": 3}
URGENCY_LABELS = {"emergency": "Emergency", "urgent": "Urgent", "routine": "Routine", "self_care": "Self-care"}
STATUS_LABELS = {"new": "New", "called": "Called", "done": "Done"}
MAX_KEY_CHARS = 200


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


def callback_rows(store: Store, zone: tzinfo = UTC) -> list[CallbackRow]:
    """Every callback request, newest first, with times in `zone` (the clinic's)."""
    rows = []
    for record in store.scan("callbacks"):
        data = record.data if isinstance(record.data, dict) else {}
        when = _timestamp(data.get("created_at"))
        moment = datetime.fromtimestamp(when, zone)
        urgency = _text(data.get("urgency"), "routine")
        status = _text(data.get("status"), "new")
        attempts = data.get("notify_attempts")
        rows.append(
            CallbackRow(
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
            )
        )
    rows.sort(key=lambda row: (row.sort_time, row.key), reverse=True)
    return rows


def set_status(store: Store, key: str, status: str) -> bool:
    """Record that staff called the patient or finished with the request; False if no such request."""
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    if store.get("callbacks", key) is None:
        return False

    def change(data: dict | None) -> dict:
        updated = dict(data or {})
        updated["status"] = status
        updated[f"{status}_at"] = datetime.now(UTC).isoformat()
        return updated

    update(store, "callbacks", key, change)
    return True


def _settings() -> Settings:
    return current_app.extensions["cramp"].settings


def _store() -> Store:
    return current_app.extensions["cramp"].store


def _throttle() -> LoginThrottle:
    return current_app.extensions["cramp"].login_throttle


def _sessions() -> StaffSessions:
    return current_app.extensions["cramp"].staff_sessions


def _signed_in() -> bool:
    return _sessions().active(session.get("staff_session"))


def _no_store(response: Response) -> Response:
    # Patient phone numbers must not stay in a shared computer's browser cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def _wait_words(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def _login_page(status: int, error: str | None = None) -> Response:
    settings = _settings()
    # Shown only on loopback in local mode: Settings.validate (run by build_server) refuses the local password
    # wherever others can connect.
    hint = LOCAL_STAFF_PASSWORD if settings.staff_password == LOCAL_STAFF_PASSWORD else None
    page = render_template("login.html", error=error, local_hint=hint, csrf=csrf_token())
    return _no_store(Response(page, status=status))


@bp.get("/staff")
def inbox() -> Response:
    """The inbox for a signed-in member of staff, or the sign-in form (401) for anyone else."""
    if not _settings().staff_password:
        return _no_store(Response(render_template("staff_disabled.html"), status=503))
    if not _signed_in():
        if session.pop("staff_session", None) is not None:
            # The cookie named a session the server has ended: idle too long, signed out, or the server restarted.
            idle = STAFF_IDLE_SECONDS // 60
            return _login_page(401, f"You were signed out (after {idle} minutes without use, or elsewhere). "
                                    "Sign in again.")
        return _login_page(401)
    try:
        rows = callback_rows(_store(), current_app.extensions["cramp"].clinic_zone)
    except StoreUnavailable:
        logger.warning("staff inbox: store unavailable")
        return _no_store(Response(render_template("store_down.html"), status=503))
    pending = [row for row in rows if not row.notified]
    open_rows = [row for row in rows if row.status != "done"]
    page = render_template(
        "staff.html", rows=rows, pending=pending, open_count=len(open_rows), csrf=csrf_token(),
        flash=session.pop("staff_flash", None), retry_minutes=RETRY_INTERVAL_SECONDS // 60,
        max_attempts=MAX_NOTIFY_ATTEMPTS,
    )
    return _no_store(Response(page))


@bp.post("/staff/login")
def login() -> Response:
    """Check the staff password (constant time, throttled per client) and start a server-side staff session."""
    require_csrf()
    settings = _settings()
    if not settings.staff_password:
        return _no_store(Response(render_template("staff_disabled.html"), status=503))
    throttle = _throttle()
    client = hashed_device(settings)
    wait = throttle.wait_seconds(client)
    if wait:
        logger.warning("staff login: device still waiting", extra={"client": client, "wait_s": round(wait)})
        return _login_page(429, f"Too many wrong passwords from this device. Try again in {_wait_words(wait)}.")
    given = request.form.get("password", "")
    if not staff_password_matches(given, settings.staff_password):
        failures, lockout = throttle.failed(client)
        logger.warning("staff login: wrong password",
                       extra={"client": client, "failures": failures, "lockout_s": round(lockout)})
        if lockout:
            return _login_page(429, f"That password is not right. Too many wrong passwords from this device: "
                                    f"try again in {_wait_words(lockout)}.")
        return _login_page(401, "That password is not right.")
    throttle.succeeded(client)
    # A fresh session on sign-in, so a token planted before login (session fixation) is worthless.
    _sessions().end(session.get("staff_session"))
    session.clear()
    session.permanent = True
    session["staff_session"] = _sessions().start()
    csrf_token()
    logger.info("staff login: accepted", extra={"client": client})
    return redirect(url_for("staff.inbox"), code=303)


@bp.post("/staff/logout")
def logout() -> Response:
    """End the staff session on the server, so the cookie (or any copy of it) no longer opens the inbox."""
    require_csrf()
    _sessions().end(session.get("staff_session"))
    session.clear()
    return redirect(url_for("staff.inbox"), code=303)


@bp.post("/staff/callbacks/<path:key>")
def mark(key: str) -> Response:
    """Mark one callback request as called, done or new again."""
    if not _signed_in():
        return _login_page(401)
    require_csrf()
    status = request.form.get("status", "")
    if status not in STATUSES or len(key) > MAX_KEY_CHARS:
        return _no_store(Response(render_template("error.html", message="That is not a change the inbox knows."),
                                  status=400))
    try:
        found = set_status(_store(), key, status)
    except (StoreUnavailable, VersionConflict):
        logger.warning("staff inbox: could not save a status change")
        return _no_store(Response(render_template("store_down.html"), status=503))
    if not found:
        return _no_store(Response(render_template("error.html", message="That callback request no longer exists."),
                                  status=404))
    logger.info("staff inbox: status changed", extra={"status": status})
    session["staff_flash"] = f"Marked {STATUS_LABELS[status].lower()}."
    return redirect(url_for("staff.inbox"), code=303)
