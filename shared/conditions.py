"""Evaluate the small condition language used in the content files.

A condition is `{all: [...]}`, `{any: [...]}`, `{not: cond}` or a test on one fact:
`{fact: name, <op>: value}` with op one of is, in, has, has_any, has_none, at_least, below, known, unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from shared.facts import Observations

Predicate = Callable[[Observations], bool]
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


# A compiled predicate per condition object. Content is loaded once and kept for the life of the process, so
# each condition compiles once; the entry holds the condition itself, so its id cannot be reused by another.
_COMPILED: dict[int, tuple[Mapping[str, Any], Predicate]] = {}


def holds(cond: Mapping[str, Any], obs: Observations) -> bool:
    """True when the condition holds for these observations; unknown facts never satisfy a test."""
    entry = _COMPILED.get(id(cond))
    if entry is None or entry[0] is not cond:
        entry = (cond, compile_condition(cond))
        _COMPILED[id(cond)] = entry
    return entry[1](obs)


def compile_condition(cond: Mapping[str, Any]) -> Predicate:
    """Turn a checked condition into a plain function of the observations (the engine calls these per message)."""
    if "all" in cond or "any" in cond:
        parts = tuple(compile_condition(part) for part in cond.get("all", cond.get("any")))
        if "all" in cond:
            return lambda obs: all(part(obs) for part in parts)
        return lambda obs: any(part(obs) for part in parts)
    if "not" in cond:
        inner = compile_condition(cond["not"])
        return lambda obs: not inner(obs)
    fact = cond["fact"]
    ((op, expected),) = ((k, v) for k, v in cond.items() if k != "fact")
    if op in ("known", "unknown"):
        want_known = bool(expected) == (op == "known")
        return lambda obs: (getattr(obs, fact) is not None) == want_known
    if op == "has":
        return lambda obs: expected in getattr(obs, fact)
    if op in ("has_any", "has_none"):
        wanted = frozenset(expected)
        if op == "has_any":
            return lambda obs: not wanted.isdisjoint(getattr(obs, fact))
        return lambda obs: wanted.isdisjoint(getattr(obs, fact))
    compare = _COMPARISONS[op]
    return lambda obs: (value := getattr(obs, fact)) is not None and compare(value, expected)


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "is": lambda value, expected: value == expected,
    "in": lambda value, expected: value in expected,
    "at_least": lambda value, expected: value >= expected,
    "below": lambda value, expected: value < expected,
}
