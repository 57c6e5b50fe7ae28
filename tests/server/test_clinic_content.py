"""A clinic's own content (CRAMP_CONTENT_DIR) is what both channels say, through every entry point: the local
server's POST /sms and POST /alexa, and the Lambda handlers of the Alexa skill, the SMS line and its fallback."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from werkzeug.test import Client

from server.app import build_server
from shared.config import Settings
from shared.content import CONTENT_DIR
from skill import lambda_function as alexa_lambda
from sms import lambda_function as sms_lambda
from tests.server.conftest import open_test_store
from tests.skill.alexa_device import SKILL_ID, AlexaDevice
from tests.skill.test_lambda_function import LambdaContext
from tests.sms.conftest import AUTH_TOKEN, PUBLIC_BASE_URL, parse_twiml, sign, twilio_params
from tests.sms.test_lambda_function import http_api_event

EDITED_RELIEF = "Edited by the clinic, sit down and gently pull your toes toward you."
EDITED_CLINIC = "Edited Clinic of Testing"


@pytest.fixture
def edited_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the packaged content with the calf's relief step and the clinic's name reworded, named by
    CRAMP_CONTENT_DIR."""
    folder = tmp_path / "clinic-content"
    shutil.copytree(CONTENT_DIR, folder)
    wording = folder / "languages" / "en" / "wording.yaml"
    lines = wording.read_text(encoding="utf-8").splitlines()
    in_relief = False
    for index, line in enumerate(lines):
        in_relief = line == "relief:" or (in_relief and line.startswith("  "))
        if in_relief and line.startswith("  calf: "):
            lines[index] = f"  calf: {EDITED_RELIEF}"
    wording.write_text("\n".join(lines) + "\n", encoding="utf-8")
    clinic = folder / "clinic.yaml"
    clinic.write_text(clinic.read_text(encoding="utf-8").replace("name: NextPain Care", f"name: {EDITED_CLINIC}"))
    monkeypatch.setenv("CRAMP_CONTENT_DIR", str(folder))
    return folder


def test_local_server_both_endpoints_say_the_clinics_edited_wording(edited_content: Path, tmp_path: Path) -> None:
    settings = replace(
        Settings.from_env(), data_dir=tmp_path / "data", alexa_skill_id=SKILL_ID, alexa_local_simulator=True
    )
    assert settings.content_dir == str(edited_content)
    store = open_test_store(settings)
    client = Client(build_server(settings, store))
    host = {"Host": f"127.0.0.1:{settings.port}"}

    params = twilio_params("my calf locked up during my run")
    signature = sign(params, settings.public_base_url + "/sms", settings.twilio_auth_token)
    sms = client.post("/sms", data=params, headers={**host, "X-Twilio-Signature": signature})
    assert sms.status_code == 200
    assert EDITED_RELIEF in parse_twiml(sms.status_code, sms.get_data(as_text=True)).text

    def post_alexa(envelope: dict) -> dict:
        response = client.post(
            "/alexa", data=json.dumps(envelope), content_type="application/json", headers=host,
            environ_base={"REMOTE_ADDR": "127.0.0.1"},  # the local simulator answers only this machine
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    device = AlexaDevice(post_alexa, now=datetime.now(UTC))
    assert EDITED_CLINIC in device.launch().speech
    assert EDITED_RELIEF in device.describe(body_part="calf", feeling="locked").speech
    store.close()


def test_lambda_handlers_say_the_clinics_edited_wording(
    edited_content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRAMP_STORE", "sqlite")
    monkeypatch.setenv("CRAMP_DATA_DIR", str(tmp_path / "lambda-data"))
    monkeypatch.setenv("CRAMP_ALEXA_SKILL_ID", SKILL_ID)
    monkeypatch.setenv("CRAMP_PUBLIC_BASE_URL", PUBLIC_BASE_URL)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    alexa_lambda.cold_start_skill.cache_clear()
    sms_lambda.get_app.cache_clear()
    try:
        device = AlexaDevice(lambda envelope: alexa_lambda.lambda_handler(envelope, LambdaContext()))
        assert EDITED_CLINIC in device.launch().speech
        assert EDITED_RELIEF in device.describe(body_part="calf", feeling="locked").speech

        result = sms_lambda.handler(http_api_event(twilio_params("my calf locked up during my run")), None)
        assert EDITED_RELIEF in parse_twiml(result["statusCode"], result["body"]).text

        fallback = sms_lambda.fallback_handler({}, None)
        assert EDITED_CLINIC in fallback["body"]
    finally:
        alexa_lambda.cold_start_skill.cache_clear()
        sms_lambda.get_app.cache_clear()
