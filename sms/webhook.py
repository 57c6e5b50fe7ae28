"""POST /sms: Twilio's inbound-message webhook, answered with MessagingResponse TwiML; POST /sms/status: Twilio's
reports on the texts we send (StatusCallback).

Order: signature (403 and nothing processed) -> the inbound fields -> the SMS line -> one <Message>, or
an empty <Response/> when nothing may be sent.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, request
from twilio.twiml.messaging_response import MessagingResponse

from sms import notifications
from sms.inbound import Inbound
from sms.outbound import STATUS_PATH
from sms.signature import WEBHOOK_PATH, twilio_signature_required

logger = logging.getLogger(__name__)

bp = Blueprint("sms", __name__)


def twiml(reply: str | None) -> Response:
    """TwiML with exactly one <Message>, or an empty <Response/> for no reply."""
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return Response(str(response), status=200, mimetype="text/xml")


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
    except Exception:
        # A bug must not leave a person mid-cramp with nothing: log the traceback (shared/logs.py keeps the
        # exception's message, which could quote the body, out) and give the safe reply, which needs no state.
        logger.exception("sms handling failed")
        reply = line.reply_without_state(inbound)
    return twiml(reply)


@bp.post(STATUS_PATH)
@twilio_signature_required
def message_status() -> Response:
    """Record Twilio's report on a text we sent: a staff text counts as notified only once delivered."""
    line = current_app.extensions["cramp_sms"]
    message_sid = (request.form.get("MessageSid") or "").strip()
    status = (request.form.get("MessageStatus") or "").strip().lower()
    error_code = (request.form.get("ErrorCode") or "").strip() or None
    kind = request.args.get("kind", "")
    callback_id = request.args.get("callback")
    if not message_sid or not status:
        return Response("", status=400)
    # No number and no body: Twilio's report names the message by its SID only.
    extra = {"kind": kind, "message_sid": message_sid, "status": status, "error_code": error_code}
    if status in notifications.FAILED_STATUSES:
        logger.warning("outbound text not delivered", extra=extra)
    else:
        logger.info("outbound text status", extra=extra)
    if kind == "staff" and callback_id:
        notifications.record_status(line.store, callback_id, message_sid, status, error_code, line.clock())
    return Response("", status=204)
