"""AWS Lambda entry points for the SMS line.

- handler: POST /sms and POST /sms/status from the API Gateway HTTP API (payload 2.0), through the same Flask app
  as the local server, by apig-wsgi; signatures are checked against CRAMP_PUBLIC_BASE_URL plus the route's path,
  never against the Lambda's own host, path or stage.
- fallback_handler: Twilio's Fallback URL; a static reply with the clinic's number, no state needed.
- staff_notify_handler: texts staff about stored callback requests (sms/notifications.py): at once for the
  requests a DynamoDB stream event names, and every owed text that is due on the schedule.
The app, its store and the notifier's services are built once per cold start, on the first call.
"""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING, Any

from twilio.twiml.messaging_response import MessagingResponse

from shared.config import Settings, content_dir_from_env
from shared.content import Content, load_content
from shared.logs import configure_logging, lambda_invocation
from shared.secrets import settings_for_lambda
from shared.stores import Store, open_store
from sms import notifications
from sms.replies import render_reply, sms_locale

if TYPE_CHECKING:
    from flask import Flask

logger = logging.getLogger(__name__)

# Last resort if even the content files cannot be read: no clinic details, still the emergency advice.
LAST_RESORT_REPLY = "Sorry, Cramp Check cannot answer right now. In an emergency call your local emergency number."


@functools.cache
def get_app() -> Flask:
    """The Flask app for this Lambda container, built from the environment on first use."""
    # Imported here: the staff notifier shares this module and answers no HTTP request, so it never loads Flask.
    from sms.app import create_app

    configure_logging()
    return create_app(settings_for_lambda())


@functools.cache
def wsgi_handler() -> Any:
    """apig-wsgi's adapter from HTTP API events to the Flask app (TwiML and empty answers are never binary)."""
    from apig_wsgi import make_lambda_handler

    return make_lambda_handler(get_app(), binary_support=False)


@lambda_invocation
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """POST /sms (an inbound text) or POST /sms/status (a report on a text we sent), HTTP API payload 2.0."""
    return wsgi_handler()(event, context)


@lambda_invocation
def fallback_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Static TwiML for Twilio's Fallback URL: the clinic's number and the emergency advice."""
    configure_logging()
    try:
        content = load_content(content_dir_from_env())
        text = render_reply("fallback", content, sms_locale(content))
    except Exception:
        logger.exception("fallback reply could not be rendered")
        text = LAST_RESORT_REPLY
    # The alarm on this function's invocations says the main line failed; this line says so in its log too.
    logger.warning("sms fallback answered")
    response = MessagingResponse()
    response.message(text)
    return {"statusCode": 200, "headers": {"content-type": "text/xml"}, "body": str(response), "isBase64Encoded": False}


@functools.cache
def notifier() -> tuple[Settings, Store, Content]:
    """The staff notifier's settings, store and content (no Flask app: it answers no HTTP request)."""
    configure_logging()
    settings = settings_for_lambda()
    return settings, open_store(settings), load_content(settings.content_dir)


@lambda_invocation
def staff_notify_handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Text staff: about the callback requests a stream event reports stored, or every owed text now due."""
    settings, store, content = notifier()
    if "Records" in event:
        ids = notifications.stream_callback_ids(event)
        outcomes = [notifications.send_one(settings, store, content, callback_id, None) for callback_id in ids]
        counts = {"sent": outcomes.count(True), "failed": outcomes.count(False), "overdue": 0}
        logger.info("staff notifications from the stream", extra=counts)
        return counts
    return notifications.send_owed(settings, store, content).as_dict()
