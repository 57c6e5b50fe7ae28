"""Over the dialogue table, from every description the content's grid holds (tests/skill/spoken_turns.py): the
first answer already helps, and a verdict comes soon after it (issue 15)."""

from __future__ import annotations

from functools import cache

from shared.content import load_content
from shared.dialogue import Reply, Turn
from tests.skill.spoken_turns import dialogue_walks

CONTENT = load_content()
# After the first answer, at most this many questions before the verdict (issue 15).
QUESTIONS_AFTER_FIRST_ANSWER = 3
# Follow-ups on a warning sign the person raised ("which one?" after a yes, a sign they were unsure of): the safety
# order never cuts them short, so they do not count toward the limit.
FOLLOW_UPS = frozenset({"which", "confirm"})


@cache
def walks() -> tuple[tuple[Turn, ...], ...]:
    """Every walk, computed once for this module."""
    return tuple(tuple(walk) for walk in dialogue_walks(CONTENT))


def test_first_answer_to_any_description_gives_relief_or_the_safety_instruction() -> None:
    for walk in walks():
        first = walk[0]
        helps = (
            first.reply == Reply.EMERGENCY
            or first.show_relief
            or (first.reply == Reply.OUT_OF_SCOPE and bool(first.assessment.relief_id))
        )
        assert helps, (first.reply, first.assessment.observations)


def test_a_verdict_needs_at_most_three_questions_after_the_first_answer() -> None:
    verdicts = 0
    for walk in walks():
        last = walk[-2] if walk[-1].reply == Reply.TIPS else walk[-1]
        if last.reply not in (Reply.ASSESSMENT, Reply.OUT_OF_SCOPE):
            continue  # an emergency ends sooner; it is not a verdict
        verdicts += 1
        asked = [turn.question for turn in walk[1:] if turn.reply == Reply.QUESTION and not turn.rephrase]
        counted = [question.id for question in asked if question.purpose not in FOLLOW_UPS]
        assert len(counted) <= QUESTIONS_AFTER_FIRST_ANSWER, (walk[0].assessment.observations, counted)
    assert verdicts > 100, "the walks reach verdicts"


def test_no_question_is_asked_three_times_in_a_walk() -> None:
    for walk in walks():
        asked = [turn.question.id for turn in walk if turn.reply == Reply.QUESTION]
        assert all(asked.count(question) <= 2 for question in asked), asked
