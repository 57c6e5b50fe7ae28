"""Who may do what on the local server: the staff password, CSRF tokens, and the try-it loopback rule."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque

from flask import abort, request, session

from shared.config import Settings

LOOPBACK_HOST = "127.0.0.1"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
# A password guesser gets a handful of tries a minute, whatever address it comes from; staff rarely mistype
# more than that, and the lockout lifts by itself.
LOGIN_FAILURES_ALLOWED = 5
LOGIN_FAILURE_WINDOW_SECONDS = 60


def try_it_served(settings: Settings) -> bool:
    """The try-it routes sign requests themselves, so they exist only on loopback unless CRAMP_TRY_IT=1."""
    if settings.deployed:
        return False  # deployed, requests come from Twilio and Alexa only; nothing may be signed on their behalf
    if settings.try_it_enabled is not None:
        return settings.try_it_enabled
    return settings.on_loopback


def allowed_try_it_hosts(settings: Settings) -> frozenset[str] | None:
    """Host headers the try-it routes accept; None when any host is allowed (explicitly enabled)."""
    if settings.try_it_enabled:
        return None
    # A page on another site could point a DNS name at 127.0.0.1 (DNS rebinding); such requests carry
    # that name in Host, so only the loopback names themselves are accepted.
    port = settings.port
    return frozenset({LOOPBACK_HOST, f"{LOOPBACK_HOST}:{port}", "localhost", f"localhost:{port}"})


def staff_password_matches(given: str, expected: str | None) -> bool:
    """Constant-time comparison; no configured password means nobody gets in."""
    if not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def csrf_token() -> str:
    """The session's CSRF token, created on first use."""
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token


def require_csrf() -> None:
    """Abort with 400 unless the form field or header carries this session's token."""
    expected = session.get(CSRF_FIELD)
    given = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    if not isinstance(expected, str) or not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        abort(400, description="This form has expired. Reload the page and try again.")


class LoginThrottle:
    """Counts failed staff logins in a sliding window, shared by every thread of the server."""

    def __init__(self, allowed: int = LOGIN_FAILURES_ALLOWED, window: float = LOGIN_FAILURE_WINDOW_SECONDS) -> None:
        self.allowed = allowed
        self.window = window
        self._failures: deque[float] = deque()
        self._lock = threading.Lock()

    def _trim(self, now: float) -> None:
        while self._failures and self._failures[0] <= now - self.window:
            self._failures.popleft()

    def locked(self) -> bool:
        """True while too many recent attempts failed."""
        with self._lock:
            self._trim(time.monotonic())
            return len(self._failures) >= self.allowed

    def failed(self) -> None:
        """Record one failed attempt."""
        with self._lock:
            now = time.monotonic()
            self._trim(now)
            self._failures.append(now)
