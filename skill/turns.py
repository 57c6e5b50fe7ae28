"""The one place where Alexa requests meet the dialogue core: load the conversation from session
attributes, call `next_step`, render the reply for the request's locale and build the response.

Handlers stay thin by calling these functions. What to say and when to stop asking is decided by
shared/dialogue.py; this module only chooses templates, reprompts, cards and whether the mic stays open.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.ui import AskForPermissionsConsentCard, SimpleCard

from shared.content import Content
from shared.dialogue import AFTER_VERDICT, Conversation, Event, Message, Reply, Step, Turn, next_step
from shared.reader import read
from shared.triage import assess
from skill import callbacks, history, linking, profile, slots
from skill.replies import Speech, Voice
from skill.services import services_of

logger = logging.getLogger(__name__)

CONVERSATION = "conversation"
LAST = "last"  # the last thing said, for AMAZON.RepeatIntent
EPISODE_SAVED = "episode_saved"
CARD_TITLE = "Cramp Check"


def content_of(handler_input: HandlerInput) -> Content:
    """The content this skill was built with (loaded once per process from the settings)."""
    return services_of(handler_input).content


def locale_of(handler_input: HandlerInput) -> str:
    """The request's locale (en-US, en-GB, ...), which picks the emergency number and wording."""
    return handler_input.request_envelope.request.locale or content_of(handler_input).default_locale


def words_of(handler_input: HandlerInput) -> dict[str, Any]:
    """The wording of this request's language (content/languages/<code>/wording.yaml)."""
    return content_of(handler_input).language(locale_of(handler_input)).words


def voice_of(handler_input: HandlerInput) -> Voice:
    """The skill's voice in this request's locale."""
    return Voice(locale_of(handler_input), content_of(handler_input))


def say(handler_input: HandlerInput, name: str, **context: Any) -> str:
    """Render one Alexa template for this request's locale."""
    return voice_of(handler_input).say(name, **context)


def card_text(handler_input: HandlerInput, name: str, **context: Any) -> str:
    """Render one card template for this request's locale."""
    return voice_of(handler_input).card(name, **context)


def session(handler_input: HandlerInput) -> dict:
    """The session attributes (a plain dict ask-sdk returns to Alexa with the response)."""
    return handler_input.attributes_manager.session_attributes


def in_session(handler_input: HandlerInput) -> bool:
    """False for a request sent outside a session, which has no attributes (ask-sdk refuses to read them)."""
    return handler_input.request_envelope.session is not None


def conversation_of(handler_input: HandlerInput) -> Conversation:
    """The conversation in progress, or a new one that knows this week's earlier episodes."""
    stored = session(handler_input).get(CONVERSATION)
    if stored:
        return Conversation.from_dict(stored, content_of(handler_input))
    return Conversation.new(recent_episodes=history.recent_episodes(handler_input))


def respond(handler_input: HandlerInput, speech: Speech) -> Response:
    """Build the response: speak, reprompt or end, attach the card, and remember it for Repeat."""
    builder = handler_input.response_builder.speak(speech.text)
    if speech.reprompt is not None:
        builder.ask(speech.reprompt)
    else:
        builder.set_should_end_session(True)
    if speech.ask_number:
        # A permissions card in the Alexa app is how consent is asked (platform b-1, [A18][A29]).
        builder.set_card(AskForPermissionsConsentCard(permissions=[profile.MOBILE_NUMBER_SCOPE]))
    elif speech.card:
        # Echo Show and other screens display this card when the skill sends no APL document of its own.
        builder.set_card(SimpleCard(title=CARD_TITLE, content=speech.card))
    slot = answer_slot(handler_input) if speech.reprompt is not None else None
    if slot is not None:
        builder.add_directive(slots.elicit(slot))
    if in_session(handler_input):
        session(handler_input)[LAST] = {"text": speech.text, "reprompt": speech.reprompt}
    return builder.response


def answer_slot(handler_input: HandlerInput) -> str | None:
    """The slot that holds the answer to the question now open, for Alexa to expect. A LaunchRequest, which refuses
    Dialog directives, never has one: a new session has no question open yet."""
    if not in_session(handler_input):
        return None
    pending = stored_conversation(handler_input).pending
    return slots.slot_for(content_of(handler_input).question(pending)) if pending else None


def advance(handler_input: HandlerInput, event: Event, message: Message | None = None) -> Turn:
    """Run one dialogue step on the core, keep the new state in the session and log it (never the words)."""
    content = content_of(handler_input)
    attributes = session(handler_input)
    conversation = conversation_of(handler_input)
    if event == Event.NEW:
        # A new episode in the same session: count the one this session may just have saved.
        attributes.pop(EPISODE_SAVED, None)
        recount = replace(conversation.observations, recent_episodes=history.recent_episodes(handler_input))
        conversation = replace(conversation, observations=recount)
    turn = next_step(conversation, event, message, content=content, locale=locale_of(handler_input))
    attributes[CONVERSATION] = turn.conversation.to_dict()
    logger.info(
        "dialogue step",
        extra={
            "event": event.value,
            "reply": turn.reply.value,
            "step": turn.conversation.step.value,
            "pending": turn.conversation.pending,
            "urgency": turn.assessment.urgency,
            "verdict": turn.assessment.verdict,
            "rules": ",".join(turn.assessment.fired_rules),
            "red_flag": turn.assessment.red_flag,
            "content_version": content.version,
        },
    )
    return turn


def take_turn(handler_input: HandlerInput, event: Event, message: Message | None = None) -> Response:
    """Run one dialogue step on the core and say its result."""
    return respond(handler_input, compose(handler_input, advance(handler_input, event, message)))


def describe(handler_input: HandlerInput, message: Message) -> Response:
    """A description or an answer; after a verdict, one that names another muscle starts a new episode."""
    content = content_of(handler_input)
    conversation = Conversation.from_dict(session(handler_input).get(CONVERSATION), content)
    if conversation.step in AFTER_VERDICT:
        lexicon = content.language(locale_of(handler_input)).lexicon
        heard = message.facts or (read(message.text, lexicon) if message.text else None)
        known = conversation.observations.body_part
        if heard is not None and heard.body_part is not None and heard.body_part != known:
            return take_turn(handler_input, Event.NEW, message)
    return take_turn(handler_input, Event.DESCRIBE, message)


def compose(handler_input: HandlerInput, turn: Turn) -> Speech:
    """Record what a turn settles (the episode, the link, a callback), then say it."""
    if turn.reply in (Reply.CALLBACK_WINDOW, Reply.CALLBACK_CONFIRMED):
        return callback_speech(handler_input, turn)
    # An emergency is recorded too; its turn never carries the history notice (nothing delays the call).
    notice_due = save_episode(handler_input, turn) if turn.reply in (Reply.EMERGENCY, Reply.ASSESSMENT) else False
    linked = linking.link(handler_input) if turn.reply == Reply.LINK_ACCEPTED else False
    if turn.reply == Reply.LINK_DECLINED:
        linking.decline(handler_input)
    speech = voice_of(handler_input).for_turn(turn, notice_due=notice_due, linked=linked)
    if turn.reply == Reply.CONTACT:
        speech = speech._replace(card=summary_card(handler_input))
    return speech


# Why a callback could not be arranged, by what asking for the number came to (skill/profile.py).
CALLBACK_REFUSALS = {
    profile.Lookup.NO_PERMISSION: "callback_permission",
    profile.Lookup.NO_NUMBER: "callback_no_number",
    profile.Lookup.UNAVAILABLE: "callback_failed",
}


def callback_speech(handler_input: HandlerInput, turn: Turn) -> Speech:
    """The callback by voice: once the mobile number may be used, ask when to call; given a time, store the request
    and confirm it in one sentence. Without the number: one sentence, and the permission card if that is why."""
    context = turn.context()
    if turn.reply == Reply.CALLBACK_WINDOW and turn.rephrase:
        question = say(handler_input, "callback_window", **context)
        return Speech(question, question)
    card = summary_card(handler_input)
    found = profile.mobile_number(handler_input)
    logger.info("callback", extra={"lookup": found.lookup.value, "reply": turn.reply.value})
    if found.lookup != profile.Lookup.FOUND or found.number is None:
        refusal = CALLBACK_REFUSALS.get(found.lookup, "callback_failed")
        return Speech(say(handler_input, refusal), None, card, ask_number=found.lookup == profile.Lookup.NO_PERMISSION)
    if turn.reply == Reply.CALLBACK_WINDOW:
        again = say(handler_input, "callback_window", **{**context, "rephrase": True})
        return Speech(say(handler_input, "callback_window", **context), again)
    window = turn.conversation.callback_window or ""
    if not callbacks.save_request(handler_input, found.number, window, turn.assessment):
        return Speech(say(handler_input, "callback_failed"), None, card)
    return Speech(say(handler_input, "callback_confirmed", **context), None, card)


def save_episode(handler_input: HandlerInput, turn: Turn) -> bool:
    """Record this conversation's episode once; True if the one-time history notice is due."""
    attributes = session(handler_input)
    if attributes.get(EPISODE_SAVED):
        return False
    attributes[EPISODE_SAVED] = True
    return history.record_episode(handler_input, turn.assessment.body_part, turn.assessment.verdict)


def stored_conversation(handler_input: HandlerInput) -> Conversation:
    """The conversation as this session stored it (a fresh one if none)."""
    return Conversation.from_dict(session(handler_input).get(CONVERSATION), content_of(handler_input))


def follow_up(handler_input: HandlerInput) -> tuple[str, str]:
    """The question to (re)ask now, as (speech, reprompt): pending question, open offer, or where it hurts."""
    return voice_of(handler_input).follow_up(stored_conversation(handler_input))


def welcome(handler_input: HandlerInput) -> Response:
    """Launch: who we are, the safety line, and where it hurts."""
    return respond(handler_input, voice_of(handler_input).welcome(stored_conversation(handler_input)))


def help_turn(handler_input: HandlerInput) -> Response:
    """What the skill does and how to use it, then the question that is open now."""
    return respond(handler_input, voice_of(handler_input).help(stored_conversation(handler_input)))


def goodbye(handler_input: HandlerInput) -> Response:
    """End the session at once, with the safety line."""
    return respond(handler_input, voice_of(handler_input).goodbye())


def fallback(handler_input: HandlerInput) -> Response:
    """Speech the skill could not take: the core counts the misses in a row (sorry, then other words with an
    example, then a polite end with the clinic's number)."""
    return take_turn(handler_input, Event.MISSED)


def repeat(handler_input: HandlerInput) -> Response:
    """Say the last response again (or the welcome question if nothing was said in this session)."""
    last = session(handler_input).get(LAST)
    if not last or last.get("reprompt") is None:
        return welcome(handler_input)
    return respond(handler_input, Speech(last["text"], last["reprompt"]))


def answer(handler_input: HandlerInput, word: str) -> Response:
    """A bare yes or no: the core decides what it answers (the pending question, or the offer that is open)."""
    return take_turn(handler_input, Event.DESCRIBE, Message(text=word, answer=word))


def summary_card(handler_input: HandlerInput) -> str:
    """The card text: the assessment so far with the clinic's contact, or the contact alone."""
    content = content_of(handler_input)
    stored = session(handler_input).get(CONVERSATION)
    conversation = Conversation.from_dict(stored, content)
    if stored and not conversation.observations.is_empty():
        return card_text(handler_input, "assessment", assessment=assess(conversation.observations, content))
    return card_text(handler_input, "contact")


def callback(handler_input: HandlerInput, window: str | None) -> Response:
    """'Ask the clinic to call me': start the callback (the core asks when), or take the time said with it or after."""
    if conversation_of(handler_input).step != Step.CALLBACK_WINDOW:
        turn = advance(handler_input, Event.CALL)
        if window is None or turn.reply != Reply.CALLBACK_WINDOW:
            return respond(handler_input, compose(handler_input, turn))
    return take_turn(handler_input, Event.DESCRIBE, Message(text=window or ""))


def callback_time(handler_input: HandlerInput, window: str | None, words: str) -> Response:
    """A time said alone: the callback's time when the core asked for one; otherwise the words are a description
    (the onset question's "in the evening" must never start a callback)."""
    if conversation_of(handler_input).step == Step.CALLBACK_WINDOW:
        return take_turn(handler_input, Event.DESCRIBE, Message(text=window or ""))
    return describe(handler_input, Message(text=words))


def contact(handler_input: HandlerInput) -> Response:
    """The clinic hand-off: the number spoken, and the summary with the contact on a card (after an emergency, the
    emergency instruction again instead)."""
    return take_turn(handler_input, Event.CONTACT)


def forget_history(handler_input: HandlerInput) -> Response:
    """Delete the kept episodes, then carry on with the open question if there is one."""
    done, erased = history.forget(handler_input)
    attributes = session(handler_input)
    conversation = stored_conversation(handler_input)
    if attributes.get(CONVERSATION) and done:
        # Forgotten means forgotten: earlier episodes no longer count toward recurrence in this session.
        observations = replace(conversation.observations, recent_episodes=1)
        attributes[CONVERSATION] = replace(conversation, observations=observations).to_dict()
    return respond(handler_input, voice_of(handler_input).forgotten(conversation, done, erased))


def apology(handler_input: HandlerInput) -> Response:
    """After an unexpected error: a short apology and the emergency advice, then the open question if
    it can still be worked out, so the person is never left in silence or with a dead mic."""
    voice = voice_of(handler_input)
    if not in_session(handler_input):
        # Nothing is open outside a session: apologise, give the emergency advice and end.
        return respond(handler_input, voice.apology(None))
    try:
        speech = voice.apology(stored_conversation(handler_input))
    except Exception:  # noqa: BLE001 - the state itself may be what failed; end the session safely then
        logger.warning("no follow-up after error; ending the session", exc_info=True)
        speech = voice.apology(None)
    return respond(handler_input, speech)
