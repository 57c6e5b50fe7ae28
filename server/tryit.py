"""The try-it routes: build and sign the requests Twilio and Alexa would send, and run them through the real apps.

They are local-only (see security.try_it_served): the SMS request is signed with the configured Twilio token,
and the Alexa envelope goes to an AlexaWebApp with the local-simulator switch, so neither check is skipped on
the public /sms and /alexa routes. Each request is handed to the channel's WSGI app in-process, through the
same routing, signature check and handlers as a request arriving from the network.
"""

from __future__ import annotations

import json
import logging
import math
import secrets
import threading
import xml.etree.ElementTree as ET  # noqa: S405 - parses only the TwiML our own SMS app just produced
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, jsonify, request, session
from twilio.request_validator import RequestValidator
from werkzeug.test import EnvironBuilder, run_wsgi_app

from server import alexa_simulator
from server.alexa_simulator import SpeakerSession
from server.security import (
    LOOPBACK_HOST,
    allowed_try_it_hosts,
    cross_site_problem,
    hashed_device,
    require_csrf,
    try_it_served,
)
from shared.config import Settings

logger = logging.getLogger(__name__)

bp = Blueprint("tryit", __name__)

WSGIApp = Callable[..., Any]
# Twilio delivers at most 1600 characters per inbound message (a concatenated SMS).
MAX_SMS_CHARS = 1600
MAX_SPOKEN_CHARS = alexa_simulator.MAX_UTTERANCE_CHARS
MAX_TRY_SESSIONS = 500
CLINIC_NUMBER_FALLBACK = "+15550100100"


def fictional_number() -> str:
    """A random US number in the 555-01xx block reserved for fiction, so nothing real is ever texted."""
    area = secrets.choice(range(201, 990))
    return f"+1{area}55501{secrets.randbelow(100):02d}"


@dataclass
class TryState:
    """One browser's simulated phone and speaker."""

    phone: str = field(default_factory=fictional_number)
    speaker: SpeakerSession = field(default_factory=SpeakerSession)
    lock: threading.Lock = field(default_factory=threading.Lock)
    callbacks_counted: int = 0  # callback requests from this phone already counted against the device's limit


class TrySessions:
    """Try-it state per browser, in memory, oldest dropped first beyond a fixed number of browsers."""

    def __init__(self, limit: int = MAX_TRY_SESSIONS) -> None:
        self.limit = limit
        self._states: OrderedDict[str, TryState] = OrderedDict()
        self._lock = threading.Lock()

    def for_browser(self, try_id: str) -> TryState:
        """The state for this browser, created on first use."""
        with self._lock:
            state = self._states.get(try_id)
            if state is None:
                state = self._states[try_id] = TryState()
                while len(self._states) > self.limit:
                    self._states.popitem(last=False)
            self._states.move_to_end(try_id)
            return state

    def reset(self, try_id: str) -> TryState:
        """A fresh phone number and speaker for this browser."""
        with self._lock:
            self._states.pop(try_id, None)
        return self.for_browser(try_id)


@dataclass(frozen=True)
class WsgiResult:
    """What an in-process WSGI call returned."""

    status: int
    body: bytes
    content_type: str


def call_wsgi(app: WSGIApp, base_url: str, path: str, *, data: Any, headers: dict[str, str],
              content_type: str) -> WsgiResult:
    """POST to a WSGI app in-process, as the network would deliver it to `base_url` from this machine."""
    builder = EnvironBuilder(
        path=path,
        base_url=base_url,
        method="POST",
        data=data,
        headers=headers,
        content_type=content_type,
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    app_iter, status, response_headers = run_wsgi_app(app, environ, buffered=True)
    try:
        body = b"".join(app_iter)
    finally:
        close = getattr(app_iter, "close", None)
        if close is not None:
            close()
    return WsgiResult(int(status.split(" ", 1)[0]), body, response_headers.get("Content-Type", ""))


def _loopback_base(settings: Settings) -> str:
    # The try-it skill's endpoint takes unsigned envelopes from local programs only, whatever address the server
    # listens on; this in-process call is one.
    return f"http://{LOOPBACK_HOST}:{settings.port}"


def twiml_messages(xml_text: bytes) -> list[str]:
    """The texts of the <Message> verbs in a TwiML response."""
    if not xml_text.strip():
        return []
    root = ET.fromstring(xml_text)  # noqa: S314 - our own SMS app's output, never user-supplied XML
    messages = []
    for message in root.iter("Message"):
        body = message.find("Body")
        text = "".join((body if body is not None else message).itertext()).strip()
        if text:
            messages.append(text)
    return messages


def _context() -> Any:
    return current_app.extensions["cramp"]


def _guard() -> tuple[Any, TryState]:
    """Refuse unless try-it is served here, for an allowed Host, from its own page, with the page's CSRF token,
    and (beyond loopback) within this device's allowance."""
    ctx = _context()
    if not try_it_served(ctx.settings):
        abort(404)
    if request.host.lower() not in allowed_try_it_hosts(ctx.settings):
        abort(403, description="The try-it page answers only at its own address.")
    if cross_site_problem(request.host, request.headers.get("Origin"), request.headers.get("Sec-Fetch-Site")):
        abort(403, description="The try-it page answers only its own page.")
    require_csrf()
    if ctx.try_limits is not None:
        refused = ctx.try_limits.refusal(hashed_device(ctx.settings))
        if refused is not None:
            reason, wait = refused
            minutes = max(1, math.ceil(wait / 60))
            logger.warning("try-it: device over its allowance", extra={"wait_s": round(wait)})
            abort(429, description=f"{reason} Try again in {minutes} minute{'' if minutes == 1 else 's'}.")
    return ctx, browser_state()


def _count_turn(ctx: Any, state: TryState) -> None:
    """Count this turn, and any callback request it made, against the device's allowance (beyond loopback)."""
    if ctx.try_limits is None:
        return
    made = sum(1 for record in ctx.store.scan("callbacks") if record.data.get("phone") == state.phone)
    ctx.try_limits.took_turn(hashed_device(ctx.settings), max(0, made - state.callbacks_counted))
    state.callbacks_counted = made


def browser_state() -> TryState:
    """This browser's phone and speaker, keyed by a random id in its session cookie."""
    try_id = session.get("try_id")
    if not isinstance(try_id, str) or not try_id:
        try_id = session["try_id"] = secrets.token_urlsafe(16)
    return _context().try_sessions.for_browser(try_id)


def _json_text(limit: int) -> str:
    payload = request.get_json(silent=True)
    text = payload.get("text") if isinstance(payload, dict) else None
    if not isinstance(text, str) or not text.strip():
        abort(400, description="Type a message first.")
    if len(text) > limit:
        abort(400, description=f"That is longer than {limit} characters.")
    return text


@bp.post("/try/sms")
def try_sms() -> Response:
    """Text the SMS line from this browser's fictional phone, signed as Twilio signs it."""
    ctx, state = _guard()
    text = _json_text(MAX_SMS_CHARS)
    settings: Settings = ctx.settings
    url = settings.public_base_url + "/sms"
    form = {
        "MessageSid": "SM" + secrets.token_hex(16),
        "SmsSid": "",
        "AccountSid": settings.twilio_account_sid or "AC" + "0" * 32,
        "From": state.phone,
        "To": settings.twilio_from_number or CLINIC_NUMBER_FALLBACK,
        "Body": text,
        "NumMedia": "0",
        "NumSegments": "1",
        "ApiVersion": "2010-04-01",
    }
    form["SmsSid"] = form["MessageSid"]
    signature = RequestValidator(settings.twilio_auth_token).compute_signature(url, form)
    with state.lock:
        outbox_before = len(ctx.read_outbox())
        public = urlsplit(settings.public_base_url)
        # Sent to the public URL, the one Twilio signs and the SMS line checks the signature against.
        result = call_wsgi(ctx.sms_app, f"{public.scheme}://{public.netloc}", "/sms", data=form,
                           headers={"X-Twilio-Signature": signature}, content_type="application/x-www-form-urlencoded")
        # The staff text is sent outside the webhook (server/staff_notifier.py); the demo sends it now to show it.
        ctx.notifier.run_round()
        outbox_after = ctx.read_outbox()
        _count_turn(ctx, state)
    if result.status != 200:
        logger.warning("try-it sms: the SMS line answered %d", result.status)
        return _error(502, f"The SMS line answered with status {result.status}.")
    try:
        replies = twiml_messages(result.body)
    except ET.ParseError:
        logger.warning("try-it sms: the SMS line returned something that is not TwiML")
        return _error(502, "The SMS line returned something that is not TwiML.")
    new_out = outbox_after[outbox_before:]
    replies += [str(item.get("body", "")) for item in new_out if item.get("to") == state.phone]
    staff_texts = sum(1 for item in new_out if item.get("to") != state.phone)
    return jsonify({"from": state.phone, "replies": replies, "staff_texts": staff_texts})


@bp.post("/try/alexa")
def try_alexa() -> Response:
    """Say something to the simulated speaker: match it to an intent and post Alexa's envelope to the skill."""
    ctx, state = _guard()
    text = _json_text(MAX_SPOKEN_CHARS)
    settings: Settings = ctx.settings
    speaker = state.speaker
    with state.lock:
        words, only_opening = alexa_simulator.strip_invocation(text)
        new = not speaker.open
        if new:
            speaker.begin()
        if only_opening or (new and not words):
            heard = "Open Cramp Check"
            inner = alexa_simulator.launch_request()
        else:
            choice = alexa_simulator.choose_intent(words)
            heard = _describe_choice(choice)
            inner = alexa_simulator.intent_request(choice)
        envelope = alexa_simulator.build_envelope(
            speaker, inner, new=new, skill_id=settings.alexa_skill_id or alexa_simulator.LOCAL_SKILL_ID
        )
        # "Text me that" texts this browser's fictional phone: the try skill's profile API reads it from the token.
        from skill.profile import local_access_token

        envelope["context"]["System"]["apiAccessToken"] = local_access_token(state.phone)
        outbox_before = len(ctx.read_outbox())
        result = call_wsgi(ctx.alexa_try_app, _loopback_base(settings), "/alexa", data=json.dumps(envelope),
                           headers={}, content_type="application/json")
        sent = ctx.read_outbox()[outbox_before:]
        _count_turn(ctx, state)
        texts = [str(item.get("body", "")) for item in sent if item.get("to") == state.phone]
        if result.status != 200:
            speaker.end()
            logger.warning("try-it alexa: the skill answered %d", result.status)
            return _error(502, f"The skill answered with status {result.status}.")
        try:
            answer = alexa_simulator.speech_of(json.loads(result.body))
        except (ValueError, AttributeError):
            speaker.end()
            return _error(502, "The skill returned something that is not an Alexa response.")
        if answer["ends_session"]:
            speaker.end()
        else:
            speaker.attributes = answer["attributes"] if isinstance(answer["attributes"], dict) else {}
    answer.pop("attributes")
    return jsonify({"heard": heard, **answer, "texts": texts, "phone": state.phone})


@bp.post("/try/alexa/end")
def try_alexa_end() -> Response:
    """Walk away from the speaker: Alexa tells the skill the session ended."""
    ctx, state = _guard()
    speaker = state.speaker
    with state.lock:
        if speaker.open:
            envelope = alexa_simulator.build_envelope(
                speaker, alexa_simulator.session_ended_request(), new=False,
                skill_id=ctx.settings.alexa_skill_id or alexa_simulator.LOCAL_SKILL_ID,
            )
            call_wsgi(ctx.alexa_try_app, _loopback_base(ctx.settings), "/alexa", data=json.dumps(envelope), headers={},
                      content_type="application/json")
            speaker.end()
        _count_turn(ctx, state)
    return jsonify({"ended": True})


@bp.post("/try/reset")
def try_reset() -> Response:
    """A new fictional phone number and a fresh speaker, as if another person picked them up."""
    ctx, _ = _guard()
    state = ctx.try_sessions.reset(session["try_id"])
    _count_turn(ctx, state)
    return jsonify({"from": state.phone})


def _describe_choice(choice: alexa_simulator.IntentChoice) -> str:
    filled = []
    for name, slot in choice.slots.items():
        if "value" not in slot:
            continue
        resolved = slot.get("resolutions", {}).get("resolutionsPerAuthority", [{}])[0].get("values")
        value = resolved[0]["value"]["name"] if resolved else slot["value"]
        filled.append(f"{name.replace('_', ' ')}: {value}")
    return choice.name + (f" ({'; '.join(filled)})" if filled else "")


def _error(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response
