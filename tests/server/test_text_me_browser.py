"""'Text me that' on the try-it page in headless Chromium: said to the speaker, the text shows in the phone panel,
and the phone carries the conversation on with CALL."""

from __future__ import annotations

from typing import Any

import pytest

from shared.content import load_content
from tests.server.conftest import LiveServer, screenshot
from tests.server.test_browser import SPEECH_SHIM, send_sms

pytestmark = pytest.mark.browser

CLINIC = load_content().clinic


def say(page: Any, text: str) -> str:
    """Type a turn into the speaker panel and return the skill's answer."""
    answers = page.locator("#voice-log li.alexa, #voice-log li.error")
    before = answers.count()
    page.get_by_label("What you would say").fill(text)
    page.get_by_role("button", name="Say it").click()
    page.wait_for_function(
        "n => document.querySelectorAll('#voice-log li.alexa, #voice-log li.error').length > n", arg=before
    )
    assert page.locator("#voice-log li.error").count() == 0, page.locator("#voice-log li.error").all_inner_texts()
    return answers.last.inner_text()


def test_try_it_text_me_shows_the_text_in_the_phone_panel(browser_page: Any, live_server: LiveServer) -> None:
    page = browser_page
    page.add_init_script(SPEECH_SHIM)
    page.goto(live_server.url + "/")
    say(page, "open cramp check")
    for said in ("my calf locked up during my run", "no", "no"):
        verdict = say(page, said)
    assert "cramp" in verdict

    spoken = say(page, "text me that")

    assert spoken.startswith("Done. I've texted what to do and")
    texts = page.locator("#sms-log li.in")
    assert texts.count() == 1
    text = texts.first.inner_text()
    assert text.startswith(f"Cramp Check by {CLINIC['name']}.") and "Right now:" in text
    assert "Text from the Alexa skill" in page.locator("#sms-log li.system").last.inner_text()
    assert page.locator("#sms-from").inner_text()[5:10] == "55501"
    callback = send_sms(page, "CALL")
    assert callback.startswith(f"When should {CLINIC['name']} call you back?")
    screenshot(page, "try-it-text-me")
