"""Compiled conditions answer exactly as the condition language is documented, and the memoised engine answers
exactly as a fresh one: speed never changes what a person is told."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from shared.conditions import compile_condition, holds
from shared.content import load_content
from shared.facts import Observations
from shared.triage import assess, judge, next_question, relief_for, screen
from tests.shared.test_properties import OBSERVATIONS, PROPERTY

CONTENT = load_content()


def documented(cond: dict[str, Any], obs: Observations) -> bool:
    """The condition language as conditions.py's docstring states it, written the plainest way."""
    if "all" in cond:
        return all(documented(part, obs) for part in cond["all"])
    if "any" in cond:
        return any(documented(part, obs) for part in cond["any"])
    if "not" in cond:
        return not documented(cond["not"], obs)
    value = getattr(obs, cond["fact"])
    ((op, expected),) = ((k, v) for k, v in cond.items() if k != "fact")
    if op == "known":
        return (value is not None) == bool(expected)
    if op == "unknown":
        return (value is None) == bool(expected)
    if op == "has":
        return expected in value
    if op == "has_any":
        return any(item in value for item in expected)
    if op == "has_none":
        return not any(item in value for item in expected)
    if value is None:
        return False
    return {
        "is": lambda: value == expected,
        "in": lambda: value in expected,
        "at_least": lambda: value >= expected,
        "below": lambda: value < expected,
    }[op]()


CONTENT_CONDITIONS = (
    [rule.when for rule in CONTENT.rules]
    + [flag.when for flag in CONTENT.red_flags]
    + [item.when for item in CONTENT.context_relief]
    + [q.ask_when for q in CONTENT.questions]
    + [q.skip_when for q in CONTENT.questions]
)
# Every operator, each shape of all/any (one, two and more parts), and values that are never true.
HAND_WRITTEN = [
    {"fact": "pattern", "is": "locked"},
    {"fact": "recent_episodes", "is": 0},
    {"fact": "body_part", "in": ["calf", "foot"]},
    {"fact": "duration_minutes", "in": [3, 15]},
    {"fact": "duration_minutes", "at_least": 10},
    {"fact": "duration_minutes", "below": 1},
    {"fact": "recent_episodes", "at_least": 3},
    {"fact": "signs", "has": "fever"},
    {"fact": "contexts", "has_any": ["sleep", "rest"]},
    {"fact": "contexts", "has_none": ["exercise", "heat"]},
    {"fact": "pattern", "known": True},
    {"fact": "pattern", "known": False},
    {"fact": "severity", "unknown": True},
    {"fact": "severity", "unknown": False},
    {"not": {"fact": "body_part", "is": "calf"}},
    {"all": [{"fact": "pattern", "is": "stiff"}]},
    {"any": [{"fact": "signs", "has": "fever"}, {"fact": "denied", "has": "fever"}]},
    {
        "all": [
            {"fact": "pattern", "known": True},
            {"fact": "contexts", "has": "sleep"},
            {"fact": "severity", "known": 0},
        ]
    },
    {"any": [{"fact": "pattern", "is": "x"}, {"fact": "body_part", "is": "y"}, {"fact": "signs", "has": "fever"}]},
]


@given(observations=OBSERVATIONS)
@PROPERTY
def test_compiled_condition_any_observations_answers_as_documented(observations: Observations) -> None:
    for cond in CONTENT_CONDITIONS + HAND_WRITTEN:
        expected = documented(cond, observations)
        assert compile_condition(cond)(observations) is expected, cond
        assert holds(cond, observations) is expected, cond


@given(observations=OBSERVATIONS)
@PROPERTY
def test_assess_any_observations_matches_each_step_asked_on_its_own(observations: Observations) -> None:
    first = assess(observations)
    again = assess(Observations.from_dict(observations.to_dict()))  # an equal copy: served from the memo
    flag = screen(observations, CONTENT)
    verdict, strength, fired, reasons = judge(observations, CONTENT)
    urgency = flag.urgency if flag else "self_care"
    for result in (first, again):
        assert (result.red_flag, result.urgency) == (flag.id if flag else None, urgency)
        assert (result.verdict, result.strength) == (verdict, strength)
        assert (result.fired_rules, result.reasons) == (fired, reasons)
        assert result.relief == relief_for(observations, CONTENT)
        assert result.next_question is next_question(observations, verdict, urgency, CONTENT)
        assert result.tip_ids == tuple(tip.id for tip in CONTENT.tips if verdict in tip.for_verdicts)


@given(minutes=st.integers(min_value=0, max_value=600))
@PROPERTY
def test_assess_equal_durations_of_other_types_each_keep_their_own_observations(minutes: int) -> None:
    whole = assess(Observations(duration_minutes=minutes))
    decimal = assess(Observations(duration_minutes=float(minutes)))
    assert type(whole.observations.duration_minutes) is int
    assert type(decimal.observations.duration_minutes) is float
    assert whole.verdict == decimal.verdict
