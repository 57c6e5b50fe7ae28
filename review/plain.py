"""Conditions of the content files in plain words, for a reader who does not read YAML: "the person reports chest
pain or trouble breathing", "the muscle is the calf, the back of the thigh or ...".
"""

from __future__ import annotations

from typing import Any

from shared.conditions import operator_of

# How each fact begins a clause; the value's name follows.
FACT_WORDS = {
    "body_part": "the muscle is the",
    "pattern": "it feels like",
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
    "age_band": "they are",
    "called_it": "they call it a",
    "scope": "it is",
    "answered": "already asked",
}
SET_NONE = {
    "contexts": "none of the circumstances is",
    "signs": "the person reports none of",
    "possible_signs": "the person is unsure of none of",
    "denied": "the person has not ruled out",
}
NAMES = {
    "scope": {"out": "a tummy, period or pregnancy cramp (not a muscle cramp of a limb)", "in": "a muscle cramp"},
    "age_band": {"child": "a child (under 16)", "adult": "an adult", "older_adult": "an older adult (65+)"},
    "experiencer": {"self": "the person writing", "other": "someone else"},
    "pattern": {
        "locked": "one hard knot that will not let go", "twitching": "twitching on and off",
        "stiff": "stiff and sore to move",
    },
    "recurrence": {"first": "for the first time", "recurring": "again", "frequent": "often (3 or more a week)"},
    "body_part": {
        "calf": "calf", "hamstring": "back of the thigh", "quadriceps": "front of the thigh", "leg": "leg (loosely)",
        "foot": "foot", "hand": "hand", "arm": "arm", "lower_back": "lower back", "neck_shoulder": "neck or shoulder",
        "chest": "chest wall", "abdomen": "tummy muscles", "eyelid_face": "eyelid or face", "other": "another muscle",
    },
}
# The one "not" every limb-cramp flag carries (red_flags.yaml in_scope), said the positive way round.
IN_SCOPE = {"fact": "scope", "is": "out"}


def name_of(fact: str, value: Any, sign_labels: dict[str, str]) -> str:
    """One id as a reader would say it."""
    if fact in ("signs", "possible_signs", "denied") and value in sign_labels:
        return sign_labels[value]
    return NAMES.get(fact, {}).get(value, str(value).replace("_", " "))


def _list(fact: str, values: list[Any], sign_labels: dict[str, str]) -> str:
    words = [name_of(fact, value, sign_labels) for value in values]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def describe(cond: dict[str, Any] | None, sign_labels: dict[str, str]) -> str:
    """A condition in plain words."""
    if not cond:
        return "always"
    if "all" in cond:
        return "; and ".join(describe(part, sign_labels) for part in cond["all"])
    if "any" in cond:
        return "either " + "; or ".join(describe(part, sign_labels) for part in cond["any"])
    if "not" in cond:
        if cond["not"] == IN_SCOPE:
            return "it is a muscle cramp (not a tummy, period or pregnancy cramp)"
        return f"except when {describe(cond['not'], sign_labels)}"
    fact = cond["fact"]
    op, value = operator_of(cond)
    words = FACT_WORDS[fact]
    if op in ("is", "has"):
        return f"{words} {name_of(fact, value, sign_labels)}"
    if op in ("in", "has_any"):
        return f"{words} {_list(fact, value, sign_labels)}"
    if op == "has_none":
        return f"{SET_NONE.get(fact, words + ' none of')} {_list(fact, value, sign_labels)}"
    if op == "at_least":
        return f"{words}: {value} or more"
    if op == "below":
        return f"{words}: under {value}"
    known = value if op == "known" else not value
    return f"{words.split(' is')[0]} is {'known' if known else 'not known yet'}"
