"""A callback asked for by voice reaches the clinic: signed Alexa envelopes posted to the composed server's /alexa
route (verified against a test certificate authority), the number from a local Customer Profile API, then the staff
text from the server's notifier and the request on the signed-in staff page."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

import pytest

from server.alexa_endpoint import AlexaWebApp
from server.alexa_verification import RequestVerifier
from server.app import PathRouter
from shared.content import load_content
from skill.app import build_skill
from sms.outbound import read_outbox
from tests.server.conftest import InProcess
from tests.skill.alexa_ca import build_ca
from tests.skill.alexa_device import NOW, SKILL_ID, AlexaDevice
from tests.skill.profile_api import CONSENTED, FakeProfileApi

CONTENT = load_content()
CLINIC = CONTENT.clinic
MOBILE = "+15550001111"


@pytest.fixture
def echo(make_server: Callable[..., InProcess], profile_api: FakeProfileApi) -> tuple[InProcess, AlexaDevice]:
    """The composed server, its /alexa verifying against a test CA, and an Echo posting signed envelopes to it."""
    server = make_server(alexa_skill_id=SKILL_ID, alexa_local_api_endpoint=profile_api.endpoint)
    context = server.app.context
    ca = build_ca(NOW)
    identity = ca.issue_signing_identity()
    verifier = RequestVerifier(SKILL_ID, trusted_roots=[ca.root_cert], fetch_pem=lambda url: identity.chain_pem(),
                               now=lambda: NOW)
    skill = build_skill(server.settings, server.store, content=context.content,
                        on_callback_stored=context.notifier.wake)
    routed = PathRouter(replace(context, alexa_app=AlexaWebApp(server.settings, skill, verifier)), server.app.pages)
    server = replace(server, app=routed)

    def send(envelope: dict) -> dict:
        body = json.dumps(envelope).encode()
        response = server.post("/alexa", data=body, headers=identity.headers(body), content_type="application/json")
        assert response.status_code == 200, response.data
        return response.get_json()

    return server, AlexaDevice(send, api_endpoint=profile_api.endpoint, api_access_token=CONSENTED)


def test_callback_by_voice_reaches_the_staff_text_and_the_staff_inbox(echo: tuple[InProcess, AlexaDevice]) -> None:
    server, device = echo
    device.launch()
    device.describe(body_part="calf", feeling="locked", context="exercise")
    device.no()
    device.no()

    asked = device.callback()
    confirmed = device.callback("morning")
    server.app.context.notifier.run_round()  # as the server's background thread does when woken

    assert asked.speech.startswith(f"When should {CLINIC['name']} call you back")
    assert confirmed.speech.startswith("Done:") and confirmed.ends_session
    [staff_text] = read_outbox(server.settings)
    assert staff_text["to"] == CLINIC["staff_sms_number"]
    assert "new callback request cb_" in staff_text["body"] and "urgency not recorded" in staff_text["body"]
    assert MOBILE not in staff_text["body"]
    assert server.sign_in().status_code == 303
    inbox = server.get("/staff")
    assert inbox.status_code == 200
    assert MOBILE.encode() in inbox.data and b"morning" in inbox.data
