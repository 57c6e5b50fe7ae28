"""'Alexa, text me that': send the summary, the relief step and the clinic's number to the person's own phone,
seed the SMS line with the voice assessment, and (with consent, asked once) join the two channels' histories.
While the clinic's health-data switch is off (clinic.yaml alexa_health_data, shared/health_data.py) the text
carries no triage summary, the SMS line is not seeded and no link is offered: nothing outlives the session.

The number comes from the Customer Profile API (skill/profile.py) on every use and is never stored or logged:
only its salted hash is kept, as the SMS line keys everything.
"""

from __future__ import annotations

import logging
import time

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from shared import handover
from shared.content import Content
from shared.dialogue import Conversation, Event
from shared.identity import hashed_id
from shared.render import SMS_LIMIT, fit_sms, render, sms_length
from shared.stores import StoreUnavailable, VersionConflict
from shared.triage import Assessment, assess
from skill import history, linking, profile, turns
from skill.persistence import user_key
from skill.services import services_of

logger = logging.getLogger(__name__)

# The hand-off template's levels of detail, fullest first (see shared/templates/sms/handover.txt.j2).
TEXT_LEVELS = range(6)


def assessment_of(handler_input: HandlerInput) -> Assessment | None:
    """The assessment of the conversation in this session, or None before anything was described."""
    content = turns.content_of(handler_input)
    conversation = Conversation.from_dict(turns.session(handler_input).get(turns.CONVERSATION), content)
    if conversation.observations.is_empty():
        return None
    return assess(conversation.observations, content)


def compose_text(assessment: Assessment | None, locale: str, content: Content, summary: bool) -> str:
    """The hand-off text, within two segments, with as much detail as fits; without the triage summary unless
    `summary` (the relief step, the safety instruction and the clinic's number only)."""
    for level in TEXT_LEVELS:
        text = render(
            "sms", "handover", locale, content=content, assessment=assessment, level=level, summary=summary
        )
        if sms_length(text) <= SMS_LIMIT:
            return text
    return fit_sms(text)


def text_me(handler_input: HandlerInput) -> Response:
    """Text the summary to the account's mobile number, or say kindly why not and what to do instead."""
    services = services_of(handler_input)
    summary_card = turns.summary_card(handler_input)
    found = profile.mobile_number(handler_input)
    logger.info("text me", extra={"lookup": found.lookup.value})
    if found.lookup == profile.Lookup.NO_PERMISSION:
        return turns.respond(handler_input, turns.Speech(turns.say(handler_input, "text_permission"), ask_number=True))
    if found.lookup == profile.Lookup.NO_NUMBER:
        return _instead(handler_input, "text_no_number", summary_card)
    if found.lookup != profile.Lookup.FOUND or found.number is None:
        return _instead(handler_input, "text_failed", summary_card)

    settings, store = services.settings, services.store
    phone_hash = hashed_id("phone", found.number, settings.hash_salt)
    try:
        opted_out = handover.is_opted_out(store, phone_hash)
    except StoreUnavailable:
        # Without the opt-out list we cannot know the number may be texted: never risk it.
        logger.warning("opt-out list unavailable; not texting", extra={"phone_hash": phone_hash})
        return _instead(handler_input, "text_failed", summary_card)
    if opted_out:
        logger.info("text me refused: number opted out", extra={"phone_hash": phone_hash})
        line = handover.line_number(settings, services.content)
        return _instead(handler_input, "text_opted_out", summary_card, line_number=line)

    assessment = assessment_of(handler_input)
    keeps_health_data = history.kept(handler_input)
    try:
        if services.send_text is None:
            raise handover.TextNotSent("this skill was built without a text sender")
        message_id = services.send_text(
            found.number,
            compose_text(assessment, turns.locale_of(handler_input), services.content, summary=keeps_health_data),
        )
    except handover.TextNotSent as error:
        logger.warning("text me not sent", extra={"phone_hash": phone_hash, "error_type": type(error).__name__})
        return _instead(handler_input, "text_failed", summary_card)
    logger.info("text me sent", extra={"phone_hash": phone_hash, "message_id": message_id})
    if assessment is not None and keeps_health_data:
        seed(handler_input, phone_hash, assessment)

    text = turns.say(
        handler_input, "text_sent", summary=assessment is not None and keeps_health_data, relief=assessment is not None
    )
    if keeps_health_data and link_wanted(handler_input, phone_hash):
        # The dialogue holds the offer, so a bare yes or no answers it, as any other offer.
        turns.session(handler_input)[linking.LINK_PHONE] = phone_hash
        offered = turns.compose(handler_input, turns.advance(handler_input, Event.OFFER_LINK))
        return turns.respond(handler_input, turns.Speech(text + " " + offered.text, offered.reprompt, summary_card))
    return turns.respond(handler_input, turns.Speech(text, None, summary_card))


def _instead(handler_input: HandlerInput, template: str, card: str, **context: object) -> Response:
    """No text sent: say why and what to do instead, with the summary on a card, and end the session."""
    return turns.respond(handler_input, turns.Speech(turns.say(handler_input, template, **context), None, card))


def seed(handler_input: HandlerInput, phone_hash: str, assessment: Assessment) -> None:
    """Give the SMS line this conversation, so a reply of CALL or TIPS to the text works at once."""
    services = services_of(handler_input)
    try:
        handover.seed_conversation(
            services.store,
            phone_hash,
            assessment.observations,
            now=time.time(),
            ttl=services.settings.conversation_ttl_seconds,
        )
    except (StoreUnavailable, VersionConflict) as error:
        # The text is already on its way; without the seed a reply simply starts a new conversation.
        extra = {"phone_hash": phone_hash, "error_type": type(error).__name__}
        logger.warning("sms conversation not seeded", extra=extra)


def link_wanted(handler_input: HandlerInput, phone_hash: str) -> bool:
    """True when the link question is still to be asked: not linked with this number, and never declined."""
    attributes = linking.persistent(handler_input)
    if attributes is None or attributes.get(linking.LINK_DECLINED):
        return False
    services = services_of(handler_input)
    alexa_key = user_key(handler_input.request_envelope, services.settings.hash_salt)
    try:
        return handover.linked_key(services.store, alexa_key) != phone_hash
    except StoreUnavailable:
        return False
