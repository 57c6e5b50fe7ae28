"""The Lambda entry points behind API Gateway HTTP API (payload 2.0) give what the Flask route gives."""

from __future__ import annotations

import base64
import io
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest

from shared import logs
from shared.stores import store_from_settings
from sms import lambda_function
from sms.app import create_app
from sms.outbound import read_outbox
from tests.sms.conftest import (
    AUTH_TOKEN,
    PUBLIC_BASE_URL,
    SENDER,
    make_settings,
    parse_twiml,
    sign,
    twilio_params,
)
from tests.sms.helpers import assert_sms_text

EVENT_FILE = Path(__file__).parent / "data" / "http_api_v2_sms.json"


@dataclass(frozen=True)
class FakeContext:
    """The one attribute of Lambda's context object the entry points read."""

    aws_request_id: str
SALT = "test-salt-for-sms-tests"


def http_api_event(params: dict[str, str], *, base64_body: bool = True, signed_url: str | None = None) -> dict:
    """The recorded HTTP API v2 event with this form body, signed as Twilio signs the public URL."""
    event = json.loads(EVENT_FILE.read_text())
    body = urlencode(params)
    event["body"] = base64.b64encode(body.encode()).decode() if base64_body else body
    event["isBase64Encoded"] = base64_body
    event["headers"]["content-length"] = str(len(body))
    event["headers"]["x-twilio-signature"] = sign(params, signed_url or PUBLIC_BASE_URL + "/sms")
    return event


@pytest.fixture
def lambda_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The deployed-style environment for the Lambda app, with a fresh app per test."""
    data_dir = tmp_path / "lambda-data"
    monkeypatch.setenv("CRAMP_STORE", "sqlite")
    monkeypatch.setenv("CRAMP_DATA_DIR", str(data_dir))
    monkeypatch.setenv("CRAMP_PUBLIC_BASE_URL", PUBLIC_BASE_URL)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    monkeypatch.setenv("CRAMP_HASH_SALT", SALT)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    for cached in (lambda_function.get_app, lambda_function.wsgi_handler, lambda_function.notifier):
        cached.cache_clear()
    yield data_dir
    for cached in (lambda_function.get_app, lambda_function.wsgi_handler, lambda_function.notifier):
        cached.cache_clear()
    root.handlers[:] = handlers
    root.setLevel(level)


def test_lambda_http_api_event_gives_the_same_twiml_as_the_flask_route(lambda_env: Path, tmp_path: Path) -> None:
    flask_client = create_app(make_settings(tmp_path), store_from_settings("memory")).test_client()
    for body in ("my calf locked up during my run", "no", "TIPS", "CALL", "3", "help!"):
        params = twilio_params(body)
        result = lambda_function.handler(http_api_event(params), None)
        direct = flask_client.post("/sms", data=params, headers={"X-Twilio-Signature": sign(params)})
        assert result["statusCode"] == 200 == direct.status_code
        assert result["headers"]["content-type"].startswith("text/xml")
        assert result["body"] == direct.get_data(as_text=True), body
        assert result["isBase64Encoded"] is False
        assert "<Message>" in result["body"]


def test_lambda_plain_text_body_works_too(lambda_env: Path) -> None:
    result = lambda_function.handler(http_api_event(twilio_params("calf cramp"), base64_body=False), None)
    assert result["statusCode"] == 200 and "Right now:" in result["body"]


def test_lambda_validates_against_the_public_url_not_its_own_host(lambda_env: Path) -> None:
    params = twilio_params("STOP")
    own_url = "https://abc123defg.execute-api.us-east-1.amazonaws.com/sms"
    result = lambda_function.handler(http_api_event(params, signed_url=own_url), None)
    assert result["statusCode"] == 403
    store = lambda_function.get_app().extensions["cramp_sms"].store
    assert store.scan("optouts") == [] and store.scan("conversations") == []


def test_lambda_custom_domain_without_stage_prefix_is_served(lambda_env: Path) -> None:
    event = http_api_event(twilio_params("calf cramp"))
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/sms"
    event["requestContext"]["stage"] = "$default"
    event["requestContext"]["domainName"] = event["headers"]["host"] = "cramp.clinic.example"
    assert lambda_function.handler(event, None)["statusCode"] == 200


def test_lambda_missing_signature_header_is_forbidden(lambda_env: Path) -> None:
    event = http_api_event(twilio_params("hi"))
    del event["headers"]["x-twilio-signature"]
    assert lambda_function.handler(event, None)["statusCode"] == 403


def test_lambda_state_lives_in_the_configured_store(lambda_env: Path) -> None:
    lambda_function.handler(http_api_event(twilio_params("my calf")), None)
    lambda_function.handler(http_api_event(twilio_params("no")), None)
    assert (lambda_env / "cramp-check.sqlite3").exists()
    result = lambda_function.handler(http_api_event(twilio_params("1")), None)
    assert "When did it start?" in result["body"]


def test_lambda_fallback_handler_gives_static_twiml_with_the_clinic_number() -> None:
    result = lambda_function.fallback_handler({"rawPath": "/sms/fallback"}, None)
    assert result["statusCode"] == 200 and result["headers"]["content-type"] == "text/xml"
    text = parse_twiml(200, result["body"]).text
    assert_sms_text(text)
    assert "+1 555 0100" in text and "911" in text


def test_lambda_staff_notify_handler_sends_what_the_stream_reports_and_the_schedule_finds_nothing_due(
    lambda_env: Path,
) -> None:
    for body in ("calf cramp", "CALL", "1"):
        lambda_function.handler(http_api_event(twilio_params(body)), None)
    settings = lambda_function.get_app().extensions["cramp_sms"].settings
    # The webhook stored the request and texted nobody: the staff text leaves the patient's request path.
    assert read_outbox(settings) == []
    store = lambda_function.get_app().extensions["cramp_sms"].store
    (record,) = store.scan("callbacks")
    stream_event = {"Records": [{"eventName": "INSERT", "eventSource": "aws:dynamodb",
                                 "dynamodb": {"Keys": {"pk": {"S": record.key}}}}]}
    assert lambda_function.staff_notify_handler(stream_event, None) == {"sent": 1, "failed": 0, "overdue": 0}
    (sent,) = read_outbox(settings)
    assert record.key in sent["body"]
    # The local outbox is where the text goes, so it counts as delivered; the schedule has nothing left to send.
    assert store.get("callbacks", record.key).data["notified"] is True
    assert lambda_function.staff_notify_handler({"source": "aws.events"}, None) == {"sent": 0, "failed": 0,
                                                                                    "overdue": 0}


def test_lambda_logs_carry_the_request_id_and_a_cold_start_flag_only_on_the_first_call(
    lambda_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logs, "_first_invocation", True)  # as in a fresh Lambda process
    lambda_function.get_app()  # its configure_logging first, so the handler added below stays
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(logs.JsonFormatter())
    logging.getLogger().addHandler(handler)
    try:
        lambda_function.handler(http_api_event(twilio_params("calf cramp")), FakeContext("req-1"))
        lambda_function.handler(http_api_event(twilio_params("no")), FakeContext("req-2"))
    finally:
        logging.getLogger().removeHandler(handler)
    lines = [json.loads(line) for line in written.getvalue().splitlines()]
    handled = [(line["request_id"], line["cold_start"]) for line in lines if line["message"] == "sms handled"]
    assert handled == [("req-1", True), ("req-2", False)]
    assert all(line["request_id"] in ("req-1", "req-2") for line in lines)
    assert SENDER not in written.getvalue()
