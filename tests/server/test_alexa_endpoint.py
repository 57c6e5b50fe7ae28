"""POST /alexa: every request verified (signature, chain, timestamp, skill id) before anything is processed."""

from __future__ import annotations

import dataclasses
import io
import json
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from ask_sdk_core.skill import CustomSkill

from server.alexa_endpoint import AlexaWebApp, SeenRequestIds
from server.alexa_verification import RequestVerifier
from shared.config import Settings, SettingsError
from shared.identity import hashed_id
from shared.stores import Store, store_from_settings
from skill.app import build_skill
from tests.skill.alexa_ca import CERT_URL, SigningIdentity, build_ca
from tests.skill.alexa_device import KEEPING_HEALTH_DATA, NOW, SKILL_ID, USER_ID, AlexaDevice
from tests.skill.wsgi_server import serve

SALT = "test-salt-for-alexa"


@pytest.fixture
def skill_settings(tmp_path: Path) -> Settings:
    """Local settings with the test skill id."""
    return Settings(store="memory", data_dir=tmp_path, alexa_skill_id=SKILL_ID, hash_salt=SALT)


@pytest.fixture
def memory_store() -> Store:
    """An empty in-memory store."""
    return store_from_settings("memory")


@pytest.fixture
def skill(skill_settings: Settings, memory_store: Store) -> CustomSkill:
    """The skill as deployed, over the in-memory store."""
    return build_skill(skill_settings, memory_store)


@pytest.fixture(scope="module")
def signing() -> tuple[object, SigningIdentity]:
    """A test certificate authority and an echo-api signing identity it issued."""
    ca = build_ca(NOW)
    return ca, ca.issue_signing_identity()


@pytest.fixture
def web_app(skill_settings: Settings, skill: CustomSkill, signing: tuple) -> AlexaWebApp:
    """The web endpoint trusting the test CA, with the clock at NOW."""
    ca, identity = signing
    verifier = RequestVerifier(
        SKILL_ID, trusted_roots=[ca.root_cert], fetch_pem=lambda url: identity.chain_pem(), now=lambda: NOW
    )
    return AlexaWebApp(skill_settings, skill, verifier)


@pytest.fixture
def keeping_web_app(skill_settings: Settings, memory_store: Store, web_app: AlexaWebApp) -> AlexaWebApp:
    """The same endpoint over a skill whose clinic keeps an episode history (clinic.yaml alexa_health_data)."""
    skill = build_skill(skill_settings, memory_store, content=KEEPING_HEALTH_DATA)
    return AlexaWebApp(skill_settings, skill, web_app.verifier)


def signed_device(web_app: AlexaWebApp, identity: SigningIdentity, **options: object) -> AlexaDevice:
    """A device posting signed raw bodies to the web app's handle()."""

    def send(envelope: dict) -> dict:
        body = json.dumps(envelope).encode()
        status, reply = web_app.handle(identity.headers(body), body)
        assert status == 200, reply
        return reply

    return AlexaDevice(send, **options)


def test_signed_launch_request_gets_the_welcome(web_app: AlexaWebApp, signing: tuple) -> None:
    device = signed_device(web_app, signing[1])

    reply = device.launch()

    assert reply.speech.startswith("Welcome to Cramp Check")


def test_signed_dialogue_reaches_a_verdict_and_keeps_no_health_information_by_default(
    web_app: AlexaWebApp, signing: tuple, memory_store: Store
) -> None:
    device = signed_device(web_app, signing[1])
    device.describe(body_part="calf", feeling="locked", context="exercise")
    device.no()
    verdict = device.no()

    assert "This sounds most like a cramp" in verdict.speech
    assert memory_store.get("attributes", hashed_id("alexa", USER_ID, SALT)) is None


def test_signed_dialogue_keeps_history_when_the_clinic_switch_is_on(
    keeping_web_app: AlexaWebApp, signing: tuple, memory_store: Store
) -> None:
    device = signed_device(keeping_web_app, signing[1])
    device.describe(body_part="calf", feeling="locked", context="exercise")
    device.no()
    device.no()

    assert memory_store.get("attributes", hashed_id("alexa", USER_ID, SALT)) is not None


def _verdict_envelope(device: AlexaDevice) -> dict:
    device.describe(body_part="calf", feeling="locked", context="exercise")
    device.no()
    return device.envelope("no_intent")


def _tampered(body: bytes) -> bytes:
    return body.replace(b'"AMAZON.NoIntent"', b'"AMAZON.YesIntent"')


def _wrong_skill(envelope: dict) -> dict:
    changed = json.loads(json.dumps(envelope))
    for holder in (changed["session"], changed["context"]["System"]):
        holder["application"]["applicationId"] = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
    return changed


def _stale(envelope: dict) -> dict:
    changed = json.loads(json.dumps(envelope))
    changed["request"]["timestamp"] = (NOW - timedelta(seconds=151)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return changed


@pytest.mark.parametrize(
    "attack",
    ["tampered_body", "bad_cert_url", "no_signature", "wrong_skill_id", "stale_timestamp", "not_json",
     "expired_certificate", "signed_but_not_an_envelope"],
)
def test_bad_request_gets_400_and_nothing_is_processed(
    web_app: AlexaWebApp, signing: tuple, memory_store: Store, attack: str
) -> None:
    ca, identity = signing
    device = signed_device(web_app, identity)
    envelope = _verdict_envelope(device)
    body = json.dumps(envelope).encode()
    headers = identity.headers(body)
    if attack == "tampered_body":
        body = _tampered(body)
    elif attack == "bad_cert_url":
        headers = identity.headers(body, cert_url=CERT_URL.replace("/echo.api/", "/EcHo.aPi/"))
    elif attack == "no_signature":
        headers = {"SignatureCertChainUrl": CERT_URL}
    elif attack == "wrong_skill_id":
        body = json.dumps(_wrong_skill(envelope)).encode()
        headers = identity.headers(body)
    elif attack == "stale_timestamp":
        body = json.dumps(_stale(envelope)).encode()
        headers = identity.headers(body)
    elif attack == "not_json":
        body = b"request=LaunchRequest"
        headers = identity.headers(body)
    elif attack == "expired_certificate":
        expired = ca.issue_signing_identity(not_before=NOW - timedelta(days=400), not_after=NOW - timedelta(days=1))
        verifier = RequestVerifier(SKILL_ID, trusted_roots=[ca.root_cert], fetch_pem=lambda url: expired.chain_pem(),
                                   now=lambda: NOW)
        web_app = AlexaWebApp(web_app.settings, web_app.skill, verifier)
        headers = expired.headers(body)
    else:
        broken = json.loads(json.dumps(envelope))
        broken["request"]["type"] = "NotARealRequestType"
        body = json.dumps(broken).encode()
        headers = identity.headers(body)

    status, reply = web_app.handle(headers, body)

    assert status == 400
    assert "response" not in reply
    assert memory_store.get("attributes", hashed_id("alexa", USER_ID, SALT)) is None, "no episode was saved"


def test_wsgi_signed_post_over_http_returns_the_skill_response(web_app: AlexaWebApp, signing: tuple) -> None:
    device = AlexaDevice(lambda envelope: {})
    body = json.dumps(device.envelope("launch_request")).encode()
    headers = {**signing[1].headers(body), "Content-Type": "application/json"}
    with serve(web_app) as base:
        request = urllib.request.Request(base + "/alexa", data=body, method="POST", headers=headers)
        with urllib.request.urlopen(request, timeout=10) as response:
            status, payload = response.status, json.loads(response.read())

    assert status == 200
    assert payload["response"]["outputSpeech"]["ssml"].startswith("<speak>Welcome to Cramp Check")


@pytest.mark.parametrize(("method", "path", "status"), [("GET", "/alexa", 405), ("POST", "/elsewhere", 404),
                                                         ("POST", "/alexa", 400)])
def test_wsgi_wrong_method_path_or_unsigned_body_is_refused(
    web_app: AlexaWebApp, method: str, path: str, status: int
) -> None:
    with serve(web_app) as base:
        request = urllib.request.Request(base + path, data=b"{}" if method == "POST" else None, method=method)
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(request, timeout=10)

    assert error.value.code == status
    assert "Traceback" not in error.value.read().decode()


def test_wsgi_oversized_body_is_refused_unread(web_app: AlexaWebApp) -> None:
    environ = {"PATH_INFO": "/alexa", "REQUEST_METHOD": "POST", "CONTENT_LENGTH": str(10 * 1024 * 1024),
               "wsgi.input": io.BytesIO(b"")}
    statuses: list[str] = []

    web_app(environ, lambda status, headers: statuses.append(status))

    assert statuses == ["400 Bad Request"]


def test_local_simulator_switch_is_refused_unless_bound_to_loopback(
    skill_settings: Settings, skill: CustomSkill
) -> None:
    exposed = dataclasses.replace(skill_settings, alexa_local_simulator=True, host="0.0.0.0")  # noqa: S104

    with pytest.raises(SettingsError):
        AlexaWebApp(exposed, skill)


def test_local_simulator_accepts_unsigned_requests_but_still_checks_skill_id_and_time(
    skill_settings: Settings, skill: CustomSkill
) -> None:
    app = AlexaWebApp(dataclasses.replace(skill_settings, alexa_local_simulator=True), skill)
    device = AlexaDevice(lambda envelope: {}, now=datetime.now(UTC))
    envelope = device.envelope("launch_request")

    ok_status, ok_reply = app.handle({}, json.dumps(envelope).encode())
    wrong_status, _ = app.handle({}, json.dumps(_wrong_skill(envelope)).encode())
    old = json.loads(json.dumps(envelope))
    old["request"]["timestamp"] = "2020-01-01T00:00:00Z"
    old_status, _ = app.handle({}, json.dumps(old).encode())

    assert ok_status == 200
    assert "Welcome to Cramp Check" in ok_reply["response"]["outputSpeech"]["ssml"]
    assert wrong_status == 400
    assert old_status == 400


def test_local_simulator_refuses_requests_from_other_addresses(
    skill_settings: Settings, skill: CustomSkill
) -> None:
    app = AlexaWebApp(dataclasses.replace(skill_settings, alexa_local_simulator=True), skill)
    body = json.dumps(AlexaDevice(lambda envelope: {}, now=datetime.now(UTC)).envelope("launch_request")).encode()
    environ = {"PATH_INFO": "/alexa", "REQUEST_METHOD": "POST", "CONTENT_LENGTH": str(len(body)),
               "REMOTE_ADDR": "192.0.2.10", "wsgi.input": io.BytesIO(body)}
    statuses: list[str] = []

    app(environ, lambda status, headers: statuses.append(status))

    assert statuses == ["400 Bad Request"]


def test_signed_request_replayed_inside_the_window_is_refused_and_changes_nothing(
    keeping_web_app: AlexaWebApp, signing: tuple, memory_store: Store
) -> None:
    identity = signing[1]
    envelope = _verdict_envelope(signed_device(keeping_web_app, identity))
    body = json.dumps(envelope).encode()
    headers = identity.headers(body)
    first_status, _ = keeping_web_app.handle(headers, body)
    saved = memory_store.get("attributes", hashed_id("alexa", USER_ID, SALT))

    replay_status, replay = keeping_web_app.handle(headers, body)

    assert (first_status, replay_status) == (200, 400)
    assert "response" not in replay
    assert memory_store.get("attributes", hashed_id("alexa", USER_ID, SALT)).version == saved.version


def test_seen_request_ids_refuse_a_repeat_until_the_window_has_passed_and_stay_bounded() -> None:
    now = [1000.0]
    seen = SeenRequestIds(ttl_seconds=330, max_entries=3, clock=lambda: now[0])

    first, repeat = seen.first_sight("request-1"), seen.first_sight("request-1")
    now[0] += 329
    still_refused = seen.first_sight("request-1")
    now[0] += 2
    after_window = seen.first_sight("request-1")
    for index in range(2, 7):
        seen.first_sight(f"request-{index}")

    assert (first, repeat, still_refused, after_window) == (True, False, False, True)
    assert len(seen) == 3
    assert not seen.first_sight("request-6")


@pytest.mark.parametrize("system", [[], {}, {"application": {}}, {"application": [1]}, "System", None],
                         ids=["list", "empty", "no-application-id", "application-list", "string", "null"])
def test_wsgi_signed_envelope_without_a_usable_system_gets_400_not_500(
    web_app: AlexaWebApp, signing: tuple, system: object
) -> None:
    # The verifier finds the skill id in session.application; the skill still needs context.System.
    envelope = AlexaDevice(lambda envelope: {}).envelope("launch_request")
    envelope["context"]["System"] = system
    body = json.dumps(envelope).encode()
    environ = {"PATH_INFO": "/alexa", "REQUEST_METHOD": "POST", "CONTENT_LENGTH": str(len(body)),
               "wsgi.input": io.BytesIO(body), **{f"HTTP_{k.upper().replace('-', '_')}": v
                                                   for k, v in signing[1].headers(body).items()}}
    statuses: list[str] = []

    payload = b"".join(web_app(environ, lambda status, headers: statuses.append(status)))

    assert statuses == ["400 Bad Request"]
    assert json.loads(payload) == {"error": "not an Alexa request this skill can answer"}


def test_wsgi_request_without_a_body_stream_gets_400_not_a_traceback(web_app: AlexaWebApp) -> None:
    environ = {"PATH_INFO": "/alexa", "REQUEST_METHOD": "POST", "CONTENT_LENGTH": "20"}
    statuses: list[str] = []

    payload = b"".join(web_app(environ, lambda status, headers: statuses.append(status)))

    assert statuses == ["400 Bad Request"]
    assert json.loads(payload) == {"error": "request could not be verified"}
