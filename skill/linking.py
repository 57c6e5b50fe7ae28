"""Joining a person's voice and text histories, with their consent (asked once after "text me that"): the side
effects of the dialogue's link offer. The dialogue (shared/dialogue.py, OFFER_LINK) decides when it is accepted or
declined; this module writes the link, or remembers the "no" so it is not asked again.
"""

from __future__ import annotations

import logging
import time

from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_core.handler_input import HandlerInput

from shared import handover
from shared.records import LINKED
from shared.stores import StoreUnavailable, VersionConflict
from skill.persistence import change, user_key
from skill.services import services_of

logger = logging.getLogger(__name__)

LINK_PHONE = "link_phone"  # session attribute: the hash of the number just texted, for the link question
LINK_DECLINED = "link_declined"  # persistent attribute: consent is asked once; a no is remembered


def persistent(handler_input: HandlerInput) -> dict | None:
    """The persistent attributes, or None when the store cannot be reached."""
    try:
        return handler_input.attributes_manager.persistent_attributes
    except PersistenceException:
        return None


def save(handler_input: HandlerInput) -> bool:
    """Write the persistent attributes; False when the store could not be reached."""
    try:
        handler_input.attributes_manager.save_persistent_attributes()
    except PersistenceException as error:
        logger.warning("attributes not saved", extra={"error_type": type(error.__cause__ or error).__name__})
        return False
    return True


def link(handler_input: HandlerInput) -> bool:
    """Link this Alexa user's history and the texted number's, both ways; True when both sides were written."""
    phone_hash = handler_input.attributes_manager.session_attributes.pop(LINK_PHONE, None)
    attributes = persistent(handler_input)
    if not phone_hash or attributes is None:
        return False
    services = services_of(handler_input)
    alexa_key = user_key(handler_input.request_envelope, services.settings.hash_salt)
    try:
        expires_at = services.content.health_data.expires_at(time.time())
        handover.link_phone(services.store, phone_hash, alexa_key, expires_at=expires_at)
        change(attributes, lambda data: data.update({LINKED: phone_hash}))
        return save(handler_input)
    except (StoreUnavailable, VersionConflict) as error:
        logger.warning("histories not linked", extra={"error_type": type(error).__name__})
        return False


def decline(handler_input: HandlerInput) -> None:
    """Remember the "no", so the link question is not asked again."""
    handler_input.attributes_manager.session_attributes.pop(LINK_PHONE, None)
    attributes = persistent(handler_input)
    if attributes is not None:
        change(attributes, lambda data: data.update({LINK_DECLINED: True}))
        save(handler_input)
