"""The staff inbox over HTTP: the password gate, CSRF on every form, newest first, status changes, pending texts."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from server.staff import LOCAL_STAFF
from shared.config import LOCAL_STAFF_PASSWORD, SettingsError
from shared.content import CONTENT_DIR
from shared.stores import Store
from staff.inbox import callback_rows, set_status
from tests.server.conftest import STAFF_PASSWORD, InProcess, csrf_from

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def put_callback(server: InProcess, key: str, minutes_ago: int, **fields: object) -> None:
    """Store a callback request in the server's store the way shared.callbacks does."""
    store_callback_record(server.store, key, minutes_ago, **fields)


def store_callback_record(store: Store, key: str, minutes_ago: int, **fields: object) -> None:
    """Store a callback request the way shared.callbacks does."""
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
    store.put("callbacks", key, data, expected_version=0)


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


def test_staff_sign_in_five_wrong_passwords_lock_out_that_device_even_with_the_right_one(server: InProcess) -> None:
    for _ in range(4):
        assert server.sign_in("wrong").status_code == 401
    fifth = server.sign_in("wrong")
    assert fifth.status_code == 429 and b"try again in 1 minute" in fifth.data
    assert server.sign_in().status_code == 429
    assert server.get("/staff").status_code == 401


def test_staff_sign_in_an_attackers_failures_never_lock_out_staff_on_another_device(server: InProcess) -> None:
    attacker = server.another_browser("203.0.113.9")
    for _ in range(60):
        attacker.sign_in("guess")
    assert attacker.sign_in().status_code == 429, "the guesser's own device stays locked"
    nurse = server.another_browser("198.51.100.7")
    assert nurse.sign_in().status_code == 303
    assert nurse.get("/staff").status_code == 200


def test_staff_sign_in_lockout_doubles_with_each_further_failure_and_lifts_on_time(server: InProcess) -> None:
    for _ in range(5):
        server.sign_in("wrong")
    server.clock.advance(59)
    assert server.sign_in().status_code == 429
    server.clock.advance(2)
    assert server.sign_in("wrong again").status_code == 429  # checked, wrong: now two minutes
    server.clock.advance(119)
    assert server.sign_in().status_code == 429
    server.clock.advance(2)
    assert server.sign_in().status_code == 303


def test_staff_sign_in_right_password_clears_the_devices_failures(server: InProcess) -> None:
    for _ in range(4):
        server.sign_in("wrong")
    assert server.sign_in().status_code == 303
    for _ in range(4):
        assert server.sign_in("wrong").status_code == 401


def test_staff_sign_in_spread_out_attack_locks_any_failing_device_at_once_but_not_a_new_one(server: InProcess) -> None:
    for index in range(19):  # one guess each from many addresses: no single device reaches five
        assert server.another_browser(f"203.0.113.{index}").sign_in("guess").status_code == 401
    # The twentieth wrong password within 15 minutes: from now on one failure is enough to make a device wait.
    late_guesser = server.another_browser("192.0.2.77")
    assert late_guesser.sign_in("guess").status_code == 429
    assert late_guesser.sign_in().status_code == 429
    assert server.another_browser("198.51.100.7").sign_in().status_code == 303


def test_staff_sign_in_attempts_are_logged_with_a_hashed_device_and_no_password(
    server: InProcess, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="server.staff")
    guesser = server.another_browser("203.0.113.9")
    guesser.sign_in("hunter2-guess")
    server.sign_in()
    records = [r for r in caplog.records if r.name == "server.staff"]
    assert [r.getMessage() for r in records] == ["staff login: wrong password", "staff login: accepted"]
    wrong, accepted = records
    assert wrong.failures == 1 and wrong.client != accepted.client and wrong.client.startswith("client_")
    logged = " ".join(str(vars(r)) for r in records)
    assert "hunter2-guess" not in logged and STAFF_PASSWORD not in logged
    assert "203.0.113.9" not in logged and "127.0.0.1" not in logged


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


def test_staff_sign_out_revokes_the_session_even_for_a_copy_of_the_cookie(server: InProcess) -> None:
    server.sign_in()
    copied = server.client.get_cookie("cramp_session", domain="127.0.0.1").value
    token = csrf_from(server.get("/staff").data)
    server.post("/staff/logout", data={"csrf_token": token})
    thief = server.another_browser()
    thief.client.set_cookie("cramp_session", copied, domain="127.0.0.1")
    response = thief.get("/staff")
    assert response.status_code == 401
    assert b"+15550100" not in response.data and b'type="password"' in response.data


def test_staff_session_idle_for_thirty_minutes_is_signed_out(server: InProcess) -> None:
    put_callback(server, "cb_one", 5, phone="+15550100177")
    server.sign_in()
    server.clock.advance(29 * 60)
    assert server.get("/staff").status_code == 200, "a request counts as activity"
    server.clock.advance(29 * 60)
    assert server.get("/staff").status_code == 200
    server.clock.advance(31 * 60)
    idle = server.get("/staff")
    assert idle.status_code == 401 and b"+15550100177" not in idle.data
    assert b"You were signed out (after 30 minutes without use" in idle.data
    assert server.get("/staff").status_code == 401


def test_staff_session_in_use_ends_after_eight_hours(server: InProcess) -> None:
    server.sign_in()
    for _ in range(19):  # a request every 25 minutes keeps it from idling out, for 7 h 55 min
        server.clock.advance(25 * 60)
        assert server.get("/staff").status_code == 200
    server.clock.advance(25 * 60)  # 8 h 20 min after signing in
    assert server.get("/staff").status_code == 401


def test_staff_mark_after_sign_out_with_the_old_cookie_changes_nothing(server: InProcess) -> None:
    put_callback(server, "cb_one", 5)
    server.sign_in()
    copied = server.client.get_cookie("cramp_session", domain="127.0.0.1").value
    token = csrf_from(server.get("/staff").data)
    server.post("/staff/logout", data={"csrf_token": token})
    server.client.set_cookie("cramp_session", copied, domain="127.0.0.1")
    response = server.post("/staff/callbacks/cb_one", data={"csrf_token": token, "status": "done"})
    assert response.status_code == 401
    assert server.store.get("callbacks", "cb_one").data["status"] == "new"


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
    # A time without its zone counts as UTC; a request is found by its status, so every stored one has one.
    server.store.put("callbacks", "cb_epoch", {"created_at": "2026-11-25T15:00:00", "status": "called"},
                     expected_version=0)
    server.store.put("callbacks", "cb_bad", {"created_at": "not a date", "urgency": 7, "status": "new"},
                     expected_version=0)
    rows = callback_rows(server.store)
    assert [row.key for row in rows] == ["cb_epoch", "cb_bad"]
    assert rows[0].status_label == "Called" and rows[1].received == "unknown"
    assert set_status(server.store, "cb_missing", "done", LOCAL_STAFF) is False


def test_staff_inbox_shows_times_in_the_clinics_time_zone_with_its_abbreviation(server: InProcess) -> None:
    put_callback(server, "cb_winter", 0, window="WINTER")  # 15:00 UTC on 25 November 2026
    put_callback(server, "cb_summer", 0, window="SUMMER", created_at="2026-07-01T15:00:00+00:00")
    server.sign_in()
    html = server.get("/staff").data.decode()
    assert "Wed 25 Nov 2026, 10:00 EST" in html  # clinic.yaml: timezone America/New_York
    assert "Wed 01 Jul 2026, 11:00 EDT" in html
    assert "UTC" not in html
    assert 'datetime="2026-11-25T10:00:00-05:00"' in html


def write_content_with_clinic(tmp_path: Path, **clinic: object) -> Path:
    """A copy of the content folder whose clinic.yaml has these fields changed (None: removed)."""
    folder = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, folder)
    data = yaml.safe_load((folder / "clinic.yaml").read_text(encoding="utf-8"))
    for key, value in clinic.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    (folder / "clinic.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return folder


def test_staff_inbox_other_clinic_time_zone_is_used(make_server: Callable[..., InProcess], tmp_path: Path) -> None:
    london = make_server(content_dir=str(write_content_with_clinic(tmp_path, timezone="Europe/London")))
    put_callback(london, "cb_one", 0)
    london.sign_in()
    assert "Wed 25 Nov 2026, 15:00 GMT" in london.get("/staff").data.decode()


def test_staff_inbox_clinic_without_time_zone_shows_utc(make_server: Callable[..., InProcess], tmp_path: Path) -> None:
    plain = make_server(content_dir=str(write_content_with_clinic(tmp_path, timezone=None)))
    put_callback(plain, "cb_one", 0)
    plain.sign_in()
    assert "Wed 25 Nov 2026, 15:00 UTC" in plain.get("/staff").data.decode()


def test_server_clinic_time_zone_misspelled_refuses_to_start_naming_it(
    make_server: Callable[..., InProcess], tmp_path: Path
) -> None:
    with pytest.raises(SettingsError, match="timezone 'America/New_Yrok' is not an IANA time zone name"):
        make_server(content_dir=str(write_content_with_clinic(tmp_path, timezone="America/New_Yrok")))
