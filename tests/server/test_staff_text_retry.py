"""Staff texts that failed are sent again by the local server, as the inbox says (deployed: notify_retry)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from server.staff_text_retry import StaffTextRetrier
from shared.content import load_content
from sms.outbound import read_outbox
from tests.server.conftest import InProcess, local_settings, open_test_store
from tests.server.test_staff import put_callback, store_callback_record

CONTENT = load_content()


def wait_until(condition: Callable[[], object], seconds: float = 10) -> bool:
    """Poll `condition()` until it is true or `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_retrier_sends_a_pending_staff_text_and_records_it(tmp_path: Path) -> None:
    settings = local_settings(tmp_path)
    store = open_test_store(settings)
    store_callback_record(store, "cb_pending", 10, notified=False, notify_attempts=1)
    retrier = StaffTextRetrier(settings, store, CONTENT, interval=0.05).start()
    try:
        assert wait_until(lambda: store.get("callbacks", "cb_pending").data["notified"])
        store_after = store.get("callbacks", "cb_pending").data
    finally:
        retrier.stop()
        store.close()
    [sent] = read_outbox(settings)
    assert sent["to"] == CONTENT.clinic["staff_sms_number"] and "cb_pending" in sent["body"]
    assert store_after["notify_attempts"] == 2


def test_retrier_leaves_sent_and_finished_requests_alone(tmp_path: Path) -> None:
    settings = local_settings(tmp_path)
    store = open_test_store(settings)
    store_callback_record(store, "cb_sent", 10, notified=True)
    store_callback_record(store, "cb_done", 10, notified=False, status="done")
    store_callback_record(store, "cb_given_up", 10, notified=False, notify_attempts=10)
    retrier = StaffTextRetrier(settings, store, CONTENT, interval=0.05).start()
    time.sleep(0.3)
    retrier.stop()
    store.close()
    assert read_outbox(settings) == []


def test_staff_inbox_says_how_pending_texts_are_retried_and_which_no_longer_are(server: InProcess) -> None:
    put_callback(server, "cb_retrying", 2, notified=False, notify_attempts=3, window="RETRYING-WINDOW")
    put_callback(server, "cb_given_up", 9, notified=False, notify_attempts=10, window="GIVEN-UP-WINDOW")
    server.sign_in()
    html = server.get("/staff").data.decode()
    assert "sent again every 5 minutes, up to 10 attempts" in html
    retrying = html[html.index("RETRYING-WINDOW"):html.index("</li>", html.index("RETRYING-WINDOW"))]
    given_up = html[html.index("GIVEN-UP-WINDOW"):html.index("</li>", html.index("GIVEN-UP-WINDOW"))]
    assert "no longer retried" not in retrying and "no longer retried" in given_up
