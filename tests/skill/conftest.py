"""Fixtures for the Alexa skill tests: settings, a built skill over a real store, and a pretend Echo."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from ask_sdk_core.skill import CustomSkill

from shared.config import Settings
from shared.stores import Store, store_from_settings
from skill.app import build_skill, invoke
from tests.skill.alexa_device import SKILL_ID, AlexaDevice


@pytest.fixture
def skill_settings(tmp_path: Path) -> Settings:
    """Local settings with the test skill id."""
    return Settings(store="memory", data_dir=tmp_path, alexa_skill_id=SKILL_ID, hash_salt="test-salt-for-alexa")


@pytest.fixture
def memory_store() -> Store:
    """An empty in-memory store."""
    return store_from_settings("memory")


@pytest.fixture
def skill(skill_settings: Settings, memory_store: Store) -> CustomSkill:
    """The skill as deployed, over the in-memory store."""
    return build_skill(skill_settings, memory_store)


@pytest.fixture
def device(skill: CustomSkill) -> AlexaDevice:
    """A US Echo talking straight to the skill's invoke."""
    return AlexaDevice(lambda envelope: invoke(skill, envelope))


@pytest.fixture
def device_for(skill: CustomSkill) -> Callable[..., AlexaDevice]:
    """Make more devices on the same skill (other locales, other users, screens)."""
    return lambda **options: AlexaDevice(lambda envelope: invoke(skill, envelope), **options)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """A fresh SQLite store, the local default."""
    store = store_from_settings("sqlite", path=tmp_path / "skill.sqlite3")
    yield store
    store.close()
