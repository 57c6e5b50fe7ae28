"""Build observations from the content's own conditions, so tests follow the files a clinician edits."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from shared.content import URGENCY_ORDER, load_content
from shared.facts import Observations


def observations_satisfying(cond: dict[str, Any]) -> Observations:
    """The fewest facts that make a condition hold: the first branch of an `any`, nothing for a `not`."""
    if "all" in cond:
        obs = Observations()
        for part in cond["all"]:
            obs = obs.merge(observations_satisfying(part))
        return obs
    if "any" in cond:
        return observations_satisfying(cond["any"][0])
    if "not" in cond:
        return Observations()
    fact = cond["fact"]
    ((op, value),) = ((k, v) for k, v in cond.items() if k != "fact")
    if op == "has_none":
        return Observations()  # satisfied by saying nothing of those
    if op == "has":
        return Observations.from_dict({fact: [value]})
    if op == "has_any":
        return Observations.from_dict({fact: [value[0]]})
    if op == "in":
        return Observations.from_dict({fact: value[0]})
    if op == "below":
        return Observations.from_dict({fact: value / 2})
    if op in ("is", "at_least"):
        return Observations.from_dict({fact: value})
    raise ValueError(f"no way to satisfy {op!r}")


def rank(urgency: str) -> int:
    """Smaller is more urgent."""
    return URGENCY_ORDER.index(urgency)


RED_FLAGS = load_content().red_flags
EMERGENCY_FLAGS = [flag for flag in RED_FLAGS if flag.urgency == "emergency"]


# One red flag per urgency that does not depend on the body part, so every muscle can be paired with it.
FLAG_PER_URGENCY = {"emergency": "chest_or_breathing", "urgent": "wound_before_cramps", "routine": "after_new_medicine"}
# Facts behind each verdict, from the mildest to the one whose reasons take the most room to say.
VERDICT_FACTS = {
    "cramp": [
        Observations(pattern="locked"),
        Observations(
            pattern="locked", duration_minutes=2, recurrence="recurring",
            contexts=frozenset({"exercise", "heat", "fatigue", "sleep"}),
        ),
    ],
    "spasm": [
        Observations(pattern="twitching"),
        Observations(
            pattern="stiff", duration_minutes=600,
            contexts=frozenset({"injury", "nerve", "lifting", "condition", "rest"}),
        ),
    ],
    "unclear": [Observations(), Observations(pattern="locked", contexts=frozenset({"injury", "lifting"}))],
}
BODY_PARTS = (
    "calf", "hamstring", "quadriceps", "foot", "hand", "lower_back", "neck_shoulder", "abdomen", "eyelid_face", "other",
    None,
)


def assessment_grid() -> list[Observations]:
    """Observations for every verdict x urgency x body part, plus every red flag as the content states it."""
    flags = {flag.id: flag for flag in RED_FLAGS}
    grid = []
    for urgency in ("emergency", "urgent", "routine", "self_care"):
        flag = flags.get(FLAG_PER_URGENCY.get(urgency, ""))
        alarm = observations_satisfying(flag.when) if flag else Observations()
        for facts in (f for variants in VERDICT_FACTS.values() for f in variants):
            for body_part in BODY_PARTS:
                grid.append(replace(alarm.merge(facts), body_part=body_part))
    for flag in RED_FLAGS:
        for facts in (variants[-1] for variants in VERDICT_FACTS.values()):
            grid.append(facts.merge(observations_satisfying(flag.when)))
    return grid
