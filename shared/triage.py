"""The triage engine: observations in, a frozen assessment out. Pure: no I/O, no clock, no randomness.

Run `python -m shared.triage "my calf locked up during my run"` to see how a phrasing is read and judged.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.conditions import holds
from shared.content import Content, Question, RedFlag, Rule
from shared.facts import Observations


@dataclass(frozen=True, slots=True)
class Assessment:
    """The engine's answer: what it points to and why, how urgent, what to do now, what to ask next."""

    verdict: str  # cramp | spasm | unclear
    strength: str  # strong | moderate | none
    fired_rules: tuple[str, ...]
    reasons: tuple[str, ...]
    urgency: str  # emergency | urgent | routine | self_care
    red_flag: str | None
    urgency_reason: str | None
    body_part: str | None
    relief: str
    next_question: Question | None
    tip_ids: tuple[str, ...]
    observations: Observations

    @property
    def finished(self) -> bool:
        """True when there is nothing more to ask: give the verdict (or the emergency instruction)."""
        return self.next_question is None

    def to_json(self) -> dict:
        """A plain summary for logs, tools and the CLI (no free text from the person)."""
        return {
            "verdict": self.verdict,
            "strength": self.strength,
            "urgency": self.urgency,
            "red_flag": self.red_flag,
            "urgency_reason": self.urgency_reason,
            "body_part": self.body_part,
            "reasons": list(self.reasons),
            "fired_rules": list(self.fired_rules),
            "relief": self.relief,
            "next_question": self.next_question.sms if self.next_question else None,
            "next_question_id": self.next_question.id if self.next_question else None,
            "tips": list(self.tip_ids),
            "observations": self.observations.to_dict(),
        }


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
    """Weigh the distinction rules: verdict, strength, every fired rule id, and the reasons behind the verdict."""
    fired = _fired(obs, content)
    verdict, strength = _weigh(fired, content)
    if verdict == "unclear":
        backing = fired
    else:
        # The reasons follow "because": only rules that point to the verdict, strongest first, so a
        # channel that has room for one or two says the ones that carried it.
        backing = sorted((rule for rule in fired if rule.points_to == verdict), key=lambda rule: -rule.weight)
    return verdict, strength, tuple(rule.id for rule in fired), tuple(rule.reason for rule in backing)


def screen(obs: Observations, content: Content) -> RedFlag | None:
    """The first red flag that matches, most urgent first (the list is ordered by urgency)."""
    return next((flag for flag in content.red_flags if holds(flag.when, obs)), None)


def relief_for(obs: Observations, content: Content) -> str:
    """The one thing to do right now: a context override (heat, pregnancy) or the body part's step."""
    for item in content.context_relief:
        if holds(item.when, obs):
            return item.say
    return content.relief.get(obs.body_part or "unknown", content.relief["unknown"])


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
    return Assessment(
        verdict=verdict,
        strength=strength,
        fired_rules=fired,
        reasons=reasons,
        urgency=urgency,
        red_flag=flag.id if flag else None,
        urgency_reason=flag.reason if flag else None,
        body_part=obs.body_part,
        relief=relief_for(obs, content),
        next_question=next_question(obs, verdict, urgency, content),
        tip_ids=tuple(tip.id for tip in content.tips if verdict in tip.for_verdicts),
        observations=obs,
    )


def main(argv: list[str] | None = None) -> int:
    """Command line for clinicians: read one phrasing and print how it is assessed."""
    import argparse
    import json
    import sys

    from shared.reader import MAX_TEXT_CHARS, read
    from shared.render import render

    parser = argparse.ArgumentParser(prog="python -m shared.triage", description=__doc__.splitlines()[0])
    parser.add_argument("text", nargs="?", help="what the person said or texted (default: read stdin)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--locale", default="en-US", help="en-US, en-GB, en-CA, en-AU or en-IN")
    args = parser.parse_args(argv)
    text = args.text if args.text is not None else sys.stdin.buffer.read().decode("utf-8", errors="replace")
    problem = None
    if not text.strip():
        problem = "Nothing to read: give the words the person used, for example \"my calf locked up\"."
    # Bytes that are not UTF-8 arrive as U+FFFD (stdin) or lone surrogates (argv): both count as junk.
    # Checked before the length, so a long run of junk is refused too rather than half-read.
    elif sum(ch == "\ufffd" or (not ch.isprintable() and not ch.isspace()) for ch in text) > len(text) // 4:
        problem = "That does not look like text (too many control or binary characters)."
    elif len(text) > MAX_TEXT_CHARS:
        problem = f"That text is {len(text)} characters; only the first {MAX_TEXT_CHARS} are read."
    if problem and (not text.strip() or "not look like text" in problem):
        if args.json:
            print(json.dumps({"error": problem}))
        else:
            print(problem, file=sys.stderr)
        return 2
    from shared.config import Settings
    from shared.content import load_content

    content = load_content(Settings.from_env().content_dir)
    assessment = assess(read(text, content.lexicon), content)
    if args.json:
        out = assessment.to_json()
        if problem:
            out["warning"] = problem
        print(json.dumps(out, indent=2))
    else:
        if problem:
            print(problem)
        print(render("card", "assessment", args.locale, content=content, assessment=assessment))
        if assessment.next_question:
            print(f"\nNext question: {assessment.next_question.sms}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
