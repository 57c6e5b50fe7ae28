"""The local server bound beyond loopback: none of the local shortcuts (printed staff password, public Twilio token
and salt, self-signing try-it routes, the Alexa simulator switch) works there."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from server.app import build_server
from shared.config import LOCAL_STAFF_PASSWORD, SettingsError
from shared.stores import store_from_settings
from tests.server.conftest import NETWORK_SECRETS, InProcess, local_settings


def build(tmp_path: Path, **changes: object) -> Client:
    """The composed server for these settings, or the SettingsError it refuses them with."""
    settings = local_settings(tmp_path, **changes)
    return Client(build_server(settings, store_from_settings("memory")))


def test_server_on_all_interfaces_with_every_local_default_refuses_to_build(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as refused:
        build(tmp_path, host="0.0.0.0", staff_password=LOCAL_STAFF_PASSWORD)  # noqa: S104 - under test
    for variable in ("CRAMP_HASH_SALT", "TWILIO_AUTH_TOKEN", "CRAMP_STAFF_PASSWORD"):
        assert variable in str(refused.value)


@pytest.mark.parametrize("local_value", ["hash_salt", "twilio_auth_token", "staff_password"])
def test_server_on_a_lan_address_with_one_local_default_refuses_to_build(tmp_path: Path, local_value: str) -> None:
    secrets = {**NETWORK_SECRETS, "staff_password": "correct horse battery staple"}
    del secrets[local_value]
    changes = {"staff_password": LOCAL_STAFF_PASSWORD} if local_value == "staff_password" else {}
    with pytest.raises(SettingsError, match="bound to 192.168.1.20"):
        build(tmp_path, host="192.168.1.20", **{**secrets, **changes})


def test_server_on_all_interfaces_with_the_alexa_simulator_switch_refuses_to_build(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="CRAMP_ALEXA_LOCAL_SIMULATOR"):
        build(tmp_path, host="0.0.0.0", alexa_local_simulator=True, **NETWORK_SECRETS)  # noqa: S104


def test_server_on_all_interfaces_with_real_secrets_serves_no_password_hint_and_no_try_it(
    tmp_path: Path,
) -> None:
    client = build(tmp_path, host="0.0.0.0", **NETWORK_SECRETS)  # noqa: S104 - the setting under test
    login = client.get("/staff")
    assert login.status_code == 401 and b"Local mode: the password is" not in login.data
    assert client.post("/try/sms", json={"text": "hi"}).status_code == 404


def test_server_on_loopback_with_local_defaults_hints_the_local_password(tmp_path: Path) -> None:
    client = build(tmp_path, staff_password=LOCAL_STAFF_PASSWORD)
    assert b"Local mode: the password is <code>" + LOCAL_STAFF_PASSWORD.encode() in client.get("/staff").data


def test_server_deployed_without_alexa_skill_id_refuses_to_build(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="CRAMP_ALEXA_SKILL_ID"):
        build(tmp_path, mode="deployed", staff_password="correct horse battery staple", **NETWORK_SECRETS)



PUBLIC = "https://try.clinic.example"


@pytest.fixture
def public_try_it(make_server: Callable[..., InProcess]) -> InProcess:
    """CRAMP_TRY_IT=1 on all interfaces, opened by visitors at https://try.clinic.example."""
    server = make_server(host="0.0.0.0", try_it_enabled=True, public_base_url=PUBLIC,  # noqa: S104 - under test
                         **NETWORK_SECRETS)
    return visitor(server, "198.51.100.20")


def visitor(server: InProcess, address: str) -> InProcess:
    """A browser at `address` that opens the try-it page by its public name."""
    return InProcess(server.settings, server.store, server.app, server.clock, address, "try.clinic.example")


def say_sms(browser: InProcess, token: str, text: str) -> Any:
    """One text from the page's phone."""
    return browser.post("/try/sms", json={"text": text}, headers={"X-CSRF-Token": token})


def test_try_it_beyond_loopback_answers_at_its_public_name_on_both_panels(public_try_it: InProcess) -> None:
    token = public_try_it.try_it_token()
    assert say_sms(public_try_it, token, "my calf locked up").status_code == 200
    spoken = public_try_it.post("/try/alexa", json={"text": "open cramp check"}, headers={"X-CSRF-Token": token})
    assert spoken.status_code == 200 and "Cramp Check" in spoken.get_json()["speech"]


def test_try_it_beyond_loopback_refuses_any_other_host_name(public_try_it: InProcess) -> None:
    token = public_try_it.try_it_token()
    response = public_try_it.post("/try/sms", json={"text": "my calf locked up"},
                                  headers={"X-CSRF-Token": token, "Host": "rebound.attacker.example"})
    assert response.status_code == 403
    assert public_try_it.store.scan("conversations") == []


def test_try_it_beyond_loopback_limits_turns_per_device_not_for_everyone(public_try_it: InProcess) -> None:
    token = public_try_it.try_it_token()
    for turn in range(30):
        assert say_sms(public_try_it, token, "NEW" if turn % 2 else "my calf hurts").status_code == 200
    refused = say_sms(public_try_it, token, "my calf hurts")
    assert refused.status_code == 429 and "Try again in 10 minutes" in refused.get_json()["error"]
    # A new cookie (and so a new fictional phone) is still the same device.
    fresh = visitor(public_try_it, public_try_it.remote_addr)
    assert say_sms(fresh, fresh.try_it_token(), "hello").status_code == 429
    neighbour = visitor(public_try_it, "203.0.113.50")
    assert say_sms(neighbour, neighbour.try_it_token(), "my calf hurts").status_code == 200
    public_try_it.clock.advance(10 * 60 + 1)
    assert say_sms(public_try_it, token, "my calf hurts").status_code == 200


def request_callback(browser: InProcess, token: str) -> None:
    """Text CALL and a time window: one callback request, one staff text."""
    assert say_sms(browser, token, "CALL").status_code == 200
    assert say_sms(browser, token, "evening").status_code == 200


def test_try_it_beyond_loopback_limits_callback_requests_per_device(public_try_it: InProcess) -> None:
    token = public_try_it.try_it_token()
    request_callback(public_try_it, token)
    public_try_it.post("/try/reset", json={}, headers={"X-CSRF-Token": token})  # a new fictional phone
    request_callback(public_try_it, token)
    assert len(public_try_it.store.scan("callbacks")) == 2

    refused = say_sms(public_try_it, token, "CALL")

    assert refused.status_code == 429 and "enough callback requests" in refused.get_json()["error"]
    assert len(public_try_it.store.scan("callbacks")) == 2
    public_try_it.clock.advance(3601)
    assert say_sms(public_try_it, token, "CALL").status_code == 200


def test_try_it_beyond_loopback_limits_callback_requests_from_every_device_together(
    public_try_it: InProcess,
) -> None:
    for index in range(10):
        browser = visitor(public_try_it, f"203.0.113.{index}")
        token = browser.try_it_token()
        request_callback(browser, token)
        browser.post("/try/reset", json={}, headers={"X-CSRF-Token": token})
        request_callback(browser, token)
    assert len(public_try_it.store.scan("callbacks")) == 20
    late = visitor(public_try_it, "192.0.2.99")
    assert say_sms(late, late.try_it_token(), "CALL").status_code == 429


def test_try_it_on_loopback_has_no_per_device_limit(server: InProcess) -> None:
    token = server.try_it_token()
    for _ in range(3):
        request_callback(server, token)
    for _ in range(30):
        assert say_sms(server, token, "HELP").status_code == 200
