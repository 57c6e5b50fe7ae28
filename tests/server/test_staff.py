"""The staff inbox over HTTP: the password gate, CSRF on every form, newest first, status changes, pending texts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from server.staff import callback_rows, set_status
from shared.config import LOCAL_STAFF_PASSWORD
from tests.server.conftest import InProcess, csrf_from

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def put_callback(server: InProcess, key: str, minutes_ago: int, **fields: object) -> None:
    """Store a callback request the way sms.callbacks does."""
    data = {
        "id": key,
        "created_at": (NOW - timedelta(minutes=minutes_ago)).isoformat(),
        "phone": "+15550100142",
        "phone_hash": "phone_" + "0" * 32,
        "window": "afternoon",
        "summary": "cramp (strong), calf; urgency self care",
        "urgency": "self_care",
        "status": "new",
        "notified": True,
        "notify_attempts": 1,
    }
    data.update(fields)
    server.store.put("callbacks", key, data, expected_version=0)


def test_staff_inbox_without_password_is_refused_with_the_sign_in_form(server: InProcess) -> None:
    put_callback(server, "cb_secret", 5, phone="+15550100177")
    response = server.get("/staff")
    assert response.status_code == 401
    assert b'type="password"' in response.data
    assert b"+15550100177" not in response.data
    assert response.headers["Cache-Control"] == "no-store"


def test_staff_sign_in_wrong_password_is_refused(server: InProcess) -> None:
    put_callback(server, "cb_secret", 5, phone="+15550100177")
    response = server.sign_in("guess")
    assert response.status_code == 401
    assert b"not right" in response.data
    assert server.get("/staff").status_code == 401


def test_staff_sign_in_right_password_opens_the_inbox(server: InProcess) -> None:
    put_callback(server, "cb_one", 5, phone="+15550100177", window="evening")
    response = server.sign_in()
    assert response.status_code == 303
    inbox = server.get("/staff")
    assert inbox.status_code == 200
    assert b"+15550100177" in inbox.data and b"evening" in inbox.data


def test_staff_sign_in_without_csrf_token_is_refused(server: InProcess) -> None:
    server.get("/staff")
    response = server.post("/staff/login", data={"password": "correct horse battery staple"})
    assert response.status_code == 400
    assert server.get("/staff").status_code == 401


def test_staff_sign_in_repeated_wrong_passwords_lock_out_even_the_right_one(server: InProcess) -> None:
    for _ in range(5):
        assert server.sign_in("wrong").status_code == 401
    assert server.sign_in().status_code == 429


def test_staff_inbox_lists_requests_newest_first(server: InProcess) -> None:
    put_callback(server, "cb_old", 120, window="OLDEST-WINDOW")
    put_callback(server, "cb_new", 1, window="NEWEST-WINDOW")
    put_callback(server, "cb_mid", 30, window="MIDDLE-WINDOW")
    server.sign_in()
    html = server.get("/staff").data.decode()
    assert html.index("NEWEST-WINDOW") < html.index("MIDDLE-WINDOW") < html.index("OLDEST-WINDOW")


def test_staff_inbox_shows_summary_urgency_and_status(server: InProcess) -> None:
    put_callback(server, "cb_urgent", 3, urgency="urgent", summary="spasm (weak), lower back; urgency urgent")
    server.sign_in()
    html = server.get("/staff").data.decode()
    assert "spasm (weak), lower back; urgency urgent" in html
    assert ">Urgent<" in html and ">New<" in html


def test_staff_inbox_pending_notifications_are_listed(server: InProcess) -> None:
    put_callback(server, "cb_sent", 10)
    put_callback(server, "cb_unsent", 2, notified=False, notify_attempts=3, window="PENDING-WINDOW")
    server.sign_in()
    html = server.get("/staff").data.decode()
    assert "1 staff text not sent yet" in html
    start = html.index("Staff texts waiting to go out")
    pending_section = html[start:html.index("</section>", start)]
    assert "PENDING-WINDOW" in pending_section and "3 attempts" in pending_section


def test_staff_mark_done_with_token_changes_the_stored_status(server: InProcess) -> None:
    put_callback(server, "cb_one", 5)
    server.sign_in()
    token = csrf_from(server.get("/staff").data)
    response = server.post("/staff/callbacks/cb_one", data={"csrf_token": token, "status": "done"})
    assert response.status_code == 303
    assert server.store.get("callbacks", "cb_one").data["status"] == "done"
    html = server.get("/staff").data.decode()
    assert "Marked done." in html and ">Done<" in html and "Reopen" in html


def test_staff_mark_without_csrf_token_is_refused_and_changes_nothing(server: InProcess) -> None:
    put_callback(server, "cb_one", 5)
    server.sign_in()
    response = server.post("/staff/callbacks/cb_one", data={"status": "done"})
    assert response.status_code == 400
    assert server.store.get("callbacks", "cb_one").data["status"] == "new"


def test_staff_mark_signed_out_is_refused_and_changes_nothing(server: InProcess) -> None:
    put_callback(server, "cb_one", 5)
    token = csrf_from(server.get("/staff").data)
    response = server.post("/staff/callbacks/cb_one", data={"csrf_token": token, "status": "done"})
    assert response.status_code == 401
    assert server.store.get("callbacks", "cb_one").data["status"] == "new"


def test_staff_mark_unknown_request_or_status_gets_a_page_not_a_500(server: InProcess) -> None:
    put_callback(server, "cb_one", 5)
    server.sign_in()
    token = csrf_from(server.get("/staff").data)
    assert server.post("/staff/callbacks/cb_gone", data={"csrf_token": token, "status": "done"}).status_code == 404
    assert server.post("/staff/callbacks/cb_one", data={"csrf_token": token, "status": "deleted"}).status_code == 400
    assert server.store.get("callbacks", "cb_one").data["status"] == "new"


def test_staff_sign_out_closes_the_inbox(server: InProcess) -> None:
    server.sign_in()
    token = csrf_from(server.get("/staff").data)
    assert server.post("/staff/logout", data={"csrf_token": token}).status_code == 303
    assert server.get("/staff").status_code == 401


def test_staff_inbox_no_password_configured_is_switched_off(make_server: Callable[..., InProcess]) -> None:
    closed = make_server(staff_password=None)
    response = closed.get("/staff")
    assert response.status_code == 503
    assert b"CRAMP_STAFF_PASSWORD" in response.data and b'type="password"' not in response.data


def test_staff_sign_in_page_local_default_password_is_hinted(make_server: Callable[..., InProcess]) -> None:
    default = make_server(staff_password=LOCAL_STAFF_PASSWORD)
    assert LOCAL_STAFF_PASSWORD.encode() in default.get("/staff").data


def test_staff_sign_in_page_own_password_is_never_shown(server: InProcess) -> None:
    assert b"correct horse" not in server.get("/staff").data


def test_callback_rows_odd_records_are_shown_not_crashed(server: InProcess) -> None:
    server.store.put("callbacks", "cb_epoch", {"created_at": NOW.timestamp(), "status": "called"}, expected_version=0)
    server.store.put("callbacks", "cb_bad", {"created_at": "not a date", "urgency": 7}, expected_version=0)
    rows = callback_rows(server.store)
    assert [row.key for row in rows] == ["cb_epoch", "cb_bad"]
    assert rows[0].status_label == "Called" and rows[1].received == "unknown"
    assert set_status(server.store, "cb_missing", "done") is False
