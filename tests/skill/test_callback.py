"""'Ask the clinic to call me' by voice: real Alexa envelopes through the skill, the number from a local Customer
Profile API served as Amazon serves it, and the callback request stored as the SMS line stores it (same function,
same record), its staff text owed, and what it carries decided by the clinic's health-data switch."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from ask_sdk_core.skill import CustomSkill

from shared.config import Settings
from shared.content import Content, load_content
from shared.identity import hashed_id
from shared.records import CALLBACKS, STAFF_QUEUE
from shared.speech import spoken_seconds
from shared.stores import Record, Store, StoreUnavailable, store_from_settings
from skill.app import build_skill, invoke
from tests.skill.alexa_device import KEEPING_HEALTH_DATA, SKILL_ID, AlexaDevice, Reply
from tests.skill.profile_api import CONSENTED, NO_CONSENT, NO_NUMBER, FakeProfileApi

SALT = "test-salt-for-callbacks"
MOBILE = "+15550001111"
CONTENT = load_content()
CLINIC = CONTENT.clinic
WINDOWS = CONTENT.language("en-US").words["callback_windows"]
SCOPE = "alexa::profile:mobile_number:read"
# Issue 15's budgets at 150 words a minute: a question 8 s, the confirmation (a relief step's budget) 10 s.
QUESTION_SECONDS, CONFIRMATION_SECONDS = 8, 10


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Skill settings with the test salt."""
    return Settings(store="memory", data_dir=tmp_path / "data", alexa_skill_id=SKILL_ID, hash_salt=SALT)


@pytest.fixture
def store() -> Store:
    """An empty in-memory store."""
    return store_from_settings("memory")


@pytest.fixture
def stored_ids() -> list[str]:
    """The ids the skill reports as stored (the local server wakes its staff notifier with them)."""
    return []


@pytest.fixture
def speaker_for(
    settings: Settings, store: Store, profile_api: FakeProfileApi, stored_ids: list[str]
) -> Callable[..., AlexaDevice]:
    """An Echo talking to a skill built with `content` (the packaged content: health-data switch off)."""

    def make(token: str = CONSENTED, content: Content = CONTENT, skill_store: Store | None = None) -> AlexaDevice:
        skill: CustomSkill = build_skill(settings, skill_store or store, content=content,
                                         on_callback_stored=stored_ids.append)
        return AlexaDevice(lambda envelope: invoke(skill, envelope), api_endpoint=profile_api.endpoint,
                           api_access_token=token)

    return make


def calf_verdict(device: AlexaDevice) -> Reply:
    """A calf cramp during exercise, to its verdict."""
    device.describe(body_part="calf", feeling="locked", context="exercise")
    device.no()
    return device.no()


def urgent_verdict(device: AlexaDevice) -> Reply:
    """A calf cramp with a red, swollen leg: see a doctor today, and the callback offered."""
    device.describe(body_part="calf", feeling="locked", context="exercise")
    device.yes()
    device.free_text("it's red and swollen")
    return device.no()


def only_callback(store: Store) -> Record:
    """The one callback request stored."""
    [record] = store.scan(CALLBACKS)
    return record


def test_callback_by_voice_asks_when_stores_the_request_and_confirms_in_one_short_sentence(
    speaker_for: Callable[..., AlexaDevice], store: Store, stored_ids: list[str], profile_api: FakeProfileApi
) -> None:
    device = speaker_for()
    calf_verdict(device)

    asked = device.callback()
    confirmed = device.callback("morning", intent="CallbackTimeIntent")  # "in the morning"

    assert asked.speech == f"When should {CLINIC['name']} call you back: morning, afternoon or evening?"
    assert all(label in asked.speech for label in WINDOWS.values()), "the SMS line's choices, from content"
    assert not asked.ends_session and asked.reprompt
    assert spoken_seconds(asked.ssml) <= QUESTION_SECONDS
    assert confirmed.speech == f"Done: {CLINIC['name']} will call your mobile back (morning) during opening hours."
    assert spoken_seconds(confirmed.ssml) <= CONFIRMATION_SECONDS
    assert confirmed.ends_session
    assert CLINIC["phone"] in confirmed.card["content"]
    for reply in (asked, asked.reprompt):
        text = reply if isinstance(reply, str) else reply.ssml
        assert spoken_seconds(text) <= QUESTION_SECONDS
    record = only_callback(store)
    data = record.data
    assert (data["phone"], data["window"], data["channel"], data["status"]) == (MOBILE, "morning", "alexa", "new")
    assert data["phone_hash"] == hashed_id("phone", MOBILE, SALT)
    # The staff text is owed at once (sms/notifications.py sends it, as for a request made by text).
    assert data["notified"] is False and data["notify_queue"] == STAFF_QUEUE
    assert stored_ids == [record.key]
    # Kept for the clinic's retention period only.
    created = datetime.fromisoformat(data["created_at"]).timestamp()
    assert record.expires_at == pytest.approx(created + CONTENT.health_data.retention_seconds)
    assert len(profile_api.requests) == 2, "the number is read when asking and again when storing, never kept"
    assert MOBILE not in str(confirmed.raw.get("sessionAttributes"))


def test_callback_by_voice_keeps_no_triage_while_the_health_data_switch_is_off(
    speaker_for: Callable[..., AlexaDevice], store: Store
) -> None:
    device = speaker_for()
    urgent_verdict(device)
    device.callback()
    device.callback("evening")

    data = only_callback(store).data
    assert data["summary"] == "" and data["urgency"] == "not_recorded" and data["content_version"] == ""
    assert "calf" not in str(data) and "swollen" not in str(data)


def test_callback_by_voice_carries_the_triage_summary_when_the_clinic_keeps_health_data(
    speaker_for: Callable[..., AlexaDevice], store: Store
) -> None:
    device = speaker_for(content=KEEPING_HEALTH_DATA)
    urgent_verdict(device)
    device.callback()
    device.callback("evening")

    data = only_callback(store).data
    assert data["urgency"] == "urgent" and data["summary"].startswith("cramp")
    assert "calf" in data["summary"] and data["content_version"] == KEEPING_HEALTH_DATA.version


def test_callback_offer_after_an_urgent_verdict_accepted_with_yes_stores_the_same_request(
    speaker_for: Callable[..., AlexaDevice], store: Store
) -> None:
    device = speaker_for()
    verdict = urgent_verdict(device)

    asked = device.yes()
    confirmed = device.callback("afternoon")

    assert verdict.speech.endswith("Should the clinic call you back?")
    assert asked.speech.startswith(f"When should {CLINIC['name']} call you back")
    assert confirmed.speech.startswith("Done:") and confirmed.ends_session
    assert only_callback(store).data["window"] == "afternoon"


def test_callback_said_with_its_time_in_one_breath_asks_nothing_more(
    speaker_for: Callable[..., AlexaDevice], store: Store
) -> None:
    device = speaker_for()
    device.launch()

    confirmed = device.callback("evening")

    assert confirmed.speech.startswith("Done:") and "(evening)" in confirmed.speech
    assert only_callback(store).data["window"] == "evening"


def test_callback_time_in_the_persons_own_words_is_kept_as_said(
    speaker_for: Callable[..., AlexaDevice], store: Store
) -> None:
    device = speaker_for()
    device.callback()

    confirmed = device.callback(heard="after three tomorrow")

    assert "(after three tomorrow)" in confirmed.speech
    assert only_callback(store).data["window"] == "after three tomorrow"


def test_callback_without_permission_says_one_sentence_and_sends_the_permission_card(
    speaker_for: Callable[..., AlexaDevice], store: Store
) -> None:
    device = speaker_for(NO_CONSENT)
    calf_verdict(device)

    reply = device.callback()

    assert reply.speech.count(".") == 1 and reply.speech.endswith(".")
    assert "permission" in reply.speech or "allow" in reply.speech
    assert reply.card == {"type": "AskForPermissionsConsent", "permissions": [SCOPE]}
    assert reply.ends_session
    assert store.scan(CALLBACKS) == []


def test_callback_without_an_access_token_asks_permission_without_calling_the_api(
    speaker_for: Callable[..., AlexaDevice], store: Store, profile_api: FakeProfileApi
) -> None:
    reply = speaker_for("").callback("morning")

    assert reply.card == {"type": "AskForPermissionsConsent", "permissions": [SCOPE]}
    assert profile_api.requests == [] and store.scan(CALLBACKS) == []


def test_callback_when_the_account_has_no_mobile_number_gives_the_clinics_number(
    speaker_for: Callable[..., AlexaDevice], store: Store
) -> None:
    reply = speaker_for(NO_NUMBER).callback()

    assert reply.speech.startswith("Your Amazon account has no mobile number")
    assert CLINIC["phone_spoken"] in reply.speech and reply.ends_session
    assert store.scan(CALLBACKS) == []


class DownCallbacks:
    """A store whose callbacks collection cannot be written (the rest works)."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner

    def claim(self, collection: str, key: str, data: dict, *, expires_at: float | None = None) -> bool:
        raise StoreUnavailable("callbacks table unreachable")

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def test_callback_that_cannot_be_stored_says_so_and_gives_the_clinics_number(
    speaker_for: Callable[..., AlexaDevice], store: Store, stored_ids: list[str]
) -> None:
    device = speaker_for(skill_store=DownCallbacks(store))
    device.callback()

    reply = device.callback("morning")

    assert reply.speech.startswith("Sorry, I couldn't save your callback just now")
    assert CLINIC["phone_spoken"] in reply.speech and reply.ends_session
    assert stored_ids == [] and store.scan(CALLBACKS) == []


def test_callback_no_to_the_time_question_withdraws_it_and_stores_nothing(
    speaker_for: Callable[..., AlexaDevice], store: Store
) -> None:
    device = speaker_for()
    device.callback()

    reply = device.no()

    assert reply.speech.startswith("Goodbye") and reply.ends_session
    assert store.scan(CALLBACKS) == []


@pytest.mark.parametrize("answer", ["yes", "fallback", "callback again"])
def test_callback_time_question_answered_without_a_time_is_asked_again_in_other_words(
    speaker_for: Callable[..., AlexaDevice], store: Store, answer: str
) -> None:
    device = speaker_for()
    device.callback()

    if answer == "yes":
        reply = device.yes()
    elif answer == "fallback":
        reply = device.intent("AMAZON.FallbackIntent")
    else:
        reply = device.callback()

    assert reply.speech.startswith("Sorry,") and reply.speech.endswith(": morning, afternoon or evening?")
    assert not reply.ends_session
    assert store.scan(CALLBACKS) == []
    assert device.callback("morning").speech.startswith("Done:")


def test_callback_time_question_after_an_emergency_says_the_emergency_number_first(
    speaker_for: Callable[..., AlexaDevice], store: Store
) -> None:
    device = speaker_for()
    device.launch()
    device.describe(body_part="calf", feeling="locked", context="exercise")
    device.no()
    # A late sign in the window answer is never stored as a time: the emergency instruction comes first.
    device.callback()
    reply = device.free_text("I have chest pain and can't breathe")

    assert reply.speech.startswith("Call 9 1 1 now.") and reply.ends_session
    assert store.scan(CALLBACKS) == []


def pending(reply: Reply) -> str | None:
    """The question the skill is waiting on after this reply."""
    return ((reply.raw.get("sessionAttributes") or {}).get("conversation") or {}).get("pending")


def test_callback_time_said_alone_to_another_question_is_a_description_and_starts_no_callback(
    speaker_for: Callable[..., AlexaDevice], store: Store, profile_api: FakeProfileApi
) -> None:
    device = speaker_for()
    asked = device.describe(body_part="calf", feeling="locked")
    while pending(asked) not in ("onset", None) and len(device.replies) < 5:
        asked = device.no()

    reply = device.callback("evening", intent="CallbackTimeIntent")  # "in the evening", to "When did it start?"

    assert pending(asked) == "onset", "the question of when it started"
    assert "call you back" not in reply.speech and not reply.speech.startswith("Done")
    assert not reply.ends_session
    assert profile_api.requests == [] and store.scan(CALLBACKS) == []


def test_callback_redelivered_request_is_stored_once(speaker_for: Callable[..., AlexaDevice], store: Store) -> None:
    device = speaker_for()
    device.callback()
    envelope = device.envelope("help_intent", {"intent": {"name": "CallbackIntent", "confirmationStatus": "NONE",
                                                          "slots": {"window": {"name": "window", "value": "morning"}}}})

    first, again = device.send(envelope), device.send(envelope)

    assert first["response"]["outputSpeech"] == again["response"]["outputSpeech"]
    assert len(store.scan(CALLBACKS)) == 1
