"""Lambda emulation from the built artifacts: each zip, unzipped alone, answers exactly as the local server does.

Each function's deployable zip is extracted to a temporary folder and run by tests/deploy/lambda_runtime.py in
a fresh `python -I -S -B`, whose sys.path holds only the standard library, that folder, and a stand-in for the
boto3 that the Lambda runtime provides (it is deliberately not shipped). The handler named in the template
gets real event shapes: an Alexa request envelope, and an API Gateway HTTP API (payload 2.0) event with a
Twilio-signed, base64-encoded form body. The same requests go through the local server (server.app,
in-process); the answers must be equal.

Compiled code: the zip holds aarch64 / CPython 3.12 extension modules, which cannot load on an x86-64 test
machine. Before running, every distribution in the unzipped folder whose wheel is platform-specific
(`Root-Is-Purelib: false` in its WHEEL file) is removed file by file, as its RECORD lists them, and
reinstalled at the same version for this machine's platform and Python. Everything else (our code, the
pure-Python dependencies, the layout) is the deployed zip as is; a test checks that only compiled
distributions were swapped and that no foreign binary is left.
"""

from __future__ import annotations

import base64
import copy
import csv
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.parser import Parser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator
from werkzeug.test import Client

from deploy.local_task import swap_compiled_distributions, unzip
from server.app import build_server
from shared.config import COLLECTIONS, Settings
from shared.content import load_content
from shared.dialogue import Step
from shared.identity import hashed_id
from shared.stores import store_from_settings
from tests.deploy.conftest import REGION, SKILL_ID, SMS_FROM, Build
from tests.skill.alexa_device import AlexaDevice
from tests.skill.profile_api import CONSENTED, MOBILE_NUMBER_PATH, FakeProfileApi
from tests.sms.twilio_api import FakeTwilioApi

pytestmark = pytest.mark.packaging

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "alexa"
RUNTIME_SCRIPT = Path(__file__).with_name("lambda_runtime.py")
# What the Lambda Python runtime itself provides (under /var/runtime); serverless.yml does not ship them.
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")
TOKEN = "emulation-twilio-token-5d1f0a9b7c"
SALT = "emulation-hash-salt-3c8e27a1f4"
ACCOUNT_SID = "AC" + "7" * 32
API_HOST = "abc123defg.execute-api.us-east-1.amazonaws.com"
API_ENDPOINT = f"https://{API_HOST}"  # what Fn::GetAtt HttpApi.ApiEndpoint resolves to
SENDER = "+15550100123"
MOBILE = "+15550001111"  # the number tests/skill/profile_api.py gives the consented token
FUNCTIONS = ("alexa", "sms", "sms_fallback", "staff_notify", "staff")
STAFF_ISSUER = "http://127.0.0.1:9/us-east-1_EMULATED"  # no key server: every token fails, as a forged one would
STAFF_CLIENT_ID = "emulatedinboxclient"


# --- the Lambda side ----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def runtime_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Lambda's /var/runtime stand-in: boto3 and its dependencies, linked from this virtualenv."""
    folder = tmp_path_factory.mktemp("var-runtime")
    for name in RUNTIME_PACKAGES:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin, f"{name} is not installed in the test environment"
        origin = Path(spec.origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        (folder / source.name).symlink_to(source, target_is_directory=source.is_dir())
    return folder


@dataclass(frozen=True)
class TaskDir:
    """A function's zip unzipped as Lambda's /var/task, and the distributions swapped for this machine."""

    folder: Path
    swapped: tuple[str, ...]


@pytest.fixture(scope="session")
def task_dirs(lambda_build: Build, tmp_path_factory: pytest.TempPathFactory) -> dict[str, TaskDir]:
    """Each function's deployable zip, unzipped, with its compiled distributions rebuilt for this machine."""
    base = tmp_path_factory.mktemp("var-task")
    dirs = {}
    for function in FUNCTIONS:
        folder = unzip(lambda_build.artifact(function), base / function)
        dirs[function] = TaskDir(folder, swap_compiled_distributions(folder))
    return dirs


def function_properties(template: dict[str, Any], function: str) -> dict[str, Any]:
    """The Lambda function resource's properties, looked up by its serverless name."""
    for body in template["Resources"].values():
        if body["Type"] == "AWS::Lambda::Function" and body["Properties"]["FunctionName"].endswith(f"-{function}"):
            return body["Properties"]
    raise KeyError(function)


def lambda_environment(
    template: dict[str, Any], function: str, table_names: dict[str, str], endpoint: str, home: Path
) -> dict[str, str]:
    """The function's environment as deployed, with CloudFormation references resolved to the test's values.

    SSM parameter names are replaced by the values shared/secrets.py would export from them; that module is
    tested against a real boto3 client in tests/deploy/test_secrets.py.
    """
    resolved = {f"{c.capitalize()}Table": name for c, name in table_names.items()}
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "TZ": ":UTC",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_LAMBDA_FUNCTION_NAME": f"cramp-check-dev-{function}",
        "CRAMP_DYNAMODB_ENDPOINT": endpoint,  # the local DynamoDB-compatible server
    }
    secrets = {
        "CRAMP_SSM_HASH_SALT": ("CRAMP_HASH_SALT", SALT),
        "CRAMP_SSM_TWILIO_AUTH_TOKEN": ("TWILIO_AUTH_TOKEN", TOKEN),
        "CRAMP_SSM_TWILIO_ACCOUNT_SID": ("TWILIO_ACCOUNT_SID", ACCOUNT_SID),
    }
    # Optional parameters that do not exist outside a token rotation: shared/secrets.py exports nothing for them.
    absent = {"CRAMP_SSM_TWILIO_AUTH_TOKEN_PREVIOUS"}
    for key, value in function_properties(template, function).get("Environment", {}).get("Variables", {}).items():
        if key in absent:
            continue
        if key in secrets:
            target, secret = secrets[key]
            env[target] = secret
        elif isinstance(value, str):
            env[key] = value
        elif key == "CRAMP_STAFF_ISSUER":
            env[key] = STAFF_ISSUER
        elif key == "CRAMP_STAFF_CLIENT_ID":
            env[key] = STAFF_CLIENT_ID
        elif key == "CRAMP_STAFF_SIGN_IN_URL":
            env[key] = "https://cramp-check-dev-123456789012.auth.us-east-1.amazoncognito.com"
        elif "Ref" in value:
            env[key] = resolved[value["Ref"]]
        elif value == {"Fn::GetAtt": ["HttpApi", "ApiEndpoint"]}:
            env[key] = API_ENDPOINT
        else:
            raise AssertionError(f"{function}: no emulation for {key}={value!r}")
    return env


def run_lambda(
    folder: Path,
    runtime: Path,
    template: dict[str, Any],
    function: str,
    events: list[dict[str, Any]],
    env: dict[str, str],
    imports: tuple[str, ...] = (),
    carry_session: bool = False,
) -> dict[str, Any]:
    """Cold-start the function from `folder` in a fresh isolated interpreter and feed it the events."""
    props = function_properties(template, function)
    request_file = folder.parent / f"{function}-request-{uuid.uuid4().hex[:8]}.json"
    output = request_file.with_suffix(".out.json")
    request = {
        "paths": [str(folder), str(runtime)],
        "handler": props["Handler"],
        "function_name": props["FunctionName"],
        "timeout_s": props["Timeout"],
        "events": events,
        "imports": list(imports),
        "carry_session": carry_session,
        "output": str(output),
    }
    request_file.write_text(json.dumps(request), encoding="utf-8")
    completed = subprocess.run(  # noqa: S603 - fixed command line
        [sys.executable, "-I", "-S", "-B", str(RUNTIME_SCRIPT), str(request_file)],
        cwd=folder,  # Lambda's working directory is /var/task
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    result = json.loads(output.read_text(encoding="utf-8"))
    result["stderr"] = completed.stderr
    return result


# --- the local side -----------------------------------------------------------------------------------------


@pytest.fixture
def local_server(tmp_path: Path) -> Client:
    """The local server (both channels and the pages), in-process over a fresh in-memory store."""
    return local_server_for(tmp_path)


def local_server_for(tmp_path: Path, twilio_api_base: str | None = None, profile_api: str | None = None) -> Client:
    """The local server over a fresh in-memory store, its Twilio REST client pointed at `twilio_api_base` and
    envelopes naming `profile_api` (a local Customer Profile API) accepted besides Alexa's own API hosts."""
    settings = Settings(
        store="memory",
        data_dir=tmp_path / "local-data",
        public_base_url=API_ENDPOINT,
        hash_salt=SALT,
        twilio_auth_token=TOKEN,
        twilio_account_sid=ACCOUNT_SID,
        twilio_from_number=SMS_FROM,
        twilio_api_base=twilio_api_base,
        alexa_skill_id=SKILL_ID,
        # Lets the local /alexa take unsigned envelopes; the deployed trigger is bound to the skill id instead.
        alexa_local_simulator=True,
        alexa_local_api_endpoint=profile_api,
    )
    return Client(build_server(settings, store_from_settings("memory")))


def post_alexa(server: Client, envelope: dict[str, Any]) -> dict[str, Any]:
    """One envelope through the local server's /alexa, as the local simulator sends it."""
    reply = server.post(
        "/alexa",
        data=json.dumps(envelope),
        content_type="application/json",
        environ_base={"REMOTE_ADDR": "127.0.0.1"},  # the unsigned local path answers loopback only
    )
    assert reply.status_code == 200, reply.get_data(as_text=True)
    return reply.get_json()


def alexa_event(name: str) -> dict[str, Any]:
    """A real Alexa request envelope from tests/fixtures/alexa, stamped now (requests older than 150 s are refused)."""
    envelope = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    envelope["request"]["timestamp"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return envelope


def twilio_form(body: str, sender: str = SENDER) -> dict[str, str]:
    """The form fields Twilio posts for one inbound SMS."""
    sid = "SM" + uuid.uuid4().hex
    return {
        "ToCountry": "US",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "SmsSid": sid,
        "SmsStatus": "received",
        "Body": body,
        "FromCountry": "US",
        "To": SMS_FROM,
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }


def http_api_event(path: str, form: dict[str, str], signature: str) -> dict[str, Any]:
    """An API Gateway HTTP API payload 2.0 event for Twilio's POST, body base64-encoded as API Gateway sends it."""
    body = urlencode(form)
    now = datetime.now(UTC)
    return {
        "version": "2.0",
        "routeKey": f"POST {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {
            "accept": "*/*",
            "content-length": str(len(body)),
            "content-type": "application/x-www-form-urlencoded",
            "host": API_HOST,
            "i-twilio-idempotency-token": str(uuid.uuid4()),
            "user-agent": "TwilioProxy/1.1",
            "x-amzn-trace-id": "Root=1-67450000-0123456789abcdef01234567",
            "x-forwarded-for": "54.172.60.1",
            "x-forwarded-port": "443",
            "x-forwarded-proto": "https",
            "x-home-region": "us1",
            "x-twilio-signature": signature,
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": API_HOST.split(".", 1)[0],
            "domainName": API_HOST,
            "domainPrefix": API_HOST.split(".", 1)[0],
            "http": {
                "method": "POST",
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "54.172.60.1",
                "userAgent": "TwilioProxy/1.1",
            },
            "requestId": "emulated-" + uuid.uuid4().hex[:12],
            "routeKey": f"POST {path}",
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "body": base64.b64encode(body.encode("utf-8")).decode("ascii"),
        "isBase64Encoded": True,
    }


def signed_sms(path: str, text: str, sender: str = SENDER) -> tuple[dict[str, str], str]:
    """Twilio's form for `text` and its X-Twilio-Signature for the public URL, by the real validator."""
    form = twilio_form(text, sender)
    return form, RequestValidator(TOKEN).compute_signature(API_ENDPOINT + path, form)


# --- the tests ----------------------------------------------------------------------------------------------


def test_alexa_zip_alone_answers_launch_and_symptom_like_local_server(
    task_dirs: dict[str, TaskDir],
    template: dict[str, Any],
    runtime_dir: Path,
    local_server: Client,
    dynamodb_table_names: dict[str, str],
    dynamodb_endpoint: str,
    tmp_path: Path,
) -> None:
    events = [alexa_event("launch_request.json"), alexa_event("describe_symptom_intent.json")]
    folder = task_dirs["alexa"].folder
    env = lambda_environment(template, "alexa", dynamodb_table_names, dynamodb_endpoint, tmp_path)
    result = run_lambda(folder, runtime_dir, template, "alexa", events, env)

    local = []
    for event in events:
        reply = local_server.post(
            "/alexa",
            data=json.dumps(event),
            content_type="application/json",
            environ_base={"REMOTE_ADDR": "127.0.0.1"},  # the unsigned local path answers loopback only
        )
        assert reply.status_code == 200, reply.get_data(as_text=True)
        local.append(reply.get_json())
    emulated = [entry["answer"] for entry in result["answers"]]
    assert emulated == local
    assert emulated[0]["response"]["outputSpeech"]["ssml"].startswith("<speak>")
    assert result["foreign_modules"] == []
    assert result["compiled"] == [], "shipped modules without usable CPython 3.12 bytecode"
    assert result["origins"]["ask_sdk_core"].startswith(str(folder))
    # The skill's memory went to DynamoDB through the runtime's boto3.
    assert result["origins"]["boto3"].startswith(str(runtime_dir))
    assert result["import_seconds"] < 5
    # twilio.rest costs ~200 ms to import: the Alexa cold start must not pay it (it loads on the first text).
    assert not [name for name in result["cold_start_modules"] if name.split(".")[0] == "twilio"]
    # The first answers read the saved content (no PyYAML) and the compiled templates (deploy/prebuild.py).
    assert "yaml" not in result["modules"]
    assert [name for name in result["modules"] if name.startswith("_jinja2_module_templates_")]


def test_alexa_zip_template_edited_after_packaging_is_said_not_the_stale_compiled_one(
    task_dirs: dict[str, TaskDir],
    template: dict[str, Any],
    runtime_dir: Path,
    dynamodb_table_names: dict[str, str],
    dynamodb_endpoint: str,
    tmp_path: Path,
) -> None:
    folder = tmp_path / "task"
    shutil.copytree(task_dirs["alexa"].folder, folder, symlinks=True)
    welcome = folder / "shared" / "templates" / "alexa" / "welcome.ssml.j2"
    welcome.write_text(welcome.read_text(encoding="utf-8") + " Edited after packaging.", encoding="utf-8")
    env = lambda_environment(template, "alexa", dynamodb_table_names, dynamodb_endpoint, tmp_path)

    result = run_lambda(folder, runtime_dir, template, "alexa", [alexa_event("launch_request.json")], env)

    speech = result["answers"][0]["answer"]["response"]["outputSpeech"]["ssml"]
    assert "Edited after packaging." in speech
    assert not [name for name in result["modules"] if name.startswith("_jinja2_module_templates_")]
    assert "compiled templates differ from the template sources" in result["stderr"]


@pytest.fixture
def twilio_api() -> Iterator[FakeTwilioApi]:
    """Twilio's Messages REST API on loopback, recording each request as Twilio would receive it."""
    with FakeTwilioApi() as api:
        yield api


def test_alexa_zip_alone_texts_me_that_through_twilio_keeping_no_health_information(
    task_dirs: dict[str, TaskDir],
    template: dict[str, Any],
    runtime_dir: Path,
    dynamodb_table_names: dict[str, str],
    dynamodb_endpoint: str,
    profile_api: FakeProfileApi,
    twilio_api: FakeTwilioApi,
    tmp_path: Path,
) -> None:
    # The local server holds the same conversation first; its envelopes are then replayed to the Lambda.
    local_server = local_server_for(tmp_path, twilio_api.base_url, profile_api.endpoint)
    envelopes: list[dict[str, Any]] = []
    local: list[dict[str, Any]] = []

    def send(envelope: dict[str, Any]) -> dict[str, Any]:
        envelopes.append(copy.deepcopy(envelope))
        local.append(post_alexa(local_server, envelope))
        return local[-1]

    device = AlexaDevice(send, now=datetime.now(UTC), api_endpoint=profile_api.endpoint, api_access_token=CONSENTED)
    device.describe(body_part="calf", feeling="locked", context="exercise")
    device.no()
    device.no()
    device.intent("TextMeIntent")
    [local_text] = twilio_api.requests

    folder = task_dirs["alexa"].folder
    env = lambda_environment(template, "alexa", dynamodb_table_names, dynamodb_endpoint, tmp_path)
    # Test-only: the twilio client's base and the profile API's self-signed certificate. The deployed
    # function has neither, so it talks to api.twilio.com and api.amazonalexa.com with the system CAs.
    env["CRAMP_TWILIO_API_BASE"] = twilio_api.base_url
    env["REQUESTS_CA_BUNDLE"] = str(profile_api.cert_path)
    result = run_lambda(folder, runtime_dir, template, "alexa", envelopes, env, carry_session=True)

    emulated = [entry["answer"] for entry in result["answers"]]
    assert emulated == local
    # The packaged clinic.yaml keeps no health information by voice (alexa_health_data: false).
    assert "texted what to do and" in emulated[-1]["response"]["outputSpeech"]["ssml"]
    # The number was asked for with the request's own token, once per run.
    assert profile_api.requests == [{"path": MOBILE_NUMBER_PATH, "authorization": f"Bearer {CONSENTED}"}] * 2
    # What Twilio received from the deployed code: the same text, sent with the SSM credentials.
    [_, lambda_text] = twilio_api.requests
    assert lambda_text == local_text
    assert lambda_text["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert lambda_text["basic_auth"] == (ACCOUNT_SID, TOKEN)
    assert lambda_text["content_type"] == "application/x-www-form-urlencoded"
    form = lambda_text["form"]
    assert (form["To"], form["From"]) == (MOBILE, SMS_FROM)
    assert str(load_content().clinic["phone"]) in form["Body"]
    # What the person reads: the relief step, and how to carry on by text; never the verdict or its reasons.
    assert "Right now:" in form["Body"] and "Most likely" not in form["Body"]
    assert "Reply CALL" in form["Body"]

    # Nothing of the voice triage is handed to the SMS line: no conversation seeded for that number.
    store = store_from_settings(
        "dynamodb", table_names=dynamodb_table_names, endpoint_url=dynamodb_endpoint, region=REGION
    )
    assert store.get("conversations", hashed_id("phone", MOBILE, SALT)) is None

    # The person replies CALL to the text: the SMS function (its own zip) asks when to call back.
    call_form, call_signature = signed_sms("/sms", "CALL", sender=MOBILE)
    sms_env = lambda_environment(template, "sms", dynamodb_table_names, dynamodb_endpoint, tmp_path)
    event = http_api_event("/sms", call_form, call_signature)
    reply = run_lambda(task_dirs["sms"].folder, runtime_dir, template, "sms", [event], sms_env)["answers"][0]
    assert reply["answer"]["statusCode"] == 200
    assert "call you back?" in reply["answer"]["body"]
    continued = store.get("conversations", hashed_id("phone", MOBILE, SALT))
    assert continued is not None
    assert continued.data["conversation"]["step"] == Step.CALLBACK_WINDOW.value
    assert MOBILE not in json.dumps(continued.data)

    # twilio loaded on the first text only, from the zip; the cold start did not pay for it, nor for flask.
    assert not [name for name in result["cold_start_modules"] if name.split(".")[0] in ("twilio", "sms")]
    assert result["origins"]["twilio.rest"].startswith(str(folder))
    assert result["origins"]["sms.outbound"] == str(folder / "sms" / "outbound.py")
    assert not [name for name in result["origins"] if name.split(".")[0] in ("flask", "werkzeug")]
    assert sorted(name for name in result["origins"] if name.split(".")[0] == "sms") == ["sms", "sms.outbound"]
    assert result["foreign_modules"] == []
    assert result["compiled"] == [], "shipped modules without usable CPython 3.12 bytecode"
    # No number or message text in the function's logs.
    assert MOBILE not in result["stderr"] and form["Body"] not in result["stderr"]


def test_sms_zip_alone_answers_signed_http_api_event_like_local_server(
    task_dirs: dict[str, TaskDir],
    template: dict[str, Any],
    runtime_dir: Path,
    local_server: Client,
    dynamodb_table_names: dict[str, str],
    dynamodb_endpoint: str,
    tmp_path: Path,
) -> None:
    # "help!" is not an exact keyword: the line answers it (an exact HELP is answered by Twilio alone).
    messages = ["my calf locked up in bed last night for about 5 minutes", "help!"]
    signed = [signed_sms("/sms", text) for text in messages]
    events = [http_api_event("/sms", form, signature) for form, signature in signed]
    folder = task_dirs["sms"].folder
    env = lambda_environment(template, "sms", dynamodb_table_names, dynamodb_endpoint, tmp_path)
    result = run_lambda(folder, runtime_dir, template, "sms", events, env, imports=("twilio.rest",))

    for (form, signature), entry in zip(signed, result["answers"], strict=True):
        local = local_server.post(
            "/sms",
            data=urlencode(form),
            content_type="application/x-www-form-urlencoded",
            headers={"X-Twilio-Signature": signature},
            base_url=API_ENDPOINT,
        )
        emulated = entry["answer"]
        assert emulated["statusCode"] == local.status_code == 200
        assert emulated["headers"]["content-type"] == local.headers["Content-Type"]
        assert emulated["body"] == local.get_data(as_text=True)
        assert "<Message>" in emulated["body"]
    assert result["foreign_modules"] == []
    assert result["compiled"] == [], "shipped modules without usable CPython 3.12 bytecode"
    assert result["origins"]["flask"].startswith(str(folder))
    # Outbound texts (staff notifications) need the REST client: it must load from the zip too.
    assert result["origins"]["twilio.rest"].startswith(str(folder))
    assert result["import_seconds"] < 5


def test_sms_zip_refuses_event_whose_body_was_changed_after_signing(
    task_dirs: dict[str, TaskDir],
    template: dict[str, Any],
    runtime_dir: Path,
    dynamodb_table_names: dict[str, str],
    dynamodb_endpoint: str,
    tmp_path: Path,
) -> None:
    form, signature = signed_sms("/sms", "my calf cramps")
    forged = copy.deepcopy(form)
    forged["Body"] = "STOP"
    env = lambda_environment(template, "sms", dynamodb_table_names, dynamodb_endpoint, tmp_path)
    result = run_lambda(
        task_dirs["sms"].folder, runtime_dir, template, "sms", [http_api_event("/sms", forged, signature)], env
    )
    assert result["answers"][0]["answer"]["statusCode"] == 403


def test_sms_fallback_zip_answers_with_clinic_number_and_emergency_number(
    task_dirs: dict[str, TaskDir], template: dict[str, Any], runtime_dir: Path, tmp_path: Path
) -> None:
    form, signature = signed_sms("/sms/fallback", "my calf cramps")
    # No DynamoDB endpoint and tables that do not exist: the fallback must answer without them.
    env = lambda_environment(template, "sms_fallback", {c: f"absent-{c}" for c in COLLECTIONS}, "", tmp_path)
    env.pop("CRAMP_DYNAMODB_ENDPOINT")
    event = http_api_event("/sms/fallback", form, signature)
    result = run_lambda(task_dirs["sms_fallback"].folder, runtime_dir, template, "sms_fallback", [event], env)
    answer = result["answers"][0]["answer"]
    content = load_content()
    assert answer["statusCode"] == 200
    assert answer["headers"]["content-type"].startswith("text/xml")
    assert "<Message>" in answer["body"]
    assert str(content.clinic["phone"]) in answer["body"]
    assert content.locale("en-US")["emergency_number"] in answer["body"]
    assert result["foreign_modules"] == []
    assert result["compiled"] == [], "shipped modules without usable CPython 3.12 bytecode"


def test_staff_notify_zip_runs_on_schedule_event_with_empty_queue(
    task_dirs: dict[str, TaskDir],
    template: dict[str, Any],
    runtime_dir: Path,
    dynamodb_table_names: dict[str, str],
    dynamodb_endpoint: str,
    tmp_path: Path,
) -> None:
    schedule_event = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/cramp-check-dev-notify-retry"],
        "detail": {},
    }
    env = lambda_environment(template, "staff_notify", dynamodb_table_names, dynamodb_endpoint, tmp_path)
    result = run_lambda(task_dirs["staff_notify"].folder, runtime_dir, template, "staff_notify", [schedule_event], env)
    assert result["answers"][0]["answer"] == {"sent": 0, "failed": 0, "overdue": 0}
    # No Flask for a function that answers no HTTP request.
    assert not [name for name in result["cold_start_modules"] if name.split(".")[0] in ("flask", "werkzeug")]
    assert result["foreign_modules"] == []
    assert result["compiled"] == [], "shipped modules without usable CPython 3.12 bytecode"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_emulated_task_dir_differs_from_zip_only_in_compiled_distributions(
    lambda_build: Build, task_dirs: dict[str, TaskDir], function: str
) -> None:
    task = task_dirs[function]
    with zipfile.ZipFile(lambda_build.artifact(function)) as archive:
        names = [info.filename for info in archive.infolist() if not info.is_dir()]
        compiled = {name for name in names if name.endswith(".so")}
        # Which distribution each compiled file belongs to, from the wheels' RECORD files.
        owners: dict[str, str] = {}
        for record in (name for name in names if name.endswith(".dist-info/RECORD")):
            metadata = Parser().parsestr(archive.read(record.replace("RECORD", "METADATA")).decode())
            for row in csv.reader(archive.read(record).decode().splitlines()):
                owners[row[0]] = f"{metadata['Name']}=={metadata['Version']}"
        assert {owners[name] for name in compiled} == set(task.swapped)
        for requirement in task.swapped:
            name, version = requirement.split("==")
            (installed,) = [
                d
                for d in task.folder.glob("*.dist-info")
                if Parser().parsestr((d / "METADATA").read_text())["Name"] == name
            ]
            assert Parser().parsestr((installed / "METADATA").read_text())["Version"] == version
            with (installed / "RECORD").open(newline="") as record:
                listed = [(task.folder / row[0]).resolve() for row in csv.reader(record)]
            assert all(path.exists() for path in listed if path.is_relative_to(task.folder.resolve()))
        swapped_files = {name for name, owner in owners.items() if owner in task.swapped}
        # With their bytecode, which the zip adds after the wheels' RECORD files were written.
        swapped_files |= {importlib.util.cache_from_source(name) for name in swapped_files if name.endswith(".py")}
        for name in names:
            if name not in swapped_files:
                assert (task.folder / name).read_bytes() == archive.read(name), name
    local_machine = elf_machine(Path(sys.executable).resolve())
    for library in task.folder.rglob("*.so"):
        assert elf_machine(library) == local_machine, library


def elf_machine(path: Path) -> int:
    """The e_machine field of an ELF file (62: x86-64, 183: aarch64)."""
    header = path.read_bytes()[:20]
    assert header[:4] == b"\x7fELF", path
    return int.from_bytes(header[18:20], "little")


def test_staff_zip_serves_its_page_and_refuses_the_api_without_a_valid_token(
    task_dirs: dict[str, TaskDir],
    template: dict[str, Any],
    runtime_dir: Path,
    dynamodb_table_names: dict[str, str],
    dynamodb_endpoint: str,
    tmp_path: Path,
) -> None:
    page = http_api_get("/staff")
    forged = http_api_get("/staff/api/callbacks", authorization="Bearer not.a.token")
    anonymous = http_api_get("/staff/api/callbacks")
    env = lambda_environment(template, "staff", dynamodb_table_names, dynamodb_endpoint, tmp_path)
    result = run_lambda(task_dirs["staff"].folder, runtime_dir, template, "staff", [page, forged, anonymous], env)
    first, second, third = (entry["answer"] for entry in result["answers"])
    assert first["statusCode"] == 200 and "data-client-id=\"emulatedinboxclient\"" in first["body"]
    assert second["statusCode"] == third["statusCode"] == 401
    assert result["foreign_modules"] == []
    assert result["compiled"] == [], "shipped modules without usable CPython 3.12 bytecode"


def http_api_get(path: str, authorization: str | None = None) -> dict[str, Any]:
    """An HTTP API payload 2.0 GET event, as API Gateway sends the staff inbox's requests."""
    event = http_api_event(path, {}, "")
    event["routeKey"] = event["requestContext"]["routeKey"] = f"GET {path}"
    event["requestContext"]["http"]["method"] = "GET"
    event["body"], event["isBase64Encoded"] = "", False
    event["headers"] = {"host": API_HOST, "x-forwarded-proto": "https", "accept": "*/*"}
    if authorization:
        event["headers"]["authorization"] = authorization
    return event
