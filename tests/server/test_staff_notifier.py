"""The local server texts staff about callback requests as the deployed staff_notify function does: owed texts are
sent in the background, never in the patient's webhook, and the inbox says what happens to those not delivered."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from server.staff_notifier import StaffNotifier
from shared.callbacks import owed_fields
from shared.content import load_content
from sms.notifications import MAX_NOTIFY_ATTEMPTS
from sms.outbound import read_outbox
from tests.server.conftest import InProcess, csrf_from, local_settings, open_test_store
from tests.server.test_staff import NOW, put_callback, store_callback_record

CONTENT = load_content()


def wait_until(condition: Callable[[], object], seconds: float = 10) -> bool:
    """Poll `condition()` until it is true or `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def owed(**fields: object) -> dict:
    """The notification fields of a request whose staff text is owed and due now."""
    return {**owed_fields(NOW.timestamp()), **fields}


def test_notifier_sends_an_owed_staff_text_and_records_it_delivered_in_the_outbox(tmp_path: Path) -> None:
    settings = local_settings(tmp_path)
    store = open_test_store(settings)
    store_callback_record(store, "cb_pending", 10, **owed(notify_attempts=1))
    notifier = StaffNotifier(settings, store, CONTENT, interval=0.05).start()
    try:
        assert wait_until(lambda: store.get("callbacks", "cb_pending").data["notified"])
        after = store.get("callbacks", "cb_pending").data
    finally:
        notifier.stop()
        store.close()
    [sent] = read_outbox(settings)
    assert sent["to"] == CONTENT.clinic["staff_sms_number"] and "cb_pending" in sent["body"]
    assert after["notify_attempts"] == 2 and "notify_queue" not in after


def test_notifier_woken_by_a_stored_request_sends_before_its_interval(tmp_path: Path) -> None:
    settings = local_settings(tmp_path)
    store = open_test_store(settings)
    notifier = StaffNotifier(settings, store, CONTENT, interval=3600).start()
    try:
        time.sleep(0.2)  # its first round found nothing
        store_callback_record(store, "cb_new", 0, **owed())
        notifier.wake("cb_new")
        assert wait_until(lambda: read_outbox(settings))
    finally:
        notifier.stop()
        store.close()


def test_notifier_leaves_delivered_finished_and_given_up_requests_alone(tmp_path: Path) -> None:
    settings = local_settings(tmp_path)
    store = open_test_store(settings)
    store_callback_record(store, "cb_sent", 10, notified=True)
    store_callback_record(store, "cb_done", 10, **owed(), status="done")
    store_callback_record(store, "cb_given_up", 10, **owed(notify_attempts=MAX_NOTIFY_ATTEMPTS))
    notifier = StaffNotifier(settings, store, CONTENT, interval=0.05).start()
    time.sleep(0.3)
    notifier.stop()
    store.close()
    assert read_outbox(settings) == []


def test_staff_inbox_says_how_pending_texts_are_retried_and_which_no_longer_are(server: InProcess) -> None:
    put_callback(server, "cb_retrying", 2, **owed(notify_attempts=3, notify_status="undelivered"),
                 window="RETRYING-WINDOW")
    put_callback(server, "cb_given_up", 9, **owed(notify_attempts=MAX_NOTIFY_ATTEMPTS, notify_status="failed"),
                 window="GIVEN-UP-WINDOW")
    server.sign_in()
    html = server.get("/staff").data.decode()
    words = " ".join(html.split())
    assert f"waiting longer each time (1 minute at first, then up to 30), up to {MAX_NOTIFY_ATTEMPTS} attempts" in words
    retrying = html[html.index("RETRYING-WINDOW"):html.index("</li>", html.index("RETRYING-WINDOW"))]
    given_up = html[html.index("GIVEN-UP-WINDOW"):html.index("</li>", html.index("GIVEN-UP-WINDOW"))]
    assert "undelivered" in retrying and "no longer retried" not in retrying and "no longer retried" in given_up


def test_staff_marking_a_request_called_stops_its_staff_text(server: InProcess) -> None:
    put_callback(server, "cb_owed", 2, **owed())
    server.sign_in()
    token = csrf_from(server.get("/staff").data)
    assert server.post("/staff/callbacks/cb_owed", data={"csrf_token": token, "status": "called"}).status_code == 303
    data = server.store.get("callbacks", "cb_owed").data
    assert data["status"] == "called" and data["called_by"] == "local"
    assert "notify_queue" not in data  # no longer owed: staff have it in hand
