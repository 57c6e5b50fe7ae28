"""What every reliability run shares: the real server as a subprocess, signed Twilio posts, Alexa envelopes,
the scripted conversations and the machine description for the report."""

from __future__ import annotations

import copy
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests
from twilio.request_validator import RequestValidator

from bench.sms import ACCOUNT_SID, CLINIC_NUMBER, new_sid, twilio_form  # noqa: F401 - one Twilio form for both tools

REPO = Path(__file__).resolve().parents[1]
AUTH_TOKEN = "reliability-twilio-auth-token-0123"  # noqa: S105 - a test token, the point of the runs
HASH_SALT = "reliability-salt-0123456789abcdef"
STAFF_PASSWORD = "reliability staff password"  # noqa: S105 - a test password
SKILL_ID = "amzn1.ask.skill.7c1e6a7f-3b4d-4e5f-8a9b-reliability0"
START_TIMEOUT_S = 30.0


def free_port() -> int:
    """A loopback TCP port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def phone_number(index: int) -> str:
    """The index-th test sender, in the 555 range no real subscriber has."""
    return f"+1555{index + 2000000:07d}"


def alexa_user_id(index: int) -> str:
    """The index-th test Alexa user id, shaped like Amazon's."""
    return f"amzn1.ask.account.RELIABILITY{index:06d}Q7XK2M9PL4ZR8N5B3"


def machine() -> dict[str, Any]:
    """The machine the figures were measured on."""
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu or "unknown",
        "cpus": os.cpu_count() or 0,
    }


# --- the server ---------------------------------------------------------------------------------------


@dataclass
class ServerProcess:
    """`python -m server` as a subprocess on loopback; its stderr (the JSON log) is appended to log_path."""

    data_dir: Path
    log_path: Path
    port: int = 0
    env_extra: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """The environment the server reads its settings from."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CRAMP_", "TWILIO_"))}
        env.update(
            {
                "PYTHONPATH": str(REPO),
                "CRAMP_MODE": "local",
                "CRAMP_STORE": "sqlite",
                "CRAMP_DATA_DIR": str(self.data_dir),
                "PORT": str(self.port),
                "CRAMP_HOST": "127.0.0.1",
                "CRAMP_PUBLIC_BASE_URL": self.url,
                "CRAMP_HASH_SALT": HASH_SALT,
                "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
                "CRAMP_STAFF_PASSWORD": STAFF_PASSWORD,
                "CRAMP_ALEXA_SKILL_ID": SKILL_ID,
                "CRAMP_ALEXA_LOCAL_SIMULATOR": "1",
                "CRAMP_LOG_LEVEL": "INFO",
            }
        )
        env.update(self.env_extra)
        return env

    def start(self) -> None:
        """Start the server and wait until /healthz answers 200."""
        if not self.port:
            self.port = free_port()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "server"], cwd=REPO, env=self.env(), stdout=log, stderr=log
            )
        self.starts += 1
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}; see {self.log_path}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the server did not answer /healthz within {START_TIMEOUT_S} s")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when the machine loses power."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """Stop the server politely (SIGTERM), then SIGKILL if it hangs."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def __enter__(self) -> ServerProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def log_lines(path: Path) -> list[str]:
    """Every line the server wrote to its log."""
    if not path.exists():
        return []
    return path.read_text(encoding="utf-8", errors="replace").splitlines()


def json_log_records(path: Path) -> list[dict[str, Any]]:
    """The server's JSON log records (non-JSON lines, such as the start banner, are skipped)."""
    records = []
    for line in log_lines(path):
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


# --- SMS ----------------------------------------------------------------------------------------------


def twilio_signature(url: str, form: dict[str, str], token: str = AUTH_TOKEN) -> str:
    """X-Twilio-Signature for this form posted to url, computed by twilio's own validator."""
    return RequestValidator(token).compute_signature(url, form)


@dataclass(frozen=True)
class SmsAnswer:
    """What /sms answered: status, the texts of its <Message> elements, the raw body and the time taken."""

    status: int
    messages: tuple[str, ...]
    body: str
    seconds: float


def parse_twiml(body: str) -> tuple[str, ...]:
    """The <Message> texts of a TwiML <Response>; raises ValueError for anything else."""
    try:
        root = ET.fromstring(body)  # noqa: S314 - our own server's output, parsed to check it
    except ET.ParseError as error:
        raise ValueError(f"not XML: {error}") from None
    if root.tag != "Response":
        raise ValueError(f"root is <{root.tag}>, not <Response>")
    if any(child.tag != "Message" for child in root):
        raise ValueError("a child of <Response> is not <Message>")
    return tuple(child.text or "" for child in root)


def post_sms(
    session: requests.Session,
    base_url: str,
    form: dict[str, str],
    *,
    token: str = AUTH_TOKEN,
    signature: str | None = None,
    timeout: float = 30.0,
) -> SmsAnswer:
    """POST one signed webhook to base_url/sms as Twilio does (signed for base_url + "/sms")."""
    signature = signature if signature is not None else twilio_signature(base_url + "/sms", form, token)
    started = time.perf_counter()
    response = session.post(
        base_url + "/sms",
        data=urlencode(form),
        headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"},
        timeout=timeout,
    )
    seconds = time.perf_counter() - started
    messages = parse_twiml(response.text) if response.status_code == 200 else ()
    return SmsAnswer(response.status_code, messages, response.text, seconds)


# Conversations as a person types them, ten messages each; a number uses script index % len(SMS_SCRIPTS).
SMS_SCRIPTS: tuple[tuple[str, ...], ...] = (
    ("my calf cramped up hard while running", "no", "no", "TIPS", "CALL", "2", "NEW",
     "my eyelid keeps twitching", "TIPS", "HELP"),
    ("my lower back is stiff after lifting boxes yesterday", "no", "no", "no", "yes", "CALL",
     "evenings after 6", "TIPS", "NEW", "hand cramps when writing"),
    ("1", "locked", "minutes", "at night in bed", "no", "no", "TIPS", "CALL", "1", "thanks"),
    ("my foot toes curl and lock at night", "no", "yes", "NEW", "neck twitching on and off", "no",
     "no", "CALL", "3", "TIPS"),
    ("the back of my thigh cramped during football", "it was locked hard", "a few seconds", "no",
     "no", "no", "TIPS", "NEW", "6", "CALL"),
)


# --- Alexa ---------------------------------------------------------------------------------------------


def alexa_envelope(
    user_id: str,
    request: dict[str, Any],
    *,
    session_id: str,
    new: bool,
    attributes: dict[str, Any] | None,
    now: datetime | None = None,
    skill_id: str = SKILL_ID,
) -> dict[str, Any]:
    """A request envelope in the shape Alexa posts, for one user, session and request."""
    application = {"applicationId": skill_id}
    moment = now or datetime.now(UTC)
    body = {
        "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
        "locale": "en-US",
        "timestamp": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    body.update(copy.deepcopy(request))
    return {
        "version": "1.0",
        "session": {
            "new": new,
            "sessionId": session_id,
            "application": application,
            "attributes": copy.deepcopy(attributes or {}),
            "user": {"userId": user_id},
        },
        "context": {
            "System": {
                "application": application,
                "user": {"userId": user_id},
                "device": {"deviceId": "amzn1.ask.device.RELIABILITYDEVICE", "supportedInterfaces": {}},
                "apiEndpoint": "https://api.amazonalexa.com",
                "apiAccessToken": "reliability.access.token",
            }
        },
        "request": body,
    }


def launch() -> dict[str, Any]:
    """'Alexa, open cramp check.'"""
    return {"type": "LaunchRequest"}


def intent(name: str, **slots: str) -> dict[str, Any]:
    """An IntentRequest with plain slot values (no entity resolution)."""
    return {
        "type": "IntentRequest",
        "dialogState": "STARTED",
        "intent": {
            "name": name,
            "confirmationStatus": "NONE",
            "slots": {k: {"name": k, "value": v, "confirmationStatus": "NONE"} for k, v in slots.items()},
        },
    }


def describe(body_part: str, feeling: str) -> dict[str, Any]:
    """DescribeSymptomIntent with slot values resolved the way Alexa resolves them (ER_SUCCESS_MATCH)."""
    request = intent("DescribeSymptomIntent")
    slot_types = {"body_part": ("BODY_PART", body_part), "feeling": ("PATTERN", feeling)}
    for name, (slot_type, value_id) in slot_types.items():
        request["intent"]["slots"][name] = {
            "name": name,
            "value": value_id.replace("_", " "),
            "confirmationStatus": "NONE",
            "source": "USER",
            "resolutions": {
                "resolutionsPerAuthority": [
                    {
                        "authority": f"amzn1.er-authority.echo-sdk.{SKILL_ID}.{slot_type}",
                        "status": {"code": "ER_SUCCESS_MATCH"},
                        "values": [{"value": {"name": value_id.replace("_", " "), "id": value_id}}],
                    }
                ]
            },
        }
    return request


# Voice sessions, each turn a request; a user runs script index % len(ALEXA_SCRIPTS).
ALEXA_SCRIPTS: tuple[tuple[dict[str, Any], ...], ...] = (
    (launch(), describe("calf", "locked"), intent("AMAZON.NoIntent"),
     intent("FreeTextIntent", description="during exercise"), intent("AMAZON.NoIntent"),
     intent("AMAZON.NoIntent"), intent("TipsIntent"), intent("AMAZON.RepeatIntent"),
     intent("AMAZON.HelpIntent"), intent("AMAZON.StopIntent")),
    (launch(), intent("FreeTextIntent", description="my neck is stiff since yesterday"),
     intent("AMAZON.NoIntent"), intent("AMAZON.NoIntent"), intent("AMAZON.NoIntent"),
     intent("AMAZON.YesIntent"), intent("TipsIntent"), intent("AMAZON.StartOverIntent"),
     describe("eyelid_face", "twitching"), intent("AMAZON.StopIntent")),
)


@dataclass
class AlexaSession:
    """One person's Echo: carries session attributes between turns as the Alexa service does."""

    user_id: str
    attributes: dict[str, Any] | None = None
    session_id: str = ""

    def envelope(self, request: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
        """The next envelope of this session (a new session after the last one ended)."""
        new = self.attributes is None
        if new:
            self.session_id = f"amzn1.echo-api.session.{uuid.uuid4()}"
        return alexa_envelope(
            self.user_id, request, session_id=self.session_id, new=new, attributes=self.attributes, now=now
        )

    def received(self, envelope: dict[str, Any], response: dict[str, Any]) -> None:
        """Keep the session attributes if the session stays open."""
        ended = envelope["request"]["type"] == "SessionEndedRequest"
        if ended or (response.get("response") or {}).get("shouldEndSession") is True:
            self.attributes = None
        else:
            self.attributes = response.get("sessionAttributes") or {}


def speech(response: dict[str, Any]) -> str:
    """The SSML a response speaks ('' when silent)."""
    return ((response.get("response") or {}).get("outputSpeech") or {}).get("ssml", "")


# Alexa drops responses over 24 kB and speech over 8,000 characters (platform limits, ASK docs).
ALEXA_MAX_RESPONSE_BYTES = 24 * 1024
ALEXA_MAX_SPEECH_CHARS = 8000


def alexa_response_problems(response: Any) -> list[str]:
    """Why this is not a valid Alexa response envelope ([] when it is)."""
    if not isinstance(response, dict):
        return ["not a JSON object"]
    problems = []
    if response.get("version") != "1.0":
        problems.append("version is not 1.0")
    body = response.get("response")
    if not isinstance(body, dict):
        return [*problems, "no response object"]
    try:
        size = len(json.dumps(response).encode())
    except (TypeError, ValueError):
        return [*problems, "not JSON-serialisable"]
    if size > ALEXA_MAX_RESPONSE_BYTES:
        problems.append(f"{size} bytes > {ALEXA_MAX_RESPONSE_BYTES}")
    for where, speech_block in (("outputSpeech", body.get("outputSpeech")),
                                ("reprompt", (body.get("reprompt") or {}).get("outputSpeech"))):
        if speech_block is None:
            continue
        if speech_block.get("type") != "SSML":
            problems.append(f"{where} is not SSML")
            continue
        ssml = speech_block.get("ssml") or ""
        if len(ssml) > ALEXA_MAX_SPEECH_CHARS:
            problems.append(f"{where} has {len(ssml)} characters")
        try:
            root = ET.fromstring(ssml)  # noqa: S314 - the skill's own output, parsed to check it
        except ET.ParseError as error:
            problems.append(f"{where} SSML is not well-formed: {error}")
            continue
        if root.tag != "speak":
            problems.append(f"{where} SSML root is <{root.tag}>")
    end = body.get("shouldEndSession")
    if end is not None and not isinstance(end, bool):
        problems.append("shouldEndSession is not a boolean")
    if "sessionAttributes" in response and not isinstance(response["sessionAttributes"], dict):
        problems.append("sessionAttributes is not an object")
    return problems


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of values (0 for none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-fraction * len(ordered) // 1))))
    return ordered[rank - 1]
