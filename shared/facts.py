"""What the person has told us so far, as plain data the rules can look at."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

SET_FACTS = ("contexts", "signs", "denied", "answered")
# The empty set every set fact starts as (frozenset() is one shared object anyway).
_NO_ITEMS: frozenset[str] = frozenset()


@dataclass(frozen=True, init=False)
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

    def __init__(
        self,
        body_part: str | None = None,
        pattern: str | None = None,
        duration_minutes: float | None = None,
        recurrence: str | None = None,
        severity: str | None = None,
        recent_episodes: int = 0,
        contexts: frozenset[str] = _NO_ITEMS,
        signs: frozenset[str] = _NO_ITEMS,
        denied: frozenset[str] = _NO_ITEMS,
        answered: frozenset[str] = _NO_ITEMS,
    ) -> None:
        # The same fields, defaults and frozen instance as the generated __init__, which sets each field through
        # object.__setattr__ (ten calls): one dict update is a third of the cost, and a turn builds several.
        self.__dict__.update(
            body_part=body_part,
            pattern=pattern,
            duration_minutes=duration_minutes,
            recurrence=recurrence,
            severity=severity,
            recent_episodes=recent_episodes,
            contexts=contexts,
            signs=signs,
            denied=denied,
            answered=answered,
        )

    def merge(self, newer: Observations) -> Observations:
        """Combine with newer facts: newer values win, sets grow, and a sign once reported stays reported."""
        # Field by field rather than through fields() and replace(): a turn merges several times.
        signs = self.signs | newer.signs
        return Observations(
            body_part=self.body_part if newer.body_part is None else newer.body_part,
            pattern=self.pattern if newer.pattern is None else newer.pattern,
            duration_minutes=self.duration_minutes if newer.duration_minutes is None else newer.duration_minutes,
            recurrence=self.recurrence if newer.recurrence is None else newer.recurrence,
            severity=self.severity if newer.severity is None else newer.severity,
            recent_episodes=max(self.recent_episodes, newer.recent_episodes),
            contexts=self.contexts | newer.contexts,
            signs=signs,
            # Safety: a reported warning sign is never cancelled by a later "no"; denial only covers the rest.
            denied=(self.denied | newer.denied) - signs,
            answered=self.answered | newer.answered,
        )

    def with_changes(self, **changes: Any) -> Observations:
        """Return a copy with some facts replaced."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Serialise for storage (sets become sorted lists)."""
        return {
            "body_part": self.body_part,
            "pattern": self.pattern,
            "duration_minutes": self.duration_minutes,
            "recurrence": self.recurrence,
            "severity": self.severity,
            "recent_episodes": self.recent_episodes,
            "contexts": sorted(self.contexts),
            "signs": sorted(self.signs),
            "denied": sorted(self.denied),
            "answered": sorted(self.answered),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Observations:
        """Rebuild from stored data, ignoring keys this version does not know and values of the wrong type."""
        if not isinstance(data, dict):
            return cls()
        return cls(**{name: _CLEANERS[name](data[name]) for name in FACT_NAMES if name in data})

    def is_empty(self) -> bool:
        """True when nothing useful has been observed."""
        return (
            self.body_part is None
            and self.pattern is None
            and self.duration_minutes is None
            and self.recurrence is None
            and self.severity is None
            and not self.contexts
            and not self.signs
            and not self.denied
        )


# In declaration order; computed once rather than through fields() on every load.
FACT_NAMES = tuple(f.name for f in fields(Observations))


def _clean(name: str, value: Any) -> Any:
    """A stored value as the engine expects it; a value of the wrong type is dropped (a store written by another
    version, or edited by hand, must not make the engine raise mid-conversation)."""
    return _CLEANERS[name](value)


def _clean_set(value: Any) -> frozenset[str]:
    if isinstance(value, str):
        value = [value]
    elif not isinstance(value, (list, tuple, set, frozenset)) or not value:
        return _NO_ITEMS  # most stored sets are empty: no generator for them
    return frozenset(item for item in value if isinstance(item, str))


def _clean_count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _clean_number(value: Any) -> float | None:
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool) and value == value  # not NaN
    return value if is_number else None


def _clean_text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# One cleaner per fact, looked up once per stored fact rather than tested name by name.
_CLEANERS = (
    {name: _clean_text for name in FACT_NAMES}
    | {name: _clean_set for name in SET_FACTS}
    | {"recent_episodes": _clean_count, "duration_minutes": _clean_number}
)
