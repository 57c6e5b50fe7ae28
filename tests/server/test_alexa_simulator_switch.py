"""CRAMP_ALEXA_LOCAL_SIMULATOR=1 on the composed local server: POST /alexa then takes unsigned envelopes, so it takes
them only from a local program (a simulator, a script), never from a web page open in a browser on this machine,
and the skill only ever calls Alexa's own API hosts (or the configured local stand-in)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from server.alexa_verification import VerificationError, check_api_endpoint
from shared.config import SettingsError
from sms.outbound import read_outbox
from tests.server.conftest import InProcess
from tests.skill.alexa_device import AlexaDevice
from tests.skill.profile_api import CONSENTED, FakeProfileApi


@pytest.fixture
def simulator(make_server: Callable[..., InProcess]) -> InProcess:
    """The local server on loopback with the simulator switch on."""
    return make_server(alexa_local_simulator=True)


@pytest.fixture
def lookalike_api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeProfileApi]:
    """A server answering like the Customer Profile API with a number of its choosing, trusted by `requests`."""
    with FakeProfileApi(tmp_path) as api:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(api.cert_path))
        yield api


def launch_body() -> str:
    """A fresh LaunchRequest envelope as JSON text."""
    return json.dumps(AlexaDevice(lambda envelope: {}, now=datetime.now(UTC)).envelope("launch_request"))


def device_on(server: InProcess, **options: object) -> AlexaDevice:
    """A simulator posting JSON envelopes to the server's /alexa, as virtual-alexa does."""

    def send(envelope: dict) -> dict:
        response = server.post("/alexa", data=json.dumps(envelope), content_type="application/json")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    return AlexaDevice(send, now=datetime.now(UTC), **options)


def reach_verdict(device: AlexaDevice) -> None:
    """A calf cramp during exercise, two warning-sign questions answered no: the verdict."""
    device.describe(body_part="calf", feeling="locked", context="exercise")
    device.no()
    assert "cramp" in device.no().speech


def test_simulator_local_program_posting_json_is_answered(simulator: InProcess) -> None:
    response = simulator.post("/alexa", data=launch_body(), content_type="application/json")
    assert response.status_code == 200
    assert "Welcome to Cramp Check" in response.get_json()["response"]["outputSpeech"]["ssml"]


@pytest.mark.parametrize(("headers", "content_type"), [
    ({"Origin": "https://attacker.example", "Sec-Fetch-Site": "cross-site"}, "text/plain"),
    ({"Origin": "https://attacker.example"}, "text/plain"),
    ({"Sec-Fetch-Site": "cross-site"}, "text/plain"),
    ({"Origin": "null"}, "application/json"),
    ({"Origin": "https://attacker.example", "Sec-Fetch-Site": "cross-site"}, "application/json"),
    ({"Sec-Fetch-Site": "same-site"}, "application/json"),
], ids=["text-plain-fetch", "old-browser-form", "no-origin-header", "sandboxed-frame", "json-fetch", "sibling-site"])
def test_simulator_post_from_a_page_on_another_site_is_refused_and_runs_nothing(
    simulator: InProcess, headers: dict[str, str], content_type: str
) -> None:
    response = simulator.post("/alexa", data=launch_body(), content_type=content_type, headers=dict(headers))
    assert response.status_code == 403
    assert "response" not in response.get_json()
    assert simulator.store.scan("attributes") == []


def test_simulator_dns_rebinding_page_is_refused_though_it_looks_same_origin(simulator: InProcess) -> None:
    # attacker.example resolves to 127.0.0.1: to the browser the page and /alexa share an origin.
    rebound = {"Host": "attacker.example:8000", "Origin": "http://attacker.example:8000",
               "Sec-Fetch-Site": "same-origin"}
    response = simulator.post("/alexa", data=launch_body(), content_type="application/json", headers=rebound)
    assert response.status_code == 403


def test_simulator_text_plain_without_browser_headers_is_refused_as_not_json(simulator: InProcess) -> None:
    response = simulator.post("/alexa", data=launch_body(), content_type="text/plain")
    assert response.status_code == 415


def test_simulator_text_me_with_a_foreign_api_endpoint_calls_nothing_and_texts_nobody(
    simulator: InProcess, lookalike_api: FakeProfileApi
) -> None:
    device = device_on(simulator, api_access_token=CONSENTED)
    reach_verdict(device)
    device.api_endpoint = lookalike_api.endpoint  # the unsigned envelope names where the token goes
    envelope = device.envelope("help_intent", {"intent": {"name": "TextMeIntent", "confirmationStatus": "NONE"}})

    response = simulator.post("/alexa", data=json.dumps(envelope), content_type="application/json")

    assert response.status_code == 400
    assert lookalike_api.requests == [], "the access token was never sent to the named endpoint"
    assert read_outbox(simulator.settings) == []


def test_simulator_any_request_with_a_foreign_api_endpoint_is_refused(simulator: InProcess) -> None:
    device = device_on(simulator, api_endpoint="https://api.amazonalexa.com.attacker.example")
    response = simulator.post("/alexa", data=json.dumps(device.envelope("launch_request")),
                              content_type="application/json")
    assert response.status_code == 400


def test_simulator_text_me_through_the_configured_local_profile_api_texts_its_number(
    make_server: Callable[..., InProcess], lookalike_api: FakeProfileApi
) -> None:
    server = make_server(alexa_local_simulator=True, alexa_local_api_endpoint=lookalike_api.endpoint)
    device = device_on(server, api_endpoint=lookalike_api.endpoint, api_access_token=CONSENTED)
    reach_verdict(device)

    texted = device.intent("TextMeIntent")

    assert texted.speech.startswith("Done. I've texted what to do and")
    assert lookalike_api.requests and {r["authorization"] for r in lookalike_api.requests} == {f"Bearer {CONSENTED}"}
    [sent] = read_outbox(server.settings)
    assert sent["to"] == "+15550001111"


@pytest.mark.parametrize("endpoint", [
    "https://api.amazonalexa.com", "https://api.eu.amazonalexa.com", "https://api.fe.amazonalexa.com/",
    "HTTPS://API.AMAZONALEXA.COM", "https://api.amazonalexa.com:443",
])
def test_check_api_endpoint_alexa_hosts_pass(endpoint: str) -> None:
    check_api_endpoint({"context": {"System": {"apiEndpoint": endpoint}}})


@pytest.mark.parametrize("endpoint", [
    "http://api.amazonalexa.com", "https://api.amazonalexa.com:8443", "https://attacker.example",
    "https://api.amazonalexa.com.attacker.example", "https://user@api.amazonalexa.com",
    "https://api.amazonalexa.com/redirect?to=x", "https://api.amazonalexa.com/other/prefix", "https://127.0.0.1:9999",
    "https://api.amazonalexa.com:bad", 42,
])
def test_check_api_endpoint_anything_else_is_refused(endpoint: object) -> None:
    with pytest.raises(VerificationError, match="^api endpoint:"):
        check_api_endpoint({"context": {"System": {"apiEndpoint": endpoint}}})


@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:9999", "https://profile.example.org"])
def test_local_api_endpoint_setting_must_be_https_on_loopback(
    make_server: Callable[..., InProcess], endpoint: str
) -> None:
    with pytest.raises(SettingsError, match="CRAMP_ALEXA_LOCAL_API_ENDPOINT"):
        make_server(alexa_local_api_endpoint=endpoint)


def test_try_it_speaker_still_answers_with_the_switch_on(simulator: InProcess) -> None:
    token = simulator.try_it_token()
    response = simulator.post("/try/alexa", json={"text": "open cramp check"}, headers={"X-CSRF-Token": token})
    assert response.status_code == 200 and "Cramp Check" in response.get_json()["speech"]


@pytest.mark.parametrize("headers", [
    {"Origin": "https://attacker.example"}, {"Sec-Fetch-Site": "cross-site"},
], ids=["origin", "sec-fetch-site"])
def test_try_it_routes_refuse_a_page_on_another_site_even_with_the_token(
    server: InProcess, headers: dict[str, str]
) -> None:
    token = server.try_it_token()
    response = server.post("/try/sms", json={"text": "my calf locked up"}, headers={"X-CSRF-Token": token, **headers})
    assert response.status_code == 403
    assert server.store.scan("conversations") == []


def test_try_it_routes_accept_their_own_page(server: InProcess) -> None:
    token = server.try_it_token()
    own = {"X-CSRF-Token": token, "Origin": f"http://{server.host}", "Sec-Fetch-Site": "same-origin"}
    assert server.post("/try/sms", json={"text": "my calf locked up"}, headers=own).status_code == 200
