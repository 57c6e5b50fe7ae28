"""The conversation as a transition table that both channels call: `next_step(conversation, event, message)`.

Channels translate their input (a text message, an Alexa intent) into an Event and a Message, call next_step, store
the returned Conversation, and render the returned Turn with their own templates. Every decision about what comes
next is made here, the same for voice and text: which question, when to give the relief step, what a bare "yes"
accepts after the verdict (the offers), and what happens after an emergency.
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
from shared.reader import OTHER_LANGUAGE, normalise, read
from shared.triage import SAFETY_PURPOSES, Assessment, apply_answer, assess


class Step(StrEnum):
    """Where a conversation stands. The values are what gets stored."""

    START = "start"
    ASKING = "asking"
    VERDICT = "verdict"
    CALLBACK_WINDOW = "callback_window"
    EMERGENCY = "emergency"
    # After the verdict, what a bare "yes" accepts (voice asks it; a text "yes" or "1" accepts it too).
    OFFER_TIPS = "offer_tips"
    OFFER_CALLBACK = "offer_callback"  # after an urgent verdict or the tips: shall the clinic call you back?
    # The number offered in place of the callback before voice could ask for one: kept so a stored conversation
    # still reads, and a yes still gives the number.
    OFFER_CLINIC = "offer_clinic"
    OFFER_LINK = "offer_link"  # voice, after "text me that": join the voice and text histories?


OFFERS = frozenset({Step.OFFER_TIPS, Step.OFFER_CALLBACK, Step.OFFER_CLINIC, Step.OFFER_LINK})
# The verdict has been given: a new fact is weighed again, but no more questions are asked.
AFTER_VERDICT = frozenset({Step.VERDICT, *OFFERS})


class Event(StrEnum):
    """What the person did."""

    DESCRIBE = "describe"  # said or texted something: a description or an answer
    TIPS = "tips"
    CALL = "call"
    NEW = "new"
    CONTACT = "contact"  # asked for the clinic's number
    OFFER_LINK = "offer_link"  # a channel sent a text and may ask to join the histories
    MISSED = "missed"  # the channel heard something it could not take as anything (Alexa's FallbackIntent)


class Reply(StrEnum):
    """Which template the channel renders for this turn."""

    QUESTION = "question"
    ASSESSMENT = "assessment"
    OUT_OF_SCOPE = "out_of_scope"
    EMERGENCY = "emergency"
    TIPS = "tips"
    CONTACT = "contact"
    CALLBACK_WINDOW = "callback_window"
    CALLBACK_CONFIRMED = "callback_confirmed"
    NOT_UNDERSTOOD = "not_understood"
    OTHER_LANGUAGE = "other_language"
    RESTARTED = "restarted"
    GOODBYE = "goodbye"
    LINK_OFFER = "link_offer"
    LINK_ACCEPTED = "link_accepted"
    LINK_DECLINED = "link_declined"
    GIVE_UP = "give_up"  # a third miss in a row: end politely, with the clinic's number


# Callback windows offered by number; anything else the person writes is kept as their own words.
CALLBACK_WINDOWS = ("morning", "afternoon", "evening")
MAX_WINDOW_CHARS = 60
# A yes/no question is answered "1" for yes and "2" for no by text (nobody is asked to text YES, an opt-in keyword).
YES_NO_NUMBERS = {"1": "yes", "2": "no"}
# A question is sent at most twice: after a second reply that answers nothing, the dialogue moves on safely.
MAX_MISSES = 2
# Said-but-not-understood in a row (Event.MISSED): the first gets "sorry" and the same question, the second the
# question in other words with an example, the third ends politely with the clinic's number: never a loop.
MAX_MISSED = 3


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
    relief_given: bool = False  # a relief step was given (a voice hand-off seeds this without saying which)
    turns: int = 0
    callback_window: str | None = None
    reliefs_shown: tuple[str, ...] = ()  # the relief steps given, so a changed one (screened, new muscle) is given
    misses: int = 0  # replies in a row that did not answer the pending question (or anything at all)

    def to_dict(self) -> dict[str, Any]:
        """Serialise for a store."""
        return {
            "step": self.step.value,
            "observations": self.observations.to_dict(),
            "pending": self.pending,
            "relief_given": self.relief_given,
            "turns": self.turns,
            "callback_window": self.callback_window,
            "reliefs_shown": list(self.reliefs_shown),
            "misses": self.misses,
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
        window = data.get("callback_window")
        shown = data.get("reliefs_shown")
        return cls(
            step=step,
            observations=Observations.from_dict(data.get("observations")),
            pending=pending if isinstance(pending, str) and pending in content.questions_by_id else None,
            relief_given=data.get("relief_given") is True,
            turns=_count(data.get("turns")),
            callback_window=window if isinstance(window, str) else None,
            reliefs_shown=tuple(item for item in shown if isinstance(item, str)) if isinstance(shown, list) else (),
            misses=_count(data.get("misses")),
        )

    @classmethod
    def new(cls, recent_episodes: int = 0) -> Conversation:
        """A fresh conversation that knows how many recent episodes the person has had."""
        return cls(observations=Observations(recent_episodes=recent_episodes))


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


@dataclass(frozen=True, slots=True)
class Turn:
    """The result of one step: the new state, what to say, and the assessment behind it."""

    conversation: Conversation
    reply: Reply
    assessment: Assessment
    question: Question | None = None
    show_relief: bool = False
    rephrase: bool = False

    @property
    def offer(self) -> str | None:
        """What a bare "yes" now accepts: tips, callback, clinic or link (None when nothing is offered)."""
        step = self.conversation.step
        return step.value.removeprefix("offer_") if step in OFFERS else None

    def context(self) -> dict[str, Any]:
        """Template variables for rendering this turn."""
        return {
            "assessment": self.assessment,
            "question": self.question,
            "show_relief": self.show_relief,
            "rephrase": self.rephrase,
            "window": self.conversation.callback_window,
            "offer": self.offer,
        }


# --- Reading answers -----------------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return re.sub(r"[.,;:!?()]", " ", normalise(text)).split()


def _has_phrase(joined: str, phrases: frozenset[str] | tuple[str, ...]) -> bool:
    return any(f" {phrase} " in joined for phrase in phrases)


def yes_or_no(text: str, lexicon: Lexicon) -> str | None:
    """'yes', 'no', or None for a reply that is neither ("not sure" is neither: it must not deny a warning sign)."""
    words = _words(text)
    if not words:
        return None
    if len(words) == 1 and words[0] in YES_NO_NUMBERS:
        return YES_NO_NUMBERS[words[0]]
    joined = " " + " ".join(words) + " "
    if _has_phrase(joined, lexicon.unsure):
        return None  # "not sure" is not a "no": the question is asked again rather than the signs denied
    single_no = {word for word in lexicon.no if " " not in word}
    if single_no & set(words[:2]) or (len(words) <= 4 and _has_phrase(joined, lexicon.no)):
        return "no"  # "no", "nope", "definitely not", "yeah no", "not really", "it isnt"
    phrases = {phrase for phrase in lexicon.yes if " " in phrase}
    anywhere = {word for word in lexicon.yes - lexicon.yes_first_only if " " not in word}
    if words[0] in lexicon.yes or (len(words) <= 4 and (anywhere & set(words) or _has_phrase(joined, phrases))):
        return "yes"  # "yes it is", "a bit", "kind of", "yeah a bit swollen"
    return None


def interpret_answer(question: Question, text: str, lexicon: Lexicon) -> dict | None:
    """Map a reply ("2", "yes", "it twitches", "1 and 3") to the facts the pending question sets, or None."""
    words = _words(text)
    if not words:
        return None
    if question.kind == "yes_no":
        answer = yes_or_no(text, lexicon)
        return None if answer is None else (question.on_yes if answer == "yes" else question.on_no)
    if question.purpose == "which":
        return _which(question, words, lexicon)
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


def _which(question: Question, words: list[str], lexicon: Lexicon) -> dict | None:
    """The signs a "which one?" reply names: by number ("1 and 3") or in the person's words ("the dark pee")."""
    numbers = {int(word) for word in words if word.isascii() and word.isdigit()}
    numbers |= {lexicon.ones.index(word) + 1 for word in words if word in lexicon.ones}  # "one", said by voice
    chosen = {question.asks_about[n - 1] for n in numbers if 1 <= n <= len(question.asks_about)}
    # A sign's own word alone ("warm") is only a possible sign to the reader; as the answer to "which one?" it names it.
    heard = read(" ".join(words), lexicon)
    chosen |= (heard.signs | heard.possible_signs) & set(question.asks_about)
    return {"signs": sorted(chosen)} if chosen else None


def _window_from(text: str) -> str | None:
    cleaned = re.sub(r"\s+", " ", text).strip()
    # ASCII digits only: str.isdigit() is also true for '²' and other digits int() refuses.
    if cleaned.isascii() and cleaned.isdigit() and 1 <= int(cleaned) <= len(CALLBACK_WINDOWS):
        return CALLBACK_WINDOWS[int(cleaned) - 1]
    printable = "".join(ch for ch in cleaned if ch.isprintable())[:MAX_WINDOW_CHARS].strip()
    return printable or None


# --- Moving on ----------------------------------------------------------------------------------------------


def _answer(obs: Observations, question: Question, sets: dict) -> Observations:
    """Add what an answer sets. A "which one?" answer also settles the rest of its signs: they were offered and not
    chosen, so they are no longer asked about one by one."""
    obs = apply_answer(obs, sets, question.id)
    if question.purpose == "which":
        obs = replace(obs, possible_signs=obs.possible_signs - set(question.asks_about))
    return obs


def _move_on(obs: Observations, question: Question, content: Content) -> Observations:
    """After a second reply that answers nothing: stop asking this question. Its signs are neither reported nor
    denied: they stay possible (so the replies keep saying what to do if they are there), and no other question
    asks about them again."""
    passed = {question.id}
    if question.asks_about:
        asked = set(question.asks_about)
        passed |= {
            q.id for q in content.questions
            if q.parent == question.id or (q.purpose == "confirm" and set(q.asks_about) <= asked)
        }
        undecided = set(question.asks_about) - obs.signs - obs.denied
        return obs.merge(Observations(possible_signs=frozenset(undecided), answered=frozenset(passed)))
    return obs.merge(Observations(answered=frozenset(passed)))


def _advance(conv: Conversation, obs: Observations, understood: bool, content: Content) -> Turn:
    """Re-assess after new facts and choose between emergency, another question and the verdict."""
    assessment = assess(obs, content)
    turns = conv.turns + 1

    def moved(step: Step, pending: str | None, shown: tuple[str, ...], misses: int = 0) -> Conversation:
        return replace(
            conv, step=step, observations=obs, pending=pending, reliefs_shown=shown, turns=turns, misses=misses,
            relief_given=conv.relief_given or bool(shown),
        )

    if assessment.urgency == "emergency":
        return Turn(moved(Step.EMERGENCY, None, conv.reliefs_shown), Reply.EMERGENCY, assessment)
    if not understood and conv.step in AFTER_VERDICT:
        return Turn(moved(conv.step, conv.pending, conv.reliefs_shown), Reply.NOT_UNDERSTOOD, assessment)
    # The relief step is given in the first reply, and again whenever it changes (the muscle is named, a danger is
    # ruled out or becomes possible); a voice hand-off that already gave one (relief_given alone) gives none.
    seeded = conv.relief_given and not conv.reliefs_shown
    show_relief = not seeded and assessment.relief_id not in conv.reliefs_shown
    shown = (*conv.reliefs_shown, assessment.relief_id) if show_relief else conv.reliefs_shown
    pending = content.question(conv.pending) if conv.pending else None
    if pending is not None and pending.id not in obs.answered and (
        not understood or assessment.next_question_id == pending.id
    ):
        # The reply did not answer the question just asked (whatever else it said): ask it once more in other words,
        # never a third time; then move on, keeping its signs possible (never denied).
        if conv.misses + 1 < MAX_MISSES:
            again = moved(conv.step, conv.pending, shown, conv.misses + 1)
            return Turn(again, Reply.QUESTION, assessment, question=pending, rephrase=True, show_relief=show_relief)
        return _advance(replace(conv, pending=None, misses=0), _move_on(obs, pending, content), True, content)
    question = content.question(assessment.next_question_id) if assessment.next_question_id else None
    # After the verdict only a warning sign's question is still asked (a context said late, like the heat).
    if question is not None and (conv.step not in AFTER_VERDICT or question.purpose in SAFETY_PURPOSES):
        asking = moved(Step.ASKING, question.id, shown)
        return Turn(asking, Reply.QUESTION, assessment, question=question, show_relief=show_relief)
    if assessment.out_of_scope:
        # A tummy or period cramp: said honestly, its own warning signs screened, and where to get the right help.
        return Turn(moved(Step.VERDICT, None, shown), Reply.OUT_OF_SCOPE, assessment, show_relief=show_relief)
    offer = Step.OFFER_CALLBACK if assessment.urgency == "urgent" else Step.OFFER_TIPS
    return Turn(moved(offer, None, shown), Reply.ASSESSMENT, assessment, show_relief=show_relief)


# --- Actions --------------------------------------------------------------------------------------------------

Action = Callable[[Conversation, Message, Content, Lexicon], Turn]
Guard = Callable[[Conversation, Message, Lexicon], bool]


def _heard(message: Message, lexicon: Lexicon) -> Observations:
    heard = read(message.text, lexicon) if message.text else Observations()
    return heard.merge(message.facts) if message.facts else heard


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
            obs = _answer(obs, question, sets)
            understood = True
    heard = _heard(message, lexicon)
    if heard.scope == OTHER_LANGUAGE:
        return _other_language(conv, obs, replace(heard, scope=None), content)
    if not heard.is_empty():
        # Whatever the state, what the person says is read: a warning sign said late escalates at once.
        obs = obs.merge(heard)
        understood = True
        if conv.pending:
            # The free text answered the pending question if it supplied the fact asked about, or made it moot
            # ("actually it's my back" after the leg question): either way it was asked and counts to the limit.
            question = content.question(conv.pending)
            if question.moot(obs.signs, obs.denied) or (question.skip_when and holds(question.skip_when, obs)) or (
                not holds(question.ask_when, obs)
            ):
                obs = obs.merge(Observations(answered=frozenset({question.id})))
    if conv.step == Step.START and not understood:
        understood = True  # a first "hi" simply starts the questions
    if conv.pending and understood and conv.pending not in obs.answered:
        obs = _count_if_passed_over(content.question(conv.pending), obs, content)
    return _advance(conv, obs, understood, content)


def _other_language(conv: Conversation, obs: Observations, heard: Observations, content: Content) -> Turn:
    """A message in a language the reader does not read: the warning signs it shares with this language are still
    screened (an emergency is said at once); otherwise the reply says which language is read and the emergency
    number, and asks the open (or first) question by number, never giving a self-care step as if understood."""
    obs = obs.merge(heard)
    assessment = assess(obs, content)
    if assessment.urgency == "emergency":
        return _advance(conv, obs, True, content)
    question_id = conv.pending or assessment.next_question_id
    question = content.question(question_id) if question_id else None
    step = Step.ASKING if question is not None else conv.step
    asked = replace(conv, step=step, observations=obs, pending=question_id, turns=conv.turns + 1)
    return Turn(asked, Reply.OTHER_LANGUAGE, assessment, question=question)


def _count_if_passed_over(question: Question, obs: Observations, content: Content) -> Observations:
    """A question the person was asked counts toward the limit of questions once another one takes its place.

    A safety question is the exception: it stays open and is asked again, so no warning sign goes unasked.
    """
    if question.purpose != "distinction" and question.purpose != "locate":
        return obs
    if assess(obs, content).next_question_id == question.id:
        return obs  # still the question to ask: it will be asked again
    return obs.merge(Observations(answered=frozenset({question.id})))


def _tips(conv: Conversation, message: Message, content: Content, lexicon: Lexicon) -> Turn:
    # After the tips, a bare "yes" accepts a callback from the clinic, unless a question is still open: it keeps it.
    step = conv.step if conv.pending else Step.OFFER_CALLBACK
    return Turn(replace(conv, step=step), Reply.TIPS, assess(conv.observations, content))


def _contact(conv: Conversation, message: Message, content: Content, lexicon: Lexicon) -> Turn:
    step = Step.VERDICT if conv.step in AFTER_VERDICT else conv.step
    return Turn(replace(conv, step=step), Reply.CONTACT, assess(conv.observations, content))


def _goodbye(conv: Conversation, message: Message, content: Content, lexicon: Lexicon) -> Turn:
    return Turn(replace(conv, step=Step.VERDICT), Reply.GOODBYE, assess(conv.observations, content))


def _call(conv: Conversation, message: Message, content: Content, lexicon: Lexicon) -> Turn:
    # After an emergency the assessment is still the emergency's: the reply says to call the emergency number
    # first, and that a callback does not replace it.
    return Turn(replace(conv, step=Step.CALLBACK_WINDOW), Reply.CALLBACK_WINDOW, assess(conv.observations, content))


def _window(conv: Conversation, message: Message, content: Content, lexicon: Lexicon) -> Turn:
    heard = _heard(message, lexicon)
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
    step = Step.EMERGENCY if already_emergency else Step.VERDICT
    conv = replace(conv, step=step, callback_window=window, pending=None)
    return Turn(conv, Reply.CALLBACK_CONFIRMED, urgent_now)


def _window_not_given(conv: Conversation, message: Message, content: Content, lexicon: Lexicon) -> Turn:
    # A spoken "yes" names no time: the time question is asked again in other words.
    return Turn(conv, Reply.CALLBACK_WINDOW, assess(conv.observations, content), rephrase=True)


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


def _offer_link(conv: Conversation, message: Message, content: Content, lexicon: Lexicon) -> Turn:
    return Turn(replace(conv, step=Step.OFFER_LINK), Reply.LINK_OFFER, assess(conv.observations, content))


def _resumed(conv: Conversation) -> Step:
    """The step a conversation goes back to after the link question: its question, its verdict, or the start."""
    if conv.pending:
        return Step.ASKING
    return Step.START if conv.observations.is_empty() else Step.VERDICT


def _link_accepted(conv: Conversation, message: Message, content: Content, lexicon: Lexicon) -> Turn:
    return Turn(replace(conv, step=_resumed(conv)), Reply.LINK_ACCEPTED, assess(conv.observations, content))


def _link_declined(conv: Conversation, message: Message, content: Content, lexicon: Lexicon) -> Turn:
    return Turn(replace(conv, step=_resumed(conv)), Reply.LINK_DECLINED, assess(conv.observations, content))


def _missed(conv: Conversation, message: Message, content: Content, lexicon: Lexicon) -> Turn:
    misses = conv.misses + 1
    assessment = assess(conv.observations, content)
    if misses >= MAX_MISSED:
        return Turn(replace(conv, misses=0), Reply.GIVE_UP, assessment)
    question = content.question(conv.pending) if conv.pending else None
    return Turn(replace(conv, misses=misses), Reply.NOT_UNDERSTOOD, assessment, question=question, rephrase=misses > 1)


def _says(answer: str) -> Guard:
    """A bare "yes" (or "no") to the offer: the word and nothing else the reader can use, so a warning sign said
    with it ("no, but my chest hurts now") is read as a description instead."""

    def guard(conv: Conversation, message: Message, lexicon: Lexicon) -> bool:
        said = message.answer if message.answer in ("yes", "no") else yes_or_no(message.text, lexicon)
        return said == answer and _heard(message, lexicon).is_empty()

    return guard


def _answered(answer: str) -> Guard:
    """A voice Yes or No intent (not a typed word: a text "2" picks the afternoon, it does not say no)."""

    def guard(conv: Conversation, message: Message, lexicon: Lexicon) -> bool:
        return message.answer == answer

    return guard


def _always(conv: Conversation, message: Message, lexicon: Lexicon) -> bool:
    return True


YES, NO = _says("yes"), _says("no")

# (step, event, guard, action). None as the step means "any step". The first matching row wins.
TRANSITIONS: tuple[tuple[Step | None, Event, Guard, Action], ...] = (
    (None, Event.NEW, _always, _restart),
    # After an emergency: every reply leads with the emergency instruction; a callback never replaces it.
    (Step.EMERGENCY, Event.DESCRIBE, _always, _emergency_again),
    (Step.EMERGENCY, Event.CALL, _always, _call),
    (Step.EMERGENCY, Event.TIPS, _always, _emergency_again),
    (Step.EMERGENCY, Event.CONTACT, _always, _emergency_again),
    (Step.EMERGENCY, Event.MISSED, _always, _emergency_again),
    # Asked when to call: a spoken "no" withdraws the request; a spoken "yes" names no time.
    (Step.CALLBACK_WINDOW, Event.DESCRIBE, _answered("no"), _goodbye),
    (Step.CALLBACK_WINDOW, Event.DESCRIBE, _answered("yes"), _window_not_given),
    (Step.CALLBACK_WINDOW, Event.DESCRIBE, _always, _window),
    # The offers after the verdict: a bare yes accepts, a bare no ends politely.
    (Step.OFFER_TIPS, Event.DESCRIBE, YES, _tips),
    (Step.OFFER_TIPS, Event.DESCRIBE, NO, _goodbye),
    (Step.OFFER_CALLBACK, Event.DESCRIBE, YES, _call),
    (Step.OFFER_CALLBACK, Event.DESCRIBE, NO, _goodbye),
    (Step.OFFER_CLINIC, Event.DESCRIBE, YES, _contact),
    (Step.OFFER_CLINIC, Event.DESCRIBE, NO, _goodbye),
    (Step.OFFER_LINK, Event.DESCRIBE, YES, _link_accepted),
    (Step.OFFER_LINK, Event.DESCRIBE, NO, _link_declined),
    (None, Event.DESCRIBE, _always, _describe),
    (None, Event.TIPS, _always, _tips),
    (None, Event.CALL, _always, _call),
    (None, Event.CONTACT, _always, _contact),
    (None, Event.OFFER_LINK, _always, _offer_link),
    (None, Event.MISSED, _always, _missed),
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
    if event not in (Event.DESCRIBE, Event.MISSED):
        conv = replace(conv, misses=0)  # misses count in a row: anything else the person asks for breaks the row
    lexicon = content.language(locale).lexicon
    for step, row_event, guard, action in TRANSITIONS:
        if row_event == event and (step is None or step == conv.step) and guard(conv, message, lexicon):
            return action(conv, message, content, lexicon)
    raise ValueError(f"no transition for {conv.step} on {event}")
