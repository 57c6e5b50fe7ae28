"""The local server bound beyond loopback: none of the local shortcuts (printed staff password, public Twilio token
and salt, self-signing try-it routes, the Alexa simulator switch) works there."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.test import Client

from server.app import build_server
from shared.config import LOCAL_STAFF_PASSWORD, SettingsError
from shared.stores import store_from_settings
from tests.server.conftest import NETWORK_SECRETS, local_settings


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

