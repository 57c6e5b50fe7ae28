"""The deployed staff inbox: GET /staff (the page, which holds no patient data, and signs staff in through
Cognito's hosted pages) and a JSON API under /staff/api/ that answers only a valid staff access token.

Every API view and change is logged with the staff user's id (staff/inbox.py); numbers and summaries go only to
the signed-in browser, never to a log.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, g, jsonify, render_template, request

from shared.config import Settings
from shared.content import Content, load_content
from shared.stores import Store, StoreUnavailable, VersionConflict, open_store
from staff import inbox
from staff.auth import NotSignedIn, StaffTokenVerifier

logger = logging.getLogger(__name__)

API = "/staff/api"
MAX_REQUEST_BYTES = 16 * 1024


def content_security_policy(settings: Settings) -> str:
    """Scripts from here only; the page may talk to this API and the sign-in domain's token endpoint alone."""
    sign_in = settings.staff_sign_in_url or ""
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"connect-src 'self' {sign_in}; form-action 'self' {sign_in}; frame-ancestors 'none'; base-uri 'none'"
    ).replace("  ", " ")


def create_app(
    settings: Settings,
    store: Store | None = None,
    content: Content | None = None,
    verifier: StaffTokenVerifier | None = None,
) -> Flask:
    """The inbox app over the store; staff are known by the Cognito settings' tokens (or the verifier given)."""
    if verifier is None:
        if not (settings.staff_issuer and settings.staff_client_id):
            raise ValueError("the staff inbox needs CRAMP_STAFF_ISSUER and CRAMP_STAFF_CLIENT_ID")
        verifier = StaffTokenVerifier(settings.staff_issuer, settings.staff_client_id, settings.staff_jwks_url)
    store = store if store is not None else open_store(settings)
    content = content if content is not None else load_content(settings.content_dir)
    zone = inbox.clinic_zone(content.clinic)
    app = Flask(__name__, template_folder="templates", static_folder="static", static_url_path="/staff")
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES

    def signed_in(view: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Response:
            try:
                g.staff = verifier.user(request.headers.get("Authorization"))
            except NotSignedIn as refusal:
                logger.warning("staff inbox: not signed in", extra={"reason": str(refusal), "route": request.path})
                return _json({"error": "Sign in again."}, 401)
            try:
                return view(*args, **kwargs)
            except (StoreUnavailable, VersionConflict):
                logger.warning("staff inbox: store unavailable", extra={"staff_user": g.staff.id})
                return _json({"error": "The inbox cannot reach its data right now. Try again in a minute."}, 503)

        return checked

    @app.get("/staff")
    def page() -> Response:
        """The inbox page: it signs staff in and calls the API; it holds no patient data itself."""
        html = render_template(
            "inbox.html",
            clinic_name=content.clinic.get("name", "the clinic"),
            sign_in_url=settings.staff_sign_in_url or "",
            client_id=settings.staff_client_id or "",
            redirect_uri=settings.public_base_url.rstrip("/") + "/staff",
            text_back=inbox.default_text_back(content),
            text_max=inbox.TEXT_BACK_MAX_CHARS,
        )
        return Response(html, mimetype="text/html")

    @app.get(f"{API}/callbacks")
    @signed_in
    def callbacks() -> Response:
        """Open requests and the latest finished ones, newest first."""
        rows = inbox.callback_rows(store, zone)
        inbox.log_view(g.staff, "inbox", rows=len(rows))
        return _json({"callbacks": [row.as_dict() for row in rows], "max_attempts": inbox.MAX_NOTIFY_ATTEMPTS})

    @app.get(f"{API}/callbacks/<key>/history")
    @signed_in
    def history(key: str) -> Response:
        """Every request made from the same number as request `key`."""
        rows = inbox.rows_for_number(store, key, zone) if len(key) <= inbox.MAX_KEY_CHARS else None
        if rows is None:
            return _json({"error": "That callback request no longer exists."}, 404)
        inbox.log_view(g.staff, "number", callback_id=key, rows=len(rows))
        return _json({"callbacks": [row.as_dict() for row in rows]})

    @app.post(f"{API}/callbacks/<key>/status")
    @signed_in
    def status(key: str) -> Response:
        """Mark a request called, done, or new again."""
        wanted = (request.get_json(silent=True) or {}).get("status")
        if wanted not in inbox.STATUSES or len(key) > inbox.MAX_KEY_CHARS:
            return _json({"error": "That is not a change the inbox knows."}, 400)
        if not inbox.set_status(store, key, wanted, g.staff):
            return _json({"error": "That callback request no longer exists."}, 404)
        return _json({"status": wanted})

    @app.post(f"{API}/callbacks/<key>/text")
    @signed_in
    def text(key: str) -> Response:
        """Text the patient back from the line's number (never to a number that replied STOP)."""
        body = (request.get_json(silent=True) or {}).get("body")
        if not isinstance(body, str) or len(key) > inbox.MAX_KEY_CHARS:
            return _json({"error": "Write the message to send."}, 400)
        try:
            inbox.text_back(settings, store, content, key, body, g.staff)
        except inbox.TextBackRefused as refusal:
            return _json({"error": str(refusal)}, 409)
        return _json({"sent": True})

    @app.errorhandler(404)
    def not_found(error: Exception) -> Response:
        return _json({"error": "Not found."}, 404)

    @app.errorhandler(405)
    def not_allowed(error: Exception) -> Response:
        return _json({"error": "Not allowed."}, 405)

    @app.errorhandler(413)
    def too_large(error: Exception) -> Response:
        return _json({"error": "That request is too large."}, 413)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        logger.exception("staff inbox failed")
        return _json({"error": "Something went wrong on our side."}, 500)

    @app.after_request
    def headers(response: Response) -> Response:
        # Patients' numbers must not stay in a shared computer's cache; the page is never framed.
        response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("Content-Security-Policy", content_security_policy(settings))
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    return app


def _json(payload: dict[str, Any], status: int = 200) -> Response:
    response = jsonify(payload)
    response.status_code = status
    return response
