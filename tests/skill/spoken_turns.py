"""Every spoken turn the skill can produce, generated from the content: every dialogue reply x verdict x urgency x
body part x relief step x locale, with what is appended (recurrence, the one-time history notice, the offer) and
every question or offer that can follow. A new red flag, body part, question or locale is covered the day it is
added. Each turn carries the budget it must keep (issue 15)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from shared.content import Content, Question
from shared.dialogue import OFFERS, Conversation, Event, Message, Reply, Step, Turn, next_step
from shared.facts import Observations
from shared.speech import spoken_seconds
from shared.triage import Assessment, assess
from skill.replies import Speech, Voice
from tests.shared.builders import VERDICT_FACTS, observations_satisfying

# Budgets in seconds at 150 words a minute plus SSML breaks (issue 15; shared/speech.py).
EMERGENCY = 8.0
QUESTION = 8.0  # a question, a reprompt, and anything that only re-asks
RELIEF = 10.0  # the relief step itself
# The first answer: the relief step (10 s) and the question (8 s) each keep their own budget, checked on their own
# below; with a warning sign to watch for between them, the whole turn is held to the ceiling.
RELIEF_AND_QUESTION = 20.0
WARNING_AND_QUESTION = 15.0  # what to do if an uncertain warning sign appears, then the question: an assessment
VERDICT = 15.0  # the verdict turn, with everything appended
HELP = 10.0
WELCOME = 12.0  # the launch: whose skill, the health disclaimer and the emergency number (platform b-1), the question
ONE_TIP = 12.0
TIPS_TURN = 15.0  # one tip, where the rest are, and the question that follows
NOTICE = 5.0  # a one-time notice: one short sentence, the detail on the card
OTHER = 10.0  # hand-offs and confirmations
CEILING = 20.0  # nothing, ever


@dataclass(frozen=True)
class SpokenTurn:
    """One rendered turn: what situation it is, its speech and reprompt, and its budget."""

    situation: str
    locale: str
    speech: Speech
    budget: float
    assessment: Assessment | None = None
    turn: Turn | None = None  # the dialogue's turn, for a reply of the dialogue
    notice_due: bool = False

    @property
    def seconds(self) -> float:
        """How long the turn takes to say."""
        return spoken_seconds(self.speech.text)


def _assessments(content: Content) -> list[Assessment]:
    """A verdict of each kind for every body part, every red flag and every relief step, and every red flag's
    signs left uncertain (the "if you notice ... call now" line)."""
    flags_by_urgency: dict[str, list] = {}
    for flag in content.red_flags:
        flags_by_urgency.setdefault(flag.urgency, []).append(flag)
    wording = content.language(content.default_locale).words
    # Per urgency, the red flag whose reason takes longest to say: the worst case for every body part.
    longest = [
        observations_satisfying(max(flags, key=lambda f: len(wording["red_flags"][f.id])).when)
        for flags in flags_by_urgency.values()
    ]
    verdicts = [facts for variants in VERDICT_FACTS.values() for facts in variants]
    found: list[Observations] = []
    for body_part in (*content.concepts["body_part"], None):
        for facts in verdicts:
            for alarm in (Observations(), *longest):
                found.append(replace(alarm.merge(facts), body_part=body_part))
    for flag in content.red_flags:
        raised = observations_satisfying(flag.when)
        found += [raised.merge(variants[-1]) for variants in VERDICT_FACTS.values()]
        unsure = Observations(possible_signs=frozenset(flag.signs))
        found += [unsure.merge(raised), unsure.merge(verdicts[-1]), unsure.merge(Observations(body_part="calf"))]
    for relief in content.context_relief:
        if relief.when:
            found += [observations_satisfying(relief.when).merge(variants[-1]) for variants in VERDICT_FACTS.values()]
    for recent in (1, 3, 12):
        found.append(replace(verdicts[-1], recent_episodes=recent, body_part="calf"))
    unique = {repr(obs): obs for obs in found}
    return [assess(obs, content) for obs in unique.values()]


def _open_states(content: Content) -> list[Conversation]:
    """Every state a reply can leave open: each question pending, each offer, and nothing yet."""
    states = [Conversation(), Conversation(step=Step.VERDICT)]
    states += [Conversation(step=Step.ASKING, pending=question.id) for question in content.questions]
    states += [Conversation(step=step) for step in OFFERS]
    return states


def spoken_turns(content: Content) -> Iterator[SpokenTurn]:
    """Every turn, in every locale, with its budget."""
    for locale in sorted(content.locales):
        voice = Voice(locale, content)
        yield from _dialogue_turns(voice, content, locale)
        yield from _other_turns(voice, content, locale)


# How a walk answers each question: no (or the first option), yes (or the last), or a reply that answers nothing
# (asked again in other words, then passed over with its signs kept possible).
POLICIES = ("no", "yes", "unsure")
MAX_TURNS = 12


def _answer(question: Question, policy: str) -> Message:
    if policy == "unsure":
        return Message(text="not sure")
    if question.kind == "yes_no":
        return Message(text=policy, answer=policy)
    count = len(question.options) or len(question.asks_about)
    return Message(text="1" if policy == "no" else str(count))


def dialogue_walks(content: Content) -> Iterator[list[Turn]]:
    """The real dialogue, from every description the grid holds, answered each way until it settles."""
    for assessment in _assessments(content):
        first = assessment.observations
        start = Conversation.new(first.recent_episodes)
        for policy in POLICIES:
            turn = next_step(start, Event.DESCRIBE, Message(facts=replace(first, recent_episodes=0)), content=content)
            walk = [turn]
            while turn.reply == Reply.QUESTION and len(walk) < MAX_TURNS:
                turn = next_step(turn.conversation, Event.DESCRIBE, _answer(turn.question, policy), content=content)
                walk.append(turn)
            if turn.conversation.step in OFFERS:
                walk.append(next_step(turn.conversation, Event.TIPS, content=content))
            yield walk


def _budget(turn: Turn) -> float:
    if turn.reply == Reply.EMERGENCY:
        return EMERGENCY
    if turn.reply == Reply.QUESTION and turn.show_relief:
        return RELIEF_AND_QUESTION
    if turn.reply == Reply.QUESTION and turn.assessment.if_present_urgency:
        return WARNING_AND_QUESTION
    if turn.reply == Reply.QUESTION:
        return QUESTION
    if turn.reply == Reply.TIPS:
        return TIPS_TURN
    return VERDICT


def _dialogue_turns(voice: Voice, content: Content, locale: str) -> Iterator[SpokenTurn]:
    seen: set[tuple] = set()
    for walk in dialogue_walks(content):
        for turn in walk:
            a = turn.assessment
            key = (turn.reply, turn.show_relief, turn.rephrase, turn.question and turn.question.id, turn.offer,
                   a.urgency, a.red_flag, a.verdict, a.strength, a.reason_ids[:1], a.relief_id, a.if_present_signs,
                   a.if_present_urgency, a.observations.recent_episodes, a.tip_ids[:1],
                   turn.conversation.pending)
            if key in seen:
                continue
            seen.add(key)
            label = f"{turn.reply.value}: {a.urgency} {a.red_flag} {a.verdict} {a.body_part} relief {turn.show_relief}"
            # The notice is due only before anything was recorded: never with earlier episodes this week.
            first_record = turn.reply == Reply.ASSESSMENT and a.observations.recent_episodes <= 1
            notices = (True, False) if first_record else (False,)
            for notice_due in notices:
                speech = voice.for_turn(turn, notice_due=notice_due)
                yield SpokenTurn(f"{label} notice {notice_due}", locale, speech, _budget(turn), a, turn, notice_due)


def _other_turns(voice: Voice, content: Content, locale: str) -> Iterator[SpokenTurn]:
    nothing = assess(Observations(), content)
    for state in _open_states(content):
        where = state.pending or state.step.value
        yield SpokenTurn(f"help, then {where}", locale, voice.help(state), HELP)
        yield SpokenTurn(f"missed once, at {where}", locale, voice.missed(state), QUESTION)
        yield SpokenTurn(f"missed twice, at {where}", locale, voice.missed(state, rephrase=True), QUESTION)
        for done in (True, False):
            yield SpokenTurn(f"forgotten {done}, then {where}", locale, voice.forgotten(state, done), OTHER)
        yield SpokenTurn(f"error, then {where}", locale, voice.apology(state), HELP)
        question, reprompt = voice.follow_up(state)
        yield SpokenTurn(f"reprompt at {where}", locale, Speech(reprompt), QUESTION)
    # Launch always opens a new session: nothing is open yet.
    yield SpokenTurn("welcome", locale, voice.welcome(Conversation()), WELCOME)
    restart = Turn(Conversation(step=Step.ASKING, pending="body_part"), Reply.RESTARTED, nothing,
                   content.question("body_part"))
    yield SpokenTurn("start over", locale, voice.for_turn(restart), QUESTION)
    for reply in (Reply.GIVE_UP, Reply.CONTACT, Reply.GOODBYE, Reply.LINK_OFFER, Reply.LINK_DECLINED):
        yield SpokenTurn(reply.value, locale, voice.for_turn(Turn(Conversation(), reply, nothing)), OTHER)
    for linked in (True, False):
        turn = Turn(Conversation(), Reply.LINK_ACCEPTED, nothing)
        yield SpokenTurn(f"linked {linked}", locale, voice.for_turn(turn, linked=linked), OTHER)
    yield SpokenTurn("history notice", locale, Speech(voice.say("history_notice")), NOTICE)
    yield SpokenTurn("permission notice", locale, Speech(voice.say("text_permission")), NOTICE)
    link_offer = voice.say("offer_link")
    # skill/texting.py: the text sent (the summary when the clinic keeps health data, else the relief step after an
    # assessment, else the clinic's number alone), then the offer to link the histories, made only when it keeps them.
    texts = ((True, True, True), (False, False, True), (False, True, False), (False, False, False))
    for summary, relief, keeps in texts:
        sent = voice.say("text_sent", summary=summary, relief=relief)
        said = f"{sent} {link_offer}" if keeps else sent
        yield SpokenTurn(f"text sent {summary} {relief} {keeps}", locale, Speech(said), OTHER)
    for name in ("text_failed", "text_no_number"):
        yield SpokenTurn(name, locale, Speech(voice.say(name)), OTHER)
    yield SpokenTurn("text_opted_out", locale, Speech(voice.say("text_opted_out", line_number="+15550100100")), OTHER)
    for tip in content.tips:
        yield SpokenTurn(f"tip {tip.id}", locale, Speech(voice.say("tips", tips=[tip.id])), ONE_TIP)
    words = content.language(locale).words
    for relief in words["relief"]:
        yield SpokenTurn(f"relief {relief}", locale, Speech(words["relief"][relief]), RELIEF)
