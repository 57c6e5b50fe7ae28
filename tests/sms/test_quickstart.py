"""The benchmark's reference bot (bench/quickstart_sms.py) behaves like Twilio's quickstart."""

from __future__ import annotations

from bench.quickstart_sms import create_quickstart_app
from tests.sms.conftest import AUTH_TOKEN, PUBLIC_BASE_URL, parse_twiml, sign, twilio_params


def test_quickstart_bot_echoes_a_signed_message() -> None:
    client = create_quickstart_app(AUTH_TOKEN, PUBLIC_BASE_URL + "/sms").test_client()
    params = twilio_params("hello there")
    response = client.post("/sms", data=params, headers={"X-Twilio-Signature": sign(params)})
    assert parse_twiml(response.status_code, response.get_data(as_text=True)).text == "You said: hello there"


def test_quickstart_bot_refuses_an_unsigned_message() -> None:
    client = create_quickstart_app(AUTH_TOKEN, PUBLIC_BASE_URL + "/sms").test_client()
    assert client.post("/sms", data=twilio_params("hello")).status_code == 403
