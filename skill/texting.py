"""'Alexa, text me that': send the summary, the relief step and the clinic's number to the person's own phone,
seed the SMS line with the voice assessment, and (with consent, asked once) join the two channels' histories.

The number comes from the Customer Profile API (skill/profile.py) on every use and is never stored or logged:
only its salted hash is kept, as the SMS line keys everything.
"""

from __future__ import annotations

import logging
import time

from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.ui import AskForPermissionsConsentCard

from shared import handover
from shared.content import Content
from shared.dialogue import Conversation
from shared.identity import hashed_id
from shared.records import LINKED
from shared.render import SMS_LIMIT, fit_sms, render, sms_length
from shared.stores import StoreUnavailable, VersionConflict
from shared.triage import Assessment, assess
from skill import profile, turns
from skill.persistence import change, user_key
from skill.services import services_of

logger = logging.getLogger(__name__)

LINK_OFFER = "link"  # the open offer (turns.OFFER) a bare yes/no answers after a text was sent
LINK_PHONE = "link_phone"  # session attribute: the hash of the number just texted, for the link question
LINK_DECLINED = "link_declined"  # persistent attribute: consent is asked once; a no is remembered
# The hand-off template's levels of detail, fullest first (see shared/templates/sms/handover.txt.j2).
TEXT_LEVELS = range(6)


def assessment_of(handler_input: HandlerInput) -> Assessment | None:
    """The assessment of the conversation in this session, or None before anything was described."""
    content = turns.content_of(handler_input)
    conversation = Conversation.from_dict(turns.session(handler_input).get(turns.CONVERSATION), content)
    if conversation.observations.is_empty():
        return None
    return assess(conversation.observations, content)


def compose_text(assessment: Assessment | None, locale: str, content: Content) -> str:
    """The hand-off text, within two segments, with as much detail as fits."""
    for level in TEXT_LEVELS:
        text = render("sms", "handover", locale, content=content, assessment=assessment, level=level)
        if sms_length(text) <= SMS_LIMIT:
            return text
    return fit_sms(text)


def text_me(handler_input: HandlerInput) -> Response:
    """Text the summary to the account's mobile number, or say kindly why not and what to do instead."""
    services = services_of(handler_input)
    attributes = turns.session(handler_input)
    attributes.pop(turns.OFFER, None)
    summary_card = turns.summary_card(handler_input)
    found = profile.mobile_number(handler_input)
    logger.info("text me", extra={"lookup": found.lookup.value})
    if found.lookup == profile.Lookup.NO_PERMISSION:
        # A permissions card in the Alexa app is how consent is asked (platform b-1, [A18][A29]).
        speech = turns.Speech(turns.say(handler_input, "text_permission"))
        response = turns.respond(handler_input, speech)
        response.card = AskForPermissionsConsentCard(permissions=[profile.MOBILE_NUMBER_SCOPE])
        return response
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
    try:
        if services.send_text is None:
            raise handover.TextNotSent("this skill was built without a text sender")
        message_id = services.send_text(
            found.number, compose_text(assessment, turns.locale_of(handler_input), services.content)
        )
    except handover.TextNotSent as error:
        logger.warning("text me not sent", extra={"phone_hash": phone_hash, "error_type": type(error).__name__})
        return _instead(handler_input, "text_failed", summary_card)
    logger.info("text me sent", extra={"phone_hash": phone_hash, "message_id": message_id})
    if assessment is not None:
        seed(handler_input, phone_hash, assessment)

    text = turns.say(handler_input, "text_sent", summary=assessment is not None)
    if link_wanted(handler_input, phone_hash):
        attributes[turns.OFFER] = LINK_OFFER
        attributes[LINK_PHONE] = phone_hash
        question = turns.say(handler_input, "link_offer")
        return turns.respond(handler_input, turns.Speech(text + " " + question, question, summary_card))
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


def _persistent(handler_input: HandlerInput) -> dict | None:
    try:
        return handler_input.attributes_manager.persistent_attributes
    except PersistenceException:
        return None


def link_wanted(handler_input: HandlerInput, phone_hash: str) -> bool:
    """True when the link question is still to be asked: not linked with this number, and never declined."""
    attributes = _persistent(handler_input)
    if attributes is None or attributes.get(LINK_DECLINED):
        return False
    services = services_of(handler_input)
    alexa_key = user_key(handler_input.request_envelope, services.settings.hash_salt)
    try:
        return handover.linked_key(services.store, alexa_key) != phone_hash
    except StoreUnavailable:
        return False


def link_offered(handler_input: HandlerInput) -> bool:
    """True when a bare yes or no answers the link question."""
    return turns.session(handler_input).get(turns.OFFER) == LINK_OFFER


def answer_link(handler_input: HandlerInput, word: str) -> Response:
    """Yes: link this Alexa user's history and the number's, both ways. No: remember not to ask again."""
    session = turns.session(handler_input)
    session.pop(turns.OFFER, None)
    phone_hash = session.pop(LINK_PHONE, None)
    attributes = _persistent(handler_input)
    if word == "no" or not phone_hash or attributes is None:
        if attributes is not None:
            change(attributes, lambda data: data.update({LINK_DECLINED: True}))
            save(handler_input)
        return turns.respond(handler_input, turns.Speech(turns.say(handler_input, "link_declined")))
    services = services_of(handler_input)
    alexa_key = user_key(handler_input.request_envelope, services.settings.hash_salt)
    done = False
    try:
        handover.link_phone(services.store, phone_hash, alexa_key)
        change(attributes, lambda data: data.update({LINKED: phone_hash}))
        done = save(handler_input)
    except (StoreUnavailable, VersionConflict) as error:
        logger.warning("histories not linked", extra={"error_type": type(error).__name__})
    return turns.respond(handler_input, turns.Speech(turns.say(handler_input, "linked", done=done)))


def save(handler_input: HandlerInput) -> bool:
    """Write the persistent attributes; False when the store could not be reached."""
    try:
        handler_input.attributes_manager.save_persistent_attributes()
    except PersistenceException as error:
        logger.warning("attributes not saved", extra={"error_type": type(error.__cause__ or error).__name__})
        return False
    return True
