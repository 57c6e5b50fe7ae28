"""The condition language of the content files answers as conditions.py documents it."""

from __future__ import annotations

from typing import Any

import pytest

from shared.conditions import holds
from shared.facts import Observations

CALF_AT_NIGHT = Observations(
    body_part="calf", duration_minutes=12, recent_episodes=3, contexts=frozenset({"sleep"}),
    signs=frozenset({"fever"}),
)

# (condition, holds for CALF_AT_NIGHT)
CASES: list[tuple[dict[str, Any], bool]] = [
    ({"fact": "body_part", "is": "calf"}, True),
    ({"fact": "body_part", "is": "foot"}, False),
    ({"fact": "pattern", "is": "locked"}, False),  # unknown never equals a value
    ({"fact": "body_part", "in": ["foot", "calf"]}, True),
    ({"fact": "pattern", "in": ["locked", "stiff"]}, False),
    ({"fact": "duration_minutes", "at_least": 12}, True),
    ({"fact": "duration_minutes", "at_least": 13}, False),
    ({"fact": "duration_minutes", "below": 13}, True),
    ({"fact": "duration_minutes", "below": 12}, False),
    ({"fact": "severity", "below": 5}, False),  # unknown is neither more nor less
    ({"fact": "recent_episodes", "at_least": 3}, True),
    ({"fact": "signs", "has": "fever"}, True),
    ({"fact": "signs", "has": "rash"}, False),
    ({"fact": "contexts", "has_any": ["heat", "sleep"]}, True),
    ({"fact": "contexts", "has_any": ["heat", "rest"]}, False),
    ({"fact": "contexts", "has_none": ["heat", "rest"]}, True),
    ({"fact": "contexts", "has_none": ["sleep"]}, False),
    ({"fact": "body_part", "known": True}, True),
    ({"fact": "pattern", "known": True}, False),
    ({"fact": "pattern", "unknown": True}, True),
    ({"fact": "body_part", "unknown": True}, False),
    ({"not": {"fact": "pattern", "is": "locked"}}, True),  # "not" holds on an unknown fact
    ({"not": {"fact": "body_part", "is": "calf"}}, False),
    ({"all": [{"fact": "body_part", "is": "calf"}, {"fact": "signs", "has": "fever"}]}, True),
    ({"all": [{"fact": "body_part", "is": "calf"}, {"fact": "signs", "has": "rash"}]}, False),
    ({"any": [{"fact": "signs", "has": "rash"}, {"fact": "contexts", "has": "sleep"}]}, True),
    ({"any": [{"fact": "signs", "has": "rash"}, {"fact": "pattern", "known": True}]}, False),
]


@pytest.mark.parametrize(("cond", "expected"), CASES, ids=[str(case[0]) for case in CASES])
def test_condition_each_operator_answers_as_documented(cond: dict[str, Any], expected: bool) -> None:
    assert holds(cond, CALF_AT_NIGHT) is expected


def test_condition_nothing_known_satisfies_only_unknown_and_not() -> None:
    nothing = Observations()
    assert not holds({"fact": "body_part", "is": "calf"}, nothing)
    assert not holds({"fact": "duration_minutes", "at_least": 0}, nothing)
    assert holds({"fact": "duration_minutes", "unknown": True}, nothing)
    assert holds({"not": {"fact": "duration_minutes", "at_least": 0}}, nothing)
