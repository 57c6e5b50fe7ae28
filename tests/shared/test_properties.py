"""Property tests (hypothesis): whatever arrives, the core answers validly, and an emergency stays an emergency."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from shared.conditions import holds
from shared.content import URGENCY_ORDER, VERDICTS, load_content
from shared.dialogue import Conversation, Event, Message, Reply, Step, next_step
from shared.facts import Observations
from shared.reader import MAX_TEXT_CHARS, read
from shared.render import SMS_LIMIT, is_gsm7, render, sms_length
from shared.triage import Assessment, asks_now, assess, screen

CONTENT = load_content()
LEXICON = CONTENT.language("en-US").lexicon
WORDS = CONTENT.language("en-US").words
SAFETY_QUESTIONS = {q.id for q in CONTENT.questions if q.purpose in ("red_flag", "which", "confirm")}
# The machine is shared with other test runs: no per-example deadline, and no complaint about slow data.
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Every word and phrase the reader knows (its grammar's negations, hedges and clause breaks included), and the same
# without the grammar: words that neither deny, hedge nor make hypothetical what was said before them.
LEXICON_WORDS = sorted({" ".join(member) for members in LEXICON.classes.values() for member in members})
# Words that are no denial, hedge or hypothetical, nor hold one ("fine" denies what comes before it).
TRIGGERS = ("negation", "negation_after", "hedges", "hedges_after", "hypothetical", "historical")
TRIGGER_PHRASES = {" ".join(member) for pattern in LEXICON.patterns if pattern.fact in TRIGGERS
                   for part in pattern.parts for member in LEXICON.classes[part]}
PLAIN_WORDS = sorted(
    {" ".join(member) for name, members in LEXICON.classes.items() if not name.startswith(("grammar:", "ignore:"))
     for member in members
     if not any(f" {phrase} " in f" {' '.join(member)} " for phrase in TRIGGER_PHRASES)}
)
EVERYDAY_WORDS = ["it", "my", "the", "was", "really", "and", "then", "2", "mins", "for", "a", "few", "hours", "lol"]
# Any unicode at all, lone surrogates (what undecodable bytes become) and control characters included.
ANY_CHARACTER = st.characters(exclude_categories=())
ANY_TEXT = st.text(ANY_CHARACTER, max_size=300)
WORDY_TEXT = st.lists(st.sampled_from(LEXICON_WORDS + EVERYDAY_WORDS), max_size=25).map(" ".join)
PLAIN_TEXT = st.lists(st.sampled_from(PLAIN_WORDS + EVERYDAY_WORDS), max_size=25).map(" ".join)
MIXED_TEXT = st.lists(st.one_of(WORDY_TEXT, ANY_TEXT, st.sampled_from([".", ",", "!", "\n", " but ", " no "]))).map(
    "".join
)

# One message per emergency red flag that holds whatever muscle is named around it.
EMERGENCY_MESSAGES = [
    "my calf cramps and i have chest pain",
    "cant breathe and my legs are cramping",
    "my pee is dark brown after the marathon",
    "he fainted after cramping in the heat",
    "my jaw is stiff and i cant swallow",
    "back spasm and i wet myself",
    "tingling lips and my hands are curling",
    "stiff neck with a fever",
    "face drooping on one side",
]

VOCABULARY = {
    "body_part": [*sorted(CONTENT.relief.keys() - {"unknown"}), None],
    "pattern": ["locked", "twitching", "stiff", None],
    "recurrence": ["first", "recurring", "frequent", None],
    "severity": ["mild", "severe", None],
    "contexts": sorted(LEXICON.concept_ids("contexts")),
    "signs": sorted(LEXICON.concept_ids("signs")),
}
OBSERVATIONS = st.builds(
    Observations,
    body_part=st.sampled_from(VOCABULARY["body_part"]),
    pattern=st.sampled_from(VOCABULARY["pattern"]),
    duration_minutes=st.one_of(st.none(), st.floats(min_value=0, max_value=60 * 24 * 60, allow_nan=False)),
    recurrence=st.sampled_from(VOCABULARY["recurrence"]),
    severity=st.sampled_from(VOCABULARY["severity"]),
    recent_episodes=st.integers(min_value=0, max_value=10),
    contexts=st.frozensets(st.sampled_from(VOCABULARY["contexts"]), max_size=5),
    signs=st.frozensets(st.sampled_from(VOCABULARY["signs"]), max_size=3),
    denied=st.frozensets(st.sampled_from(VOCABULARY["signs"]), max_size=6),
    answered=st.frozensets(st.sampled_from([q.id for q in CONTENT.questions]), max_size=4),
)


def assert_valid(result: Assessment) -> None:
    assert result.verdict in VERDICTS
    assert result.strength in ("strong", "moderate", "mixed", "none")
    assert (result.strength == "mixed") <= (result.verdict == "unclear")
    assert result.urgency in URGENCY_ORDER
    assert (result.red_flag is None) == (result.urgency == "self_care")
    assert result.red_flag is None or WORDS["red_flags"][result.red_flag]
    assert all(WORDS["reasons"][reason] for reason in result.reason_ids)
    assert result.verdict == "unclear" or result.reason_ids
    assert WORDS["relief"][result.relief_id]
    assert result.next_question_id is None or result.next_question_id in CONTENT.questions_by_id
    assert result.urgency != "emergency" or result.next_question_id is None
    json.dumps(result.to_dict())


# --- Any text ----------------------------------------------------------------------------------------------


@PROPERTY
@given(st.one_of(ANY_TEXT, WORDY_TEXT, MIXED_TEXT))
def test_property_any_text_reads_and_assesses_without_exception(text: str) -> None:
    observations = read(text, LEXICON)
    assert isinstance(observations, Observations)
    assert not observations.signs & observations.denied
    assert_valid(assess(observations, CONTENT))


@PROPERTY
@given(st.binary(max_size=600))
def test_property_undecodable_bytes_read_without_exception(raw: bytes) -> None:
    for text in (raw.decode("utf-8", errors="replace"), raw.decode("utf-8", errors="surrogateescape")):
        assert_valid(assess(read(text, LEXICON), CONTENT))


@PROPERTY
@given(st.text(ANY_CHARACTER, min_size=MAX_TEXT_CHARS, max_size=MAX_TEXT_CHARS + 50))
def test_property_long_text_reads_only_its_first_part(tail: str) -> None:
    assert read("calf locked up. " + tail, LEXICON) == read(("calf locked up. " + tail)[:MAX_TEXT_CHARS], LEXICON)


# --- Emergencies are never downgraded ----------------------------------------------------------------------


@PROPERTY
@given(st.sampled_from(EMERGENCY_MESSAGES), st.one_of(WORDY_TEXT, MIXED_TEXT), PLAIN_TEXT)
def test_property_adding_words_to_an_emergency_message_never_lowers_it(message: str, before: str, after: str) -> None:
    assert assess(read(message, LEXICON), CONTENT).urgency == "emergency"
    # Words before end their own sentence (a negation in them must not reach the emergency); words after run on,
    # and are no denial ("chest pain, fine now" would be one).
    combined = f"{before}. {message} {after}"
    assume(len(combined) <= MAX_TEXT_CHARS)
    assert assess(read(combined, LEXICON), CONTENT).urgency == "emergency", combined


@PROPERTY
@given(st.sampled_from([flag for flag in CONTENT.red_flags if flag.urgency == "emergency"]), OBSERVATIONS)
def test_property_any_further_facts_keep_an_emergency(flag, extra: Observations) -> None:
    from tests.shared.builders import observations_satisfying

    emergency = observations_satisfying(flag.when)
    keep_part = {"body_part": None} if emergency.body_part else {}
    assert assess(emergency.merge(replace(extra, **keep_part)), CONTENT).urgency == "emergency"
    assert assess(extra.merge(emergency), CONTENT).urgency == "emergency"


@PROPERTY
@given(OBSERVATIONS, OBSERVATIONS)
def test_property_more_facts_never_lower_urgency_below_an_emergency(first: Observations, more: Observations) -> None:
    before = assess(first, CONTENT)
    after = assess(first.merge(replace(more, body_part=None)), CONTENT)
    if before.urgency == "emergency":
        assert after.urgency == "emergency"


@PROPERTY
@given(OBSERVATIONS, st.frozensets(st.sampled_from(VOCABULARY["signs"]), max_size=3))
def test_property_the_screen_finds_the_first_red_flag_whose_condition_holds(obs: Observations, possible) -> None:
    # The screen skips a flag none of whose needed signs is reported: it must still find exactly the flag that
    # evaluating every flag's condition in order finds, also with the possible signs added (as `if_present` does).
    for facts in (obs, replace(obs, signs=obs.signs | possible)):
        every = next((flag for flag in CONTENT.red_flags if holds(flag.when, facts)), None)
        assert screen(facts, CONTENT) == every


@PROPERTY
@given(OBSERVATIONS, st.frozensets(st.sampled_from(VOCABULARY["signs"]), max_size=4))
def test_property_a_question_is_due_exactly_when_its_conditions_say_so(obs: Observations, possible) -> None:
    # A question that needs a possible sign none of which the person is unsure of is passed over without evaluating
    # its ask_when: it must be due exactly when its conditions say so.
    obs = obs.merge(Observations(possible_signs=possible))
    for question in CONTENT.questions:
        plain = (
            question.id not in obs.answered and not question.moot(obs.signs, obs.denied)
            and holds(question.ask_when, obs) and not (question.skip_when and holds(question.skip_when, obs))
        )
        assert asks_now(question, obs) == plain, question.id


# --- Every rendering is valid --------------------------------------------------------------------------------


def others(answered: frozenset[str]) -> set[str]:
    """The questions answered that are not about a warning sign (the ones the limit on questions counts)."""
    return set(answered) - SAFETY_QUESTIONS


def _check_text(text: str) -> None:
    lowered = " ".join(text.lower().split())
    assert "you have" not in lowered and "definitely" not in lowered
    assert lowered.count("diagnos") == lowered.count("not a diagnosis")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OBSERVATIONS, st.sampled_from(sorted(CONTENT.locales)))
def test_property_any_assessment_renders_valid_in_every_channel(observations: Observations, locale: str) -> None:
    result = assess(observations, CONTENT)
    assert_valid(result)
    name = "emergency" if result.urgency == "emergency" else "assessment"
    speech = render("alexa", name, locale, assessment=result, content=CONTENT)
    ET.fromstring(f"<speak>{speech}</speak>")
    assert len(re.sub(r"<[^>]+>", " ", speech).split()) <= 62, speech
    text = render("sms", name, locale, assessment=result, content=CONTENT)
    assert is_gsm7(text) and sms_length(text) <= SMS_LIMIT, text
    card = render("card", "assessment", locale, assessment=result, content=CONTENT)
    for rendered in (speech, text, card):
        _check_text(rendered)
        assert rendered.lower().count("not a diagnosis") == 1


# --- Any conversation ------------------------------------------------------------------------------------------

REPLIES = st.one_of(
    st.sampled_from(["yes", "no", "1", "2", "3", "5", "8", "9", "hours", "seconds", "knot", "it twitches", "stiff"]),
    WORDY_TEXT,
    ANY_TEXT,
)
EVENTS = st.sampled_from([Event.DESCRIBE] * 6 + [Event.TIPS, Event.CALL, Event.NEW])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(EVENTS, REPLIES), min_size=1, max_size=10))
def test_property_any_conversation_stays_valid_and_round_trips(steps: list[tuple[Event, str]]) -> None:
    conversation = Conversation()
    for event, text in steps:
        was_emergency = conversation.step == Step.EMERGENCY
        turn = next_step(conversation, event, Message(text=text), content=CONTENT)
        assert_valid(turn.assessment)
        assert len(others(turn.conversation.observations.answered)) <= CONTENT.max_questions
        if was_emergency and event in (Event.DESCRIBE, Event.TIPS):
            assert turn.reply == Reply.EMERGENCY
        if turn.reply == Reply.QUESTION:
            assert turn.question is not None and turn.conversation.pending == turn.question.id
        tips = turn.assessment.tip_ids
        if turn.reply.value in ("question", "assessment", "emergency", "tips"):
            speech = render("alexa", turn.reply.value, "en-US", **turn.context(), tips=tips, content=CONTENT)
            ET.fromstring(f"<speak>{speech}</speak>")
        sms = render("sms", turn.reply.value, "en-US", **turn.context(), tips=tips, content=CONTENT)
        # Our own wording is GSM-7; only the person's own words (a callback time) may need UCS-2.
        assert all(is_gsm7(ch) or ch in text for ch in sms), sms
        stored = json.loads(json.dumps(turn.conversation.to_dict()))
        assert Conversation.from_dict(stored, CONTENT) == turn.conversation
        conversation = Conversation.from_dict(stored, CONTENT)


DIALOGUE_REPLIES = st.one_of(
    st.sampled_from(
        ["yes", "no", "not sure", "1", "2", "3", "5", "8", "calf", "my lower back", "hand", "neck", "during my run",
         "in bed", "after lifting", "it's hot", "it twitches", "for hours", "banana"]
    ),
    WORDY_TEXT,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(DIALOGUE_REPLIES, min_size=1, max_size=14))
def test_property_verdict_comes_within_the_question_limit_whatever_is_said(replies: list[str]) -> None:
    turn = next_step(Conversation(), Event.DESCRIBE, Message(text=replies[0]), content=CONTENT)
    asked: set[str] = set()
    for reply in replies[1:]:
        if turn.reply != Reply.QUESTION:
            break
        asked.add(turn.question.id)
        turn = next_step(turn.conversation, Event.DESCRIBE, Message(text=reply), content=CONTENT)
    answered = turn.conversation.observations.answered
    assert len(others(answered)) <= CONTENT.max_questions
    if turn.reply != Reply.QUESTION:
        # Every question put to the person counts toward the limit, except a safety question passed over
        # when the person changed the subject (it stays open so no warning sign goes unasked).
        assert asked - answered <= SAFETY_QUESTIONS, (asked, answered)


# --- Advice that could harm is never given while the danger is still possible (issue 14) ------------------------

LEG = ("calf", "hamstring", "quadriceps", "leg", "foot")
CLOT_SIGNS = frozenset({"swelling", "redness", "warmth"})
HEAT_STROKE_SIGNS = frozenset({"confusion", "fainting", "very_hot_skin"})
# Drinking advice: CDC, give no drinks while heat stroke is possible [S25]. Rubbing a leg that may hold a clot [S22].
DRINK_ADVICE = re.compile(r"\b(sip|drink (?:water|enough|plenty|fluids?)|sports drink|salty snack|rehydrat\w*)\b")
RUB = re.compile(r"\b(rub|rubbing|massage|massaging)\b")
NEGATIONS = {"don't", "dont", "do", "not", "no", "never", "avoid", "without"}
SIGN_SETS = st.frozensets(st.sampled_from(sorted(CONTENT.concepts["signs"])), max_size=4)


def advises_rubbing(text: str) -> bool:
    """True when the text tells the person to rub or massage: a "rub" not negated by one of the three words before
    it ("don't rub or massage it" and "no heat or massage" are not advice; "rub it only if ..." is)."""
    words = re.sub(r"[^a-z' ]", " ", text.lower().replace("&#39;", "'")).split()
    return any(
        RUB.fullmatch(word) and not NEGATIONS & set(words[max(0, index - 3) : index])
        for index, word in enumerate(words)
    )


def every_reply(result: Assessment, locale: str) -> list[str]:
    """Everything either channel could send or say for this assessment: each turn that can carry the relief step
    and the tips, by text, by voice and on the card."""
    context = {"assessment": result, "show_relief": True, "rephrase": False, "window": "morning", "offer": "tips"}
    question = CONTENT.question(result.next_question_id) if result.next_question_id else CONTENT.question("body_part")
    replies = [
        render("sms", "question", locale, **context, question=question, content=CONTENT),
        render("alexa", "question", locale, **context, question=question, content=CONTENT),
        render("sms", "verdict_with_relief", locale, **context, content=CONTENT),
        render("alexa", "assessment", locale, **context, content=CONTENT),
        render("card", "assessment", locale, **context, content=CONTENT),
        render("sms", "out_of_scope", locale, **context, content=CONTENT),
        render("sms", "tips", locale, **context, tips=result.tip_ids, content=CONTENT),
        render("alexa", "tips", locale, **context, tips=result.tip_ids, content=CONTENT),
        render("card", "tips", locale, **context, tips=result.tip_ids, content=CONTENT),
        render("sms", "handover", locale, assessment=result, level=0, summary=True, content=CONTENT),
    ]
    if result.urgency == "emergency":
        replies += [render(channel, "emergency", locale, **context, content=CONTENT) for channel in ("sms", "alexa")]
    return replies


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OBSERVATIONS, SIGN_SETS, SIGN_SETS, st.sampled_from(sorted(CONTENT.locales)))
def test_property_no_drinking_advice_while_heat_stroke_is_possible(
    observations: Observations, possible: frozenset[str], denied: frozenset[str], locale: str
) -> None:
    observations = replace(
        observations, contexts=observations.contexts | {"heat"}, possible_signs=possible - observations.signs,
        denied=denied - observations.signs - possible,
    )
    screened = observations.denied >= HEAT_STROKE_SIGNS and not HEAT_STROKE_SIGNS & observations.possible_signs
    assume(not screened)
    for text in every_reply(assess(observations, CONTENT), locale):
        assert not DRINK_ADVICE.search(text.lower()), text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OBSERVATIONS, st.sampled_from(LEG), SIGN_SETS, st.booleans(), st.sampled_from(sorted(CONTENT.locales)))
def test_property_no_rubbing_advice_while_a_clot_is_possible(
    observations: Observations, leg: str, extra: frozenset[str], reported: bool, locale: str
) -> None:
    clot = frozenset({sorted(CLOT_SIGNS)[len(extra) % 3]})
    if reported:
        observations = replace(observations, body_part=leg, signs=observations.signs | clot)
    else:
        possible = (extra | clot) - observations.signs
        observations = replace(
            observations, body_part=leg, possible_signs=possible, denied=observations.denied - possible
        )
    for text in every_reply(assess(observations, CONTENT), locale):
        assert not advises_rubbing(text), text


def test_property_the_rubbing_detector_tells_advice_from_a_warning() -> None:
    # The guard above is only as good as this check of what counts as advice.
    assert advises_rubbing(WORDS["relief"]["calf"]) and advises_rubbing("Then rub the muscle.")
    assert not advises_rubbing(WORDS["relief"]["leg_clot_possible"])
    assert not advises_rubbing(WORDS["relief"]["fresh_injury"])
    assert DRINK_ADVICE.search(WORDS["relief"]["heat_screened"].lower())
    assert not DRINK_ADVICE.search(WORDS["relief"]["heat"].lower())
