"""POST /alexa on the local server, as a framework-free WSGI app: verify every request as Alexa requires of web
services, refuse a request id already answered, then hand the envelope to the skill through skill.app.invoke.

It lives with the local server, not in the skill package: deployed, Alexa calls the Lambda by its ARN and this
endpoint (and its certificate checks) never ship in the Alexa zip."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from ask_sdk_core.skill import CustomSkill
from ask_sdk_runtime.exceptions import AskSdkException

from server.alexa_verification import (
    RequestVerifier,
    VerificationError,
    check_api_endpoint,
    check_application_id,
    check_timestamp,
    parse_envelope,
)
from server.security import cross_site_problem, host_is_loopback
from shared.config import Settings, SettingsError, is_loopback
from skill.app import InvalidEnvelope, invoke

logger = logging.getLogger(__name__)

PATH = "/alexa"
# Alexa request envelopes are a few kilobytes; anything far larger is not from Alexa.
MAX_BODY_BYTES = 128 * 1024
# Amazon's checklist allows a timestamp up to 150 s either side of now, so a signed request stays acceptable for
# at most 300 s after it is first seen; its id is kept a little longer than that.
MAX_SKEW_SECONDS = 150
REPLAY_MEMORY_SECONDS = 2 * MAX_SKEW_SECONDS + 30
# About 150 requests a second for the whole memory span, far beyond one local server, in about ten megabytes.
MAX_REMEMBERED_REQUESTS = 50_000
STATUS_TEXT = {200: "200 OK", 400: "400 Bad Request", 403: "403 Forbidden", 404: "404 Not Found",
               405: "405 Method Not Allowed", 415: "415 Unsupported Media Type"}

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class SeenRequestIds:
    """The request ids answered in the last `ttl_seconds`: in-process, thread-safe, bounded.

    Amazon's scheme stops replays only with the timestamp window, so a captured signed request would be answered
    again inside it. The single-process local server keeps the ids here; deployed, Alexa calls the Lambda by its
    ARN and never reaches this endpoint.
    """

    def __init__(
        self,
        ttl_seconds: float = REPLAY_MEMORY_SECONDS,
        max_entries: int = MAX_REMEMBERED_REQUESTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        # id -> when it may be forgotten; one ttl for all, so insertion order is also expiry order.
        self._expires: OrderedDict[str, float] = OrderedDict()

    def first_sight(self, request_id: str) -> bool:
        """Remember `request_id`; True the first time it is seen within the ttl, False for a repeat."""
        now = self._clock()
        with self._lock:
            while self._expires and next(iter(self._expires.values())) <= now:
                self._expires.popitem(last=False)
            if request_id in self._expires:
                return False
            if len(self._expires) >= self._max:
                # Dropping the oldest id (the nearest to expiry) beats refusing genuine requests.
                self._expires.popitem(last=False)
                logger.warning("replay memory full; forgot the oldest Alexa request id")
            self._expires[request_id] = now + self._ttl
            return True

    def __len__(self) -> int:
        with self._lock:
            return len(self._expires)


class AlexaWebApp:
    """WSGI app for POST /alexa; `handle(headers, raw_body)` is the same logic without WSGI."""

    def __init__(
        self,
        settings: Settings,
        skill: CustomSkill,
        verifier: RequestVerifier | None = None,
        seen: SeenRequestIds | None = None,
    ) -> None:
        if settings.alexa_local_simulator and settings.exposed:
            raise SettingsError("the Alexa local-simulator switch is refused unless the server binds 127.0.0.1")
        self.settings = settings
        self.skill = skill
        self.verifier = verifier or RequestVerifier(settings.alexa_skill_id, max_skew_seconds=MAX_SKEW_SECONDS)
        self.seen = seen if seen is not None else SeenRequestIds()

    def handle(self, headers: dict[str, str], raw_body: bytes) -> tuple[int, dict]:
        """Verify and answer one request: (200, response envelope) or (400, error) with nothing processed."""
        try:
            envelope = self._verified(headers, raw_body)
        except VerificationError:
            return 400, {"error": "request could not be verified"}
        # Only after verification: an id is remembered once Amazon's signature vouches for it.
        request = envelope.get("request")
        request_id = request.get("requestId") if isinstance(request, dict) else None
        if not isinstance(request_id, str) or not request_id:
            logger.warning("Rejected Alexa request: request.requestId is missing")
            return 400, {"error": "request could not be verified"}
        if not self.seen.first_sight(request_id):
            logger.warning("Rejected Alexa request: request id already answered (replay)")
            return 400, {"error": "request already answered"}
        try:
            check_api_endpoint(envelope, self.settings.alexa_local_api_endpoint)
        except VerificationError as error:
            logger.warning("Rejected Alexa request: %s", error)
            return 400, {"error": "not an Alexa request this skill can answer"}
        try:
            return 200, invoke(self.skill, envelope)
        except (InvalidEnvelope, AskSdkException) as error:
            logger.warning("unusable Alexa envelope", extra={"error_type": type(error).__name__})
            return 400, {"error": "not an Alexa request this skill can answer"}
        except Exception as error:  # noqa: BLE001 - see below
            # The envelope passed invoke's shape check and every handler error gets the catch-all's spoken
            # apology, so what escapes here is input the skill could not use: refused, never a 500.
            logger.error("Alexa request failed", extra={"error_type": type(error).__name__})
            return 400, {"error": "not an Alexa request this skill can answer"}

    def _verified(self, headers: dict[str, str], raw_body: bytes) -> dict:
        if not self.settings.alexa_local_simulator:
            return self.verifier.verify(headers, raw_body)
        # Local simulators (virtual-alexa) cannot sign; every other check still applies.
        envelope = parse_envelope(raw_body)
        check_timestamp(envelope, datetime.now(UTC), MAX_SKEW_SECONDS)
        if self.settings.alexa_skill_id is not None:
            check_application_id(envelope, self.settings.alexa_skill_id)
        return envelope

    def _simulator_refusal(self, environ: dict[str, Any]) -> tuple[int, dict] | None:
        """With the switch on, nothing vouches for an envelope: accept only a local program, never a web page.

        Any page open in a browser on this machine reaches 127.0.0.1 too, and a text/plain POST needs no CORS
        preflight; so the request must come from loopback, to a loopback Host (no DNS rebinding), as JSON (a
        cross-site JSON POST needs a preflight this endpoint never grants), and carry no sign of another site.
        """
        if not is_loopback(environ.get("REMOTE_ADDR") or ""):
            return 400, {"error": "request could not be verified"}
        host = environ.get("HTTP_HOST") or ""
        problem = cross_site_problem(host, environ.get("HTTP_ORIGIN"), environ.get("HTTP_SEC_FETCH_SITE"))
        if not host_is_loopback(host) or problem:
            logger.warning("Rejected unsigned Alexa request: not from a local program",
                           extra={"reason": problem or "Host is not a loopback name"})
            return 403, {"error": "cross-site requests are refused"}
        media_type = (environ.get("CONTENT_TYPE") or "").split(";", 1)[0].strip().lower()
        if media_type != "application/json":
            return 415, {"error": "send the envelope as application/json"}
        return None

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """WSGI entry point: a JSON answer for every request, never a traceback or a 500."""
        try:
            return self._respond(environ, start_response)
        except Exception as error:  # noqa: BLE001 - malformed input (a broken body stream, odd headers) ends here
            logger.error("Alexa request could not be read", extra={"error_type": type(error).__name__})
            return _reply(start_response, 400, {"error": "request could not be verified"})

    def _respond(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "") != PATH:
            return _reply(start_response, 404, {"error": "not found"})
        if environ.get("REQUEST_METHOD") != "POST":
            return _reply(start_response, 405, {"error": "use POST"}, [("Allow", "POST")])
        if self.settings.alexa_local_simulator:
            refused = self._simulator_refusal(environ)
            if refused is not None:
                return _reply(start_response, *refused)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if not 0 < length <= MAX_BODY_BYTES:
            return _reply(start_response, 400, {"error": "request could not be verified"})
        raw_body = environ["wsgi.input"].read(length)
        status, body = self.handle(wsgi_headers(environ), raw_body)
        return _reply(start_response, status, body)


def wsgi_headers(environ: dict[str, Any]) -> dict[str, str]:
    """HTTP request headers from a WSGI environ, as Signature-256 style names."""
    headers = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers[key[5:].replace("_", "-").title()] = value
    if "CONTENT_TYPE" in environ:
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    return headers


def _reply(
    start_response: StartResponse, status: int, body: dict, extra: list[tuple[str, str]] | None = None
) -> list[bytes]:
    payload = json.dumps(body).encode("utf-8")
    headers = [("Content-Type", "application/json;charset=UTF-8"), ("Content-Length", str(len(payload)))]
    start_response(STATUS_TEXT[status], headers + (extra or []))
    return [payload]
