"""The triage engine: observations in, a frozen assessment out. Pure: no I/O, no clock, no randomness.

Run `python -m shared.triage "my calf locked up during my run"` to see how a phrasing is read and judged.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from shared.conditions import Predicate, compile_condition, facts_needed
from shared.content import VERDICTS, Content, Question, RedFlag, Rule, load_content
from shared.facts import SET_FACTS, Observations


@dataclass(frozen=True, init=False)
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

    def __init__(
        self,
        verdict: str,
        strength: str,
        fired_rules: tuple[str, ...],
        reasons: tuple[str, ...],
        urgency: str,
        red_flag: str | None,
        urgency_reason: str | None,
        body_part: str | None,
        relief: str,
        next_question: Question | None,
        tip_ids: tuple[str, ...],
        observations: Observations,
    ) -> None:
        # The generated __init__'s fields, order and frozen instance, filled by one dict update instead of twelve
        # object.__setattr__ calls (2.1 -> 0.7 us): every assessment not remembered builds one.
        self.__dict__.update(
            verdict=verdict,
            strength=strength,
            fired_rules=fired_rules,
            reasons=reasons,
            urgency=urgency,
            red_flag=red_flag,
            urgency_reason=urgency_reason,
            body_part=body_part,
            relief=relief,
            next_question=next_question,
            tip_ids=tip_ids,
            observations=observations,
        )

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


# The two table classes below are plain classes, not dataclasses: they are built once per Content and only read,
# and a frozen dataclass costs ~0.8 ms of a cold start to define.
class _AskableQuestion:
    """A question with its conditions compiled and the facts each of its answers would add."""

    __slots__ = ("question", "ask_when", "skip_when", "answers")

    def __init__(self, question: Question) -> None:
        self.question = question
        self.ask_when: Predicate = compile_condition(question.ask_when)
        self.skip_when: Predicate = compile_condition(question.skip_when)
        self.answers = tuple(Observations.from_dict(sets) for sets in question.answers())


class _Tables:
    """One content's conditions compiled to functions, built once per Content on first use."""

    __slots__ = ("rules", "red_flags", "flag_facts", "context_relief", "questions_by_purpose", "tips_for")

    def __init__(self, content: Content) -> None:
        self.rules = tuple((compile_condition(rule.when), rule) for rule in content.rules)
        # Each red flag with a bit for every fact it needs known: most need a reported sign, so for most messages
        # (no sign reported) the screen passes over them with one test of a bit mask instead of their conditions.
        needed = [facts_needed(flag.when) for flag in content.red_flags]
        names = sorted(frozenset().union(*needed))
        self.flag_facts = tuple((1 << bit, name, name in SET_FACTS) for bit, name in enumerate(names))
        bit_of = {name: bit for bit, name, _is_set in self.flag_facts}
        self.red_flags = tuple(
            (sum(bit_of[name] for name in needs), compile_condition(flag.when), flag)
            for needs, flag in zip(needed, content.red_flags, strict=True)
        )
        self.context_relief = tuple((compile_condition(item.when), item) for item in content.context_relief)
        self.questions_by_purpose = tuple(
            (purpose, tuple(_AskableQuestion(q) for q in content.questions if q.purpose == purpose))
            for purpose in QUESTION_ORDER
        )
        self.tips_for = {
            verdict: tuple(tip.id for tip in content.tips if verdict in tip.for_verdicts) for verdict in VERDICTS
        }


@functools.lru_cache(maxsize=16)
def _tables(content: Content) -> _Tables:
    # Keyed by the Content object (identity: Content is never compared by value), so a changed copy gets its own.
    return _Tables(content)


def _weigh(fired: list[Rule], content: Content) -> tuple[str, str]:
    """Verdict and strength from the fired rules' points (cramp minus spasm)."""
    margin = 0
    for rule in fired:
        margin += rule.weight if rule.points_to == "cramp" else -rule.weight
    if abs(margin) < content.verdict_margin:
        return "unclear", "none"
    strength = "strong" if abs(margin) >= content.strong_margin else "moderate"
    return ("cramp" if margin > 0 else "spasm"), strength


def judge(obs: Observations, content: Content) -> tuple[str, str, tuple[str, ...], tuple[str, ...]]:
    """Weigh the distinction rules: verdict, strength, every fired rule id, and the reasons behind the verdict."""
    fired = [rule for test, rule in _tables(content).rules if test(obs)]
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
    tables = _tables(content)
    known = 0
    for bit, name, is_set in tables.flag_facts:
        value = getattr(obs, name)
        if (value if is_set else value is not None):
            known |= bit
    for needs, test, flag in tables.red_flags:
        if needs & ~known == 0 and test(obs):
            return flag
    return None


def relief_for(obs: Observations, content: Content) -> str:
    """The one thing to do right now: a context override (heat, pregnancy) or the body part's step."""
    for test, item in _tables(content).context_relief:
        if test(obs):
            return item.say
    return content.relief.get(obs.body_part or "unknown", content.relief["unknown"])


def _could_change_verdict(askable: _AskableQuestion, obs: Observations, current: str, content: Content) -> bool:
    rules = _tables(content).rules
    for answer in askable.answers:
        answered = obs.merge(answer)
        if _weigh([rule for test, rule in rules if test(answered)], content)[0] != current:
            return True
    return False


def next_question(obs: Observations, verdict: str, urgency: str, content: Content) -> Question | None:
    """The most useful question still worth asking, or None when the answer could change nothing."""
    if urgency == "emergency" or len(obs.answered) >= content.max_questions:
        return None
    for purpose, askables in _tables(content).questions_by_purpose:
        if purpose == "distinction" and urgency == "urgent":
            # A same-day warning sign matters more than cramp-or-spasm: say it now rather than after more
            # questions. Red-flag questions are still asked first, since they can raise it to an emergency.
            continue
        for askable in askables:
            question = askable.question
            if question.id in obs.answered or askable.skip_when(obs) or not askable.ask_when(obs):
                continue
            if purpose == "distinction" and not _could_change_verdict(askable, obs, verdict, content):
                continue
            return question
    return None


def assess(obs: Observations, content: Content | None = None) -> Assessment:
    """Screen red flags first, then weigh the distinction rules, then pick the next question."""
    # The type of the duration is part of the key: 3 and 3.0 are equal, and the answer carries the observations.
    return _assess(obs, type(obs.duration_minutes), content or load_content())


# Memoised: the assessment is a pure function of the observations and the content, both in the key (no clock or
# store is read; what the person's history adds, the count of recent episodes, is one of the observations).
# People describe the same few things ("calf cramp at night"), so the same observations come back often, and one
# turn may assess the same observations twice. Bounded, so memory stays small; Assessments are immutable.
@functools.lru_cache(maxsize=2048)
def _assess(obs: Observations, duration_type: type, content: Content) -> Assessment:
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
        tip_ids=_tables(content).tips_for[verdict],
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
    assessment = assess(read(text))
    if args.json:
        out = assessment.to_json()
        if problem:
            out["warning"] = problem
        print(json.dumps(out, indent=2))
    else:
        if problem:
            print(problem)
        print(render("card", "assessment", args.locale, assessment=assessment))
        if assessment.next_question:
            print(f"\nNext question: {assessment.next_question.sms}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
