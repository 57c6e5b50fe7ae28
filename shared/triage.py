"""The triage engine: observations in, a frozen assessment out. Pure: no I/O, no clock, no randomness.

Run `python -m shared.triage "my calf locked up during my run"` to see how a phrasing is read and judged.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from shared.conditions import holds
from shared.content import Content, Question, RedFlag, Rule
from shared.facts import Observations


@dataclass(frozen=True, slots=True)
class Assessment:
    """The engine's answer, as keys: what it points to and why, how urgent, what to do now, what to ask next.
    The words for each key are the language's (content/languages/<code>/wording.yaml)."""

    verdict: str  # cramp | spasm | unclear
    strength: str  # strong | moderate | none
    urgency: str  # emergency | urgent | routine | self_care
    red_flag: str | None  # the red flag that set the urgency
    reason_ids: tuple[str, ...]  # the rules behind the verdict, strongest first
    fired_rules: tuple[str, ...]  # every rule that fired, whichever way it points
    relief_id: str  # a body part, "unknown", or a context relief step
    next_question_id: str | None
    tip_ids: tuple[str, ...]
    observations: Observations

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


QUESTION_ORDER = ("locate", "red_flag", "distinction")


def _weigh(fired: list[Rule], content: Content) -> tuple[str, str]:
    """Verdict and strength from the fired rules' points (cramp minus spasm)."""
    margin = sum(rule.weight if rule.points_to == "cramp" else -rule.weight for rule in fired)
    if abs(margin) < content.verdict_margin:
        return "unclear", "none"
    strength = "strong" if abs(margin) >= content.strong_margin else "moderate"
    return ("cramp" if margin > 0 else "spasm"), strength


def _fired(obs: Observations, content: Content) -> list[Rule]:
    return [rule for rule in content.rules if holds(rule.when, obs)]


def judge(obs: Observations, content: Content) -> tuple[str, str, tuple[str, ...], tuple[str, ...]]:
    """Weigh the distinction rules: verdict, strength, every fired rule id, and the ids of the rules behind the
    verdict."""
    fired = _fired(obs, content)
    verdict, strength = _weigh(fired, content)
    if verdict == "unclear":
        backing = fired
    else:
        # The reasons follow "because": only rules that point to the verdict, strongest first, so a
        # channel that has room for one or two says the ones that carried it.
        backing = sorted((rule for rule in fired if rule.points_to == verdict), key=lambda rule: -rule.weight)
    return verdict, strength, tuple(rule.id for rule in fired), tuple(rule.id for rule in backing)


def screen(obs: Observations, content: Content) -> RedFlag | None:
    """The first red flag that matches, most urgent first (the list is ordered by urgency)."""
    return next((flag for flag in content.red_flags if holds(flag.when, obs)), None)


def relief_for(obs: Observations, content: Content) -> str:
    """The id of the one thing to do right now: a context override (heat, pregnancy) or the body part's step."""
    for item in content.context_relief:
        if holds(item.when, obs):
            return item.id
    return obs.body_part if obs.body_part in content.relief else "unknown"


def _could_change_verdict(question: Question, obs: Observations, current: str, content: Content) -> bool:
    """True when some answer to the question would give another verdict than the current one."""
    return any(
        _weigh(_fired(obs.merge(Observations.from_dict(sets)), content), content)[0] != current
        for sets in question.answers()
    )


def next_question(obs: Observations, verdict: str, urgency: str, content: Content) -> Question | None:
    """The most useful question still worth asking, or None when the answer could change nothing."""
    if urgency == "emergency" or len(obs.answered) >= content.max_questions:
        return None
    for purpose in QUESTION_ORDER:
        if purpose == "distinction" and urgency == "urgent":
            # A same-day warning sign matters more than cramp-or-spasm: say it now rather than after more
            # questions. Red-flag questions are still asked first, since they can raise it to an emergency.
            continue
        for question in content.questions:
            if question.purpose != purpose or question.id in obs.answered:
                continue
            if holds(question.skip_when, obs) or not holds(question.ask_when, obs):
                continue
            if purpose == "distinction" and not _could_change_verdict(question, obs, verdict, content):
                continue
            return question
    return None


def assess(obs: Observations, content: Content) -> Assessment:
    """Screen red flags first, then weigh the distinction rules, then pick the next question."""
    flag = screen(obs, content)
    urgency = flag.urgency if flag else "self_care"
    verdict, strength, fired, reasons = judge(obs, content)
    question = next_question(obs, verdict, urgency, content)
    return Assessment(
        verdict=verdict,
        strength=strength,
        urgency=urgency,
        red_flag=flag.id if flag else None,
        reason_ids=reasons,
        fired_rules=fired,
        relief_id=relief_for(obs, content),
        next_question_id=question.id if question else None,
        tip_ids=tuple(tip.id for tip in content.tips if verdict in tip.for_verdicts),
        observations=obs,
    )


if __name__ == "__main__":
    # `python -m shared.triage "my calf locked up"`: the command line lives in shared/cli.py.
    from shared.cli import main

    raise SystemExit(main())
