"""Outbound SMS (staff notifications) through Twilio's REST API, or a local outbox file.

twilio.rest is imported inside send_sms, never at module import: it is heavy, and most turns send nothing.
In local mode without Twilio credentials the message is appended to data_dir/outbox.jsonl instead, so
the local server works with no account and tests can read what would have been sent.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from shared.config import Settings
from shared.handover import TextNotSent
from shared.outbox import LOCAL_ID_PREFIX, append_to_outbox, outbox_path, read_outbox

logger = logging.getLogger(__name__)

# The local outbox itself lives in shared/outbox.py (erasure rewrites it); its readers keep importing it from here.
__all__ = [
    "LOCAL_ID_PREFIX",
    "STATUS_PATH",
    "OutboundError",
    "delivered_on_send",
    "has_credentials",
    "outbox_path",
    "read_outbox",
    "send_sms",
    "status_callback_url",
]

TWILIO_API_BASE = "https://api.twilio.com"
# "Alexa, text me that" sends inside the skill's 7 s (Alexa drops a reply after 8 s), after the profile lookup and the
# opt-out read: at most 2.5 s to connect and 2.5 s to read, one attempt (a retry could text twice). Staff texts and
# text-backs are sent outside any patient's request and use the same deadline.
REST_TIMEOUT_S = 2.5
# Where Twilio reports on the texts we send (StatusCallback); the query says which text it is.
STATUS_PATH = "/sms/status"


class OutboundError(TextNotSent):
    """The message could not be handed to Twilio (no credentials, network, or an API error)."""


def status_callback_url(settings: Settings, kind: str, callback_id: str | None = None) -> str | None:
    """Where Twilio reports on an outbound text of this kind (POST /sms/status, sms/webhook.py); None where Twilio
    cannot reach the line (a public base URL that is not https: the local server)."""
    if not settings.public_base_url.startswith("https://"):
        return None
    query = {"kind": kind, **({"callback": callback_id} if callback_id else {})}
    return f"{settings.public_base_url.rstrip('/')}{STATUS_PATH}?{urlencode(query)}"


def has_credentials(settings: Settings) -> bool:
    """True when the REST API can be used: account SID, auth token and a sending number."""
    return bool(settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_from_number)


def send_sms(settings: Settings, to: str, body: str, *, status_callback: str | None = None) -> str:
    """Send one SMS and return its id (a Twilio SID, or a local id for the outbox); Twilio reports the text's
    delivery to `status_callback` when given."""
    if has_credentials(settings):
        return _send_with_twilio(settings, to, body, status_callback)
    if settings.deployed:
        raise OutboundError("deployed mode needs TWILIO_ACCOUNT_SID and CRAMP_SMS_FROM to send SMS")
    return _append_to_outbox(settings, to, body)


def delivered_on_send(message_id: str) -> bool:
    """True for a message written to the local outbox: the outbox is where it goes, so it has arrived."""
    return message_id.startswith(LOCAL_ID_PREFIX)


def _append_to_outbox(settings: Settings, to: str, body: str) -> str:
    try:
        message_id = append_to_outbox(settings, to, body)
    except OSError as exc:
        raise OutboundError(f"local outbox not writable: {type(exc).__name__}") from exc
    logger.info("sms written to local outbox", extra={"message_id": message_id})
    return message_id


def _send_with_twilio(settings: Settings, to: str, body: str, status_callback: str | None) -> str:
    from twilio.base import values
    from twilio.base.exceptions import TwilioException
    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    base = (settings.twilio_api_base or TWILIO_API_BASE).rstrip("/")

    class _ApiBaseHttpClient(TwilioHttpClient):
        """Sends the API's requests to the configured base (a local test server), unchanged otherwise."""

        def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            if url.startswith(TWILIO_API_BASE):
                url = base + url[len(TWILIO_API_BASE) :]
            return super().request(method, url, *args, **kwargs)

    http_client = _ApiBaseHttpClient(timeout=REST_TIMEOUT_S, max_retries=0)
    client = Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=http_client)
    try:
        message = client.messages.create(
            to=to, from_=settings.twilio_from_number, body=body, status_callback=status_callback or values.unset
        )
    except (TwilioException, OSError) as exc:
        raise OutboundError(f"twilio send failed: {type(exc).__name__}") from exc
    logger.info("sms sent through twilio", extra={"message_sid": message.sid})
    return str(message.sid)
