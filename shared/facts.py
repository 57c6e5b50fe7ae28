"""What the person has told us so far, as plain data the rules can look at.

Each field is declared with `fact(kind)`: the kind decides how it is stored, cleaned and merged, so adding a
fact is one line here (plus its ids in content/concepts.yaml and the words that produce it in a lexicon).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

TEXT = "text"  # one id or word, None when not known (newer wins)
NUMBER = "number"  # a number, None when not known (newer wins)
COUNT = "count"  # a whole number from 0 (the larger wins)
SET = "set"  # a set of ids (sets grow)


def fact(kind: str, *, concept: str | None = None, said: bool = True) -> Any:
    """Declare an Observations field: its kind, the concepts.yaml list its ids come from, and whether the person
    says it (False for what the conversation itself keeps, such as the questions already answered)."""
    default = {COUNT: 0, SET: frozenset()}.get(kind)
    return field(default=default, metadata={"kind": kind, "concept": concept, "said": said})


@dataclass(frozen=True, slots=True)
class Observations:
    """Facts gathered from the person's words and answers; None (or empty) means not known yet."""

    body_part: str | None = fact(TEXT, concept="body_part")
    pattern: str | None = fact(TEXT, concept="pattern")
    duration_minutes: float | None = fact(NUMBER)  # how long this episode (or this twitch) has lasted
    onset_minutes_ago: float | None = fact(NUMBER)  # when the problem began ("since Tuesday")
    recurrence: str | None = fact(TEXT, concept="recurrence")
    severity: str | None = fact(TEXT, concept="severity")
    recent_episodes: int = fact(COUNT, said=False)  # from the person's history, this episode included
    contexts: frozenset[str] = fact(SET, concept="contexts")
    signs: frozenset[str] = fact(SET, concept="signs")
    # Signs only hedged or partly heard ("not sure if it's swollen"): never lower anything, asked about next.
    possible_signs: frozenset[str] = fact(SET, concept="signs")
    denied: frozenset[str] = fact(SET, concept="signs")
    experiencer: str | None = fact(TEXT, concept="experiencer")  # whose cramp: the person's own or another's
    age_band: str | None = fact(TEXT, concept="age_band")  # only when stated; some red flags depend on it
    called_it: str | None = fact(TEXT, concept="called_it")  # the person's own word: weak evidence only
    scope: str | None = fact(TEXT, concept="scope")  # "out" for stomach, period and pregnancy belly cramps
    answered: frozenset[str] = fact(SET, said=False)  # question ids

    def merge(self, newer: Observations) -> Observations:
        """Combine with newer facts: newer values win, counts keep the larger, sets grow, and a sign once
        reported stays reported."""
        merged = {spec.name: _MERGE[KIND[spec.name]](getattr(self, spec.name), getattr(newer, spec.name))
                  for spec in fields(self)}
        # Safety: a reported warning sign is never cancelled by a later "no"; denial only covers the rest.
        merged["denied"] = merged["denied"] - merged["signs"]
        # A sign once confirmed or denied is no longer only possible.
        merged["possible_signs"] = merged["possible_signs"] - merged["signs"] - merged["denied"]
        return Observations(**merged)

    def to_dict(self) -> dict[str, Any]:
        """Serialise for storage (sets become sorted lists)."""
        return {
            spec.name: sorted(value) if isinstance(value := getattr(self, spec.name), frozenset) else value
            for spec in fields(self)
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Observations:
        """Rebuild from stored data, ignoring keys this version does not know and values of the wrong type (a
        store written by another version, or by hand, must not make the engine raise mid-conversation)."""
        if not isinstance(data, dict):
            return cls()
        return cls(**{name: _CLEAN[KIND[name]](data[name]) for name in FACT_NAMES if name in data})

    def is_empty(self) -> bool:
        """True when the person has told us nothing yet."""
        return all(getattr(self, spec.name) == spec.default for spec in fields(self) if spec.metadata["said"])


FACT_NAMES = tuple(spec.name for spec in fields(Observations))
KIND = {spec.name: spec.metadata["kind"] for spec in fields(Observations)}
# Which concepts.yaml list each fact's ids come from (facts with none hold numbers or question ids).
CONCEPT_OF = {spec.name: spec.metadata["concept"] for spec in fields(Observations) if spec.metadata["concept"]}


def _clean_text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _clean_number(value: Any) -> float | None:
    is_number = isinstance(value, int | float) and not isinstance(value, bool) and not math.isnan(value)
    return value if is_number else None


def _clean_count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _clean_set(value: Any) -> frozenset[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple | set | frozenset):
        return frozenset()
    return frozenset(item for item in value if isinstance(item, str))


def _newer_if_known(older: Any, newer: Any) -> Any:
    return older if newer is None else newer


_CLEAN = {TEXT: _clean_text, NUMBER: _clean_number, COUNT: _clean_count, SET: _clean_set}
_MERGE = {TEXT: _newer_if_known, NUMBER: _newer_if_known, COUNT: max, SET: frozenset.union}
