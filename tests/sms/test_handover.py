"""The voice-to-text hand-off seen from the SMS line: the skill texts the person (through the local outbox, as
the local server does), the line carries the voice conversation on, and the two histories join and are
forgotten together. The Customer Profile API runs on loopback HTTPS (tests/skill/profile_api.py)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask

from shared import handover
from shared.config import Settings
from shared.content import load_content
from shared.identity import hashed_id
from shared.stores import Store, store_from_settings
from skill.app import build_skill, invoke
from sms.app import create_app
from sms.outbound import read_outbox, send_sms
from tests.skill.alexa_device import KEEPING_HEALTH_DATA, SKILL_ID, USER_ID, AlexaDevice
from tests.skill.profile_api import CONSENTED, FakeProfileApi
from tests.sms.conftest import TEST_SALT, TwilioPoster, make_settings
from tests.sms.helpers import assert_sms_text, conversation_erased

MOBILE = "+15550001111"
CLINIC = load_content().clinic
ALEXA_KEY = hashed_id("alexa", USER_ID, TEST_SALT)
PHONE_KEY = hashed_id("phone", MOBILE, TEST_SALT)


@dataclass
class Channels:
    """One person's Echo and phone, over one store, as on the local server."""

    settings: Settings
    store: Store
    app: Flask
    profile_api: FakeProfileApi
    now: datetime

    def speaker(self) -> AlexaDevice:
        """An Echo whose account has the mobile number and has granted the permission."""
        skill = build_skill(self.settings, self.store, content=KEEPING_HEALTH_DATA,
                            send_text=functools.partial(send_sms, self.settings))
        return AlexaDevice(
            lambda envelope: invoke(skill, envelope), api_endpoint=self.profile_api.endpoint,
            api_access_token=CONSENTED, now=self.now,
        )

    def phone(self) -> TwilioPoster:
        """The person's phone texting the SMS line (signed as Twilio signs)."""
        return TwilioPoster(self.app.test_client(), sender=MOBILE)


@pytest.fixture
def channels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Channels]:
    """Skill and SMS line on one store, local mode (texts go to the outbox), the profile API on loopback."""
    settings = make_settings(tmp_path, alexa_skill_id=SKILL_ID)
    store = store_from_settings("memory")
    app = create_app(settings, store)
    # The SMS line dates its episodes by its clock: the same day as the Echo's requests. Both are the real time
    # of the test (once): the stores expire records by the real clock, so a fixed day would expire the SMS
    # conversation (written at that day's time plus four hours) once the real clock passed it.
    now = datetime.now(UTC).replace(microsecond=0)
    app.extensions["cramp_sms"].clock = now.timestamp
    with FakeProfileApi(tmp_path) as api:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(api.cert_path))
        yield Channels(settings, store, app, api, now)


def voice_calf_cramp(device: AlexaDevice) -> None:
    """A calf cramp during exercise, up to the spoken verdict."""
    device.describe(body_part="calf", feeling="locked", context="exercise")
    device.no()
    assert "cramp" in device.no().speech


def texted_calf_cramp(phone: TwilioPoster) -> str:
    """A new calf cramp told by text, up to the verdict; returns the verdict reply."""
    phone("NEW")
    phone("hard knot in my calf during exercise, it let go after 2 minutes")
    phone("no")
    return phone("no").text


def link(device: AlexaDevice) -> None:
    """Voice verdict, 'text me that', and yes to linking the histories."""
    voice_calf_cramp(device)
    device.intent("TextMeIntent")
    assert device.yes().speech.startswith("Done. Your voice and text histories are linked.")


def test_handover_text_arrives_in_the_local_outbox_within_two_segments(channels: Channels) -> None:
    device = channels.speaker()
    voice_calf_cramp(device)

    device.intent("TextMeIntent")

    [message] = read_outbox(channels.settings)
    assert message["to"] == MOBILE
    assert message["body"].startswith(f"Cramp Check by {CLINIC['name']}.\nMost likely a cramp")
    assert_sms_text(message["body"])


def test_handover_seeded_conversation_continues_with_call_as_a_callback_request(channels: Channels) -> None:
    device = channels.speaker()
    voice_calf_cramp(device)
    device.intent("TextMeIntent")
    phone = channels.phone()

    asked = phone("CALL")
    confirmed = phone("2")

    assert asked.text.startswith(f"When should {CLINIC['name']} call you back? Reply 1 morning, 2 afternoon")
    assert "afternoon" in confirmed.text
    [callback] = channels.store.scan("callbacks")
    assert callback.data["phone"] == MOBILE and callback.data["window"] == "afternoon"
    assert "calf" in callback.data["summary"] and "cramp" in callback.data["summary"]


def test_handover_seeded_conversation_answers_tips_at_once(channels: Channels) -> None:
    device = channels.speaker()
    voice_calf_cramp(device)
    device.intent("TextMeIntent")

    tips = channels.phone()("TIPS")

    assert tips.text.startswith(f"Tips from {CLINIC['name']}:")
    assert_sms_text(tips.text, 612)


def test_handover_linked_texted_episodes_count_toward_the_voice_recurrence(channels: Channels) -> None:
    device = channels.speaker()
    link(device)  # voice episode 1
    phone = channels.phone()
    texted_calf_cramp(phone)  # episode 2, by text

    voice_calf_cramp(again := channels.speaker())

    assert "That's your third this week." in again.replies[-1].speech
    assert len(handover.episodes(channels.store, PHONE_KEY)) == 1


def test_handover_unlinked_texted_episodes_stay_out_of_the_voice_history(channels: Channels) -> None:
    device = channels.speaker()
    voice_calf_cramp(device)
    device.intent("TextMeIntent")
    device.no()
    texted_calf_cramp(channels.phone())

    voice_calf_cramp(again := channels.speaker())

    assert "That's your second this week." in again.replies[-1].speech


def test_handover_forget_history_on_alexa_forgets_the_linked_texts_too(channels: Channels) -> None:
    device = channels.speaker()
    link(device)
    texted_calf_cramp(channels.phone())

    forgotten = channels.speaker().intent("ForgetHistoryIntent")

    assert forgotten.speech.startswith("Done. I've deleted your cramp history, and everything the text line kept")
    assert channels.store.get("attributes", ALEXA_KEY) is None
    assert channels.store.get("attributes", PHONE_KEY) is None
    assert conversation_erased(channels.store, PHONE_KEY)
    voice_calf_cramp(after := channels.speaker())
    assert "this week" not in after.replies[-1].speech


def test_handover_delete_by_text_forgets_the_linked_voice_history_too(channels: Channels) -> None:
    device = channels.speaker()
    link(device)
    phone = channels.phone()
    texted_calf_cramp(phone)

    deleted = phone("DELETE")

    assert deleted.text.startswith("Done: erased your conversation, history and callback requests, and your linked")
    assert channels.store.get("attributes", PHONE_KEY) is None
    assert channels.store.get("attributes", ALEXA_KEY) is None
    voice_calf_cramp(after := channels.speaker())
    assert "this week" not in after.replies[-1].speech


def test_handover_sms_line_records_one_episode_per_texted_conversation(channels: Channels) -> None:
    phone = channels.phone()

    texted_calf_cramp(phone)
    phone("TIPS")
    phone("my calf still feels tight")
    texted_calf_cramp(phone)

    kept = handover.episodes(channels.store, PHONE_KEY)
    assert [(e["body_part"], e["verdict"]) for e in kept] == [("calf", "cramp"), ("calf", "cramp")]
    assert all(e["date"] == channels.now.date().isoformat() for e in kept)


def rate_limited_phone(channels: Channels) -> TwilioPoster:
    """The person's phone after texting the line up to its limit (every message answered)."""
    phone = channels.phone()
    for _ in range(channels.settings.sms_rate_limit):
        assert phone("hi").text
    return phone


def test_handover_text_me_does_not_reset_the_sms_rate_limit(channels: Channels) -> None:
    phone = rate_limited_phone(channels)
    device = channels.speaker()
    voice_calf_cramp(device)

    device.intent("TextMeIntent")
    over = phone("TIPS")

    assert over.text.startswith("You have sent many messages in a short time, so I will pause replies")
    assert phone("TIPS").silent


def test_handover_forget_history_on_alexa_does_not_reset_the_sms_rate_limit(channels: Channels) -> None:
    device = channels.speaker()
    link(device)
    phone = rate_limited_phone(channels)

    channels.speaker().intent("ForgetHistoryIntent")
    over = phone("hi")

    assert over.text.startswith("You have sent many messages in a short time, so I will pause replies")
    assert conversation_erased(channels.store, PHONE_KEY)
