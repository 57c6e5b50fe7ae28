"""Conditions of the content files in plain words, for a reader who does not read YAML: "the signs include chest
pain or trouble breathing", "the muscle is the calf, the back of the thigh, ...".
"""

from __future__ import annotations

from typing import Any

from shared.conditions import operator_of

# How each fact reads in a sentence.
FACT_WORDS = {
    "body_part": "the muscle",
    "pattern": "it feels",
    "duration_minutes": "this episode has lasted (minutes)",
    "onset_minutes_ago": "it began (minutes ago)",
    "recurrence": "it happens",
    "severity": "it is",
    "recent_episodes": "episodes this week",
    "contexts": "the circumstances include",
    "signs": "the person reports",
    "possible_signs": "the person is unsure of",
    "denied": "the person has ruled out",
    "experiencer": "it is happening to",
    "age_band": "their age is",
    "called_it": "they call it",
    "scope": "scope",
    "answered": "already asked",
}
SET_NEGATED = {
    "contexts": "none of the circumstances",
    "signs": "the person reports none of",
    "possible_signs": "the person is unsure of none of",
    "denied": "the person has not ruled out",
}
NAMES = {
    "scope": {"out": "not a muscle cramp of a limb (a tummy, period or pregnancy cramp)", "in": "a muscle cramp"},
    "age_band": {"child": "a child (under 16)", "adult": "an adult", "older_adult": "an older adult (65+)"},
    "body_part": {
        "calf": "calf", "hamstring": "back of the thigh", "quadriceps": "front of the thigh", "leg": "leg (loosely)",
        "foot": "foot", "hand": "hand", "arm": "arm", "lower_back": "lower back", "neck_shoulder": "neck or shoulder",
        "chest": "chest wall", "abdomen": "tummy muscles", "eyelid_face": "eyelid or face", "other": "another muscle",
    },
}


def name_of(fact: str, value: Any, sign_labels: dict[str, str]) -> str:
    """One id as a reader would say it."""
    if fact in ("signs", "possible_signs", "denied") and value in sign_labels:
        return sign_labels[value]
    return NAMES.get(fact, {}).get(value, str(value).replace("_", " "))


def _list(fact: str, values: list[Any], sign_labels: dict[str, str], joiner: str = "or") -> str:
    words = [name_of(fact, value, sign_labels) for value in values]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {joiner} " + words[-1]


def describe(cond: dict[str, Any] | None, sign_labels: dict[str, str]) -> str:
    """A condition in plain words."""
    if not cond:
        return "always"
    if "all" in cond:
        return " and ".join(f"({describe(part, sign_labels)})" if _compound(part) else describe(part, sign_labels)
                            for part in cond["all"])
    if "any" in cond:
        parts = [describe(part, sign_labels) for part in cond["any"]]
        return "either " + "; or ".join(parts)
    if "not" in cond:
        inner = cond["not"]
        if not _compound(inner):
            op, value = operator_of(inner)
            fact = inner["fact"]
            if op == "is":
                return f"{FACT_WORDS[fact]} is not {name_of(fact, value, sign_labels)}"
            if op == "in":
                return f"{FACT_WORDS[fact]} is none of {_list(fact, value, sign_labels)}"
            if op == "has":
                return f"{SET_NEGATED.get(fact, FACT_WORDS[fact] + ' lacks')} {name_of(fact, value, sign_labels)}"
        return f"not ({describe(inner, sign_labels)})"
    fact = cond["fact"]
    op, value = operator_of(cond)
    words = FACT_WORDS[fact]
    if op == "is":
        return f"{words} is {name_of(fact, value, sign_labels)}"
    if op == "in":
        return f"{words} is {_list(fact, value, sign_labels)}"
    if op == "has":
        return f"{words} {name_of(fact, value, sign_labels)}"
    if op == "has_any":
        return f"{words} {_list(fact, value, sign_labels)}"
    if op == "has_none":
        return f"{SET_NEGATED.get(fact, words + ' none of')} {_list(fact, value, sign_labels)}"
    if op == "at_least":
        return f"{words}: {value} or more"
    if op == "below":
        return f"{words}: under {value}"
    if op == "known":
        return f"{words} is {'known' if value else 'not known'}"
    return f"{words} is {'not known' if value else 'known'}"  # unknown


def _compound(cond: dict[str, Any]) -> bool:
    return "all" in cond or "any" in cond
