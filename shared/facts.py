"""What the person has told us so far, as plain data the rules can look at."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

SET_FACTS = ("contexts", "signs", "denied", "answered")


@dataclass(frozen=True)
class Observations:
    """Facts gathered from the person's words and answers; None means not known yet."""

    body_part: str | None = None
    pattern: str | None = None
    duration_minutes: float | None = None
    recurrence: str | None = None
    severity: str | None = None
    recent_episodes: int = 0
    contexts: frozenset[str] = field(default_factory=frozenset)
    signs: frozenset[str] = field(default_factory=frozenset)
    denied: frozenset[str] = field(default_factory=frozenset)
    answered: frozenset[str] = field(default_factory=frozenset)

    def merge(self, newer: Observations) -> Observations:
        """Combine with newer facts: newer values win, sets grow, and a sign once reported stays reported."""
        changes: dict[str, Any] = {}
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(newer, f.name)
            if f.name in SET_FACTS:
                changes[f.name] = mine | theirs
            elif f.name == "recent_episodes":
                changes[f.name] = max(mine, theirs)
            elif theirs is not None:
                changes[f.name] = theirs
        merged = replace(self, **changes)
        # Safety: a reported warning sign is never cancelled by a later "no"; denial only covers the rest.
        return replace(merged, denied=merged.denied - merged.signs)

    def with_changes(self, **changes: Any) -> Observations:
        """Return a copy with some facts replaced."""
        return replace(self, **changes)

    def value_of(self, fact: str) -> Any:
        """Look up one fact by name, as conditions refer to it."""
        return getattr(self, fact)

    def to_dict(self) -> dict[str, Any]:
        """Serialise for storage (sets become sorted lists)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = sorted(value) if f.name in SET_FACTS else value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Observations:
        """Rebuild from stored data, ignoring keys this version does not know and values of the wrong type."""
        data = data if isinstance(data, dict) else {}
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in data:
                kwargs[f.name] = _clean(f.name, data[f.name])
        return cls(**kwargs)

    def is_empty(self) -> bool:
        """True when nothing useful has been observed."""
        return self == Observations(recent_episodes=self.recent_episodes, answered=self.answered)


def _clean(name: str, value: Any) -> Any:
    """A stored value as the engine expects it; a value of the wrong type is dropped (a store written by another
    version, or edited by hand, must not make the engine raise mid-conversation)."""
    if name in SET_FACTS:
        if isinstance(value, str):
            value = [value]
        items = value if isinstance(value, list | tuple | set | frozenset) else ()
        return frozenset(item for item in items if isinstance(item, str))
    if name == "recent_episodes":
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0
    if name == "duration_minutes":
        is_number = isinstance(value, int | float) and not isinstance(value, bool) and value == value  # not NaN
        return value if is_number else None
    return value if isinstance(value, str) else None
