"""The webhook's TwiML is exactly what twilio's MessagingResponse writes, for every reply it can send."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from twilio.twiml.messaging_response import MessagingResponse

from shared.content import load_content
from sms.replies import render_reply, sms_locale
from sms.webhook import twiml, twiml_text

CONTENT = load_content()
LINE_TEMPLATES = ["help", "opted_out", "opted_in", "deleted", "rate_limited", "media", "fallback", "callback_window"]


def _twilio_twiml(reply: str | None) -> str:
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return str(response)


@pytest.mark.parametrize(
    "reply",
    [
        None,
        "",
        "Reply TIPS, CALL or NEW.",
        "Calf & foot <cramp> \"quoted\" 'single' ]]> end",
        "line one\nline two\r\n\ttabbed",
        "Café, £5, ¥, é, ß, Ü, €, 😀, \u2028",
        "control \x00 \x1f \x7f characters",
        "a lone surrogate \ud800 here",
    ],
)
def test_webhook_twiml_odd_reply_is_byte_identical_to_messaging_response(reply: str | None) -> None:
    assert twiml_text(reply) == _twilio_twiml(reply)


@pytest.mark.parametrize("name", LINE_TEMPLATES)
def test_webhook_twiml_template_reply_is_byte_identical_to_messaging_response(name: str) -> None:
    reply = render_reply(name, CONTENT, sms_locale(CONTENT), rephrase=True)

    response = twiml(reply)

    assert response.get_data(as_text=True) == _twilio_twiml(reply)
    assert (response.status_code, response.mimetype) == (200, "text/xml")


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), st.text()))
def test_webhook_twiml_any_text_is_byte_identical_to_messaging_response(reply: str | None) -> None:
    assert twiml_text(reply) == _twilio_twiml(reply)
