"""The person's mobile number from the Alexa Customer Profile API, read through ask-sdk's service client.

Fetched fresh on every use and never stored or logged in clear (platform b-1, Permissions / contact data).
The scope is `alexa::profile:mobile_number:read`; the number is the account's default profile's, which may
not be the speaker's.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Callable
from enum import StrEnum
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.services import ApiClient, ApiClientRequest, ApiClientResponse, ServiceException

logger = logging.getLogger(__name__)

MOBILE_NUMBER_SCOPE = "alexa::profile:mobile_number:read"
MOBILE_NUMBER_PATH = "/v2/accounts/~current/settings/Profile.mobileNumber"
# The try-it speaker's access token carries its browser's fictional number (555-01xx, never a real phone).
LOCAL_TOKEN_PREFIX = "local-try-it:"  # noqa: S105 - a marker, not a secret
# Alexa allows 8 s for the whole response; the profile call must leave time to send the text and answer.
PROFILE_TIMEOUT_S = 3.0
# E.164: a country code and subscriber number of at most 15 digits in all; shorter than 8 is no mobile number.
E164_DIGITS = range(8, 16)


class Lookup(StrEnum):
    """What asking for the mobile number came to."""

    FOUND = "found"
    NO_PERMISSION = "no_permission"  # 401/403, or no API access token: the person has not granted the scope
    NO_NUMBER = "no_number"  # 204, or a number that cannot be dialled
    UNAVAILABLE = "unavailable"  # network trouble, throttling or any other error


class MobileNumber(NamedTuple):
    """The outcome and, when found, the number in E.164 form (+15550001111)."""

    lookup: Lookup
    number: str | None = None


class LazyDefaultApiClient(ApiClient):
    """ask-sdk's DefaultApiClient with a timeout, imported on first use: `requests` would weigh on every cold start."""

    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        """Send one Alexa API request with ask-sdk's own client; error responses keep their status only."""
        response = _timed_default_client().invoke(request)
        if response.status_code is not None and response.status_code >= 400:
            # The API answers 403 with {"code": "ACCESS_DENIED", ...}, a code ask-sdk-model's ErrorCode enum lacks:
            # parsing it raises SerializationException and the status is lost. The status is all the skill needs.
            response.body = None
        return response


@functools.cache
def _timed_default_client() -> ApiClient:
    from ask_sdk_core.api_client import DefaultApiClient

    class TimedDefaultApiClient(DefaultApiClient):
        """DefaultApiClient calls `requests` without a timeout; a hung API must not use up Alexa's 8 s."""

        def _resolve_method(self, request: ApiClientRequest) -> Callable[..., Any]:
            return functools.partial(super()._resolve_method(request), timeout=PROFILE_TIMEOUT_S)

    return TimedDefaultApiClient()


def local_access_token(number: str) -> str:
    """The apiAccessToken the try-it speaker sends: its browser's fictional phone has granted the permission."""
    return LOCAL_TOKEN_PREFIX + number


class LocalProfileApiClient(ApiClient):
    """The Customer Profile API for the local try-it speaker only, answered in-process as Amazon answers it.

    The try-it page's envelopes are built by the local server, which puts the browser's fictional number in the
    access token; the public /alexa route never uses this client. Any other token gets 403, as without consent.
    """

    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        """Answer GET Profile.mobileNumber: 200 with the number in the token, 403 for other tokens, 404 elsewhere."""
        headers = dict(request.headers or [])
        token = headers.get("Authorization", "").removeprefix("Bearer ")
        if request.method != "GET" or urlsplit(request.url).path != MOBILE_NUMBER_PATH:
            return _json_response(404, {"code": "INVALID_URI", "message": "not found"})
        if not token.startswith(LOCAL_TOKEN_PREFIX):
            return _json_response(403, {"code": "ACCESS_DENIED", "message": "Access denied with reason: FORBIDDEN"})
        number = token.removeprefix(LOCAL_TOKEN_PREFIX)
        # Only numbers in the 555-01xx block reserved for fiction: the try-it page never texts a real phone.
        if not re.fullmatch(r"\+1\d{3}55501\d{2}", number):
            return ApiClientResponse(headers=[], status_code=204, body=None)
        return _json_response(200, {"countryCode": "+1", "phoneNumber": number[2:]})


def _json_response(status: int, payload: dict[str, str]) -> ApiClientResponse:
    return ApiClientResponse(
        headers=[("Content-Type", "application/json")], status_code=status, body=json.dumps(payload)
    )


def e164(country_code: str | None, phone_number: str | None) -> str | None:
    """Join the profile's country code and number into E.164, or None when they do not make a number."""
    country = re.sub(r"\D", "", country_code or "")
    local = re.sub(r"\D", "", phone_number or "")
    if not country or not local or len(country + local) not in E164_DIGITS:
        return None
    return f"+{country}{local}"


def mobile_number(handler_input: HandlerInput) -> MobileNumber:
    """Ask the Customer Profile API for the account's mobile number."""
    system = handler_input.request_envelope.context.system
    if not system.api_access_token:
        return MobileNumber(Lookup.NO_PERMISSION)
    factory = handler_input.service_client_factory
    if factory is None:
        logger.warning("no service client factory: the skill was built without an API client")
        return MobileNumber(Lookup.UNAVAILABLE)
    try:
        response = factory.get_ups_service().get_profile_mobile_number(full_response=True)
    except ServiceException as error:
        if error.status_code in (401, 403):
            return MobileNumber(Lookup.NO_PERMISSION)
        logger.warning("profile api failed", extra={"status": error.status_code})
        return MobileNumber(Lookup.UNAVAILABLE)
    except SerializationException:
        logger.warning("profile api answered something that is not a phone number")
        return MobileNumber(Lookup.UNAVAILABLE)
    body = response.body
    number = e164(getattr(body, "country_code", None), getattr(body, "phone_number", None)) if body else None
    if number is None:
        logger.info("profile has no usable mobile number", extra={"status": response.status_code})
        return MobileNumber(Lookup.NO_NUMBER)
    return MobileNumber(Lookup.FOUND, number)
