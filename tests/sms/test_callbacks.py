"""CALL hands off to the clinic: the request is stored before it is confirmed, staff are texted, and a
failed text is retried later without losing the request."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from shared.config import Settings
from shared.content import load_content
from shared.stores import Store, store_from_settings
from sms import callbacks, idempotency
from sms.callbacks import retry_notifications
from sms.outbound import OutboundError, read_outbox, send_sms
from tests.dynamodb_local import free_port
from tests.sms.conftest import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    SENDER,
    TwilioPoster,
    make_settings,
    phone_key,
    twilio_params,
)
from tests.sms.twilio_api import FakeTwilioApi

STAFF_NUMBER = str(load_content().clinic["staff_sms_number"])
FROM_NUMBER = "+15550100100"


@pytest.fixture
def twilio_api() -> Iterator[FakeTwilioApi]:
    """A local Twilio Messages endpoint."""
    with FakeTwilioApi() as api:
        yield api


def rest_settings(tmp_path: Path, base_url: str, **overrides: object) -> dict:
    """Overrides that make send_sms use the real twilio REST client against base_url."""
    return {
        "twilio_account_sid": ACCOUNT_SID,
        "twilio_from_number": FROM_NUMBER,
        "twilio_api_base": base_url,
        **overrides,
    }


def request_callback(post: TwilioPoster, window: str = "2") -> str:
    """Text a cramp, CALL and a window; return the confirmation."""
    post("my calf locked up during my run")
    post("CALL")
    return post(window).text


def test_callbacks_callback_record_holds_what_staff_need(twilio_post: TwilioPoster, memory_store: Store) -> None:
    confirmation = request_callback(twilio_post)
    assert "Your callback request is saved" in confirmation and "(afternoon)" in confirmation
    (record,) = memory_store.scan("callbacks")
    data = record.data
    assert record.key == data["id"] and data["id"].startswith("cb_")
    assert data["phone"] == SENDER and data["phone_hash"] == phone_key()
    assert data["window"] == "afternoon" and data["urgency"] == "self_care" and data["status"] == "new"
    assert data["summary"].startswith("cramp (strong), calf; urgency self care")
    assert data["created_at"].endswith("+00:00")
    assert data["notified"] is True and data["notify_attempts"] == 1
    assert record.expires_at is None


def test_callbacks_local_mode_without_twilio_writes_the_staff_text_to_the_outbox(
    twilio_post: TwilioPoster, sms_settings: Settings
) -> None:
    request_callback(twilio_post)
    (message,) = read_outbox(sms_settings)
    assert message["to"] == STAFF_NUMBER and message["id"].startswith("local-")
    assert message["body"].startswith("Cramp Check: new callback request cb_")
    # Minimum necessary over SMS: no patient number, no symptoms, none of their words.
    assert SENDER not in message["body"] and "calf" not in message["body"] and "afternoon" not in message["body"]


def test_callbacks_staff_text_goes_through_the_twilio_rest_api(
    make_poster: Callable, memory_store: Store, tmp_path: Path, twilio_api: FakeTwilioApi
) -> None:
    post, app = make_poster(memory_store, **rest_settings(tmp_path, twilio_api.base_url))
    request_callback(post)
    (message,) = twilio_api.messages
    assert message["To"] == STAFF_NUMBER and message["From"] == FROM_NUMBER
    assert message["Body"].startswith("Cramp Check: new callback request cb_")
    assert twilio_api.auth == [ACCOUNT_SID]
    assert read_outbox(app.extensions["cramp_sms"].settings) == []


def test_callbacks_failed_notification_keeps_the_request_and_the_retry_sends_it(
    make_poster: Callable, memory_store: Store, tmp_path: Path, twilio_api: FakeTwilioApi
) -> None:
    twilio_api.failing = True
    post, app = make_poster(memory_store, **rest_settings(tmp_path, twilio_api.base_url))
    assert "Your callback request is saved" in request_callback(post)
    (record,) = memory_store.scan("callbacks")
    assert record.data["notified"] is False and record.data["notify_attempts"] == 1
    assert record.data["last_notify_error"] == "TwilioRestException"
    line = app.extensions["cramp_sms"]
    assert retry_notifications(line.settings, memory_store, line.content) == {"retried": 1, "notified": 0, "failed": 1}
    twilio_api.failing = False
    assert retry_notifications(line.settings, memory_store, line.content) == {"retried": 1, "notified": 1, "failed": 0}
    (record,) = memory_store.scan("callbacks")
    assert record.data["notified"] is True and record.data["notify_attempts"] == 3
    assert len(twilio_api.messages) == 1
    assert retry_notifications(line.settings, memory_store, line.content)["retried"] == 0


def test_callbacks_unreachable_twilio_keeps_the_request(
    make_poster: Callable, memory_store: Store, tmp_path: Path
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    post, _ = make_poster(memory_store, **rest_settings(tmp_path, dead))
    assert "Your callback request is saved" in request_callback(post)
    (record,) = memory_store.scan("callbacks")
    assert record.data["notified"] is False and record.data["last_notify_error"] == "ConnectionError"


def test_callbacks_works_on_every_store(make_poster: Callable, store: Store) -> None:
    post, _ = make_poster(store)
    assert "Your callback request is saved" in request_callback(post, "evening")
    (record,) = store.scan("callbacks")
    assert record.data["window"] == "evening" and record.data["notified"] is True


def test_outbound_deployed_without_credentials_refuses_rather_than_pretending(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path, mode="deployed", hash_salt="a-long-deployed-salt-value", staff_password="staff-secret-123"
    )
    with pytest.raises(OutboundError):
        send_sms(settings, STAFF_NUMBER, "hello")
    assert read_outbox(settings) == []


def test_outbound_local_outbox_keeps_messages_in_order(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    ids = [send_sms(settings, STAFF_NUMBER, f"message {n}") for n in range(3)]
    assert [m["id"] for m in read_outbox(settings)] == ids
    assert [m["body"] for m in read_outbox(settings)] == ["message 0", "message 1", "message 2"]


def test_outbound_returns_twilio_message_sid(tmp_path: Path, twilio_api: FakeTwilioApi) -> None:
    settings = make_settings(tmp_path, **rest_settings(tmp_path, twilio_api.base_url))
    assert send_sms(settings, STAFF_NUMBER, "hi staff").startswith("SM")
    assert settings.twilio_auth_token == AUTH_TOKEN


def test_callbacks_after_an_emergency_reply_a_callback_can_still_be_booked(
    twilio_post: TwilioPoster, memory_store: Store
) -> None:
    assert twilio_post("cramp in my calf and now I have chest pain").text.startswith("Call 911 now.")
    assert "When should NextPain Care call you back?" in twilio_post("CALL").text
    assert "Your callback request is saved" in twilio_post("1").text
    (record,) = memory_store.scan("callbacks")
    assert record.data["urgency"] == "emergency" and record.data["window"] == "morning"
    assert twilio_post("hello?").text.startswith("Call 911 now.")


def test_callbacks_new_warning_sign_while_choosing_a_window_gets_the_emergency_reply(
    twilio_post: TwilioPoster, memory_store: Store
) -> None:
    twilio_post("my calf locked up during my run")
    twilio_post("CALL")
    assert twilio_post("now I have chest pain").text.startswith("Call 911 now.")
    assert memory_store.scan("callbacks") == []


def test_callbacks_staff_are_texted_only_once_the_request_and_its_reply_are_committed(
    make_poster: Callable, sqlite_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = store_from_settings("sqlite", path=sqlite_path)
    post, _ = make_poster(store)
    post("my calf locked up during my run")
    post("CALL")
    params = twilio_params("2")
    seen_by_another_process: list[tuple[int, str | None]] = []

    def send_and_look(settings: Settings, to: str, body: str) -> str:
        # A second connection sees only committed data, as the staff page and the retry Lambda would.
        other = store_from_settings("sqlite", path=sqlite_path)
        claim = other.get("conversations", idempotency.claim_key(params["MessageSid"]))
        seen_by_another_process.append((len(other.scan("callbacks")), claim.data["state"] if claim else None))
        other.close()
        return send_sms(settings, to, body)

    monkeypatch.setattr(callbacks, "send_sms", send_and_look)
    assert "Your callback request is saved" in post("", params=params).text

    assert seen_by_another_process == [(1, "done")]
    (record,) = store.scan("callbacks")
    assert record.data["notified"] is True
    store.close()


def test_callbacks_death_between_commit_and_staff_text_is_caught_by_the_retry(
    make_poster: Callable, memory_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    post, app = make_poster(memory_store)
    post("my calf locked up during my run")
    post("CALL")
    params = twilio_params("2")

    def killed(settings: Settings, to: str, body: str) -> str:
        raise RuntimeError("the process was killed before texting staff")

    monkeypatch.setattr(callbacks, "send_sms", killed)
    post("", params=params)
    monkeypatch.undo()

    (record,) = memory_store.scan("callbacks")
    assert record.data["notified"] is False
    # Twilio's redelivery repeats the stored confirmation; the scheduled retry texts staff.
    assert "Your callback request is saved" in post("", params=params).text
    line = app.extensions["cramp_sms"]
    assert retry_notifications(line.settings, memory_store, line.content) == {"retried": 1, "notified": 1, "failed": 0}
    assert len(read_outbox(line.settings)) == 1
