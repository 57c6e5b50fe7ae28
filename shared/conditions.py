"""Evaluate the small condition language used in the content files.

A condition is `{all: [...]}`, `{any: [...]}`, `{not: cond}` or a test on one fact:
`{fact: name, <op>: value}` with op one of is, in, has, has_any, has_none, at_least, below, known, unknown.
An unknown fact (None) satisfies no test but `unknown` (and `not` of another test).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.facts import Observations

OPERATORS = ("is", "in", "has", "has_any", "has_none", "at_least", "below", "known", "unknown")


def holds(cond: Mapping[str, Any], obs: Observations) -> bool:
    """True when the condition holds for these observations."""
    if "all" in cond:
        return all(holds(part, obs) for part in cond["all"])
    if "any" in cond:
        return any(holds(part, obs) for part in cond["any"])
    if "not" in cond:
        return not holds(cond["not"], obs)
    value = getattr(obs, cond["fact"])
    op, expected = operator_of(cond)
    if op == "known":
        return (value is not None) == bool(expected)
    if op == "unknown":
        return (value is None) == bool(expected)
    if op == "has":
        return expected in value
    if op == "has_any":
        return not value.isdisjoint(expected)
    if op == "has_none":
        return value.isdisjoint(expected)
    if value is None:
        return False
    if op == "is":
        return value == expected
    if op == "in":
        return value in expected
    if op == "at_least":
        return value >= expected
    return value < expected  # below


def ids_needed(cond: Mapping[str, Any], fact: str) -> frozenset[str] | None:
    """Ids of which at least one must be in the set fact `fact` for the condition to hold, or None when it can hold
    without any: every part of an `all` must hold, so any part's need is the whole's; an `any` needs one of its
    parts' ids only when every part needs some; a `not`, and a test on another fact, need none."""
    if "all" in cond:
        needs = [need for part in cond["all"] if (need := ids_needed(part, fact)) is not None]
        return min(needs, key=len) if needs else None
    if "any" in cond:
        needs = [ids_needed(part, fact) for part in cond["any"]]
        return None if None in needs else frozenset().union(*needs)
    if "not" in cond or cond["fact"] != fact:
        return None
    op, expected = operator_of(cond)
    if op == "has":
        return frozenset({expected})
    return frozenset(expected) if op == "has_any" else None


def operator_of(cond: Mapping[str, Any]) -> tuple[str, Any]:
    """The operator and value of a test on one fact (`{fact: pattern, is: locked}` -> ("is", "locked")); the content
    checks at load that every test has exactly one."""
    for op, expected in cond.items():
        if op != "fact":
            return op, expected
    raise ValueError(f"a test on one fact without an operator: {cond!r}")
