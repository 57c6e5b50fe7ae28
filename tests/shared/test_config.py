"""Settings.from_env: what a newcomer's environment and a deployed function's environment turn into."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from shared.config import LOCAL_HASH_SALT, LOCAL_STAFF_PASSWORD, LOCAL_TWILIO_TOKEN, Settings, SettingsError

ROOT = Path(__file__).resolve().parents[2]
DEPLOYED = {
    "CRAMP_MODE": "deployed",
    "CRAMP_HASH_SALT": "a-deployed-salt-of-sixteen-plus",
    "TWILIO_AUTH_TOKEN": "the-current-twilio-token",
    "CRAMP_STAFF_PASSWORD": "a-staff-password",
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
    settings = Settings.from_env({**DEPLOYED, "TWILIO_AUTH_TOKEN_PREVIOUS": "the-token-before-rotation"})

    assert settings.twilio_signing_tokens == ("the-current-twilio-token", "the-token-before-rotation")
    assert Settings.from_env(DEPLOYED).twilio_signing_tokens == ("the-current-twilio-token",)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"TWILIO_AUTH_TOKEN_PREVIOUS": LOCAL_TWILIO_TOKEN}, "local Twilio token as TWILIO_AUTH_TOKEN_PREVIOUS"),
        ({"TWILIO_AUTH_TOKEN": "", "TWILIO_AUTH_TOKEN_PREVIOUS": "old"}, "without TWILIO_AUTH_TOKEN"),
    ],
)
def test_settings_deployed_previous_token_without_a_safe_current_one_is_refused(change: dict, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({**DEPLOYED, **change})
