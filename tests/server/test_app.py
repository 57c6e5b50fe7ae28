"""The composed local server over HTTP: health, the channels' own checks, the loopback-only rule, CSRF, bad input."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import requests
from twilio.request_validator import RequestValidator

from server.app import build_server
from shared.stores import store_from_settings
from tests.server.conftest import NETWORK_SECRETS, InProcess, LiveServer, local_settings

DEPLOYED_SECRETS = {
    "mode": "deployed",
    "hash_salt": "a-deployed-salt-of-some-length",
    "twilio_auth_token": "deployed-token",
    "staff_password": "deployed staff password",
    "alexa_skill_id": "amzn1.ask.skill.6a7f2c1e-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
}


def test_healthz_running_server_reports_ok_with_its_store(live_server: LiveServer) -> None:
    response = requests.get(live_server.url + "/healthz", timeout=5)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "store": "sqlite", "mode": "local", "try_it": True}


def test_healthz_unreachable_database_reports_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the database folder should be")
    settings = local_settings(tmp_path)
    broken = store_from_settings("sqlite", path=blocker / "cramp.sqlite3")
    from werkzeug.test import Client

    response = Client(build_server(settings, broken)).get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"


def test_healthz_database_locked_by_another_writer_reports_unavailable_then_recovers(
    live_server: LiveServer,
) -> None:
    assert requests.get(live_server.url + "/healthz", timeout=10).status_code == 200
    # Reads still work while another process holds SQLite's write lock; only a real write shows the problem.
    holder = sqlite3.connect(live_server.settings.sqlite_path, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        locked = requests.get(live_server.url + "/healthz", timeout=10)
        holder.execute("ROLLBACK")
    finally:
        holder.close()
    assert locked.status_code == 503 and locked.json()["status"] == "unavailable"
    assert requests.get(live_server.url + "/healthz", timeout=10).status_code == 200


def test_index_running_server_shows_both_panels_and_the_emergency_notice(live_server: LiveServer) -> None:
    page = requests.get(live_server.url + "/", timeout=5)
    assert page.status_code == 200
    assert "Guidance, not a diagnosis." in page.text
    assert "In an emergency call 911" in page.text
    assert 'id="sms-form"' in page.text and 'id="voice-form"' in page.text
    assert "Content-Security-Policy" in page.headers


def test_public_sms_unsigned_request_is_refused_although_try_it_signs(live_server: LiveServer) -> None:
    form = {"From": "+15550100123", "To": "+15550100100", "Body": "my calf locked", "MessageSid": "SM" + "1" * 32}
    response = requests.post(live_server.url + "/sms", data=form, timeout=5)
    assert response.status_code == 403


def test_public_sms_request_signed_with_the_token_is_answered(live_server: LiveServer) -> None:
    url = live_server.url + "/sms"
    form = {"From": "+15550100124", "To": "+15550100100", "Body": "my calf locked up during my run",
            "MessageSid": "SM" + "2" * 32, "NumMedia": "0"}
    signature = RequestValidator(live_server.settings.twilio_auth_token).compute_signature(url, form)
    response = requests.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=5)
    assert response.status_code == 200
    assert "<Message>" in response.text


def test_public_alexa_unsigned_envelope_is_refused(live_server: LiveServer) -> None:
    envelope = {"version": "1.0", "request": {"type": "LaunchRequest"}}
    response = requests.post(live_server.url + "/alexa", data=json.dumps(envelope), timeout=5,
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 400


def test_unknown_path_answers_404_page_without_traceback(server: InProcess) -> None:
    response = server.get("/nothing-here")
    assert response.status_code == 404
    assert b"Traceback" not in response.data


def test_try_sms_on_loopback_replies_through_the_real_sms_line(server: InProcess) -> None:
    token = server.try_it_token()
    response = server.post("/try/sms", json={"text": "my calf locked up during my run"},
                           headers={"X-CSRF-Token": token})
    assert response.status_code == 200
    body = response.get_json()
    assert body["from"].startswith("+1") and body["from"][5:10] == "55501"
    # The first reply gives the relief step and asks the content's first warning-sign question, word for word.
    assert body["replies"] and "Is that leg swollen, red or warm to touch?" in body["replies"][-1]
    # The SMS line stored the conversation under the hashed number: the reply came from the real app.
    assert server.store.scan("conversations")


def test_try_alexa_on_loopback_opens_the_skill(server: InProcess) -> None:
    token = server.try_it_token()
    response = server.post("/try/alexa", json={"text": "Alexa, open Cramp Check"}, headers={"X-CSRF-Token": token})
    assert response.status_code == 200
    body = response.get_json()
    assert body["heard"] == "Open Cramp Check"
    assert "Cramp Check" in body["speech"] and "9 1 1" in body["speech"]
    assert body["ends_session"] is False


def test_try_alexa_follow_up_keeps_the_session_between_turns(server: InProcess) -> None:
    token = server.try_it_token()
    headers = {"X-CSRF-Token": token}
    server.post("/try/alexa", json={"text": "open cramp check"}, headers=headers)
    answer = server.post("/try/alexa", json={"text": "my calf is cramping"}, headers=headers).get_json()
    assert answer["heard"].startswith("DescribeSymptomIntent")
    assert "calf" in answer["heard"]
    assert answer["speech"] and not answer["ends_session"]
    ended = server.post("/try/alexa/end", json={}, headers=headers)
    assert ended.status_code == 200
    again = server.post("/try/alexa", json={"text": "open cramp check"}, headers=headers).get_json()
    assert again["heard"] == "Open Cramp Check"


def test_try_routes_server_bound_to_all_interfaces_are_not_served(make_server: Callable[..., InProcess]) -> None:
    exposed = make_server(host="0.0.0.0", **NETWORK_SECRETS)  # noqa: S104 - the setting under test, nothing is bound
    page = exposed.get("/")
    assert page.status_code == 200
    assert b"switched off" in page.data and b'id="sms-form"' not in page.data
    for path in ("/try/sms", "/try/alexa", "/try/reset"):
        assert exposed.post(path, json={"text": "hi"}).status_code == 404


def test_try_routes_explicitly_enabled_on_all_interfaces_are_served(make_server: Callable[..., InProcess]) -> None:
    exposed = make_server(host="0.0.0.0", try_it_enabled=True, **NETWORK_SECRETS)  # noqa: S104 - under test
    token = exposed.try_it_token()
    sms = exposed.post("/try/sms", json={"text": "my eyelid keeps twitching"}, headers={"X-CSRF-Token": token})
    assert sms.status_code == 200 and sms.get_json()["replies"]
    speech = exposed.post("/try/alexa", json={"text": "open cramp check"}, headers={"X-CSRF-Token": token})
    assert speech.status_code == 200 and speech.get_json()["speech"]


def test_try_routes_explicitly_disabled_on_loopback_are_not_served(make_server: Callable[..., InProcess]) -> None:
    closed = make_server(try_it_enabled=False)
    assert closed.post("/try/sms", json={"text": "hi"}).status_code == 404


def test_try_routes_deployed_mode_are_never_served(make_server: Callable[..., InProcess]) -> None:
    deployed = make_server(try_it_enabled=True, **DEPLOYED_SECRETS)
    assert deployed.settings.validate().deployed
    assert b"switched off" in deployed.get("/").data
    assert deployed.post("/try/sms", json={"text": "hi"}).status_code == 404


def test_try_routes_foreign_host_header_is_forbidden(server: InProcess) -> None:
    token = server.try_it_token()
    # A DNS-rebinding page reaches 127.0.0.1 under its own name, which arrives in the Host header.
    response = server.post("/try/sms", json={"text": "hi"},
                           headers={"X-CSRF-Token": token, "Host": f"attacker.example:{server.settings.port}"})
    assert response.status_code == 403
    assert not server.store.scan("conversations")


def test_try_sms_without_csrf_token_is_refused_and_sends_nothing(server: InProcess) -> None:
    server.try_it_token()
    response = server.post("/try/sms", json={"text": "my calf locked up"})
    assert response.status_code == 400
    assert "expired" in response.get_json()["error"]
    assert not server.store.scan("conversations")


def test_try_sms_with_another_sessions_token_is_refused(make_server: Callable[..., InProcess]) -> None:
    first = make_server()
    second = make_server()
    stolen = first.try_it_token()
    second.try_it_token()
    response = second.post("/try/sms", json={"text": "hi"}, headers={"X-CSRF-Token": stolen})
    assert response.status_code == 400


def test_try_sms_bad_bodies_get_clear_400s_not_500s(server: InProcess) -> None:
    headers = {"X-CSRF-Token": server.try_it_token()}
    cases = [
        {"data": b"\xff\xfe not json", "content_type": "application/json"},
        {"json": {"text": ""}},
        {"json": {"text": 42}},
        {"json": ["my calf"]},
        {"json": {"text": "x" * 1601}},
    ]
    for case in cases:
        response = server.post("/try/sms", headers=dict(headers), **case)
        assert response.status_code == 400, case
        assert response.get_json()["error"]


def test_try_alexa_long_or_empty_speech_gets_400(server: InProcess) -> None:
    headers = {"X-CSRF-Token": server.try_it_token()}
    assert server.post("/try/alexa", json={"text": "   "}, headers=dict(headers)).status_code == 400
    assert server.post("/try/alexa", json={"text": "a" * 501}, headers=dict(headers)).status_code == 400


def test_try_reset_gives_a_new_fictional_number(server: InProcess) -> None:
    headers = {"X-CSRF-Token": server.try_it_token()}
    before = server.post("/try/sms", json={"text": "hello"}, headers=dict(headers)).get_json()["from"]
    after = server.post("/try/reset", json={}, headers=dict(headers)).get_json()["from"]
    assert after != before and after[5:10] == "55501"
