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
        """Rebuild from stored data, ignoring keys this version does not know."""
        data = data or {}
        known = {f.name for f in fields(cls)}
        kwargs: dict[str, Any] = {}
        for name, value in data.items():
            if name not in known:
                continue
            kwargs[name] = frozenset(value or ()) if name in SET_FACTS else value
        return cls(**kwargs)

    def is_empty(self) -> bool:
        """True when nothing useful has been observed."""
        return self == Observations(recent_episodes=self.recent_episodes, answered=self.answered)
