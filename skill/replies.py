"""What the skill says: the whole spoken turn, its reprompt and its card, worked out from the dialogue's turn and
the request's locale alone.

Nothing here reads a request or a store, so every turn the skill can speak can be rendered and timed against its
budget (tests/skill/test_spoken_budgets.py). The words themselves live in shared/templates/alexa/ and the language's
wording.yaml; this module only puts a turn's pieces in order (safety first, then the relief step, then the question)
and, for a verdict, measures the whole turn and moves the parts its template ranks to the card until it fits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from shared.content import Content, Question
from shared.dialogue import OFFERS, Conversation, Reply, Step, Turn
from shared.erasure import Erasure
from shared.render import render
from shared.speech import VERDICT_SECONDS, spoken_seconds
from shared.triage import assess

logger = logging.getLogger(__name__)


class Speech(NamedTuple):
    """One response: SSML to say, the reprompt (None ends the session) and optional card text; `ask_number` sends
    the card that asks for permission to the mobile number instead."""

    text: str
    reprompt: str | None = None
    card: str | None = None
    ask_number: bool = False


def joined(*parts: str) -> str:
    """Spoken pieces said one after the other."""
    return " ".join(part for part in parts if part)


@dataclass
class Yielding:
    """Which ranked parts of a turn are said: all but the ranks `gone` to the card. It notes every rank the template
    asks about, so a turn moves only ranks it has."""

    gone: frozenset[int] = frozenset()
    ranks: set[int] = field(default_factory=set)

    def __call__(self, rank: int) -> bool:
        """Whether a part of this rank is said."""
        self.ranks.add(rank)
        return rank not in self.gone


@dataclass(frozen=True)
class Voice:
    """The skill's voice in one locale: renders templates and composes whole turns."""

    locale: str
    content: Content

    def say(self, name: str, **context: Any) -> str:
        """Render one Alexa template."""
        return render("alexa", name, self.locale, content=self.content, **context)

    def card(self, name: str, **context: Any) -> str:
        """Render one card template."""
        return render("card", name, self.locale, content=self.content, **context)

    def within(self, seconds: float, name: str, **context: Any) -> str:
        """Template `name` said within `seconds`: while the turn would run over, its ranked parts go to the card
        only, rank 1 first, then rank 2, and so on; unranked parts are always said. The template ranks its parts
        (alexa/_parts.ssml.j2) and points to the card; this only measures and moves."""
        text, ranks = self._rendered(name, frozenset(), context)
        gone: frozenset[int] = frozenset()
        for rank in sorted(ranks):
            if spoken_seconds(text) <= seconds:
                break
            gone |= {rank}
            text, _ = self._rendered(name, gone, context)
        if spoken_seconds(text) > seconds:
            logger.warning("spoken turn over its budget", extra={"template": name, "seconds": spoken_seconds(text)})
        return text

    def _rendered(self, name: str, gone: frozenset[int], context: dict[str, Any]) -> tuple[str, set[int]]:
        spoken = Yielding(gone)
        return self.say(name, spoken=spoken, yielded=bool(gone), **context), spoken.ranks

    def ask(self, question: Question, rephrase: bool = False) -> str:
        """A question alone, as spoken (or spoken again in other words, with an example answer)."""
        return self.say("ask", question=question, rephrase=rephrase)

    def follow_up(self, conversation: Conversation) -> tuple[str, str]:
        """What is open now, as (speech, reprompt): the pending question, the open offer, or where it hurts."""
        if conversation.pending:
            question = self.content.question(conversation.pending)
            return self.ask(question), self.ask(question, rephrase=True)
        if conversation.step in OFFERS:
            return self.say(conversation.step.value), self.say(conversation.step.value, rephrase=True)
        if conversation.step == Step.CALLBACK_WINDOW:
            assessment = assess(conversation.observations, self.content)
            return (self.say("callback_window", assessment=assessment, rephrase=False),
                    self.say("callback_window", assessment=assessment, rephrase=True))
        return self.say("ask_symptom"), self.say("ask_symptom", rephrase=True)

    def for_turn(self, turn: Turn, *, notice_due: bool = False, linked: bool = False) -> Speech:
        """The whole spoken turn for the core's reply. `notice_due`: the one-time history notice is said with
        this verdict; `linked`: whether joining the histories worked (for the link answer)."""
        context = turn.context()
        assessment = turn.assessment
        reply = turn.reply
        if reply == Reply.EMERGENCY:
            # The number first, and the session closes so nothing delays the call (platform b-1).
            return Speech(self.say("emergency", **context), None, self.card("assessment", **context))
        if reply in (Reply.QUESTION, Reply.RESTARTED):
            return Speech(self.say(reply.value, **context), self.ask(turn.question, rephrase=True))
        if reply == Reply.ASSESSMENT:
            episodes = assessment.observations.recent_episodes
            text = self.within(
                VERDICT_SECONDS, "assessment", **context, notice_due=notice_due,
                recurrence=self.say("recurrence", count=episodes) if episodes >= 2 else "",
                notice=self.say("history_notice") if notice_due else "",
                offer_question=self.say(f"offer_{turn.offer}"),
            )
            card = self.card("assessment", **context)
            if notice_due:
                card = joined(card, "\n" + self.card("history_notice"))
            return Speech(text, self.say(f"offer_{turn.offer}", rephrase=True), card)
        if reply == Reply.OUT_OF_SCOPE:
            # Not a muscle cramp of a limb: the right help is named, and there is nothing further to offer here.
            return Speech(self.say("out_of_scope", **context), None, self.card("assessment", **context))
        if reply == Reply.TIPS:
            tips = list(assessment.tip_ids)
            # One tip is said; the card carries them all, and the text offers them by SMS.
            question, reprompt = self.follow_up(turn.conversation)
            text = joined(self.say("tips", tips=tips), question)
            return Speech(text, reprompt, self.card("tips", tips=tips))
        if reply == Reply.CONTACT:
            return Speech(self.say("contact"), None, self.card("contact"))
        if reply == Reply.GOODBYE:
            return self.goodbye()
        if reply == Reply.LINK_OFFER:
            return Speech(self.say("offer_link"), self.say("offer_link", rephrase=True))
        if reply == Reply.LINK_ACCEPTED:
            return Speech(self.say("linked", done=linked))
        if reply == Reply.LINK_DECLINED:
            return Speech(self.say("link_declined"))
        if reply == Reply.OTHER_LANGUAGE:
            # Another language: the emergency number and the question again, never a self-care step as if understood.
            reprompt = self.ask(turn.question, rephrase=True) if turn.question else self.follow_up(turn.conversation)[1]
            return Speech(self.say("other_language", **context), reprompt)
        if reply == Reply.NOT_UNDERSTOOD:
            return self.missed(turn.conversation, rephrase=turn.rephrase)
        if reply == Reply.GIVE_UP:
            return Speech(self.say("give_up"), None, self.card("contact"))
        raise ValueError(f"the Alexa skill has no rendering for reply {reply.value!r}")

    def missed(self, conversation: Conversation, rephrase: bool = False) -> Speech:
        """A reply the skill could not take: sorry and the open question, or (the second time) the question in
        other words with an example."""
        question, reprompt = self.follow_up(conversation)
        if rephrase:
            return Speech(joined(self.say("fallback", rephrase=True), reprompt), reprompt)
        return Speech(joined(self.say("fallback"), question), reprompt)

    def welcome(self, conversation: Conversation) -> Speech:
        """Launch: who we are, the safety line, and where it hurts."""
        question, reprompt = self.follow_up(conversation)
        return Speech(joined(self.say("welcome"), question), reprompt)

    def help(self, conversation: Conversation) -> Speech:
        """What the skill does and how to use it, then the question that is open now."""
        question, reprompt = self.follow_up(conversation)
        return Speech(joined(self.say("help"), question), reprompt)

    def goodbye(self) -> Speech:
        """End the session with the safety line."""
        return Speech(self.say("goodbye"))

    def forgotten(self, conversation: Conversation, done: bool, erasure: Erasure | None = None) -> Speech:
        """The history deleted (or not), and what stays of a linked number's records, then the open question."""
        text = self.say("forgotten", done=done, erasure=erasure)
        if conversation.pending:
            question, reprompt = self.follow_up(conversation)
            return Speech(joined(text, question), reprompt)
        return Speech(text)

    def apology(self, conversation: Conversation | None) -> Speech:
        """After an unexpected error: a short apology with the emergency advice, then the open question."""
        text = self.say("error")
        if conversation is None:
            return Speech(text)
        question, reprompt = self.follow_up(conversation)
        return Speech(joined(text, question), reprompt)
