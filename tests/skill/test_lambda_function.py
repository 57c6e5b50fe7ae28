"""The Lambda entry point, configured from the environment as on AWS, driven with recorded envelopes."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from shared.records import ATTRIBUTES
from shared.stores import store_from_settings
from skill import lambda_function
from tests.skill.alexa_device import SKILL_ID, AlexaDevice

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class LambdaContext:
    """The attributes of AWS's context object that code might read."""

    function_name: str = "cramp-check-dev-alexa"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:cramp-check-dev-alexa"
    aws_request_id: str = "52fdfc07-2182-454f-963f-5f0f9a621d72"

    def get_remaining_time_in_millis(self) -> int:
        """Alexa allows 8 s; the function's timeout sits below it."""
        return 7000


@pytest.fixture
def lambda_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A local-mode environment with SQLite under tmp_path and the test skill id; a fresh cold start."""
    monkeypatch.setenv("CRAMP_MODE", "local")
    monkeypatch.setenv("CRAMP_STORE", "sqlite")
    monkeypatch.setenv("CRAMP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CRAMP_ALEXA_SKILL_ID", SKILL_ID)
    lambda_function.cold_start_skill.cache_clear()
    yield tmp_path
    lambda_function.cold_start_skill.cache_clear()


def test_lambda_handler_answers_a_whole_dialogue_keeping_no_health_information_by_default(lambda_env: Path) -> None:
    device = AlexaDevice(lambda envelope: lambda_function.lambda_handler(envelope, LambdaContext()))

    welcome = device.launch()
    device.describe(body_part="calf", feeling="locked", context="exercise")
    device.no()
    verdict = device.no()

    assert welcome.speech.startswith("Welcome to Cramp Check")
    assert "This sounds most like a cramp" in verdict.speech
    # clinic.yaml's health-data switch is off by default: nothing about the episode outlives the session.
    store = store_from_settings("sqlite", path=lambda_env / "cramp-check.sqlite3")
    assert store.scan(ATTRIBUTES) == []
    store.close()


def test_lambda_handler_builds_the_skill_once_per_cold_start(lambda_env: Path) -> None:
    device = AlexaDevice(lambda envelope: lambda_function.lambda_handler(envelope, LambdaContext()))
    device.launch()
    first = lambda_function.cold_start_skill()
    device.launch()

    assert lambda_function.cold_start_skill() is first


def test_lambda_handler_refuses_another_skills_request(lambda_env: Path) -> None:
    device = AlexaDevice(lambda envelope: lambda_function.lambda_handler(envelope, LambdaContext()))
    envelope = device.envelope("launch_request")
    envelope["context"]["System"]["application"]["applicationId"] = "amzn1.ask.skill.someone-else"

    with pytest.raises(Exception, match="Skill ID Verification failed"):
        lambda_function.lambda_handler(envelope, LambdaContext())


@pytest.mark.parametrize("system", [[], {"user": {"userId": "amzn1.ask.account.LAMBDA"}}, "System"],
                         ids=["list", "no-application", "string"])
def test_lambda_handler_answers_an_envelope_without_a_usable_system_with_an_empty_response(
    lambda_env: Path, caplog: pytest.LogCaptureFixture, system: object
) -> None:
    envelope = AlexaDevice(lambda envelope: {}).envelope("launch_request")
    envelope["context"]["System"] = system

    with caplog.at_level(logging.WARNING):
        response = lambda_function.lambda_handler(envelope, LambdaContext())

    assert response == {"version": "1.0", "response": {}}
    assert [r.getMessage() for r in caplog.records] == ["unusable Alexa envelope answered with an empty response"]
    assert "amzn1.ask.account" not in caplog.text


def test_skill_modules_never_import_boto3_or_twilio_for_a_local_request(tmp_path: Path) -> None:
    script = (
        "import sys, json\n"
        "from skill.lambda_function import lambda_handler\n"
        "event = json.load(open('tests/fixtures/alexa/launch_request.json'))\n"
        "lambda_handler(event, None)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 'twilio'))))\n"
    )
    env = {"CRAMP_MODE": "local", "CRAMP_STORE": "sqlite", "CRAMP_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60, check=True)

    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_skill_source_imports_boto3_and_twilio_nowhere() -> None:
    for path in (ROOT / "skill").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import boto3" not in text and "twilio" not in text, path


@pytest.mark.parametrize(
    "event",
    [[], "LaunchRequest", {"request": {"type": "NotARealRequestType"}}, {"request": {"type": "IntentRequest",
                                                                                    "dialogState": "HALFWAY"}}],
    ids=["list", "string", "unknown-request-type", "unknown-dialog-state"],
)
def test_lambda_handler_answers_an_event_the_serializer_refuses_with_an_empty_response(
    lambda_env: Path, caplog: pytest.LogCaptureFixture, event: object
) -> None:
    with caplog.at_level(logging.WARNING):
        response = lambda_function.lambda_handler(event, LambdaContext())

    assert response == {"version": "1.0", "response": {}}
    assert [r.getMessage() for r in caplog.records] == ["unusable Alexa envelope answered with an empty response"]
