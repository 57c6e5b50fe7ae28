"""shared/secrets.py with a real boto3 SSM client, against a local server speaking SSM's JSON protocol."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from shared import secrets
from shared.config import Settings, SettingsError
from shared.secrets import SecretsError, forget_cached_secrets, get_secret, load_secrets, make_client

pytestmark = pytest.mark.packaging

REPO = Path(__file__).resolve().parents[2]
PARAMETERS = {
    "/cramp-check/test/twilio-auth-token": "ssm-twilio-token-4b8d2f",
    "/cramp-check/test/twilio-account-sid": "AC" + "3" * 32,
    "/cramp-check/test/hash-salt": "ssm-hash-salt-9e1c7a5d3b",
}
DEPLOYED_ENV = {
    "CRAMP_MODE": "deployed",
    "CRAMP_STORE": "memory",
    "CRAMP_SSM_TWILIO_AUTH_TOKEN": "/cramp-check/test/twilio-auth-token",
    "CRAMP_SSM_TWILIO_ACCOUNT_SID": "/cramp-check/test/twilio-account-sid",
    "CRAMP_SSM_HASH_SALT": "/cramp-check/test/hash-salt",
}


@dataclass
class ParameterStore:
    """What the local SSM endpoint holds and what it was asked."""

    values: dict[str, str]
    requests: list[dict[str, Any]] = field(default_factory=list)
    deny: bool = False


class SsmHandler(BaseHTTPRequestHandler):
    """Answers AmazonSSM.GetParameters the way SSM does (JSON 1.1 protocol)."""

    store: ParameterStore

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        target = self.headers.get("X-Amz-Target", "")
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.store.requests.append({"target": target, **request})
        if self.store.deny:
            self._send(
                400, {"__type": "AccessDeniedException", "message": "not authorized to perform ssm:GetParameters"}
            )
            return
        if target != "AmazonSSM.GetParameters":
            self._send(400, {"__type": "InvalidAction", "message": target})
            return
        found = [name for name in request["Names"] if name in self.store.values]
        self._send(
            200,
            {
                "Parameters": [
                    {
                        "Name": name,
                        "Type": "SecureString",
                        "Value": self.store.values[name] if request.get("WithDecryption") else "AQICAHencrypted",
                        "Version": 1,
                        "ARN": f"arn:aws:ssm:us-east-1:123456789012:parameter{name}",
                    }
                    for name in found
                ],
                "InvalidParameters": [name for name in request["Names"] if name not in self.store.values],
            },
        )

    def _send(self, status: int, body: dict[str, Any]) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
        """Keep the test output quiet."""


@pytest.fixture(scope="session")
def ssm_endpoint(aws_test_credentials: None) -> Iterator[tuple[ParameterStore, Any]]:
    """A parameter store on a local port and one real boto3 SSM client pointed at it (clients are slow to build)."""
    store = ParameterStore(values={})
    handler = type("BoundSsmHandler", (SsmHandler,), {"store": store})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield store, make_client("us-east-1", endpoint_url=f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    server.server_close()


@pytest.fixture
def ssm(ssm_endpoint: tuple[ParameterStore, Any]) -> Iterator[tuple[ParameterStore, Any]]:
    """The endpoint holding PARAMETERS, with no request seen yet and an empty secrets cache."""
    store, client = ssm_endpoint
    store.values = dict(PARAMETERS)
    store.requests.clear()
    store.deny = False
    forget_cached_secrets()
    yield store, client
    forget_cached_secrets()


def test_load_secrets_deployed_exports_values_where_settings_read_them(ssm: tuple[ParameterStore, Any]) -> None:
    store, client = ssm
    env = dict(DEPLOYED_ENV)
    exported = load_secrets(env, client=client)
    assert exported == ["CRAMP_HASH_SALT", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"]
    settings = Settings.from_env(env)
    assert settings.deployed
    assert settings.twilio_auth_token == PARAMETERS["/cramp-check/test/twilio-auth-token"]
    assert settings.twilio_account_sid == PARAMETERS["/cramp-check/test/twilio-account-sid"]
    assert settings.hash_salt == PARAMETERS["/cramp-check/test/hash-salt"]
    # One round trip for all three, asking SSM to decrypt.
    assert len(store.requests) == 1
    assert store.requests[0]["WithDecryption"] is True
    assert sorted(store.requests[0]["Names"]) == sorted(PARAMETERS)


def test_deployed_settings_without_loaded_secrets_refuse_to_start() -> None:
    with pytest.raises(SettingsError, match="CRAMP_HASH_SALT"):
        Settings.from_env(dict(DEPLOYED_ENV))


def test_get_secret_second_read_comes_from_cache(ssm: tuple[ParameterStore, Any]) -> None:
    store, client = ssm
    first = get_secret("/cramp-check/test/hash-salt", client=client)
    second = get_secret("/cramp-check/test/hash-salt", client=client)
    assert first == second == PARAMETERS["/cramp-check/test/hash-salt"]
    assert len(store.requests) == 1


def test_forget_cached_secrets_reads_a_rotated_value(ssm: tuple[ParameterStore, Any]) -> None:
    store, client = ssm
    name = "/cramp-check/test/twilio-auth-token"
    assert get_secret(name, client=client) == PARAMETERS[name]
    store.values[name] = "rotated-twilio-token-61f0"
    forget_cached_secrets()
    assert get_secret(name, client=client) == "rotated-twilio-token-61f0"


def test_load_secrets_local_mode_never_asks_ssm(ssm: tuple[ParameterStore, Any]) -> None:
    store, client = ssm
    env = {**DEPLOYED_ENV, "CRAMP_MODE": "local"}
    assert load_secrets(env, client=client) == []
    assert store.requests == []
    assert "TWILIO_AUTH_TOKEN" not in env


def test_load_secrets_missing_parameter_names_it_without_any_value(ssm: tuple[ParameterStore, Any]) -> None:
    store, client = ssm
    del store.values["/cramp-check/test/hash-salt"]
    env = dict(DEPLOYED_ENV)
    with pytest.raises(SecretsError, match="/cramp-check/test/hash-salt") as raised:
        load_secrets(env, client=client)
    for value in PARAMETERS.values():
        assert value not in str(raised.value)
    assert "TWILIO_AUTH_TOKEN" not in env


def test_load_secrets_access_denied_raises_secrets_error(ssm: tuple[ParameterStore, Any]) -> None:
    store, client = ssm
    store.deny = True
    with pytest.raises(SecretsError, match="AccessDeniedException"):
        load_secrets(dict(DEPLOYED_ENV), client=client)


def test_importing_secrets_module_does_not_load_boto3() -> None:
    probe = "import sys, shared.secrets; print('boto3' in sys.modules, 'botocore' in sys.modules)"
    result = subprocess.run(  # noqa: S603 - fixed command line
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.split() == ["False", "False"]


def test_every_ssm_variable_fills_a_setting_that_from_env_reads() -> None:
    values = {target: f"value-of-{target.lower()}-0123456789" for target in secrets.PARAMETER_VARIABLES.values()}
    settings = Settings.from_env({"CRAMP_MODE": "deployed", "CRAMP_STORE": "memory", **values})
    read = {str(getattr(settings, name)) for name in settings.__dataclass_fields__}
    assert set(values.values()) <= read


def test_lambda_entry_points_deployed_take_their_secrets_from_ssm(
    ssm: tuple[ParameterStore, Any], ssm_endpoint: tuple[ParameterStore, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from twilio.request_validator import RequestValidator

    from skill import lambda_function as alexa_lambda
    from sms import lambda_function as sms_lambda

    store, client = ssm
    for name, value in DEPLOYED_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSM", client.meta.endpoint_url)
    monkeypatch.setenv("CRAMP_PUBLIC_BASE_URL", "https://sms.example.org")
    for key in ("CRAMP_HASH_SALT", "TWILIO_AUTH_TOKEN", "TWILIO_ACCOUNT_SID"):
        monkeypatch.delenv(key, raising=False)
    launch = json.loads((REPO / "tests/fixtures/alexa/launch_request.json").read_text())
    # serverless.yml gives the Alexa function its skill id; deployed, it refuses to start without one.
    monkeypatch.setenv("CRAMP_ALEXA_SKILL_ID", launch["session"]["application"]["applicationId"])
    alexa_lambda.cold_start_skill.cache_clear()
    sms_lambda.get_app.cache_clear()
    try:
        reply = alexa_lambda.lambda_handler(launch, None)
        assert "Cramp Check" in reply["response"]["outputSpeech"]["ssml"]

        form = {"From": "+15550001111", "To": "+15550100100", "Body": "help!", "MessageSid": "SM" + "1" * 32}
        token = PARAMETERS["/cramp-check/test/twilio-auth-token"]
        signature = RequestValidator(token).compute_signature("https://sms.example.org/sms", form)
        answer = sms_lambda.get_app().test_client().post("/sms", data=form, headers={"X-Twilio-Signature": signature})
        assert answer.status_code == 200 and b"NextPain Care" in answer.data
        assert any(sorted(r["Names"]) == sorted(PARAMETERS) for r in store.requests)
    finally:
        alexa_lambda.cold_start_skill.cache_clear()
        sms_lambda.get_app.cache_clear()


def test_load_secrets_previous_twilio_token_is_read_during_a_rotation_and_absent_otherwise(
    ssm: tuple[ParameterStore, Any],
) -> None:
    store, client = ssm
    previous = "/cramp-check/test/twilio-auth-token-previous"
    env = {**DEPLOYED_ENV, "CRAMP_SSM_TWILIO_AUTH_TOKEN_PREVIOUS": previous}

    # No rotation under way: the parameter does not exist, and the function starts with one token.
    assert "TWILIO_AUTH_TOKEN_PREVIOUS" not in load_secrets(env, client=client)
    assert Settings.from_env(env).twilio_signing_tokens == ("ssm-twilio-token-4b8d2f",)

    forget_cached_secrets()
    store.values[previous] = "ssm-twilio-token-before-rotation"
    rotating = {**DEPLOYED_ENV, "CRAMP_SSM_TWILIO_AUTH_TOKEN_PREVIOUS": previous}
    assert "TWILIO_AUTH_TOKEN_PREVIOUS" in load_secrets(rotating, client=client)
    assert Settings.from_env(rotating).twilio_signing_tokens == (
        "ssm-twilio-token-4b8d2f", "ssm-twilio-token-before-rotation"
    )
    # A required parameter still fails when missing, named in the error.
    del store.values["/cramp-check/test/hash-salt"]
    forget_cached_secrets()
    with pytest.raises(SecretsError, match="hash-salt"):
        load_secrets({**DEPLOYED_ENV}, client=client)
