"""The try-it page end to end: 'text me that' said to the speaker arrives in the page's phone panel, and the phone
carries the voice conversation on (local server in-process, SQLite store, local outbox)."""

from __future__ import annotations

from shared.content import load_content
from sms.outbound import read_outbox
from tests.server.conftest import InProcess

CLINIC = load_content().clinic


def test_try_it_text_me_arrives_in_the_phone_panel_and_call_continues_it(server: InProcess) -> None:
    headers = {"X-CSRF-Token": server.try_it_token()}
    server.post("/try/alexa", json={"text": "open cramp check"}, headers=headers)
    for said in ("my calf locked up during my run", "no", "no"):
        turn = server.post("/try/alexa", json={"text": said}, headers=headers).get_json()
    assert "cramp" in turn["speech"] and "tips" in turn["speech"]

    texted = server.post("/try/alexa", json={"text": "text me that"}, headers=headers).get_json()

    assert texted["heard"] == "TextMeIntent"
    # The packaged content keeps no health information by voice: no summary, only what to do and the clinic.
    assert texted["speech"].startswith("Done. I've texted what to do and the clinic's number")
    [text] = texted["texts"]
    assert text.startswith(f"Cramp Check by {CLINIC['name']}.") and "Right now:" in text
    [sent] = read_outbox(server.settings)
    assert sent["to"] == texted["phone"] and sent["body"] == text
    assert texted["phone"][5:10] == "55501"
    reply = server.post("/try/sms", json={"text": "CALL"}, headers=headers).get_json()
    assert reply["from"] == texted["phone"]
    assert reply["replies"][0].startswith(f"When should {CLINIC['name']} call you back?")
