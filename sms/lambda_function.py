"""AWS Lambda entry points for the SMS line (API Gateway HTTP API, payload 2.0).

- handler: POST /sms through the same Flask app as the local server; the signature is checked against
  CRAMP_PUBLIC_BASE_URL + "/sms", never against the Lambda's own path or stage.
- fallback_handler: Twilio's Fallback URL; a static reply with the clinic's number, no state needed.
- retry_handler: scheduled; re-sends staff notifications that failed.
The app and its store are built once per cold start, on the first call.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from flask import Flask
from twilio.twiml.messaging_response import MessagingResponse

from shared.config import content_dir_from_env
from shared.content import load_content
from shared.logs import configure_logging
from shared.secrets import settings_for_lambda
from sms.app import create_app
from sms.callbacks import retry_notifications
from sms.http_api import call_wsgi
from sms.replies import render_reply, sms_locale

logger = logging.getLogger(__name__)

# Last resort if even the content files cannot be read: no clinic details, still the emergency advice.
LAST_RESORT_REPLY = "Sorry, Cramp Check cannot answer right now. In an emergency call your local emergency number."


@functools.cache
def get_app() -> Flask:
    """The Flask app for this Lambda container, built from the environment on first use."""
    configure_logging()
    return create_app(settings_for_lambda())


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """POST /sms from API Gateway HTTP API (payload 2.0)."""
    return call_wsgi(get_app(), event)


def fallback_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Static TwiML for Twilio's Fallback URL: the clinic's number and the emergency advice."""
    configure_logging()
    try:
        content = load_content(content_dir_from_env())
        text = render_reply("fallback", content, sms_locale(content))
    except Exception:
        logger.exception("fallback reply could not be rendered")
        text = LAST_RESORT_REPLY
    logger.info("sms fallback answered")
    response = MessagingResponse()
    response.message(text)
    return {"statusCode": 200, "headers": {"content-type": "text/xml"}, "body": str(response), "isBase64Encoded": False}


def retry_handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Scheduled: text staff about callback requests whose notification failed earlier."""
    line = get_app().extensions["cramp_sms"]
    return retry_notifications(line.settings, line.store, line.content)
