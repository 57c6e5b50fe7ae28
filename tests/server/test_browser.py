"""The try-it page and the staff inbox in a real headless Chromium against a live waitress server."""

from __future__ import annotations

import re
from typing import Any

import pytest

from shared.content import load_content
from shared.speech import WORDS_PER_MINUTE, spoken_words
from tests.server.conftest import STAFF_PASSWORD, LiveServer, screenshot

# What the SMS line asks, in the clinic's words (shared/content/languages/en/wording.yaml).
SMS_QUESTIONS = tuple(q["sms"] for q in load_content().language("en-US").words["questions"].values() if "sms" in q)

pytestmark = pytest.mark.browser

# The conversation from the README: a classic exercise cramp, no warning signs.
CRAMP_STORY = "my calf locked up halfway through my run, about 2 minutes"

# Headless Chromium has no microphone and no voices, so the page's Web Speech calls are observed at the API:
# recognition hands the page a transcript as a real recogniser would, and every utterance given to
# speechSynthesis.speak is recorded instead of played.
SPEECH_SHIM = """
(() => {
  window.__spoken = [];
  window.__heardNext = "my calf is cramping";
  class ShimRecognition {
    start() {
      setTimeout(() => {
        const alternative = { transcript: window.__heardNext, confidence: 0.93 };
        this.onresult && this.onresult({ results: [[alternative]], resultIndex: 0 });
        this.onend && this.onend();
      }, 50);
    }
    stop() { this.onend && this.onend(); }
    abort() { this.stop(); }
  }
  window.SpeechRecognition = ShimRecognition;
  window.webkitSpeechRecognition = ShimRecognition;
  if (window.speechSynthesis) {
    window.speechSynthesis.speak = (utterance) => {
      window.__spoken.push(utterance.text);
      setTimeout(() => utterance.onend && utterance.onend(), 10);
    };
  }
})();
"""


def send_sms(page: Any, text: str) -> str:
    """Type a text into the phone, send it, and return the newest reply bubble."""
    replies = page.locator("#sms-log li.in")
    before = replies.count()
    page.get_by_label("Your text message").fill(text)
    page.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_function(
        "n => document.querySelectorAll('#sms-log li.in, #sms-log li.error').length > n", arg=before
    )
    assert page.locator("#sms-log li.error").count() == 0, page.locator("#sms-log li.error").all_inner_texts()
    return replies.last.inner_text()


def answer_until_verdict(page: Any, first: str) -> str:
    """Text the story, then answer NO to each warning-sign question until the verdict arrives."""
    reply = send_sms(page, first)
    for _ in range(8):
        if "Most likely" in reply or "Hard to tell" in reply or "likely a" in reply.lower():
            return reply
        # A question of the content's own, word for word, not any text with a question mark.
        assert any(question in reply for question in SMS_QUESTIONS), reply
        reply = send_sms(page, "no")
    raise AssertionError(f"no verdict after eight answers; last reply: {reply}")


def sign_in(page: Any, live_server: LiveServer) -> None:
    """Open the staff inbox and sign in with the password."""
    page.goto(live_server.url + "/staff")
    page.get_by_label("Staff password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Callback requests").wait_for()


def test_try_it_page_first_view_shows_notice_and_both_panels(browser_page: Any, live_server: LiveServer) -> None:
    page = browser_page
    page.goto(live_server.url + "/")
    notice = page.get_by_role("note")
    assert "Guidance, not a diagnosis." in notice.inner_text()
    assert "In an emergency call 911" in notice.inner_text()
    sms_panel = page.get_by_role("region", name="Text message")
    voice_panel = page.get_by_role("region", name="Smart speaker")
    sms_box, voice_box = sms_panel.bounding_box(), voice_panel.bounding_box()
    assert sms_box["x"] + sms_box["width"] <= voice_box["x"], "the panels should sit side by side"
    assert abs(sms_box["y"] - voice_box["y"]) < 5
    assert re.fullmatch(r"\+1\d{3}55501\d{2}", page.locator("#sms-from").inner_text())
    screenshot(page, "try-it-page")


def test_sms_panel_conversation_reaches_a_verdict(browser_page: Any, live_server: LiveServer) -> None:
    page = browser_page
    page.goto(live_server.url + "/")
    verdict = answer_until_verdict(page, CRAMP_STORY)
    assert "cramp" in verdict.lower()
    assert "Not a diagnosis" in verdict
    tips = send_sms(page, "TIPS")
    assert tips and tips != verdict
    screenshot(page, "try-it-sms-verdict")


def test_sms_panel_keyboard_alone_sends_a_message(browser_page: Any, live_server: LiveServer) -> None:
    page = browser_page
    page.goto(live_server.url + "/")
    for _ in range(30):
        if page.evaluate("document.activeElement && document.activeElement.id") == "sms-input":
            break
        page.keyboard.press("Tab")
    else:
        raise AssertionError("Tab never reached the SMS text box")
    page.keyboard.type("my eyelid keeps twitching")
    page.keyboard.press("Enter")
    page.locator("#sms-log li.in").first.wait_for()
    assert page.locator("#sms-log li.out").first.inner_text() == "my eyelid keeps twitching"
    assert page.evaluate("document.activeElement.id") == "sms-input"


def test_speaker_panel_spoken_turn_is_answered_aloud(browser_page: Any, live_server: LiveServer) -> None:
    page = browser_page
    page.add_init_script(SPEECH_SHIM)
    page.goto(live_server.url + "/")
    # A typed turn first: opening the skill.
    page.get_by_label("What you would say").fill("open cramp check")
    page.get_by_role("button", name="Say it").click()
    page.locator("#voice-log li.alexa").first.wait_for()
    assert "Welcome to Cramp Check" in page.locator("#voice-log li.alexa").first.inner_text()
    # Then a spoken one: the microphone button, the recogniser's transcript, the skill, the synthesiser.
    speak = page.get_by_role("button", name="Speak", exact=True)
    assert speak.is_visible()
    speak.click()
    page.locator("#voice-log li.alexa").nth(1).wait_for()
    said = page.locator("#voice-log li.you").nth(1).inner_text()
    assert "my calf is cramping" in said and "DescribeSymptomIntent" in said
    answer = page.locator("#voice-log li.alexa").nth(1).inner_text()
    assert "Straighten the leg" in answer  # the relief step, said first
    spoken = page.evaluate("window.__spoken")
    assert len(spoken) == 2 and "Straighten the leg" in spoken[1] and "<" not in spoken[1]
    assert "Listening for your answer" in page.get_by_role("status").inner_text()
    screenshot(page, "try-it-speaker")


def test_speaker_panel_shows_the_seconds_alexa_takes_to_say_each_answer(
    browser_page: Any, live_server: LiveServer
) -> None:
    page = browser_page
    page.goto(live_server.url + "/")
    for turn, words in enumerate(("open cramp check", "my calf is cramping")):
        with page.expect_response(lambda response: response.url.endswith("/try/alexa")) as sent:
            page.get_by_label("What you would say").fill(words)
            page.get_by_role("button", name="Say it").click()
        answer = sent.value.json()
        item = page.locator("#voice-log li.alexa").nth(turn)
        item.wait_for()

        # The server's measure (shared/speech.py) of what the skill said, shown beside the answer.
        assert item.locator(".seconds").inner_text() == f"{answer['seconds']:.1f} s to say"
        assert answer["seconds"] >= round(spoken_words(answer["speech"]) * 60 / WORDS_PER_MINUTE, 1) > 0
        assert f"({answer['reprompt_seconds']:.1f} s to say)" in item.locator(".reprompt").inner_text()
    screenshot(page, "try-it-speaker-seconds")


def test_call_request_appears_in_staff_inbox_and_is_marked_done(browser_page: Any, live_server: LiveServer) -> None:
    page = browser_page
    page.goto(live_server.url + "/")
    phone = page.locator("#sms-from").inner_text()
    answer_until_verdict(page, CRAMP_STORY)
    assert "call you back" in send_sms(page, "CALL")
    confirmed = send_sms(page, "2")
    assert "callback request is saved" in confirmed and "afternoon" in confirmed
    page.locator("#sms-log li.system", has_text="staff phone was texted").wait_for()
    screenshot(page, "try-it-sms-callback")

    sign_in(page, live_server)
    row = page.locator("table.inbox tbody tr").first
    assert phone in row.inner_text()
    assert "afternoon" in row.inner_text()
    assert "New" in row.locator("td[data-label='Status']").inner_text()
    assert "calf" in row.locator("td[data-label='Triage summary']").inner_text()
    screenshot(page, "staff-inbox")

    row.get_by_role("button", name=re.compile("^Mark done")).click()
    page.get_by_role("status").filter(has_text="Marked done.").wait_for()
    row = page.locator("table.inbox tbody tr").first
    assert "Done" in row.locator("td[data-label='Status']").inner_text()
    (record,) = live_server.store.scan("callbacks")
    assert record.data["status"] == "done" and record.data["phone"] == phone
    screenshot(page, "staff-inbox-done")
    page.set_viewport_size({"width": 375, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.get_by_role("button", name=re.compile("^Reopen")).is_visible()
    screenshot(page, "staff-inbox-phone-width")


def test_staff_inbox_without_password_is_refused(browser_page: Any, live_server: LiveServer) -> None:
    page = browser_page
    response = page.goto(live_server.url + "/staff")
    assert response.status == 401
    assert page.locator("table.inbox").count() == 0
    screenshot(page, "staff-sign-in")
    page.get_by_label("Staff password").fill("let me in")
    page.get_by_role("button", name="Sign in").click()
    assert "That password is not right." in page.get_by_role("alert").inner_text()
    assert page.locator("table.inbox").count() == 0
    screenshot(page, "staff-sign-in-refused")


def test_try_it_page_phone_sized_screen_stacks_panels_without_sideways_scroll(
    chromium: Any, live_server: LiveServer
) -> None:
    context = chromium.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        sms_box = page.get_by_role("region", name="Text message").bounding_box()
        voice_box = page.get_by_role("region", name="Smart speaker").bounding_box()
        assert voice_box["y"] >= sms_box["y"] + sms_box["height"], "the panels should stack on a phone"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        reply = send_sms(page, "my eyelid keeps twitching")
        assert reply
        screenshot(page, "try-it-phone-width")
    finally:
        context.close()


def test_try_it_page_every_control_has_an_accessible_name(browser_page: Any, live_server: LiveServer) -> None:
    page = browser_page
    page.goto(live_server.url + "/")
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), textarea, button, a')]
             .filter(el => el.offsetParent !== null)
             .filter(el => {
               const label = el.labels && el.labels.length ? el.labels[0].innerText.trim() : '';
               const aria = (el.getAttribute('aria-label') || '').trim();
               return !(label || aria || el.innerText.trim());
             }).map(el => el.outerHTML)"""
    )
    assert unnamed == []


CONTRAST_SCRIPT = """
selectors => {
  const channels = text => text.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => {
    const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = el => {
    for (let node = el; node; node = node.parentElement) {
      const parts = channels(getComputedStyle(node).backgroundColor);
      if (parts.length < 4 || parts[3] > 0) return parts.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const ratio = el => {
    const a = luminance(channels(getComputedStyle(el).color).slice(0, 3));
    const b = luminance(background(el));
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  };
  const found = {};
  for (const selector of selectors) {
    const elements = [...document.querySelectorAll(selector)];
    found[selector] = elements.length ? Math.min(...elements.map(ratio)) : null;
  }
  return found;
}
"""


def test_try_it_page_text_contrast_meets_wcag_aa(browser_page: Any, live_server: LiveServer) -> None:
    page = browser_page
    page.goto(live_server.url + "/")
    send_sms(page, "my eyelid keeps twitching")
    selectors = [".notice", ".hint", "#sms-log li.in", "#sms-log li.out", "button", ".chip", ".speaker-status",
                 "h1", "h2", ".site-header nav a", "label", ".site-footer p"]
    ratios = page.evaluate(CONTRAST_SCRIPT, selectors)
    for selector, lowest in ratios.items():
        assert lowest is not None, f"nothing matched {selector}"
        assert lowest >= 4.5, f"{selector}: contrast {lowest:.2f} is below 4.5:1"
