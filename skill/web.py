"""POST /alexa as a framework-free WSGI app: verify every request as Alexa requires of web services,
then hand the envelope to the same skill object the Lambda uses."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from ask_sdk_core.skill import CustomSkill
from ask_sdk_runtime.exceptions import AskSdkException

from shared.config import Settings, SettingsError
from skill.app import InvalidEnvelope, invoke
from skill.verification import (
    RequestVerifier,
    VerificationError,
    check_application_id,
    check_timestamp,
    parse_envelope,
)

logger = logging.getLogger(__name__)

PATH = "/alexa"
LOOPBACK = "127.0.0.1"
# Alexa request envelopes are a few kilobytes; anything far larger is not from Alexa.
MAX_BODY_BYTES = 128 * 1024
STATUS_TEXT = {200: "200 OK", 400: "400 Bad Request", 404: "404 Not Found", 405: "405 Method Not Allowed",
               500: "500 Internal Server Error"}

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class AlexaWebApp:
    """WSGI app for POST /alexa; `handle(headers, raw_body)` is the same logic without WSGI."""

    def __init__(self, settings: Settings, skill: CustomSkill, verifier: RequestVerifier | None = None) -> None:
        if settings.alexa_local_simulator and (settings.deployed or settings.host != LOOPBACK):
            raise SettingsError("the Alexa local-simulator switch is refused unless the server binds 127.0.0.1")
        self.settings = settings
        self.skill = skill
        self.verifier = verifier or RequestVerifier(settings.alexa_skill_id)

    def handle(self, headers: dict[str, str], raw_body: bytes) -> tuple[int, dict]:
        """Verify and answer one request: (200, response envelope) or (400, error) with nothing processed."""
        try:
            envelope = self._verified(headers, raw_body)
        except VerificationError:
            return 400, {"error": "request could not be verified"}
        try:
            return 200, invoke(self.skill, envelope)
        except (InvalidEnvelope, AskSdkException) as error:
            logger.warning("unusable Alexa envelope", extra={"error_type": type(error).__name__})
            return 400, {"error": "not an Alexa request this skill can answer"}
        except Exception as error:  # noqa: BLE001 - a JSON error beats a traceback page for Alexa and for logs
            logger.error("Alexa request failed", extra={"error_type": type(error).__name__})
            return 500, {"error": "internal error"}

    def _verified(self, headers: dict[str, str], raw_body: bytes) -> dict:
        if not self.settings.alexa_local_simulator:
            return self.verifier.verify(headers, raw_body)
        # Local simulators (virtual-alexa) cannot sign; every other check still applies.
        envelope = parse_envelope(raw_body)
        check_timestamp(envelope, datetime.now(UTC), 150)
        if self.settings.alexa_skill_id is not None:
            check_application_id(envelope, self.settings.alexa_skill_id)
        return envelope

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """WSGI entry point."""
        if environ.get("PATH_INFO", "") != PATH:
            return _reply(start_response, 404, {"error": "not found"})
        if environ.get("REQUEST_METHOD") != "POST":
            return _reply(start_response, 405, {"error": "use POST"}, [("Allow", "POST")])
        if self.settings.alexa_local_simulator and environ.get("REMOTE_ADDR") != LOOPBACK:
            return _reply(start_response, 400, {"error": "request could not be verified"})
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
