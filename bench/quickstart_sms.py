"""Twilio's quickstart reply bot, the benchmark's reference for POST /sms.

Flask, twilio's RequestValidator and MessagingResponse, echoing the body: the least a signed webhook can
do. The benchmark compares a full Cramp Check triage turn (with its SQLite read and write) against this.
It follows the quickstart's shape, but validates like the real line does (against a configured public
URL), so both sides pay for the same signature check.
"""

from __future__ import annotations

from flask import Flask, Response, abort, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse


def create_quickstart_app(auth_token: str, public_url: str) -> Flask:
    """The reply bot: 403 unless Twilio signed `public_url`, else echo the message body."""
    app = Flask(__name__)
    validator = RequestValidator(auth_token)

    @app.post("/sms")
    def sms_reply() -> Response:
        if not validator.validate(public_url, request.form, request.headers.get("X-Twilio-Signature", "")):
            abort(403)
        response = MessagingResponse()
        response.message(f"You said: {request.form.get('Body', '')}")
        return Response(str(response), mimetype="text/xml")

    return app
