"""CALL hands off to the clinic: the request is stored before it is confirmed, and staff are texted about it by the
notifier (tests/sms/test_notifications.py has the delivery reports and retries) without losing the request."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from shared.config import Settings
from shared.content import load_content
from shared.stores import Store, store_from_settings
from sms import idempotency
from sms.app import create_app
from sms.notifications import send_owed
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
    assert data["notified"] is False and data["notify_attempts"] == 0 and data["notify_queue"] == "staff"
    # Kept for the clinic's retention period (clinic.yaml), measured from when it was made.
    created = datetime.fromisoformat(data["created_at"]).timestamp()
    assert record.expires_at == pytest.approx(created + load_content().health_data.retention_seconds)
    assert data["channel"] == "sms"


def notify(app: object) -> dict[str, int]:
    """One round of the staff notifier over the app's store."""
    line = app.extensions["cramp_sms"]
    return send_owed(line.settings, line.store, line.content).as_dict()


def test_callbacks_local_mode_without_twilio_writes_the_staff_text_to_the_outbox(
    twilio_post: TwilioPoster, sms_app: object, sms_settings: Settings
) -> None:
    request_callback(twilio_post)
    assert read_outbox(sms_settings) == []  # not from the webhook
    notify(sms_app)
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
    notify(app)
    (message,) = twilio_api.messages
    assert message["To"] == STAFF_NUMBER and message["From"] == FROM_NUMBER
    assert message["Body"].startswith("Cramp Check: new callback request cb_")
    assert twilio_api.auth == [ACCOUNT_SID]
    assert read_outbox(app.extensions["cramp_sms"].settings) == []


def test_callbacks_unreachable_twilio_keeps_the_request_and_the_patient_reply(
    make_poster: Callable, memory_store: Store, tmp_path: Path
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    post, app = make_poster(memory_store, **rest_settings(tmp_path, dead))
    assert "Your callback request is saved" in request_callback(post)
    assert notify(app) == {"sent": 0, "failed": 1, "overdue": 0}
    (record,) = memory_store.scan("callbacks")
    assert record.data["notified"] is False and record.data["last_notify_error"] == "ConnectionError"
    assert record.data["notify_queue"] == "staff"


def test_callbacks_works_on_every_store(make_poster: Callable, store: Store) -> None:
    post, app = make_poster(store)
    assert "Your callback request is saved" in request_callback(post, "evening")
    notify(app)
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


def test_callbacks_the_notifier_is_woken_only_once_the_request_and_its_reply_are_committed(
    make_poster: Callable, sqlite_path: Path, tmp_path: Path
) -> None:
    store = store_from_settings("sqlite", path=sqlite_path)
    params = twilio_params("2")
    seen_by_another_process: list[tuple[str, int, str | None]] = []

    def look(callback_id: str) -> None:
        # A second connection sees only committed data, as the staff page and the notifier would.
        other = store_from_settings("sqlite", path=sqlite_path)
        claim = other.get("conversations", idempotency.claim_key(params["MessageSid"]))
        state = claim.data["state"] if claim else None
        seen_by_another_process.append((callback_id, len(other.scan("callbacks")), state))
        other.close()

    app = create_app(make_settings(tmp_path), store, on_callback_stored=look)
    post = TwilioPoster(app.test_client())
    post("my calf locked up during my run")
    post("CALL")
    assert "Your callback request is saved" in post("", params=params).text

    (record,) = store.scan("callbacks")
    assert seen_by_another_process == [(record.key, 1, "done")]
    store.close()


def test_callbacks_death_between_commit_and_waking_the_notifier_is_caught_by_its_round(
    make_poster: Callable, memory_store: Store, tmp_path: Path
) -> None:
    def killed(callback_id: str) -> None:
        raise RuntimeError("the process was killed before the notifier heard")

    app = create_app(make_settings(tmp_path), memory_store, on_callback_stored=killed)
    post = TwilioPoster(app.test_client())
    post("my calf locked up during my run")
    post("CALL")
    params = twilio_params("2")
    post("", params=params)

    (record,) = memory_store.scan("callbacks")
    assert record.data["notified"] is False
    # Twilio's redelivery repeats the stored confirmation; the notifier's next round texts staff.
    assert "Your callback request is saved" in post("", params=params).text
    assert notify(app) == {"sent": 1, "failed": 0, "overdue": 0}
    assert len(read_outbox(app.extensions["cramp_sms"].settings)) == 1
