"""Evaluate the small condition language used in the content files.

A condition is `{all: [...]}`, `{any: [...]}`, `{not: cond}` or a test on one fact:
`{fact: name, <op>: value}` with op one of is, in, has, has_any, has_none, at_least, below, known, unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.facts import Observations

OPERATORS = ("is", "in", "has", "has_any", "has_none", "at_least", "below", "known", "unknown")


class ContentError(ValueError):
    """A content file is malformed; raised at load time with the file and id named."""


def check_condition(cond: Any, where: str, fact_names: set[str]) -> None:
    """Validate a condition's shape once at load time, so evaluation never meets a surprise."""
    if not isinstance(cond, Mapping) or not cond:
        raise ContentError(f"{where}: a condition must be a non-empty mapping, got {cond!r}")
    if "all" in cond or "any" in cond:
        key = "all" if "all" in cond else "any"
        parts = cond[key]
        if not isinstance(parts, list) or not parts:
            raise ContentError(f"{where}: '{key}' needs a non-empty list")
        for part in parts:
            check_condition(part, where, fact_names)
        return
    if "not" in cond:
        check_condition(cond["not"], where, fact_names)
        return
    fact = cond.get("fact")
    if fact not in fact_names:
        raise ContentError(f"{where}: unknown fact {fact!r}")
    ops = [op for op in cond if op != "fact"]
    if len(ops) != 1 or ops[0] not in OPERATORS:
        raise ContentError(f"{where}: needs exactly one operator of {OPERATORS}, got {ops}")


def holds(cond: Mapping[str, Any], obs: Observations) -> bool:
    """True when the condition holds for these observations; unknown facts never satisfy a test."""
    if "all" in cond:
        return all(holds(part, obs) for part in cond["all"])
    if "any" in cond:
        return any(holds(part, obs) for part in cond["any"])
    if "not" in cond:
        return not holds(cond["not"], obs)
    value = obs.value_of(cond["fact"])
    (op, expected), = ((k, v) for k, v in cond.items() if k != "fact")
    if op == "known":
        return (value is not None) == bool(expected)
    if op == "unknown":
        return (value is None) == bool(expected)
    if op == "has":
        return expected in value
    if op == "has_any":
        return bool(value & set(expected))
    if op == "has_none":
        return not (value & set(expected))
    if value is None:
        return False
    if op == "is":
        return value == expected
    if op == "in":
        return value in expected
    if op == "at_least":
        return value >= expected
    return value < expected  # below
