"""The triage engine: observations in, a frozen assessment out. Pure: no I/O, no clock, no randomness.

Run `python -m shared.triage "my calf locked up during my run"` to see how a phrasing is read and judged.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from shared.conditions import holds
from shared.content import URGENCY_ORDER, Content, Question, RedFlag, Rule
from shared.facts import Observations


@dataclass(frozen=True, slots=True)
class Assessment:
    """The engine's answer, as keys: what it points to and why, how urgent, what to do now, what to ask next.
    The words for each key are the language's (content/languages/<code>/wording.yaml)."""

    verdict: str  # cramp | spasm | unclear
    # strong | moderate for a verdict; for "unclear": mixed (the signs point both ways) or none (too little to tell)
    strength: str
    urgency: str  # emergency | urgent | routine | self_care
    red_flag: str | None  # the red flag that set the urgency
    reason_ids: tuple[str, ...]  # the rules behind the verdict, strongest first
    fired_rules: tuple[str, ...]  # every rule that fired, whichever way it points
    relief_id: str  # a body part, "unknown", or a context relief step
    next_question_id: str | None
    tip_ids: tuple[str, ...]
    observations: Observations
    # Signs the person is unsure of that would make it more urgent, and how urgent: said as "call now / see someone
    # today if you have any of these", so a possible sign never leaves them less warned than a reported one.
    if_present_urgency: str | None = None
    if_present_signs: tuple[str, ...] = ()

    @property
    def out_of_scope(self) -> bool:
        """True for a stomach, period or pregnancy belly cramp: not a muscle cramp of a limb, back or neck."""
        return self.observations.scope == "out"

    @property
    def finished(self) -> bool:
        """True when there is nothing more to ask: give the verdict (or the emergency instruction)."""
        return self.next_question_id is None

    @property
    def body_part(self) -> str | None:
        """The muscle, when known."""
        return self.observations.body_part

    def to_dict(self) -> dict[str, Any]:
        """Plain data for logs and tools: every key, and the observations (no free text from the person)."""
        keys = {spec.name: getattr(self, spec.name) for spec in fields(self)}
        return {**keys, "observations": self.observations.to_dict()}


def apply_answer(obs: Observations, sets: dict, question_id: str | None = None) -> Observations:
    """Add the facts an answer sets (and mark the question answered)."""
    answered = {question_id} if question_id else set()
    return obs.merge(Observations.from_dict({**sets, "answered": answered}))


# "Which one?" first (it follows a yes), then a sign the person is unsure of, then the red flags that are relevant
# already (heat, pregnancy), then where it is (which brings the body part's own red flags), then what tells cramp
# from spasm.
QUESTION_ORDER = ("which", "confirm", "red_flag", "locate", "distinction")
# Questions that settle a warning sign: never cut short by the limit on questions.
SAFETY_PURPOSES = frozenset({"which", "confirm", "red_flag"})


def _points(fired: list[Rule]) -> tuple[int, int]:
    """Points toward cramp and toward spasm."""
    cramp = sum(rule.weight for rule in fired if rule.points_to == "cramp")
    return cramp, sum(rule.weight for rule in fired if rule.points_to == "spasm")


def _weigh(fired: list[Rule], content: Content) -> tuple[str, str]:
    """Verdict and strength from the fired rules' points (cramp minus spasm)."""
    cramp, spasm = _points(fired)
    margin = cramp - spasm
    if abs(margin) < content.verdict_margin:
        # Honest about why: the signs point both ways, or there is not enough to tell yet.
        return "unclear", "mixed" if cramp and spasm else "none"
    strength = "strong" if abs(margin) >= content.strong_margin else "moderate"
    return ("cramp" if margin > 0 else "spasm"), strength


def _fired(obs: Observations, content: Content) -> list[Rule]:
    if obs.scope == "out":
        return []  # not a muscle cramp of a limb: no cramp-or-spasm verdict
    return [rule for rule in content.rules if holds(rule.when, obs)]


def judge(obs: Observations, content: Content) -> tuple[str, str, tuple[str, ...], tuple[str, ...]]:
    """Weigh the distinction rules: verdict, strength, every fired rule id, and the ids of the rules behind the
    verdict."""
    fired = _fired(obs, content)
    verdict, strength = _weigh(fired, content)
    # A rule listed at weight 0 (disputed, not counted) is never given as a reason.
    counted = [rule for rule in fired if rule.weight > 0]
    if verdict == "unclear":
        backing = counted
    else:
        # The reasons follow "because": only rules that point to the verdict, strongest first, so a
        # channel that has room for one or two says the ones that carried it.
        backing = sorted((rule for rule in counted if rule.points_to == verdict), key=lambda rule: -rule.weight)
    return verdict, strength, tuple(rule.id for rule in fired), tuple(rule.id for rule in backing)


def screen(obs: Observations, content: Content) -> RedFlag | None:
    """The first red flag that matches, most urgent first (the list is ordered by urgency)."""
    return next((flag for flag in content.red_flags if could_match(flag, obs) and holds(flag.when, obs)), None)


def could_match(flag: RedFlag, obs: Observations) -> bool:
    """False only when the flag needs one of some signs and none of them is reported (then its condition is false)."""
    return flag.needs_one_of is None or not flag.needs_one_of.isdisjoint(obs.signs)


def _urgency(flag: RedFlag | None) -> str:
    return flag.urgency if flag else "self_care"


def if_present(obs: Observations, urgency: str, content: Content) -> tuple[str | None, tuple[str, ...]]:
    """How urgent it would be if the signs the person is unsure of were there, when that is more urgent than now
    (`urgency`), and which of those signs alone would make it so."""
    if not obs.possible_signs:
        return None, ()
    current = URGENCY_ORDER.index(urgency)

    def urgency_with(signs: frozenset[str]) -> int:
        return URGENCY_ORDER.index(_urgency(screen(replace(obs, signs=obs.signs | signs), content)))

    worst = urgency_with(obs.possible_signs)
    if worst >= current:
        return None, ()
    in_order = sorted(obs.possible_signs, key=content.concepts["signs"].index)
    named = tuple(sign for sign in in_order if urgency_with(frozenset({sign})) == worst)
    # A combination (a hot skin only with heat) may need several: then name them all.
    return URGENCY_ORDER[worst], named or tuple(in_order)


def relief_for(obs: Observations, content: Content) -> str:
    """The id of the one thing to do right now: a context override (heat, a possible clot, a fresh strain, ...) or
    the body part's step."""
    for item in content.context_relief:
        if holds(item.when, obs):
            return item.id
    return obs.body_part if obs.body_part in content.relief else "unknown"


def tips_for(obs: Observations, verdict: str, content: Content) -> tuple[str, ...]:
    """The prevention tips that suit the verdict, leaving out any the facts make unsafe (`unless`)."""
    return tuple(
        tip.id for tip in content.tips
        if verdict in tip.for_verdicts and not (tip.unless and holds(tip.unless, obs))
    )


def _could_change_verdict(question: Question, obs: Observations, current: str, content: Content) -> bool:
    """True when some answer to the question would give another verdict than the current one."""
    return any(
        _weigh(_fired(obs.merge(Observations.from_dict(sets)), content), content)[0] != current
        for sets in question.answers()
    )


def asks_now(question: Question, obs: Observations) -> bool:
    """True when the question is relevant and its answer is not yet known."""
    if question.needs_possible_sign is not None and question.needs_possible_sign.isdisjoint(obs.possible_signs):
        return False  # its ask_when cannot hold
    if question.id in obs.answered or question.moot(obs.signs, obs.denied):
        return False
    return holds(question.ask_when, obs) and not (question.skip_when and holds(question.skip_when, obs))


def next_question(obs: Observations, verdict: str, urgency: str, content: Content) -> Question | None:
    """The most useful question still worth asking, or None when the answer could change nothing."""
    if urgency == "emergency":
        return None
    for purpose in QUESTION_ORDER:
        if purpose not in SAFETY_PURPOSES and len(obs.answered) >= content.max_questions:
            continue  # the limit on questions never cuts a safety question short
        if purpose == "distinction" and (urgency == "urgent" or obs.scope == "out"):
            # A same-day warning sign matters more than cramp-or-spasm: say it now rather than after more
            # questions; and a tummy or period cramp has no cramp-or-spasm verdict to look for.
            continue
        for question in content.questions:
            if question.purpose != purpose or not asks_now(question, obs):
                continue
            if purpose == "distinction" and not _could_change_verdict(question, obs, verdict, content):
                continue
            return question
    return None


def assess(obs: Observations, content: Content) -> Assessment:
    """Screen red flags first, then weigh the distinction rules, then pick the next question."""
    flag = screen(obs, content)
    urgency = _urgency(flag)
    verdict, strength, fired, reasons = judge(obs, content)
    question = next_question(obs, verdict, urgency, content)
    possible_urgency, possible_signs = if_present(obs, urgency, content)
    return Assessment(
        verdict=verdict,
        strength=strength,
        urgency=urgency,
        red_flag=flag.id if flag else None,
        reason_ids=reasons,
        fired_rules=fired,
        relief_id=relief_for(obs, content),
        next_question_id=question.id if question else None,
        tip_ids=tips_for(obs, verdict, content),
        observations=obs,
        if_present_urgency=possible_urgency,
        if_present_signs=possible_signs,
    )


if __name__ == "__main__":
    # `python -m shared.triage "my calf locked up"`: the command line lives in shared/cli.py.
    from shared.cli import main

    raise SystemExit(main())
