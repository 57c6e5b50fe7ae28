"""Fixtures for the SMS line: settings, an app over a real store, and a Twilio-signing poster."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator

from shared.config import Settings
from shared.identity import hashed_id
from shared.stores import Store, store_from_settings
from sms.app import create_app

AUTH_TOKEN = "test-twilio-auth-token-0123456789"
PUBLIC_BASE_URL = "https://cramp.clinic.example/hooks"
CLINIC_NUMBER = "+15550100100"
SENDER = "+15550100123"
ACCOUNT_SID = "AC" + "0" * 32
TEST_SALT = "test-salt-for-sms-tests"


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings for a test: memory store, test token, a public URL unlike the test client's own."""
    values: dict[str, Any] = {
        "store": "memory",
        "data_dir": tmp_path / "data",
        "public_base_url": PUBLIC_BASE_URL,
        "hash_salt": TEST_SALT,
        "twilio_auth_token": AUTH_TOKEN,
    }
    values.update(overrides)
    return Settings(**values)


def phone_key(sender: str = SENDER) -> str:
    """The store key of a sender under the test salt."""
    return hashed_id("phone", sender, TEST_SALT)


def new_sid() -> str:
    """A fresh MessageSid in Twilio's format."""
    return "SM" + uuid.uuid4().hex


def twilio_params(body: str, sender: str = SENDER, *, sid: str | None = None, media: int = 0) -> dict[str, str]:
    """The form fields Twilio posts for one inbound SMS (or MMS with `media` attachments)."""
    params = {
        "ToCountry": "US",
        "ToState": "NY",
        "SmsMessageSid": sid or new_sid(),
        "NumMedia": str(media),
        "ToCity": "",
        "FromZip": "",
        "SmsSid": "",
        "FromState": "NY",
        "SmsStatus": "received",
        "FromCity": "",
        "Body": body,
        "FromCountry": "US",
        "To": CLINIC_NUMBER,
        "ToZip": "",
        "NumSegments": "1",
        "MessageSid": "",
        "AccountSid": ACCOUNT_SID,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }
    params["MessageSid"] = params["SmsSid"] = params["SmsMessageSid"]
    for index in range(media):
        params[f"MediaContentType{index}"] = "image/jpeg"
        params[f"MediaUrl{index}"] = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Media/ME{index}"
    return params


def sign(params: dict[str, str], url: str = PUBLIC_BASE_URL + "/sms", token: str = AUTH_TOKEN) -> str:
    """X-Twilio-Signature for these parameters, computed by twilio's own RequestValidator."""
    return RequestValidator(token).compute_signature(url, params)


@dataclass
class SmsReply:
    """What the webhook answered: status, the <Message> texts, and the raw body."""

    status: int
    messages: list[str]
    body: str
    content_type: str = ""

    @property
    def text(self) -> str:
        """The single reply text (fails the test unless there is exactly one <Message>)."""
        assert len(self.messages) == 1, f"expected one <Message>, got {self.messages!r}"
        return self.messages[0]

    @property
    def silent(self) -> bool:
        """True for a 200 with an empty <Response/>."""
        return self.status == 200 and self.messages == []


def parse_twiml(status: int, body: str, content_type: str = "") -> SmsReply:
    """Parse a TwiML response into an SmsReply."""
    messages: list[str] = []
    if status == 200:
        root = ET.fromstring(body)
        assert root.tag == "Response"
        assert all(child.tag == "Message" for child in root)
        messages = [child.text or "" for child in root]
    return SmsReply(status, messages, body, content_type)


@dataclass
class TwilioPoster:
    """Posts signed inbound-message webhooks to the app, as Twilio would."""

    client: FlaskClient
    sender: str = SENDER
    sent: list[dict[str, str]] = field(default_factory=list)

    def __call__(
        self,
        body: str,
        sender: str | None = None,
        *,
        sid: str | None = None,
        media: int = 0,
        params: dict[str, str] | None = None,
        signed_url: str = PUBLIC_BASE_URL + "/sms",
        token: str = AUTH_TOKEN,
        signature: str | None = None,
        post_params: dict[str, str] | None = None,
        query: str = "",
    ) -> SmsReply:
        """Sign `params` (default: Twilio's fields for body/sender) and post `post_params` (default: the same)."""
        params = params or twilio_params(body, sender or self.sender, sid=sid, media=media)
        headers = {"X-Twilio-Signature": signature if signature is not None else sign(params, signed_url, token)}
        data = post_params if post_params is not None else params
        path = "/sms" + (f"?{query}" if query else "")
        response = self.client.post(
            path, data=urlencode(data), headers=headers, content_type="application/x-www-form-urlencoded"
        )
        self.sent.append(params)
        return parse_twiml(response.status_code, response.get_data(as_text=True), response.content_type)


@pytest.fixture
def sms_settings(tmp_path: Path) -> Settings:
    """Local test settings over the memory store."""
    return make_settings(tmp_path)


@pytest.fixture
def memory_store() -> Store:
    """An empty in-memory store."""
    return store_from_settings("memory")


@pytest.fixture
def sms_app(sms_settings: Settings, memory_store: Store) -> Flask:
    """The SMS app over the memory store."""
    app = create_app(sms_settings, memory_store)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def twilio_post(sms_app: Flask) -> TwilioPoster:
    """`twilio_post(body, sender)`: a signed POST /sms, answered as an SmsReply."""
    return TwilioPoster(sms_app.test_client())


@pytest.fixture
def make_poster(tmp_path: Path) -> Callable[..., tuple[TwilioPoster, Flask]]:
    """Build an app and poster over a given store with overridden settings."""

    def build(store: Store, **overrides: Any) -> tuple[TwilioPoster, Flask]:
        app = create_app(make_settings(tmp_path, **overrides), store)
        return TwilioPoster(app.test_client()), app

    return build


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Iterator[Path]:
    """A fresh SQLite file path under the test's temporary folder."""
    yield tmp_path / "state" / "cramp.sqlite3"
