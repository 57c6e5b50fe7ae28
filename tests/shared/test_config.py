"""Settings guards: no local shortcut (public salt, token or staff password, the Alexa simulator switch) where others
can connect, i.e. in deployed mode or bound beyond loopback. Each guard has its own test."""

from __future__ import annotations

import dataclasses
import os
import subprocess
from pathlib import Path

import pytest

from shared.config import (
    LOCAL_HASH_SALT,
    LOCAL_STAFF_PASSWORD,
    LOCAL_TWILIO_TOKEN,
    Settings,
    SettingsError,
    is_loopback,
    strong_staff_password,
)

STRONG_PASSWORD = "velvet canyon orbit lantern"  # noqa: S105 - test value
SKILL_ID = "amzn1.ask.skill.6a7f2c1e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
# Everything a deployed function needs, so each test below changes exactly one thing.
DEPLOYED = Settings(
    mode="deployed",
    store="memory",
    hash_salt="a-deployed-salt-of-some-length",
    twilio_auth_token="deployed-twilio-token",  # noqa: S106 - test value
    staff_password=STRONG_PASSWORD,
    alexa_skill_id=SKILL_ID,
)
REAL_SECRETS = {
    "CRAMP_HASH_SALT": "a-network-salt-of-some-length",
    "TWILIO_AUTH_TOKEN": "the-accounts-own-token",
    "CRAMP_STAFF_PASSWORD": STRONG_PASSWORD,
}


def test_deployed_settings_with_real_secrets_are_accepted() -> None:
    assert DEPLOYED.validate() is DEPLOYED
    assert DEPLOYED.check_alexa_skill_id() is DEPLOYED


def test_deployed_local_hash_salt_is_refused() -> None:
    with pytest.raises(SettingsError, match="CRAMP_HASH_SALT"):
        dataclasses.replace(DEPLOYED, hash_salt=LOCAL_HASH_SALT).validate()


def test_deployed_short_hash_salt_is_refused() -> None:
    with pytest.raises(SettingsError, match="CRAMP_HASH_SALT"):
        dataclasses.replace(DEPLOYED, hash_salt="fifteen-chars-x").validate()


def test_deployed_local_twilio_token_is_refused() -> None:
    with pytest.raises(SettingsError, match="TWILIO_AUTH_TOKEN"):
        dataclasses.replace(DEPLOYED, twilio_auth_token=LOCAL_TWILIO_TOKEN).validate()


def test_deployed_local_staff_password_is_refused_as_the_printed_one() -> None:
    with pytest.raises(SettingsError, match=r"CRAMP_STAFF_PASSWORD \(your own; the local one is printed"):
        dataclasses.replace(DEPLOYED, staff_password=LOCAL_STAFF_PASSWORD).validate()


@pytest.mark.parametrize("weak", ["Summer2026!", "aaaaaaaaaaaaaaaaaaaa", "Password1234", "123456789012"])
def test_deployed_weak_staff_password_is_refused_with_the_rule(weak: str) -> None:
    with pytest.raises(SettingsError, match=r"CRAMP_STAFF_PASSWORD stronger: at least 12 characters and about 60 bits"):
        dataclasses.replace(DEPLOYED, staff_password=weak).validate()


def test_deployed_without_staff_password_is_accepted_with_the_inbox_off() -> None:
    # The Lambdas serve no inbox and get no staff password; the local server then shows "switched off".
    assert dataclasses.replace(DEPLOYED, staff_password=None).validate().staff_password is None


def test_deployed_alexa_simulator_switch_is_refused() -> None:
    with pytest.raises(SettingsError, match="CRAMP_ALEXA_LOCAL_SIMULATOR"):
        dataclasses.replace(DEPLOYED, alexa_local_simulator=True).validate()


def test_deployed_alexa_without_skill_id_is_refused() -> None:
    with pytest.raises(SettingsError, match="CRAMP_ALEXA_SKILL_ID"):
        dataclasses.replace(DEPLOYED, alexa_skill_id=None).check_alexa_skill_id()


def test_local_alexa_without_skill_id_is_accepted() -> None:
    assert Settings().check_alexa_skill_id().alexa_skill_id is None


def test_alexa_lambda_deployed_without_skill_id_refuses_to_build(monkeypatch: pytest.MonkeyPatch) -> None:
    from skill import lambda_function

    environment = {"CRAMP_MODE": "deployed", "CRAMP_STORE": "memory", "CRAMP_HASH_SALT": DEPLOYED.hash_salt,
                   "TWILIO_AUTH_TOKEN": "deployed-twilio-token"}
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CRAMP_ALEXA_SKILL_ID", raising=False)
    lambda_function.cold_start_skill.cache_clear()
    try:
        with pytest.raises(SettingsError, match="CRAMP_ALEXA_SKILL_ID"):
            lambda_function.cold_start_skill()
    finally:
        lambda_function.cold_start_skill.cache_clear()


def test_local_defaults_on_loopback_are_accepted() -> None:
    settings = Settings.from_env({})
    assert settings.host == "127.0.0.1" and not settings.exposed
    assert (settings.hash_salt, settings.twilio_auth_token, settings.staff_password) == (
        LOCAL_HASH_SALT, LOCAL_TWILIO_TOKEN, LOCAL_STAFF_PASSWORD)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "clinic-pc.local"])  # noqa: S104
def test_local_mode_bound_beyond_loopback_with_local_defaults_refuses_and_names_every_secret(host: str) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"CRAMP_HOST": host})
    message = str(refused.value)
    assert f"bound to {host}" in message
    for variable in ("CRAMP_HASH_SALT", "TWILIO_AUTH_TOKEN", "CRAMP_STAFF_PASSWORD"):
        assert variable in message


@pytest.mark.parametrize("variable", sorted(REAL_SECRETS))
def test_local_mode_bound_beyond_loopback_missing_one_real_secret_is_refused(variable: str) -> None:
    environment = {"CRAMP_HOST": "0.0.0.0", **REAL_SECRETS}  # noqa: S104 - the setting under test
    del environment[variable]
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env(environment)


def test_local_mode_bound_beyond_loopback_with_real_secrets_is_accepted() -> None:
    settings = Settings.from_env({"CRAMP_HOST": "0.0.0.0", **REAL_SECRETS})  # noqa: S104
    assert settings.exposed and not settings.deployed


def test_local_mode_bound_beyond_loopback_weak_staff_password_is_refused() -> None:
    environment = {"CRAMP_HOST": "0.0.0.0", **REAL_SECRETS, "CRAMP_STAFF_PASSWORD": "clinic2026"}  # noqa: S104
    with pytest.raises(SettingsError, match="CRAMP_STAFF_PASSWORD stronger"):
        Settings.from_env(environment)


def test_local_mode_bound_beyond_loopback_alexa_simulator_switch_is_refused() -> None:
    environment = {"CRAMP_HOST": "0.0.0.0", **REAL_SECRETS, "CRAMP_ALEXA_LOCAL_SIMULATOR": "1"}  # noqa: S104
    with pytest.raises(SettingsError, match="CRAMP_ALEXA_LOCAL_SIMULATOR"):
        Settings.from_env(environment)


def test_local_alexa_simulator_switch_on_loopback_is_accepted() -> None:
    assert Settings.from_env({"CRAMP_ALEXA_LOCAL_SIMULATOR": "1"}).alexa_local_simulator


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("LOCALHOST", True), ("0.0.0.0", False), ("::", False), ("", False), ("10.0.0.5", False),  # noqa: S104
    ("localhost.attacker.example", False), ("127.0.0.1.nip.io", False),
])
def test_is_loopback_only_for_addresses_this_machine_alone_reaches(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(("password", "strong"), [
    ("correct horse battery staple", True), ("velvet canyon orbit lantern", True), ("k8#Qz!v2Lp9$", True),
    ("short pass", False), ("Password1234", False), ("qwerty123456!", False),
    ("deployed staff password", True),
    ("aaaaaaaaaaaaaaaaaaaaaaaa", False), ("abababababababab", False), ("123456789012", False),
])
def test_strong_staff_password_needs_length_and_variety(password: str, strong: bool) -> None:
    assert strong_staff_password(password) is strong


def test_try_it_beyond_loopback_without_a_public_address_is_refused() -> None:
    environment = {"CRAMP_HOST": "0.0.0.0", "CRAMP_TRY_IT": "1", **REAL_SECRETS}  # noqa: S104 - under test
    with pytest.raises(SettingsError, match="CRAMP_PUBLIC_BASE_URL"):
        Settings.from_env(environment)


def test_try_it_beyond_loopback_with_its_public_address_is_accepted() -> None:
    environment = {"CRAMP_HOST": "0.0.0.0", "CRAMP_TRY_IT": "1", "CRAMP_PUBLIC_BASE_URL": "https://try.example.org",
                   **REAL_SECRETS}  # noqa: S104 - under test
    assert Settings.from_env(environment).try_it_enabled


def test_local_alexa_api_endpoint_is_refused_beyond_loopback() -> None:
    environment = {"CRAMP_HOST": "0.0.0.0", "CRAMP_ALEXA_LOCAL_API_ENDPOINT": "https://127.0.0.1:9443",
                   **REAL_SECRETS}  # noqa: S104 - under test
    with pytest.raises(SettingsError, match="CRAMP_ALEXA_LOCAL_API_ENDPOINT"):
        Settings.from_env(environment)


def test_local_alexa_api_endpoint_on_loopback_is_accepted() -> None:
    endpoint = "https://127.0.0.1:9443"
    assert Settings.from_env({"CRAMP_ALEXA_LOCAL_API_ENDPOINT": endpoint}).alexa_local_api_endpoint == endpoint


# What a newcomer's sourced .env.example and a deployed function's environment turn into.
ROOT = Path(__file__).resolve().parents[2]
DEPLOYED_ENV = {
    "CRAMP_MODE": "deployed",
    "CRAMP_HASH_SALT": "a-deployed-salt-of-sixteen-plus",
    "TWILIO_AUTH_TOKEN": "the-current-twilio-token",
    "CRAMP_STAFF_PASSWORD": STRONG_PASSWORD,
}


def sourced_env_example() -> dict[str, str]:
    """The variables a shell has after `set -a; . ./.env.example`, as a newcomer's would."""
    script = "set -a; . ./.env.example; env -0"
    output = subprocess.run(["bash", "-c", script], cwd=ROOT, env={"PATH": os.environ["PATH"]},
                            capture_output=True, check=True).stdout
    names = set(subprocess.run(["bash", "-c", "grep -oE '^[A-Z_]+=' .env.example"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.replace("=", "").split())
    pairs = (entry.split("=", 1) for entry in output.decode().split("\0") if "=" in entry)
    return {name: value for name, value in pairs if name in names}


def test_settings_sourced_env_example_keeps_the_local_defaults_on() -> None:
    env = sourced_env_example()
    assert env["TWILIO_AUTH_TOKEN"] == "" and env["CRAMP_TRY_IT"] == ""  # sourced: set, and empty

    settings = Settings.from_env(env)

    assert settings == Settings(public_base_url="http://127.0.0.1:8000")
    assert settings.twilio_auth_token == LOCAL_TWILIO_TOKEN and settings.hash_salt == LOCAL_HASH_SALT
    assert settings.staff_password == LOCAL_STAFF_PASSWORD and settings.try_it_enabled is None


def test_settings_empty_values_count_as_unset_not_as_empty_settings() -> None:
    settings = Settings.from_env({"PORT": "", "CRAMP_HOST": "", "CRAMP_STORE": "", "TWILIO_AUTH_TOKEN": "",
                                  "CRAMP_TRY_IT": "", "CRAMP_MODE": ""})

    assert (settings.port, settings.host, settings.store, settings.mode) == (8000, "127.0.0.1", "sqlite", "local")
    assert settings.twilio_signing_tokens == (LOCAL_TWILIO_TOKEN,)


def test_settings_previous_twilio_token_is_read_and_accepted_beside_the_current_one() -> None:
    settings = Settings.from_env({**DEPLOYED_ENV, "TWILIO_AUTH_TOKEN_PREVIOUS": "the-token-before-rotation"})

    assert settings.twilio_signing_tokens == ("the-current-twilio-token", "the-token-before-rotation")
    assert Settings.from_env(DEPLOYED_ENV).twilio_signing_tokens == ("the-current-twilio-token",)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"TWILIO_AUTH_TOKEN_PREVIOUS": LOCAL_TWILIO_TOKEN}, "TWILIO_AUTH_TOKEN_PREVIOUS unset or the account"),
        ({"TWILIO_AUTH_TOKEN": "", "TWILIO_AUTH_TOKEN_PREVIOUS": "old"}, "TWILIO_AUTH_TOKEN, the current token"),
    ],
)
def test_settings_deployed_previous_token_without_a_safe_current_one_is_refused(change: dict, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({**DEPLOYED_ENV, **change})
