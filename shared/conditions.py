"""Evaluate the small condition language used in the content files.

A condition is `{all: [...]}`, `{any: [...]}`, `{not: cond}` or a test on one fact:
`{fact: name, <op>: value}` with op one of is, in, has, has_any, has_none, at_least, below, known, unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from shared.facts import SET_FACTS, Observations

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


def facts_needed(cond: Mapping[str, Any]) -> frozenset[str]:
    """Facts that must be known for a checked condition to hold: a scalar fact not None (an unknown fact never
    satisfies is, in, at_least or below), a set fact not empty (has and has_any find nothing in an empty set). A
    condition whose needed facts are not all known is false without being evaluated."""
    if "all" in cond:
        return frozenset().union(*(facts_needed(part) for part in cond["all"]))
    if "any" in cond:
        return frozenset.intersection(*(facts_needed(part) for part in cond["any"]))
    if "not" in cond:
        return frozenset()  # holds when the inner test fails, unknown facts included
    fact = cond["fact"]
    ((op, expected),) = ((k, v) for k, v in cond.items() if k != "fact")
    if fact in SET_FACTS:
        needs = op in ("has", "has_any")
    else:
        # known/unknown are left out: they are about None itself; `is: null` and `in` with null hold on None.
        needs = op in ("at_least", "below") or (op == "is" and expected is not None) or (
            op == "in" and isinstance(expected, list | tuple) and None not in expected
        )
    return frozenset([fact]) if needs else frozenset()


# A compiled predicate per condition object, for callers that hold a bare condition (the engine itself uses the
# predicates content.py compiled once at load). Content is loaded once and kept for the life of the process, so
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
    """Turn a checked condition into a plain function of the observations (the engine calls these per message).

    The functions are specialised by shape (a loop instead of a generator, no None check against a value that
    is never None): a message evaluates ~57 conditions, and the general closures cost most of the engine's time.
    """
    if "all" in cond or "any" in cond:
        parts = tuple(compile_condition(part) for part in cond.get("all", cond.get("any")))
        if len(parts) == 1:
            return parts[0]
        return _all_of(parts) if "all" in cond else _any_of(parts)
    if "not" in cond:
        inner = compile_condition(cond["not"])
        return lambda obs: not inner(obs)
    fact = cond["fact"]
    ((op, expected),) = ((k, v) for k, v in cond.items() if k != "fact")
    if op in ("known", "unknown"):
        if bool(expected) == (op == "known"):
            return lambda obs: getattr(obs, fact) is not None
        return lambda obs: getattr(obs, fact) is None
    if op == "has":
        return lambda obs: expected in getattr(obs, fact)
    if op in ("has_any", "has_none"):
        wanted = frozenset(expected)
        if op == "has_any":
            return lambda obs: not wanted.isdisjoint(getattr(obs, fact))
        return lambda obs: wanted.isdisjoint(getattr(obs, fact))
    if op == "is" and expected is not None:
        # An unknown fact (None) never equals a value that is not None: no separate check needed.
        return lambda obs: getattr(obs, fact) == expected
    if op == "in" and isinstance(expected, list | tuple) and None not in expected:
        choices = _lookup_of(expected)
        return lambda obs: getattr(obs, fact) in choices
    compare = _COMPARISONS[op]
    return lambda obs: (value := getattr(obs, fact)) is not None and compare(value, expected)


def _all_of(parts: tuple[Predicate, ...]) -> Predicate:
    if len(parts) == 2:
        first, second = parts
        return lambda obs: first(obs) and second(obs)

    def all_hold(obs: Observations) -> bool:
        for part in parts:  # noqa: SIM110 - a plain loop: all() over a generator costs twice as much per call
            if not part(obs):
                return False
        return True

    return all_hold


def _any_of(parts: tuple[Predicate, ...]) -> Predicate:
    if len(parts) == 2:
        first, second = parts
        return lambda obs: first(obs) or second(obs)

    def any_holds(obs: Observations) -> bool:
        for part in parts:  # noqa: SIM110 - a plain loop: any() over a generator costs twice as much per call
            if part(obs):
                return True
        return False

    return any_holds


def _lookup_of(expected: list[Any] | tuple[Any, ...]) -> Any:
    """A set for `in` when every choice is hashable (the same answers as the list, found by hash), else the list."""
    try:
        return frozenset(expected)
    except TypeError:
        return expected


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "is": lambda value, expected: value == expected,
    "in": lambda value, expected: value in expected,
    "at_least": lambda value, expected: value >= expected,
    "below": lambda value, expected: value < expected,
}
