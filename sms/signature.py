"""Twilio request signatures: every POST /sms must carry a valid X-Twilio-Signature.

Twilio signs the exact URL it called (facts: platform b-2, [T1][T2]). Behind API Gateway stages, custom
domains and TLS-ending proxies the app sees a different URL from the one Twilio used, so the URL is
rebuilt from the configured public base URL, never from the request's own host or path [T4][T7].
There is no switch to turn this off: tests sign their requests with a test token instead.
"""

from __future__ import annotations

import functools
import hmac
import logging
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast
from urllib.parse import urlparse

from flask import Response, current_app, request
from twilio.request_validator import RequestValidator, add_port, remove_port

from shared.config import Settings

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Twilio-Signature"
WEBHOOK_PATH = "/sms"

F = TypeVar("F", bound=Callable[..., Any])


def expected_url(settings: Settings, query_string: str = "") -> str:
    """The URL Twilio signed: the public base URL, the webhook path and the query string it called."""
    url = settings.public_base_url.rstrip("/") + WEBHOOK_PATH
    return f"{url}?{query_string}" if query_string else url


def is_valid_signature(settings: Settings, url: str, params: Mapping[str, Any], signature: str | None) -> bool:
    """True when the signature matches the URL and every parameter under the configured auth token."""
    if not signature:
        return False
    if not settings.twilio_auth_token:
        # Fail closed, loudly: Settings.validate() already refuses this in deployed mode.
        logger.error("sms signature check impossible: no Twilio auth token configured")
        return False
    validator = _validator(settings.twilio_auth_token)
    # RequestValidator.validate always computes two HMACs, over the URL without and with its port (Twilio has
    # signed both ways [T8]). The same two, with twilio's own compute_signature, in turn: the second only when
    # the first does not match, so the accepted signatures are exactly validate()'s. (validate's body-hash branch
    # applies only to a JSON body passed as a string; a form never takes it.)
    values = _SignedValues(params.lists()) if hasattr(params, "lists") else params
    # Compared in constant time in C, as twilio's `compare` does in a Python loop (~1.5 us): UTF-8 bytes are
    # equal exactly when the strings are, and unlike str, bytes of any characters are accepted.
    received = signature.encode("utf-8", "surrogatepass")
    for variant in signed_urls(url):
        if hmac.compare_digest(validator.compute_signature(variant, values).encode(), received):
            return True
    return False


@functools.lru_cache(maxsize=4)
def _validator(auth_token: str) -> RequestValidator:
    # One per auth token (there is one per deployment; a rotation adds one), not one per request.
    return RequestValidator(auth_token)


class _SignedValues(dict):
    """A form as twilio's compute_signature reads it: each name with every value posted under it.

    compute_signature asks for `getall` first and falls back to `getlist` on AttributeError; werkzeug's form
    only has `getlist`, so each of Twilio's ~15 fields cost a raised exception. Here the lists are copied once
    through the form's `lists()`, and `getall` is the dict's own lookup (no Python call per field). Same
    names, same values.
    """

    __slots__ = ()

    getall = dict.__getitem__


@functools.lru_cache(maxsize=64)
def signed_urls(url: str) -> tuple[str, str]:
    """The URL as Twilio may have signed it: without its port (the usual form), then with it."""
    # Cached: a pure function of the URL, which is the configured public URL for nearly every request; the
    # size cap bounds what odd query strings can add.
    parsed = urlparse(url)
    return remove_port(parsed), add_port(parsed)


def twilio_signature_required(view: F) -> F:
    """Decorate a view so a request without a valid Twilio signature gets 403 and is not processed."""

    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        settings: Settings = current_app.extensions["cramp_sms"].settings
        url = expected_url(settings, request.query_string.decode("latin-1"))
        signature = request.headers.get(SIGNATURE_HEADER)
        if not is_valid_signature(settings, url, request.form, signature):
            logger.warning("sms signature rejected", extra={"signature_present": bool(signature)})
            return Response("Forbidden: invalid Twilio signature\n", status=403, mimetype="text/plain")
        return view(*args, **kwargs)

    return cast(F, checked)
