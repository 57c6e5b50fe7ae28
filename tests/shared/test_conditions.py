"""The condition language of the content files answers as conditions.py documents it."""

from __future__ import annotations

from typing import Any

import pytest

from shared.conditions import holds, ids_needed
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


# (condition, the signs of which one must be reported for it to hold; None: it can hold without any)
NEEDS: list[tuple[dict[str, Any], frozenset[str] | None]] = [
    ({"fact": "signs", "has": "fever"}, frozenset({"fever"})),
    ({"fact": "signs", "has_any": ["fever", "rash"]}, frozenset({"fever", "rash"})),
    ({"fact": "signs", "has_none": ["fever"]}, None),
    ({"fact": "possible_signs", "has": "fever"}, None),  # only a reported sign counts
    ({"not": {"fact": "signs", "has": "fever"}}, None),
    ({"all": [{"fact": "contexts", "has": "heat"}, {"fact": "signs", "has": "vomiting"}]}, frozenset({"vomiting"})),
    ({"any": [{"fact": "signs", "has": "fever"}, {"fact": "signs", "has_any": ["rash", "limp"]}]},
     frozenset({"fever", "rash", "limp"})),
    # One branch matches without a sign, so the whole can.
    ({"any": [{"fact": "contexts", "has": "alcohol_withdrawal"}, {"fact": "signs", "has": "shaking"}]}, None),
    ({"all": [{"not": {"fact": "scope", "is": "out"}},
              {"any": [{"fact": "contexts", "has": "heat"}, {"fact": "signs", "has": "vomiting"}]}]}, None),
]


@pytest.mark.parametrize(("cond", "needed"), NEEDS)
def test_condition_signs_needed_are_those_without_which_it_cannot_hold(
    cond: dict[str, Any], needed: frozenset[str] | None
) -> None:
    assert ids_needed(cond, "signs") == needed
    if needed is not None:
        assert not holds(cond, Observations(signs=frozenset({"chest_pain"}), contexts=frozenset({"heat"})))
