"""The hardening findings that are about pages, in a real headless Chromium against a live waitress server: a page on
another site cannot drive the skill through the simulator switch, a signed-out (or copied) staff cookie opens
nothing, the sign-in page says how long a device waits, and the inbox shows the clinic's time zone."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import STAFF_PASSWORD, LiveServer, screenshot, serve_live
from tests.server.test_browser import SPEECH_SHIM, send_sms, sign_in
from tests.skill.alexa_device import AlexaDevice

pytestmark = pytest.mark.browser

ATTACK_PAGE = """<!doctype html><html><body><h1>Free cramp tips</h1>
<form id="f" method="post" enctype="text/plain" action="{target}"><input type="hidden" name='{name}' value='{value}'>
</form>
<script>
  fetch("{target}", {{method: "POST", mode: "no-cors", headers: {{"Content-Type": "text/plain"}}, body: {body}}})
    .finally(() => document.getElementById("f").submit());
</script></body></html>"""


@pytest.fixture
def simulator_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The local server with CRAMP_ALEXA_LOCAL_SIMULATOR=1, as someone testing with virtual-alexa runs it."""
    with serve_live(tmp_path, alexa_local_simulator=True) as live:
        yield live


@pytest.fixture
def attacker_site(simulator_server: LiveServer) -> Iterator[str]:
    """A page on another site (localhost, not 127.0.0.1) that posts an Alexa envelope to the local server twice."""
    envelope = AlexaDevice(lambda envelope: {}, now=datetime.now(UTC)).envelope("launch_request")
    text = json.dumps(envelope)
    # A text/plain form sends name=value: the classic trick splits the JSON so that "=" lands inside a string.
    name, value = text[:-1] + ', "padding": "', '"}'
    page = ATTACK_PAGE.format(target=simulator_server.url + "/alexa", name=name.replace("'", "&#39;"),
                              value=value, body=json.dumps(text)).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_page_on_another_site_cannot_run_an_envelope_through_the_simulator_switch(
    browser_page: Any, attacker_site: str, simulator_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    page = browser_page
    page.goto(attacker_site)
    page.wait_for_url(simulator_server.url + "/alexa")  # the fetch finished, then the form was sent
    refused = [r for r in caplog.records if "not from a local program" in r.getMessage()]
    assert len(refused) == 2, "both the fetch and the form reached the server and were refused"
    assert not [r for r in caplog.records if r.name.startswith("skill.")], "the skill never ran"
    assert "cross-site requests are refused" in page.content()


def test_try_it_page_still_talks_to_the_skill_with_the_simulator_switch_on(
    browser_page: Any, simulator_server: LiveServer
) -> None:
    page = browser_page
    page.add_init_script(SPEECH_SHIM)
    page.goto(simulator_server.url + "/")
    page.get_by_label("What you would say").fill("open cramp check")
    page.get_by_role("button", name="Say it").click()
    page.wait_for_function("document.querySelectorAll('#voice-log li.alexa, #voice-log li.error').length > 0")
    assert page.locator("#voice-log li.error").count() == 0
    assert "Cramp Check" in page.locator("#voice-log li.alexa").last.inner_text()
    assert send_sms(page, "my calf locked up during my run")


def test_staff_cookie_copied_before_sign_out_opens_nothing_after_it(
    browser_page: Any, chromium: Any, live_server: LiveServer
) -> None:
    page = browser_page
    sign_in(page, live_server)
    copied = page.context.cookies()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Staff password").wait_for()

    other = chromium.new_context()
    try:
        other.add_cookies(copied)
        thief = other.new_page()
        thief.goto(live_server.url + "/staff")
        assert thief.get_by_label("Staff password").is_visible()
        assert thief.get_by_role("heading", name="Callback requests").count() == 0
        assert "You were signed out" in thief.content()
    finally:
        other.close()


def test_staff_sign_in_page_says_how_long_this_device_waits(browser_page: Any, live_server: LiveServer) -> None:
    page = browser_page
    page.goto(live_server.url + "/staff")
    for _ in range(5):
        page.get_by_label("Staff password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("alert").wait_for()
    assert "try again in 1 minute" in page.get_by_role("alert").inner_text()
    page.get_by_label("Staff password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert "Too many wrong passwords from this device" in page.get_by_role("alert").inner_text()
    screenshot(page, "staff-sign-in-locked")


def test_staff_inbox_shows_the_request_time_in_the_clinics_zone(browser_page: Any, live_server: LiveServer) -> None:
    page = browser_page
    page.add_init_script(SPEECH_SHIM)
    page.goto(live_server.url + "/")
    send_sms(page, "CALL")
    send_sms(page, "evening")
    sign_in(page, live_server)
    received = page.locator("table.inbox time").first.inner_text()
    assert re.fullmatch(r"\w{3} \d{2} \w{3} \d{4}, \d{2}:\d{2} E[SD]T", received), received
