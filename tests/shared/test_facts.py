"""Observations keep every fact through a merge and a store round trip, whichever fact it is."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pytest

from shared.facts import KIND, SET, Observations

# One value per fact, none of them the default: a fact the code forgot would come back as its default.
EVERY_FACT: dict[str, Any] = {
    "body_part": "calf",
    "pattern": "locked",
    "duration_minutes": 15.0,
    "onset_minutes_ago": 1440.0,
    "recurrence": "recurring",
    "severity": "severe",
    "recent_episodes": 3,
    "contexts": frozenset({"sleep"}),
    "signs": frozenset({"swelling"}),
    "possible_signs": frozenset({"redness"}),
    "denied": frozenset({"fever"}),
    "experiencer": "other",
    "age_band": "older_adult",
    "called_it": "cramp",
    "scope": "in",
    "answered": frozenset({"pattern"}),
}


def test_every_fact_has_a_sample_value_here() -> None:
    assert set(EVERY_FACT) == {f.name for f in fields(Observations)}


@pytest.mark.parametrize("name", sorted(EVERY_FACT))
def test_merge_a_fact_only_the_newer_side_knows_is_kept(name: str) -> None:
    merged = Observations().merge(Observations(**{name: EVERY_FACT[name]}))
    assert getattr(merged, name) == EVERY_FACT[name]


@pytest.mark.parametrize("name", sorted(EVERY_FACT))
def test_merge_a_fact_only_the_older_side_knows_is_kept(name: str) -> None:
    merged = Observations(**{name: EVERY_FACT[name]}).merge(Observations())
    assert getattr(merged, name) == EVERY_FACT[name]


def test_merge_newer_values_win_sets_grow_and_a_reported_sign_cancels_its_denial() -> None:
    swelling, fever = frozenset({"swelling"}), frozenset({"fever"})
    older = Observations(body_part="calf", recent_episodes=4, signs=swelling, denied=fever)
    newer = Observations(body_part="foot", recent_episodes=1, signs=fever, denied=swelling)
    merged = older.merge(newer)
    assert (merged.body_part, merged.recent_episodes) == ("foot", 4)
    assert merged.signs == {"swelling", "fever"}
    assert merged.denied == frozenset()


def test_store_round_trip_keeps_every_fact() -> None:
    observations = Observations(**EVERY_FACT)
    stored = observations.to_dict()
    assert all(isinstance(stored[name], list) for name in KIND if KIND[name] == SET)
    assert Observations.from_dict(stored) == observations


@pytest.mark.parametrize("name", sorted(set(EVERY_FACT) - {"recent_episodes", "answered"}))
def test_is_empty_any_one_fact_known_is_not_empty(name: str) -> None:
    assert Observations().is_empty()
    assert Observations(recent_episodes=2, answered=frozenset({"pattern"})).is_empty()
    assert not Observations(**{name: EVERY_FACT[name]}).is_empty()


def test_merge_a_possible_sign_later_confirmed_or_denied_is_no_longer_possible() -> None:
    hedged = Observations(possible_signs=frozenset({"swelling", "redness"}))
    merged = hedged.merge(Observations(signs=frozenset({"swelling"}), denied=frozenset({"redness"})))
    assert merged.possible_signs == frozenset()
    assert merged.signs == {"swelling"} and merged.denied == {"redness"}
