"""One WSGI application for the local server: POST /sms, POST /alexa, the try-it page, the staff inbox, /healthz.

The SMS Flask app and the Alexa web app are built by their own packages with the one shared store; this module
only routes by path and adds the pages. Both channels stay exactly as deployed: signatures are checked on
/sms and /alexa, and only the local-only try-it routes sign requests themselves.
"""

from __future__ import annotations

import functools
import logging
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import timedelta, tzinfo
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from server.health import probe_store
from server.limits import TryItLimits
from server.security import (
    LOOPBACK_HOST,
    STAFF_SESSION_SECONDS,
    Clock,
    LoginThrottle,
    StaffSessions,
    csrf_token,
    try_it_served,
)
from server.staff_notifier import StaffNotifier
from server.tryit import TrySessions, WSGIApp
from shared.config import Settings
from shared.content import Content, load_content
from shared.stores import Store

logger = logging.getLogger(__name__)

# Every page is served from this origin only; no inline script or style, no framing (clickjacking).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "media-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


@dataclass
class ServerContext:
    """What the pages need: settings, the shared store and the channel apps."""

    settings: Settings
    store: Store
    sms_app: WSGIApp
    alexa_app: WSGIApp
    alexa_try_app: WSGIApp | None
    read_outbox: Callable[[], list[dict]]
    content: Content
    login_throttle: LoginThrottle
    staff_sessions: StaffSessions
    try_limits: TryItLimits | None  # None on loopback, where the only visitor is this machine's user
    clinic_zone: tzinfo
    notifier: StaffNotifier
    try_sessions: TrySessions = field(default_factory=TrySessions)


def emergency_number(content: Content) -> str:
    """The emergency number for the clinic's country (911 for the US)."""
    country = str(content.clinic.get("country", "US"))
    for block in content.locales.values():
        if block.get("country") == country:
            return block["emergency_number"]
    return content.locale(None)["emergency_number"]


def create_pages_app(ctx: ServerContext) -> Flask:
    """The Flask app for /, /staff, /try/* and /healthz."""
    from server import staff, tryit

    app = Flask(__name__, template_folder="templates", static_folder="static")
    settings = ctx.settings
    app.config.update(
        # A fresh key each start: staff sign in again after a restart, and no secret sits on disk.
        SECRET_KEY=secrets.token_bytes(32),
        SESSION_COOKIE_NAME="cramp_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=settings.public_base_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(seconds=STAFF_SESSION_SECONDS),
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    app.extensions["cramp"] = ctx
    app.register_blueprint(staff.bp)
    app.register_blueprint(tryit.bp)

    @app.context_processor
    def page_globals() -> dict[str, Any]:
        clinic = ctx.content.clinic
        return {
            "clinic_name": clinic.get("name", "the clinic"),
            "clinic_phone": clinic.get("phone", ""),
            "emergency": emergency_number(ctx.content),
        }

    @app.get("/")
    def index() -> Response:
        """The try-it page: an SMS phone and a speaker side by side."""
        enabled = try_it_served(settings)
        if not enabled:
            return Response(render_template("index.html", try_it=False, csrf="", phone=""))
        phone = tryit.browser_state().phone
        return Response(render_template("index.html", try_it=True, csrf=csrf_token(), phone=phone))

    @app.get("/healthz")
    def healthz() -> Response:
        """Liveness plus one real write to the store, so a read-only or locked database shows up here."""
        try:
            probe_store(ctx.store)
        except Exception:  # any backend failure means "not healthy", never a traceback
            logger.warning("healthz: store cannot take a write", exc_info=True)
            response = jsonify({"status": "unavailable", "store": settings.store})
            response.status_code = 503
            return response
        return jsonify({"status": "ok", "store": settings.store, "mode": settings.mode,
                        "try_it": try_it_served(settings)})

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        code = error.code or 500
        if request.path.startswith("/try/") or request.path == "/healthz":
            response = jsonify({"error": error.description})
        else:
            response = Response(render_template("error.html", message=error.description or error.name))
        response.status_code = code
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        logger.exception("page failed")
        response = Response(render_template("error.html", message="Something went wrong on our side."))
        if request.path.startswith("/try/"):
            response = jsonify({"error": "Something went wrong on our side."})
        response.status_code = 500
        return response

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    return app


class PathRouter:
    """Send /sms to the SMS app, /alexa to the Alexa app, everything else to the pages."""

    def __init__(self, context: ServerContext, pages: WSGIApp) -> None:
        self.context = context
        self.pages = pages

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """Dispatch one request by its path."""
        path = environ.get("PATH_INFO", "")
        if path == "/sms" or path.startswith("/sms/"):
            return self.context.sms_app(environ, start_response)
        if path == "/alexa" or path.startswith("/alexa/"):
            return self.context.alexa_app(environ, start_response)
        return self.pages(environ, start_response)


def build_server(settings: Settings, store: Store, clock: Clock = time.monotonic) -> PathRouter:
    """Compose both channels and the pages over one store; unsafe settings (see Settings.validate) are refused.

    `clock` (seconds, monotonic) times the sign-in throttle, staff sessions and try-it limits.
    """
    settings.validate().check_alexa_skill_id()
    from server.alexa_endpoint import AlexaWebApp
    from skill.app import build_skill
    from skill.profile import LocalProfileApiClient
    from sms.app import create_app
    from sms.outbound import read_outbox, send_sms, status_callback_url
    from staff.inbox import clinic_zone

    content = load_content(settings.content_dir)
    # Started by `python -m server` (server/__main__.py); in-process tests start it when they need staff texts.
    notifier = StaffNotifier(settings, store, content)
    sms_app = create_app(settings, store, content, on_callback_stored=notifier.wake)
    # As the Lambda entry point sends (skill/lambda_function.py): Twilio reports delivery to /sms/status when reachable.
    send_text = functools.partial(send_sms, settings, status_callback=status_callback_url(settings, "text_me"))
    skill = build_skill(settings, store, content=content, send_text=send_text, on_callback_stored=notifier.wake)
    alexa_app = AlexaWebApp(settings, skill)
    alexa_try_app = None
    if try_it_served(settings):
        # The try-it speaker's unsigned envelopes are built and posted in-process, never over a socket, so this
        # copy is a loopback app whatever address the server listens on; the public /alexa keeps every check.
        try_settings = replace(settings, alexa_local_simulator=True, host=LOOPBACK_HOST)
        # Its own skill whose Customer Profile API answers in-process with the browser's fictional number, so
        # "text me that" reaches the page's phone panel; the public /alexa skill keeps the real API client.
        try_skill = build_skill(
            try_settings, store, api_client=LocalProfileApiClient(), content=content, send_text=send_text,
            on_callback_stored=notifier.wake,
        )
        alexa_try_app = AlexaWebApp(try_settings, try_skill)
    ctx = ServerContext(
        settings=settings,
        store=store,
        sms_app=sms_app,
        alexa_app=alexa_app,
        alexa_try_app=alexa_try_app,
        read_outbox=lambda: read_outbox(settings),
        content=content,
        login_throttle=LoginThrottle(clock),
        staff_sessions=StaffSessions(clock),
        try_limits=TryItLimits(clock) if try_it_served(settings) and not settings.on_loopback else None,
        clinic_zone=clinic_zone(content.clinic),
        notifier=notifier,
    )
    return PathRouter(ctx, create_pages_app(ctx))
