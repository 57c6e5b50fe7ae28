"""Staff texts about callback requests: sent outside the patient's webhook, through Twilio's REST API with a status
callback, counted as notified only once Twilio reports them delivered, retried with a growing wait, and an overdue
request logged for the alarm. Against a local fake of Twilio's REST API, with signed status reports."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from flask import Flask

from shared.content import load_content
from shared.stores import Store
from sms import notifications
from sms.notifications import CONFIRM_WAIT_SECONDS, MAX_NOTIFY_ATTEMPTS, OVERDUE_AFTER_SECONDS, send_owed
from tests.sms.conftest import ACCOUNT_SID, PUBLIC_BASE_URL, SENDER, TwilioPoster, sign
from tests.sms.twilio_api import FakeTwilioApi, status_report

STAFF_NUMBER = str(load_content().clinic["staff_sms_number"])
FROM_NUMBER = "+15550100100"


@pytest.fixture
def twilio_api() -> Iterator[FakeTwilioApi]:
    """A local Twilio Messages endpoint."""
    with FakeTwilioApi() as api:
        yield api


@pytest.fixture
def line(make_poster: Callable, memory_store: Store, twilio_api: FakeTwilioApi) -> tuple[TwilioPoster, Flask]:
    """The SMS line over the memory store, sending through the fake Twilio REST API."""
    return make_poster(
        memory_store,
        twilio_account_sid=ACCOUNT_SID,
        twilio_from_number=FROM_NUMBER,
        twilio_api_base=twilio_api.base_url,
    )


def request_callback(post: TwilioPoster) -> str:
    """Text a cramp, CALL and a window; return the callback id."""
    post("my calf locked up during my run")
    post("CALL")
    assert "Your callback request is saved" in post("2").text
    return only_callback(post)


def only_callback(post: TwilioPoster) -> str:
    """The id of the one callback request stored."""
    store = post.client.application.extensions["cramp_sms"].store
    (record,) = store.scan("callbacks")
    return record.key


def run_round(app: Flask, now: float | None = None) -> notifications.Round:
    """One round of the notifier (the schedule's, or the local server's thread) at `now`."""
    sms = app.extensions["cramp_sms"]
    return send_owed(sms.settings, sms.store, sms.content, now)


def report(app: Flask, status_callback: str, form: dict[str, str], *, signature: str | None = None) -> int:
    """POST Twilio's signed status report to the StatusCallback URL it was given, as Twilio does."""
    url = urlsplit(status_callback)
    assert status_callback.startswith(PUBLIC_BASE_URL + "/sms/status?")
    client = app.test_client()
    response = client.post(
        "/sms/status?" + url.query,
        data=urlencode(form),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature if signature is not None else sign(form, status_callback)},
    )
    return response.status_code


def callback_data(app: Flask, key: str) -> dict:
    """The stored callback request."""
    return app.extensions["cramp_sms"].store.get("callbacks", key).data


def test_notifications_the_webhook_stores_the_request_and_texts_nobody(
    line: tuple[TwilioPoster, Flask], twilio_api: FakeTwilioApi
) -> None:
    post, app = line
    key = request_callback(post)
    assert twilio_api.messages == []  # the patient's reply did not wait for Twilio
    data = callback_data(app, key)
    assert data["notified"] is False and data["notify_queue"] == "staff" and data["notify_attempts"] == 0


def test_notifications_sent_with_a_status_callback_and_notified_only_when_delivered(
    line: tuple[TwilioPoster, Flask], twilio_api: FakeTwilioApi
) -> None:
    post, app = line
    key = request_callback(post)
    assert run_round(app).as_dict() == {"sent": 1, "failed": 0, "overdue": 0}
    (message,) = twilio_api.messages
    assert (message["To"], message["From"]) == (STAFF_NUMBER, FROM_NUMBER)
    assert message["Body"].startswith(f"Cramp Check: new callback request {key}")
    assert SENDER not in message["Body"]
    callback_url = message["StatusCallback"]
    assert parse_qs(urlsplit(callback_url).query) == {"kind": ["staff"], "callback": [key]}
    # Accepted by Twilio is not arrived.
    data = callback_data(app, key)
    assert data["notified"] is False and data["notify_status"] == "queued"
    assert data["notify_message_sid"] == twilio_api.sids[0]

    sid = twilio_api.sids[0]
    assert report(app, callback_url, status_report(message, sid, "sent")) == 204
    assert callback_data(app, key)["notify_status"] == "sent" and not callback_data(app, key)["notified"]
    assert report(app, callback_url, status_report(message, sid, "delivered")) == 204
    data = callback_data(app, key)
    assert data["notified"] is True and data["notify_status"] == "delivered" and "notify_queue" not in data
    # Nothing left to send, however late the next rounds run.
    assert run_round(app, now=data["notify_sent_at"] + 24 * 3600).sent == 0
    assert len(twilio_api.messages) == 1


def test_notifications_reports_out_of_order_never_move_back_from_a_final_status(
    line: tuple[TwilioPoster, Flask], twilio_api: FakeTwilioApi
) -> None:
    post, app = line
    key = request_callback(post)
    run_round(app)
    (message,) = twilio_api.messages
    sid, url = twilio_api.sids[0], message["StatusCallback"]
    report(app, url, status_report(message, sid, "delivered"))
    for late in ("sent", "queued", "sending", "undelivered"):
        assert report(app, url, status_report(message, sid, late)) == 204
    data = callback_data(app, key)
    assert data["notified"] is True and data["notify_status"] == "delivered"


def test_notifications_undelivered_is_sent_again_after_a_wait_and_any_attempt_delivered_counts(
    line: tuple[TwilioPoster, Flask], twilio_api: FakeTwilioApi
) -> None:
    post, app = line
    key = request_callback(post)
    run_round(app)
    first, first_sid = twilio_api.messages[0], twilio_api.sids[0]
    report(app, first["StatusCallback"], status_report(first, first_sid, "undelivered", "30003"))
    data = callback_data(app, key)
    assert data["notify_status"] == "undelivered" and data["last_notify_error"] == "twilio 30003"
    assert data["notified"] is False and data["notify_queue"] == "staff"
    waited_until = data["notify_due_at"]
    assert run_round(app, now=waited_until - 1).sent == 0  # not before the wait is over
    assert run_round(app, now=waited_until).sent == 1
    assert len(twilio_api.messages) == 2 and callback_data(app, key)["notify_attempts"] == 2
    # The first text reaches the phone after all: staff have it, whichever attempt it was.
    report(app, first["StatusCallback"], status_report(first, first_sid, "delivered"))
    assert callback_data(app, key)["notified"] is True


def test_notifications_failed_report_for_an_earlier_attempt_changes_nothing(
    line: tuple[TwilioPoster, Flask], twilio_api: FakeTwilioApi
) -> None:
    post, app = line
    key = request_callback(post)
    run_round(app)
    first, first_sid = twilio_api.messages[0], twilio_api.sids[0]
    due = callback_data(app, key)["notify_due_at"]
    run_round(app, now=due)  # no report within the wait: sent again
    assert callback_data(app, key)["notify_message_sid"] == twilio_api.sids[1]
    report(app, first["StatusCallback"], status_report(first, first_sid, "failed", "30008"))
    data = callback_data(app, key)
    assert data["notify_status"] == "queued" and data["notify_due_at"] == pytest.approx(due + CONFIRM_WAIT_SECONDS)


def test_notifications_twilio_refusing_the_send_is_retried_with_a_growing_wait(
    line: tuple[TwilioPoster, Flask], twilio_api: FakeTwilioApi
) -> None:
    post, app = line
    key = request_callback(post)
    twilio_api.failing = True
    now = callback_data(app, key)["notify_due_at"]
    waits = []
    for _ in range(3):
        assert run_round(app, now=now).failed == 1
        data = callback_data(app, key)
        assert data["notify_status"] == "failed" and data["last_notify_error"] == "TwilioRestException"
        waits.append(data["notify_due_at"] - now)
        now = data["notify_due_at"]
    assert waits == [60, 120, 240]
    twilio_api.failing = False
    assert run_round(app, now=now).sent == 1


def test_notifications_stop_after_the_last_attempt_but_stay_owed_and_overdue(
    line: tuple[TwilioPoster, Flask], twilio_api: FakeTwilioApi, caplog: pytest.LogCaptureFixture
) -> None:
    post, app = line
    key = request_callback(post)
    twilio_api.failing = True
    now = callback_data(app, key)["notify_due_at"]
    for _ in range(MAX_NOTIFY_ATTEMPTS):
        run_round(app, now=now)
        now = callback_data(app, key)["notify_due_at"]
    requests = len(twilio_api.requests)
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="sms.notifications"):
        result = run_round(app, now=now + OVERDUE_AFTER_SECONDS)
    assert (result.sent, result.failed, result.overdue) == (0, 0, 1)
    assert len(twilio_api.requests) == requests  # no more sends
    assert callback_data(app, key)["notify_queue"] == "staff"
    (overdue,) = [r for r in caplog.records if r.getMessage() == notifications.OVERDUE_MESSAGE]
    assert overdue.callback_id == key


def test_notifications_overdue_request_is_logged_for_the_alarm_without_the_patients_details(
    line: tuple[TwilioPoster, Flask], twilio_api: FakeTwilioApi, caplog: pytest.LogCaptureFixture
) -> None:
    post, app = line
    key = request_callback(post)
    run_round(app)  # sent, but no delivery report ever comes
    created = callback_data(app, key)["notify_sent_at"]
    with caplog.at_level(logging.INFO, logger="sms.notifications"):
        assert run_round(app, now=created + OVERDUE_AFTER_SECONDS - 60).overdue == 0
        assert run_round(app, now=created + OVERDUE_AFTER_SECONDS + 1).overdue == 1
    lines = [r for r in caplog.records if r.getMessage() == notifications.OVERDUE_MESSAGE]
    assert [r.levelname for r in lines] == ["ERROR"] and lines[0].callback_id == key
    logged = json.dumps([vars(r) for r in caplog.records], default=str)
    assert SENDER not in logged and "calf" not in logged


def test_notifications_a_due_text_is_sent_once_whoever_sends_it(
    line: tuple[TwilioPoster, Flask], twilio_api: FakeTwilioApi
) -> None:
    post, app = line
    key = request_callback(post)
    sms = app.extensions["cramp_sms"]
    now = callback_data(app, key)["notify_due_at"]
    # The stream's invocation and the schedule's round reach the same request at the same moment.
    outcomes = [notifications.send_one(sms.settings, sms.store, sms.content, key, now) for _ in range(2)]
    assert outcomes == [True, None] and len(twilio_api.messages) == 1


def test_notifications_status_report_with_a_bad_signature_is_refused_and_changes_nothing(
    line: tuple[TwilioPoster, Flask], twilio_api: FakeTwilioApi
) -> None:
    post, app = line
    key = request_callback(post)
    run_round(app)
    (message,) = twilio_api.messages
    form = status_report(message, twilio_api.sids[0], "delivered")
    forged = sign(form, message["StatusCallback"], token="not-the-account-token")  # noqa: S106
    assert report(app, message["StatusCallback"], form, signature=forged) == 403
    # Signed for another request's URL: refused too (the query is part of what Twilio signs).
    other_url = message["StatusCallback"].replace(key, "cb_000000000000")
    assert report(app, message["StatusCallback"], form, signature=sign(form, other_url)) == 403
    assert callback_data(app, key)["notified"] is False


def test_notifications_request_erased_by_delete_is_never_texted(
    line: tuple[TwilioPoster, Flask], twilio_api: FakeTwilioApi
) -> None:
    post, app = line
    request_callback(post)
    assert "erased" in post("DELETE").text
    assert run_round(app).sent == 0 and twilio_api.messages == []


def test_notifications_stream_event_names_only_inserted_requests() -> None:
    event = {
        "Records": [
            {"eventName": "INSERT", "dynamodb": {"Keys": {"pk": {"S": "cb_new"}}}},
            {"eventName": "MODIFY", "dynamodb": {"Keys": {"pk": {"S": "cb_changed"}}}},
            {"eventName": "REMOVE", "dynamodb": {"Keys": {"pk": {"S": "cb_gone"}}}},
            {"eventName": "INSERT", "dynamodb": {}},
        ]
    }
    assert notifications.stream_callback_ids(event) == ["cb_new"]


@pytest.mark.parametrize("missing", ["MessageSid", "MessageStatus"])
def test_notifications_status_report_without_its_fields_is_a_bad_request(
    line: tuple[TwilioPoster, Flask], twilio_api: FakeTwilioApi, missing: str
) -> None:
    post, app = line
    request_callback(post)
    run_round(app)
    (message,) = twilio_api.messages
    form = status_report(message, twilio_api.sids[0], "delivered")
    del form[missing]
    assert report(app, message["StatusCallback"], form) == 400


def test_notifications_local_outbox_counts_as_delivered_and_needs_no_report(
    make_poster: Callable, memory_store: Store, tmp_path: Path
) -> None:
    post, app = make_poster(memory_store)  # no Twilio account: the local outbox
    key = request_callback(post)
    assert run_round(app).sent == 1
    assert callback_data(app, key)["notified"] is True
