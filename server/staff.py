"""The staff inbox: callback requests newest first, marked called or done, behind the staff password."""

from __future__ import annotations

import logging

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
from shared.config import LOCAL_STAFF_PASSWORD, Settings
from shared.stores import Store, StoreUnavailable, VersionConflict
from sms.notifications import RETRY_CAP_SECONDS
from staff.inbox import (
    MAX_KEY_CHARS,
    MAX_NOTIFY_ATTEMPTS,
    STATUS_LABELS,
    STATUSES,
    StaffUser,
    callback_rows,
    log_view,
    set_status,
)

logger = logging.getLogger(__name__)

bp = Blueprint("staff", __name__)

# The local server has one shared password, so every change is logged under this one staff id.
LOCAL_STAFF = StaffUser(id="local", name="Staff")


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
    log_view(LOCAL_STAFF, "inbox", rows=len(rows))
    pending = [row for row in rows if not row.notified]
    open_rows = [row for row in rows if row.status != "done"]
    page = render_template(
        "staff.html", rows=rows, pending=pending, open_count=len(open_rows), csrf=csrf_token(),
        flash=session.pop("staff_flash", None), retry_cap_minutes=RETRY_CAP_SECONDS // 60,
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
        found = set_status(_store(), key, status, LOCAL_STAFF)
    except (StoreUnavailable, VersionConflict):
        logger.warning("staff inbox: could not save a status change")
        return _no_store(Response(render_template("store_down.html"), status=503))
    if not found:
        return _no_store(Response(render_template("error.html", message="That callback request no longer exists."),
                                  status=404))
    session["staff_flash"] = f"Marked {STATUS_LABELS[status].lower()}."
    return redirect(url_for("staff.inbox"), code=303)
