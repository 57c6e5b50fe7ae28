"""Who may do what on the local server: the staff password, CSRF tokens, and the try-it loopback rule."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import abort, request, session

from shared.config import Settings, is_loopback
from shared.identity import hashed_id

LOOPBACK_HOST = "127.0.0.1"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
# Staff sign-in throttle. Each client (address) gets a few free mistakes, then waits, twice as long after each
# further failure: a guesser gets a few dozen tries a day, a member of staff who mistyped waits a minute. Failures
# from other addresses never lock out a client that has not failed, so an attacker cannot lock staff out.
LOGIN_FREE_FAILURES = 5
LOGIN_FIRST_LOCKOUT_SECONDS = 60
LOGIN_MAX_LOCKOUT_SECONDS = 3600
# Many failures across all addresses mean a spread-out attack on the one staff password: then any address that
# fails even once waits, while an address with no failures still has its password checked.
ACCOUNT_ATTACK_FAILURES = 20
ACCOUNT_ATTACK_WINDOW_SECONDS = 15 * 60
LOGIN_FAILURE_MEMORY_SECONDS = 24 * 3600
MAX_TRACKED_CLIENTS = 10_000
# Staff sessions: signed out after this long without a request, and at the latest after the cookie's lifetime.
STAFF_IDLE_SECONDS = 30 * 60
STAFF_SESSION_SECONDS = 8 * 3600
MAX_STAFF_SESSIONS = 1000

Clock = Callable[[], float]


def try_it_served(settings: Settings) -> bool:
    """The try-it routes sign requests themselves, so they exist only on loopback unless CRAMP_TRY_IT=1."""
    if settings.deployed:
        return False  # deployed, requests come from Twilio and Alexa only; nothing may be signed on their behalf
    if settings.try_it_enabled is not None:
        return settings.try_it_enabled
    return settings.on_loopback


def allowed_try_it_hosts(settings: Settings) -> frozenset[str]:
    """Host headers the try-it routes accept: loopback names, plus the public address when explicitly enabled."""
    # A page on another site could point a DNS name at this server (DNS rebinding); such requests carry that name
    # in Host, so only names the clinic chose are accepted.
    port = settings.port
    hosts = {LOOPBACK_HOST, f"{LOOPBACK_HOST}:{port}", "localhost", f"localhost:{port}"}
    if settings.try_it_enabled and not settings.on_loopback:
        hosts.add(urlsplit(settings.public_base_url).netloc.lower())
    return frozenset(hosts)


def host_is_loopback(host_header: str) -> bool:
    """True when a Host header names this machine's loopback (127.0.0.1:8000, localhost, [::1]:8000)."""
    try:
        name = urlsplit("//" + host_header).hostname
    except ValueError:
        return False
    return name is not None and is_loopback(name)


def cross_site_problem(host: str, origin: str | None, fetch_site: str | None) -> str | None:
    """Why a request looks sent by a page on another site, or None for this origin or no web page at all.

    Browsers add Sec-Fetch-Site to every request and Origin to every POST, and a page cannot forge either;
    simulators and scripts send neither. A form or a text/plain fetch from another site needs no CORS preflight,
    so these headers are what tells its request apart.
    """
    if fetch_site is not None and fetch_site.lower() not in ("same-origin", "none"):
        return f"Sec-Fetch-Site is {fetch_site}"
    if origin is not None and origin.lower() not in (f"http://{host}".lower(), f"https://{host}".lower()):
        return "Origin is another site"
    return None


def hashed_device(settings: Settings) -> str:
    """The requesting address, hashed: throttles key on it and logs show it, never the address itself."""
    return hashed_id("client", request.remote_addr or "unknown", settings.hash_salt)


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


@dataclass
class _Failures:
    """One client's recent failed sign-ins."""

    count: int = 0
    last: float = 0.0
    locked_until: float = 0.0


class LoginThrottle:
    """Failed staff sign-ins per client with a doubling lockout, tightened for failing clients under a wide attack.

    Shared by every thread of the server; clients are keyed by whatever the caller passes (a hash of the address).
    """

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._clients: OrderedDict[str, _Failures] = OrderedDict()
        self._recent: deque[float] = deque()  # every client's failures, for the account-wide count
        self._lock = threading.Lock()

    def wait_seconds(self, client: str) -> float:
        """How long this client must wait before its next password is checked (0: check it now)."""
        now = self._clock()
        with self._lock:
            failures = self._current(client, now)
            return max(0.0, failures.locked_until - now) if failures else 0.0

    def failed(self, client: str) -> tuple[int, float]:
        """Record a wrong password; returns the client's recent failures and the lockout now in force (seconds)."""
        now = self._clock()
        with self._lock:
            failures = self._current(client, now) or _Failures()
            failures.count += 1
            failures.last = now
            self._clients[client] = failures
            self._clients.move_to_end(client)
            while len(self._clients) > MAX_TRACKED_CLIENTS:
                self._clients.popitem(last=False)
            self._recent.append(now)
            while self._recent and self._recent[0] <= now - ACCOUNT_ATTACK_WINDOW_SECONDS:
                self._recent.popleft()
            free = 1 if len(self._recent) >= ACCOUNT_ATTACK_FAILURES else LOGIN_FREE_FAILURES
            lockout = 0.0
            if failures.count >= free:
                lockout = min(LOGIN_FIRST_LOCKOUT_SECONDS * 2 ** (failures.count - free), LOGIN_MAX_LOCKOUT_SECONDS)
                failures.locked_until = now + lockout
            return failures.count, lockout

    def succeeded(self, client: str) -> None:
        """Forget this client's failures after a right password."""
        with self._lock:
            self._clients.pop(client, None)

    def _current(self, client: str, now: float) -> _Failures | None:
        failures = self._clients.get(client)
        if failures is not None and failures.last <= now - LOGIN_FAILURE_MEMORY_SECONDS:
            del self._clients[client]
            return None
        return failures


@dataclass
class _StaffSession:
    started: float
    last_seen: float


class StaffSessions:
    """Signed-in staff sessions held by the server: the cookie carries only a random id, so signing out (or idling
    past STAFF_IDLE_SECONDS) ends the session for good, even for a copy of the cookie."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._sessions: OrderedDict[str, _StaffSession] = OrderedDict()
        self._lock = threading.Lock()

    def start(self) -> str:
        """A new session; returns its id for the cookie."""
        session_id = secrets.token_urlsafe(32)
        now = self._clock()
        with self._lock:
            self._sessions[session_id] = _StaffSession(started=now, last_seen=now)
            while len(self._sessions) > MAX_STAFF_SESSIONS:
                self._sessions.popitem(last=False)
        return session_id

    def active(self, session_id: object) -> bool:
        """True if the session is live; a request through it counts as activity."""
        if not isinstance(session_id, str):
            return False
        now = self._clock()
        with self._lock:
            found = self._sessions.get(session_id)
            if found is None:
                return False
            if now - found.last_seen > STAFF_IDLE_SECONDS or now - found.started > STAFF_SESSION_SECONDS:
                del self._sessions[session_id]
                return False
            found.last_seen = now
            return True

    def end(self, session_id: object) -> None:
        """Sign out: the id stops working at once."""
        with self._lock:
            if isinstance(session_id, str):
                self._sessions.pop(session_id, None)
