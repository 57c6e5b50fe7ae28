"""POST /sms: Twilio's inbound-message webhook, answered with MessagingResponse TwiML.

Order: signature (403 and nothing processed) -> the inbound fields -> the SMS line -> one <Message>, or
an empty <Response/> when nothing may be sent.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, request
from twilio.twiml.messaging_response import MessagingResponse

from sms.inbound import Inbound
from sms.signature import WEBHOOK_PATH, twilio_signature_required

logger = logging.getLogger(__name__)

bp = Blueprint("sms", __name__)


_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
# What str(MessagingResponse()) gives, with and without one <Message>.
_EMPTY = _DECLARATION + "<Response />"
_ONE_MESSAGE = _DECLARATION + "<Response><Message>{}</Message></Response>"
# ElementTree escapes exactly these three in element text.
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _encodes_as_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def twiml_text(reply: str | None) -> str:
    """The TwiML twilio's MessagingResponse writes for one <Message> (or none), byte for byte.

    Written directly rather than through MessagingResponse, which builds an ElementTree and serialises it
    (~20 us of every turn): a text reply is one escaped element. The tests compare the two on every reply.
    """
    if not reply:
        return _EMPTY
    if not reply.isascii() and not _encodes_as_utf8(reply):
        # ElementTree writes a lone surrogate as a character reference: leave such odd text to twilio's own.
        response = MessagingResponse()
        response.message(reply)
        return str(response)
    if "&" in reply or "<" in reply or ">" in reply:
        reply = reply.translate(_TEXT_ESCAPES)
    return _ONE_MESSAGE.format(reply)


def twiml(reply: str | None) -> Response:
    """TwiML with exactly one <Message>, or an empty <Response/> for no reply."""
    return Response(twiml_text(reply), status=200, mimetype="text/xml")


@bp.post(WEBHOOK_PATH)
@twilio_signature_required
def inbound_sms() -> Response:
    """Answer one inbound text message."""
    line = current_app.extensions["cramp_sms"]
    inbound = Inbound.from_form(request.form)
    if inbound is None:
        logger.warning("sms webhook without a sender")
        return Response(str(MessagingResponse()), status=400, mimetype="text/xml")
    try:
        reply = line.handle(inbound)
    except Exception as exc:
        # A bug must not leave a person mid-cramp with nothing: log the type only (never the body) and
        # give the safe reply, which needs no state.
        logger.error("sms handling failed", extra={"error_type": type(exc).__name__})
        reply = line.reply_without_state(inbound)
    return twiml(reply)
