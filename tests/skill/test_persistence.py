"""Persistent attributes through ask-sdk's adapter interface over the real stores, and the episode history
the skill keeps with them (recurrence count, one-time notice, forget)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope

from shared.config import Settings
from shared.identity import hashed_id
from shared.stores import Record, Store, StoreUnavailable
from skill.app import build_skill, invoke
from skill.persistence import StorePersistenceAdapter, change
from tests.skill.alexa_device import KEEPING_HEALTH_DATA, NOW, USER_ID, AlexaDevice, fixture

SALT = "test-salt-for-alexa"
RETENTION = 90 * 24 * 3600
NOTICE = "Noted; see your card."  # one short sentence; what is kept and how to delete it are on the card


@pytest.fixture
def skill(skill_settings: Settings, memory_store: Store) -> CustomSkill:
    """The skill of a clinic whose switch lets it keep an episode history (clinic.yaml alexa_health_data)."""
    return build_skill(skill_settings, memory_store, content=KEEPING_HEALTH_DATA)


def envelope_for(user_id: str = USER_ID) -> RequestEnvelope:
    """A recorded LaunchRequest envelope, as ask-sdk objects, for `user_id`."""
    raw = json.loads(json.dumps(fixture("launch_request")))
    raw["context"]["System"]["user"]["userId"] = user_id
    raw["session"]["user"]["userId"] = user_id
    return DefaultSerializer().deserialize(json.dumps(raw), RequestEnvelope)


def cramp(device: AlexaDevice) -> str:
    """One whole calf-cramp conversation; returns the verdict's speech."""
    device.describe(body_part="calf", feeling="locked", context="exercise")
    device.no()
    return device.no().speech


def test_adapter_round_trip_keys_by_hashed_user_id_in_every_store(store: Store) -> None:
    adapter = StorePersistenceAdapter(store, SALT, RETENTION)
    envelope = envelope_for()

    assert adapter.get_attributes(envelope) == {}
    adapter.save_attributes(envelope, {"episodes": [{"date": "2026-11-25", "body_part": "calf", "verdict": "cramp"}]})

    assert adapter.get_attributes(envelope)["episodes"][0]["body_part"] == "calf"
    record = store.get("attributes", hashed_id("alexa", USER_ID, SALT))
    assert record is not None and record.data["episodes"][0]["verdict"] == "cramp"
    assert all(USER_ID not in r.key for r in store.scan("attributes"))
    adapter.delete_attributes(envelope)
    assert adapter.get_attributes(envelope) == {}


def test_adapter_keeps_users_apart(memory_store: Store) -> None:
    adapter = StorePersistenceAdapter(memory_store, SALT, RETENTION)
    adapter.save_attributes(envelope_for("amzn1.ask.account.ONE"), {"n": 1})
    adapter.save_attributes(envelope_for("amzn1.ask.account.TWO"), {"n": 2})

    assert adapter.get_attributes(envelope_for("amzn1.ask.account.ONE")) == {"n": 1}
    assert adapter.get_attributes(envelope_for("amzn1.ask.account.TWO")) == {"n": 2}


class DownStore:
    """A store whose backend is unreachable (as DynamoDB is during an outage)."""

    def get(self, collection: str, key: str) -> Record | None:
        raise StoreUnavailable("backend down")

    def put(self, collection: str, key: str, data: dict, *, expected_version: int,
            expires_at: float | None = None) -> Record:
        raise StoreUnavailable("backend down")

    def claim(self, collection: str, key: str, data: dict, *, expires_at: float | None = None) -> bool:
        raise StoreUnavailable("backend down")

    def delete(self, collection: str, key: str) -> None:
        raise StoreUnavailable("backend down")

    def scan(self, collection: str) -> list[Record]:
        raise StoreUnavailable("backend down")


def test_adapter_store_outage_raises_the_sdk_persistence_error() -> None:
    adapter = StorePersistenceAdapter(DownStore(), SALT, RETENTION)

    with pytest.raises(PersistenceException):
        adapter.get_attributes(envelope_for())


def test_history_store_outage_still_gives_the_whole_triage(skill_settings: Settings) -> None:
    skill = build_skill(skill_settings, DownStore(), content=KEEPING_HEALTH_DATA)
    device = AlexaDevice(lambda envelope: invoke(skill, envelope))

    verdict = cramp(device)
    forgotten = device.intent("ForgetHistoryIntent")

    assert "This sounds most like a cramp" in verdict
    assert NOTICE not in verdict, "nothing was kept, so the notice is not said"
    assert forgotten.speech.startswith("Sorry, I couldn't delete your history.")


def test_history_notice_is_spoken_once_with_the_first_kept_episode(device_for: Callable[..., AlexaDevice]) -> None:
    device = device_for()
    first = cramp(device)
    card = device.replies[-1].card["content"]
    second = cramp(device_for())

    assert NOTICE in first
    assert "last ten episodes" in card and "forget my history" in card
    assert NOTICE not in second


def test_recurrence_third_cramp_this_week_is_counted_and_suggests_a_check_up(
    device_for: Callable[..., AlexaDevice],
) -> None:
    first = cramp(device_for(now=NOW - timedelta(days=3)))
    second = cramp(device_for(now=NOW - timedelta(days=1)))
    third = cramp(device_for())

    assert "this week" not in first
    assert "That's your second this week." in second
    assert "That's your third this week." in third
    assert "Book a check-up." in third
    assert "Book a check-up." not in second


def test_recurrence_with_the_health_data_switch_off_remembers_no_session_and_writes_nothing(
    skill_settings: Settings, memory_store: Store
) -> None:
    packaged = build_skill(skill_settings, memory_store)
    first = cramp(AlexaDevice(lambda envelope: invoke(packaged, envelope), now=NOW - timedelta(days=2)))
    second = cramp(AlexaDevice(lambda envelope: invoke(packaged, envelope), now=NOW - timedelta(days=1)))
    third = cramp(AlexaDevice(lambda envelope: invoke(packaged, envelope)))

    assert all("this week" not in said and NOTICE not in said for said in (first, second, third))
    assert memory_store.scan("attributes") == []


def test_recurrence_history_kept_before_the_switch_was_turned_off_is_no_longer_read(
    device_for: Callable[..., AlexaDevice], skill_settings: Settings, memory_store: Store
) -> None:
    cramp(device_for(now=NOW - timedelta(days=2)))
    cramp(device_for(now=NOW - timedelta(days=1)))
    packaged = build_skill(skill_settings, memory_store)

    third = cramp(AlexaDevice(lambda envelope: invoke(packaged, envelope)))

    assert "this week" not in third and "check-up" not in third


def test_recurrence_episodes_older_than_a_week_do_not_count(device_for: Callable[..., AlexaDevice]) -> None:
    cramp(device_for(now=NOW - timedelta(days=9)))
    cramp(device_for(now=NOW - timedelta(days=8)))
    latest = cramp(device_for())

    assert "this week" not in latest
    assert "check-up" not in latest


def test_recurrence_other_users_episodes_do_not_count(device_for: Callable[..., AlexaDevice]) -> None:
    cramp(device_for(user_id="amzn1.ask.account.SOMEONEELSE1"))
    cramp(device_for(user_id="amzn1.ask.account.SOMEONEELSE1"))
    mine = cramp(device_for())

    assert "this week" not in mine


def test_history_keeps_only_the_last_ten_episodes(
    device_for: Callable[..., AlexaDevice], memory_store: Store
) -> None:
    for days_ago in range(12, 0, -1):
        cramp(device_for(now=NOW - timedelta(days=days_ago)))

    record = memory_store.get("attributes", hashed_id("alexa", USER_ID, SALT))
    episodes = record.data["episodes"]
    assert len(episodes) == 10
    assert episodes[-1] == {"date": (NOW - timedelta(days=1)).date().isoformat(), "body_part": "calf",
                            "verdict": "cramp"}
    assert set(episodes[0]) == {"date", "body_part", "verdict"}, "no words or other details are kept"


def test_history_one_episode_per_conversation_even_if_the_verdict_is_repeated(
    device: AlexaDevice, memory_store: Store
) -> None:
    cramp(device)
    device.describe(duration="seconds")

    record = memory_store.get("attributes", hashed_id("alexa", USER_ID, SALT))
    assert len(record.data["episodes"]) == 1


def test_emergency_episode_is_kept_too(device: AlexaDevice, memory_store: Store) -> None:
    device.describe(body_part="calf", feeling="locked", context="exercise")
    device.no()
    device.yes()
    assert device.free_text("dark urine").ends_session  # the emergency

    record = memory_store.get("attributes", hashed_id("alexa", USER_ID, SALT))
    assert record.data["episodes"][0]["body_part"] == "calf"


def test_forget_history_deletes_it_and_the_count_starts_again(
    device_for: Callable[..., AlexaDevice], memory_store: Store
) -> None:
    cramp(device_for(now=NOW - timedelta(days=2)))
    cramp(device_for(now=NOW - timedelta(days=1)))
    forgotten = device_for().intent("ForgetHistoryIntent")
    after = cramp(device_for())

    assert forgotten.speech == "Done. I've deleted your cramp history."
    assert forgotten.ends_session
    assert "this week" not in after
    assert NOTICE in after, "a new history starts, so the notice is given again"
    assert len(memory_store.get("attributes", hashed_id("alexa", USER_ID, SALT)).data["episodes"]) == 1


def test_forget_history_mid_dialogue_goes_back_to_the_pending_question(device: AlexaDevice) -> None:
    device.describe(body_part="calf", feeling="locked", context="exercise")
    reply = device.intent("ForgetHistoryIntent")

    assert reply.speech.startswith("Done. I've deleted your cramp history.")
    assert reply.speech.endswith("Is that leg swollen, red, or warm to the touch?")
    assert reply.reprompt
    assert not reply.ends_session


def test_history_on_sqlite_survives_a_new_skill_instance(skill_settings: Settings, sqlite_store: Store) -> None:
    first_skill: CustomSkill = build_skill(skill_settings, sqlite_store, content=KEEPING_HEALTH_DATA)
    cramp(AlexaDevice(lambda envelope: invoke(first_skill, envelope), now=NOW - timedelta(days=1)))
    second_skill = build_skill(skill_settings, sqlite_store, content=KEEPING_HEALTH_DATA)

    verdict = cramp(AlexaDevice(lambda envelope: invoke(second_skill, envelope)))

    assert "That's your second this week." in verdict


def test_start_over_after_a_verdict_counts_that_episode(device: AlexaDevice) -> None:
    cramp(device)
    device.intent("AMAZON.StartOverIntent")
    second = cramp(device)

    assert "That's your second this week." in second


class WriteBetween:
    """A store where, once, another device's turns run between this turn's read and its write."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.other_device: Callable[[], None] | None = None
        self.reads: list[str] = []
        self.writes: list[str] = []

    def get(self, collection: str, key: str) -> Record | None:
        self.reads.append(collection)
        return self._store.get(collection, key)

    def put(self, collection: str, key: str, data: dict, *, expected_version: int,
            expires_at: float | None = None) -> Record:
        self.writes.append(collection)
        if self.other_device is not None:
            other, self.other_device = self.other_device, None
            other()
        return self._store.put(collection, key, data, expected_version=expected_version, expires_at=expires_at)

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)


def test_history_verdict_turn_reads_and_writes_the_attributes_once(skill_settings: Settings, store: Store) -> None:
    counting = WriteBetween(store)
    skill = build_skill(skill_settings, counting, content=KEEPING_HEALTH_DATA)
    device = AlexaDevice(lambda envelope: invoke(skill, envelope))
    device.describe(body_part="calf", feeling="locked", context="exercise")
    device.no()
    counting.reads.clear()
    counting.writes.clear()

    verdict = device.no().speech

    assert "This sounds most like a cramp" in verdict
    assert counting.reads == ["attributes"]
    assert counting.writes == ["attributes"]


def test_history_episode_saved_by_another_device_meanwhile_is_kept_with_this_one(
    skill_settings: Settings, store: Store
) -> None:
    between = WriteBetween(store)
    skill = build_skill(skill_settings, between, content=KEEPING_HEALTH_DATA)
    kitchen = AlexaDevice(lambda envelope: invoke(skill, envelope))
    bedroom = AlexaDevice(lambda envelope: invoke(skill, envelope))
    kitchen.describe(body_part="calf", feeling="locked", context="exercise")
    kitchen.no()
    # The bedroom Echo saves its episode after the kitchen's verdict turn read the history, before it wrote.
    between.other_device = lambda: bedroom.describe(
        body_part="eyelid_face", feeling="twitching", duration="seconds", context="rest"
    )

    verdict = kitchen.no().speech

    assert "This sounds most like a cramp" in verdict
    record = store.get("attributes", hashed_id("alexa", USER_ID, SALT))
    assert sorted(e["body_part"] for e in record.data["episodes"]) == ["calf", "eyelid_face"]


def test_history_forgotten_on_another_device_meanwhile_stays_forgotten(
    skill_settings: Settings, store: Store
) -> None:
    between = WriteBetween(store)
    skill = build_skill(skill_settings, between, content=KEEPING_HEALTH_DATA)
    kitchen = AlexaDevice(lambda envelope: invoke(skill, envelope))
    bedroom = AlexaDevice(lambda envelope: invoke(skill, envelope))
    bedroom.describe(body_part="eyelid_face", feeling="twitching", duration="seconds", context="rest")
    kitchen.describe(body_part="calf", feeling="locked", context="exercise")
    kitchen.no()
    between.other_device = lambda: bedroom.intent("ForgetHistoryIntent")

    kitchen.no()

    record = store.get("attributes", hashed_id("alexa", USER_ID, SALT))
    assert [e["body_part"] for e in record.data["episodes"]] == ["calf"], "the forgotten episode is not back"


def test_adapter_changes_from_two_devices_read_at_the_same_version_are_both_saved(store: Store) -> None:
    adapter = StorePersistenceAdapter(store, SALT, RETENTION)
    envelope = envelope_for()
    adapter.save_attributes(envelope, {"episodes": [{"date": "2026-11-20", "body_part": "calf", "verdict": "cramp"}]})
    kitchen, bedroom = adapter.get_attributes(envelope), adapter.get_attributes(envelope)

    change(kitchen, lambda data: data.update({"linked": "phone_0123"}))
    change(bedroom, lambda data: data.update({"episodes": [*data["episodes"], {"date": "2026-11-25"}]}))
    adapter.save_attributes(envelope, kitchen)
    adapter.save_attributes(envelope, bedroom)

    saved = adapter.get_attributes(envelope)
    assert saved["linked"] == "phone_0123"
    assert [e["date"] for e in saved["episodes"]] == ["2026-11-20", "2026-11-25"]
    assert bedroom == saved, "the saving request sees what was stored"
