"""Twilio request signatures: every POST to /sms and /sms/status must carry a valid X-Twilio-Signature.

Twilio signs the exact URL it called (facts: platform b-2, [T1][T2]). Behind API Gateway stages, custom
domains and TLS-ending proxies the app sees a different URL from the one Twilio used, so the URL is
rebuilt from the configured public base URL, never from the request's own host or path [T4][T7].
There is no switch to turn this off: tests sign their requests with a test token instead.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from flask import Response, current_app, request
from twilio.request_validator import RequestValidator

from shared.config import Settings

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Twilio-Signature"
WEBHOOK_PATH = "/sms"

F = TypeVar("F", bound=Callable[..., Any])


def expected_url(settings: Settings, query_string: str = "", path: str = WEBHOOK_PATH) -> str:
    """The URL Twilio signed: the public base URL, the route's path and the query string it called."""
    url = settings.public_base_url.rstrip("/") + path
    return f"{url}?{query_string}" if query_string else url


def is_valid_signature(settings: Settings, url: str, params: Mapping[str, Any], signature: str | None) -> bool:
    """True when the signature matches the URL and every parameter under the current or the previous auth token."""
    if not signature:
        return False
    tokens = settings.twilio_signing_tokens
    if not tokens:
        # Fail closed, loudly: Settings.validate() already refuses this in deployed mode.
        logger.error("sms signature check impossible: no Twilio auth token configured")
        return False
    # The previous token is accepted too while a clinic rotates its token: Twilio signs with the account's primary
    # token, which changes only when the clinic promotes the new one, after every function already holds it.
    return any(RequestValidator(token).validate(url, params, signature) for token in tokens)


def twilio_signature_required(view: F) -> F:
    """Decorate a view so a request without a valid Twilio signature gets 403 and is not processed."""

    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        settings: Settings = current_app.extensions["cramp_sms"].settings
        # The route's own path (the rule that matched, never the Host or a stage prefix): /sms or /sms/status.
        url = expected_url(settings, request.query_string.decode("latin-1"), request.url_rule.rule)
        signature = request.headers.get(SIGNATURE_HEADER)
        if not is_valid_signature(settings, url, request.form, signature):
            logger.warning("sms signature rejected", extra={"signature_present": bool(signature)})
            return Response("Forbidden: invalid Twilio signature\n", status=403, mimetype="text/plain")
        return view(*args, **kwargs)

    return cast(F, checked)
