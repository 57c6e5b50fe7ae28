"""Build observations from the content's own conditions, so tests follow the files a clinician edits."""

from __future__ import annotations

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
