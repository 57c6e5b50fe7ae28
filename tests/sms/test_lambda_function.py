"""The Lambda entry points behind API Gateway HTTP API (payload 2.0) give what the Flask route gives."""

from __future__ import annotations

import base64
import copy
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from shared.stores import store_from_settings
from sms import lambda_function
from sms.app import create_app
from sms.http_api import call_wsgi
from tests.sms.conftest import AUTH_TOKEN, PUBLIC_BASE_URL, make_settings, parse_twiml, sign, twilio_params
from tests.sms.helpers import assert_sms_text

EVENT_FILE = Path(__file__).parent / "data" / "http_api_v2_sms.json"
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
    lambda_function.get_app.cache_clear()
    yield data_dir
    lambda_function.get_app.cache_clear()
    root.handlers[:] = handlers
    root.setLevel(level)


def test_lambda_http_api_event_gives_the_same_twiml_as_the_flask_route(lambda_env: Path, tmp_path: Path) -> None:
    flask_client = create_app(make_settings(tmp_path), store_from_settings("memory")).test_client()
    for body in ("my calf locked up during my run", "no", "TIPS", "CALL", "3", "HELP"):
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


def test_lambda_validates_against_the_public_url_not_its_own_stage_path(lambda_env: Path) -> None:
    params = twilio_params("STOP")
    own_url = "https://abc123defg.execute-api.us-east-1.amazonaws.com/dev/sms"
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


def test_lambda_retry_handler_resends_pending_staff_notifications(lambda_env: Path) -> None:
    for body in ("calf cramp", "CALL", "1"):
        lambda_function.handler(http_api_event(twilio_params(body)), None)
    store = lambda_function.get_app().extensions["cramp_sms"].store
    (record,) = store.scan("callbacks")
    data = {**record.data, "notified": False}
    store.put("callbacks", record.key, data, expected_version=record.version)
    assert lambda_function.retry_handler({"source": "aws.events"}, None) == {"retried": 1, "notified": 1, "failed": 0}
    assert store.scan("callbacks")[0].data["notified"] is True


def test_http_api_adapter_passes_stage_query_and_cookies_both_ways() -> None:
    seen: dict[str, Any] = {}

    def app(environ: dict, start_response: Any) -> list[bytes]:
        seen.update(environ)
        start_response("201 Created", [("Content-Type", "text/plain"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])
        return [environ["wsgi.input"].read()]

    event = copy.deepcopy(http_api_event({"Body": "x"}))
    event["rawQueryString"] = "clinic=main&x=%20y"
    event["cookies"] = ["c=3", "d=4"]
    result = call_wsgi(app, event)
    assert seen["PATH_INFO"] == "/sms" and seen["SCRIPT_NAME"] == "/dev"
    assert seen["QUERY_STRING"] == "clinic=main&x=%20y" and seen["HTTP_COOKIE"] == "c=3; d=4"
    assert result["statusCode"] == 201 and result["body"] == "Body=x" and result["cookies"] == ["a=1", "b=2"]
