"""The conversation as a transition table that both channels call: `next_step(conversation, event, message)`.

Channels translate their input (a text message, an Alexa intent) into an Event and a Message, call
next_step, store the returned Conversation, and render the returned Turn with their own templates.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from shared.conditions import holds
from shared.content import Content, Question
from shared.facts import Observations
from shared.lexicon import Lexicon
from shared.reader import normalise, read
from shared.triage import Assessment, apply_answer, assess


class Step(StrEnum):
    """Where a conversation stands. The values are what gets stored."""

    START = "start"
    ASKING = "asking"
    VERDICT = "verdict"
    CALLBACK_WINDOW = "callback_window"
    EMERGENCY = "emergency"


class Event(StrEnum):
    """What the person did."""

    DESCRIBE = "describe"  # said or texted something: a description or an answer
    TIPS = "tips"
    CALL = "call"
    NEW = "new"


class Reply(StrEnum):
    """Which template the channel renders for this turn."""

    QUESTION = "question"
    ASSESSMENT = "assessment"
    EMERGENCY = "emergency"
    TIPS = "tips"
    CALLBACK_WINDOW = "callback_window"
    CALLBACK_CONFIRMED = "callback_confirmed"
    NOT_UNDERSTOOD = "not_understood"
    RESTARTED = "restarted"


# Callback windows offered by number; anything else the person writes is kept as their own words.
CALLBACK_WINDOWS = ("morning", "afternoon", "evening")
MAX_WINDOW_CHARS = 60


@dataclass(frozen=True, slots=True)
class Message:
    """One input from the person: their words, and facts a channel already parsed (Alexa slots)."""

    text: str = ""
    facts: Observations | None = None
    answer: str | None = None  # "yes" / "no" from a voice Yes/No intent


@dataclass(frozen=True, slots=True)
class Conversation:
    """Everything remembered between turns (stored as a dict by the channel)."""

    step: Step = Step.START
    observations: Observations = Observations()
    pending: str | None = None
    relief_given: bool = False
    turns: int = 0
    callback_window: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Serialise for a store."""
        return {
            "step": self.step.value,
            "observations": self.observations.to_dict(),
            "pending": self.pending,
            "relief_given": self.relief_given,
            "turns": self.turns,
            "callback_window": self.callback_window,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None, content: Content) -> Conversation:
        """Rebuild from a store, field by field: a value of the wrong type, or a question the content no longer
        has, is dropped, so a store written by another version (or by hand) never makes the engine raise."""
        if not isinstance(data, dict) or not data:
            return cls()
        try:
            step = Step(data.get("step", Step.START.value))
        except ValueError:
            return cls()  # without a step nothing else can be trusted to fit: start afresh
        pending = data.get("pending")
        turns = data.get("turns")
        window = data.get("callback_window")
        return cls(
            step=step,
            observations=Observations.from_dict(data.get("observations")),
            pending=pending if isinstance(pending, str) and pending in content.questions_by_id else None,
            relief_given=data.get("relief_given") is True,
            turns=turns if isinstance(turns, int) and not isinstance(turns, bool) and turns >= 0 else 0,
            callback_window=window if isinstance(window, str) else None,
        )

    @classmethod
    def new(cls, recent_episodes: int = 0) -> Conversation:
        """A fresh conversation that knows how many recent episodes the person has had."""
        return cls(observations=Observations(recent_episodes=recent_episodes))


@dataclass(frozen=True, slots=True)
class Turn:
    """The result of one step: the new state, what to say, and the assessment behind it."""

    conversation: Conversation
    reply: Reply
    assessment: Assessment
    question: Question | None = None
    show_relief: bool = False
    rephrase: bool = False

    def context(self) -> dict[str, Any]:
        """Template variables for rendering this turn."""
        return {
            "assessment": self.assessment,
            "question": self.question,
            "show_relief": self.show_relief,
            "rephrase": self.rephrase,
            "window": self.conversation.callback_window,
        }


def interpret_answer(question: Question, text: str, lexicon: Lexicon) -> dict | None:
    """Map a reply ("2", "yes", "it twitches") to the facts the pending question sets, or None."""
    words = normalise(text).replace(".", " ").replace(",", " ").split()
    if not words:
        return None
    if question.kind == "yes_no":
        joined = " " + " ".join(words) + " "
        if any(f" {phrase} " in joined for phrase in lexicon.unsure):
            return None  # "not sure" is not a "no": the question is asked again rather than the signs denied
        if lexicon.no & set(words[:2]):
            return question.on_no  # "no", "nope", "definitely not", "yeah no"
        if words[0] in lexicon.yes or (len(words) <= 3 and (lexicon.yes - lexicon.yes_first_only) & set(words)):
            return question.on_yes
        if len(words) <= 3 and lexicon.no & set(words):
            return question.on_no
        return None
    if len(words) == 1 and words[0].isdecimal():  # isdigit() takes "¹", which int() refuses
        index = int(words[0]) - 1
        return question.options[index].sets if 0 <= index < len(question.options) else None
    joined = " " + " ".join(words) + " "
    best: tuple[int, dict] | None = None
    choices = lexicon.choices.get(question.id, {})
    for option in question.options:
        for phrase in choices.get(option.id, ()):
            if f" {phrase} " in joined and (best is None or len(phrase) > best[0]):
                best = (len(phrase), option.sets)
    return best[1] if best else None


def _window_from(text: str) -> str | None:
    cleaned = re.sub(r"\s+", " ", text).strip()
    # ASCII digits only: str.isdigit() is also true for '²' and other digits int() refuses.
    if cleaned.isascii() and cleaned.isdigit() and 1 <= int(cleaned) <= len(CALLBACK_WINDOWS):
        return CALLBACK_WINDOWS[int(cleaned) - 1]
    printable = "".join(ch for ch in cleaned if ch.isprintable())[:MAX_WINDOW_CHARS].strip()
    return printable or None


def _advance(conv: Conversation, obs: Observations, understood: bool, content: Content) -> Turn:
    """Re-assess after new facts and choose between emergency, another question and the verdict."""
    assessment = assess(obs, content)
    turns = conv.turns + 1

    def moved(step: Step, pending: str | None, relief_given: bool) -> Conversation:
        return replace(conv, step=step, observations=obs, pending=pending, relief_given=relief_given, turns=turns)

    if assessment.urgency == "emergency":
        return Turn(moved(Step.EMERGENCY, None, conv.relief_given), Reply.EMERGENCY, assessment)
    pending = conv.pending and content.question(conv.pending)
    if not understood and pending:
        unchanged = moved(conv.step, conv.pending, conv.relief_given)
        return Turn(unchanged, Reply.QUESTION, assessment, question=pending, rephrase=True)
    if not understood and conv.step == Step.VERDICT:
        return Turn(moved(conv.step, conv.pending, conv.relief_given), Reply.NOT_UNDERSTOOD, assessment)
    show_relief = not conv.relief_given and (obs.body_part is not None or assessment.finished)
    relief_given = conv.relief_given or show_relief
    question = content.question(assessment.next_question_id) if assessment.next_question_id else None
    if question is not None and conv.step != Step.VERDICT:
        asking = moved(Step.ASKING, question.id, relief_given)
        return Turn(asking, Reply.QUESTION, assessment, question=question, show_relief=show_relief)
    return Turn(moved(Step.VERDICT, None, relief_given), Reply.ASSESSMENT, assessment, show_relief=show_relief)


def _describe(conv: Conversation, message: Message, content: Content, lexicon: Lexicon) -> Turn:
    obs = conv.observations
    understood = False
    if conv.pending:
        question = content.question(conv.pending)
        sets = None
        # Only a real "yes" or "no" answers a yes/no question; anything else must not count as a "no" that
        # denies the warning signs it asked about.
        if message.answer in ("yes", "no") and question.kind == "yes_no":
            sets = question.on_yes if message.answer == "yes" else question.on_no
        elif message.text:
            sets = interpret_answer(question, message.text, lexicon)
        if sets is not None:
            obs = apply_answer(obs, sets, question.id)
            understood = True
    heard = read(message.text, lexicon) if message.text else Observations()
    if message.facts:
        heard = heard.merge(message.facts)
    if not heard.is_empty():
        obs = obs.merge(heard)
        understood = True
        if conv.pending and understood:
            # The free text answered the pending question if it supplied the fact asked about, or made it moot
            # ("actually it's my back" after the leg question): either way it was asked and counts to the limit.
            question = content.question(conv.pending)
            if holds(question.skip_when, obs) or not holds(question.ask_when, obs):
                obs = obs.merge(Observations(answered=frozenset({question.id})))
    if conv.step == Step.START and not understood:
        understood = True  # a first "hi" simply starts the questions
    if conv.pending and understood and conv.pending not in obs.answered:
        obs = _count_if_passed_over(content.question(conv.pending), obs, content)
    return _advance(conv, obs, understood, content)


def _count_if_passed_over(question: Question, obs: Observations, content: Content) -> Observations:
    """A question the person was asked counts toward the limit of questions once another one takes its place.

    A red-flag question is the exception: it stays open and is asked again, so no warning sign goes unasked.
    """
    if question.purpose == "red_flag":
        return obs
    if assess(obs, content).next_question_id == question.id:
        return obs  # still the question to ask: it will be asked again
    return obs.merge(Observations(answered=frozenset({question.id})))


def _tips(conv: Conversation, message: Message, content: Content, lexicon: Lexicon) -> Turn:
    return Turn(conv, Reply.TIPS, assess(conv.observations, content))


def _call(conv: Conversation, message: Message, content: Content, lexicon: Lexicon) -> Turn:
    return Turn(replace(conv, step=Step.CALLBACK_WINDOW), Reply.CALLBACK_WINDOW, assess(conv.observations, content))


def _window(conv: Conversation, message: Message, content: Content, lexicon: Lexicon) -> Turn:
    heard = read(message.text, lexicon) if message.text else Observations()
    urgent_now = assess(conv.observations.merge(heard), content)
    # An emergency already answered must not block the callback it asked for; only a new sign re-alerts.
    already_emergency = assess(conv.observations, content).urgency == "emergency"
    if urgent_now.urgency == "emergency" and (not already_emergency or heard.signs - conv.observations.signs):
        # Safety first: a warning sign texted while we wait for a time window is never ignored.
        waiting = replace(conv, step=Step.VERDICT, pending=None)
        return _advance(waiting, conv.observations.merge(heard), True, content)
    window = _window_from(message.text)
    if window is None:
        return Turn(conv, Reply.CALLBACK_WINDOW, urgent_now, rephrase=True)
    conv = replace(conv, step=Step.VERDICT, callback_window=window, pending=None)
    return Turn(conv, Reply.CALLBACK_CONFIRMED, urgent_now)


def _restart(conv: Conversation, message: Message, content: Content, lexicon: Lexicon) -> Turn:
    fresh = Conversation.new(conv.observations.recent_episodes)
    if message.text or message.facts:
        return _describe(fresh, message, content, lexicon)
    question = content.question("body_part")
    # The restart reply asks this question with numbered options, so "6" must answer it.
    asking = replace(fresh, step=Step.ASKING, pending=question.id)
    return Turn(asking, Reply.RESTARTED, assess(fresh.observations, content), question=question)


def _emergency_again(conv: Conversation, message: Message, content: Content, lexicon: Lexicon) -> Turn:
    return Turn(conv, Reply.EMERGENCY, assess(conv.observations, content))


Action = Callable[[Conversation, Message, Content, Lexicon], Turn]

# (step, event) -> action. None as the step means "any step". The first matching row wins.
TRANSITIONS: tuple[tuple[Step | None, Event, Action], ...] = (
    (None, Event.NEW, _restart),
    (Step.EMERGENCY, Event.DESCRIBE, _emergency_again),
    (Step.EMERGENCY, Event.CALL, _call),
    (Step.EMERGENCY, Event.TIPS, _emergency_again),
    (Step.CALLBACK_WINDOW, Event.DESCRIBE, _window),
    (None, Event.DESCRIBE, _describe),
    (None, Event.TIPS, _tips),
    (None, Event.CALL, _call),
)


def next_step(
    conv: Conversation, event: Event, message: Message | None = None, *, content: Content, locale: str | None = None
) -> Turn:
    """Apply one event to a conversation and return the turn to render; `locale` picks the language the
    person's words are read in."""
    message = message or Message()
    if conv.pending and conv.pending not in content.questions_by_id:
        # A question renamed or removed in a release while this conversation was open: ask afresh.
        conv = replace(conv, pending=None)
    for step, row_event, action in TRANSITIONS:
        if row_event == event and (step is None or step == conv.step):
            return action(conv, message, content, content.language(locale).lexicon)
    raise ValueError(f"no transition for {conv.step} on {event}")
