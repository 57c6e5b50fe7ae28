"""The short episode history kept in persistent attributes: date, body part and verdict of the last ten.

Kept only when the clinic's health-data switch is on (clinic.yaml `alexa_health_data`, shared/health_data.py):
by default the skill keeps no health information between sessions, so it neither reads nor writes a history, the
recurrence count is unknown and the dialogue asks instead.
"""

from __future__ import annotations

import logging
import time
from datetime import date

from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_core.handler_input import HandlerInput

from shared import erasure, handover
from shared.records import EPISODES, LINKED, MAX_EPISODES, RECENT_DAYS
from shared.stores import StoreUnavailable
from skill.persistence import change, user_key
from skill.services import services_of

logger = logging.getLogger(__name__)

NOTICE_GIVEN = "history_notice_given"  # the first verdict told the person what is kept (shared/records.py)


def kept(handler_input: HandlerInput) -> bool:
    """True when the clinic lets the skill keep health information between sessions."""
    return services_of(handler_input).content.health_data.alexa_keeps_health_data


def request_date(handler_input: HandlerInput) -> date:
    """The day of this request, from Alexa's own timestamp (UTC), so replays and tests are stable."""
    return handler_input.request_envelope.request.timestamp.date()


def _attributes(handler_input: HandlerInput) -> dict | None:
    """Persistent attributes, or None when the store cannot be reached: triage must go on without them."""
    try:
        return handler_input.attributes_manager.persistent_attributes
    except PersistenceException as error:
        logger.warning("episode history unavailable", extra={"error_type": type(error.__cause__ or error).__name__})
        return None


def linked_phone(handler_input: HandlerInput) -> str | None:
    """The phone hash whose SMS history is joined with this person's (consented once), if any."""
    return _linked_phone(handler_input) if kept(handler_input) else None


def _linked_phone(handler_input: HandlerInput) -> str | None:
    """The linked phone hash whatever the switch says now: a link made while it was on must still be erasable."""
    attributes = _attributes(handler_input) or {}
    if not attributes.get(LINKED):
        return None
    services = services_of(handler_input)
    key = user_key(handler_input.request_envelope, services.settings.hash_salt)
    try:
        return handover.linked_key(services.store, key)
    except StoreUnavailable:
        logger.warning("linked history unavailable")
        return None


def recent_episodes(handler_input: HandlerInput) -> int:
    """Episodes in the last seven days by voice or text, this one included; 0 (unknown) when no history is kept."""
    if not kept(handler_input):
        return 0
    attributes = _attributes(handler_input) or {}
    episodes = [e for e in attributes.get(EPISODES, []) if isinstance(e, dict)]
    phone = linked_phone(handler_input)
    if phone is not None:
        try:
            episodes += handover.episodes(services_of(handler_input).store, phone)
        except StoreUnavailable:
            logger.warning("linked history unavailable")
    # Counting this episode too: the recurrence rule fires on the third in a week.
    return handover.count_recent(episodes, request_date(handler_input), RECENT_DAYS) + 1


def record_episode(handler_input: HandlerInput, body_part: str | None, verdict: str) -> bool:
    """Append this episode (keeping the last ten) and return True if the history notice is still due."""
    if not kept(handler_input):
        return False
    attributes = _attributes(handler_input)
    if attributes is None:
        return False
    episode = {"date": request_date(handler_input).isoformat(), "body_part": body_part, "verdict": verdict}
    notice_due = not attributes.get(NOTICE_GIVEN)

    def add_episode(data: dict) -> None:
        episodes = [e for e in data.get(EPISODES, []) if isinstance(e, dict)]
        episodes.append(dict(episode))
        data[EPISODES] = episodes[-MAX_EPISODES:]
        data[NOTICE_GIVEN] = True

    # Through change(): if another device saved an episode meanwhile, this one is added to it, not over it.
    change(attributes, add_episode)
    try:
        handler_input.attributes_manager.save_persistent_attributes()
    except PersistenceException as error:
        logger.warning("episode not saved", extra={"error_type": type(error.__cause__ or error).__name__})
        return False
    return notice_due


def forget(handler_input: HandlerInput) -> tuple[bool, erasure.Erasure | None]:
    """Delete the person's history and, when a number is linked, everything kept about that number on every
    channel (shared/erasure.py); returns whether it was done and, for a linked number, what stays."""
    phone = _linked_phone(handler_input)
    services = services_of(handler_input)
    erased = None
    try:
        if phone is not None:
            # Forgetting on one channel forgets on both: the number's callbacks, replies, texts and history go too.
            erased = erasure.erase_number(services.store, services.settings, phone, now=time.time())
        handler_input.attributes_manager.delete_persistent_attributes()
    except StoreUnavailable as error:
        logger.warning("linked history not deleted", extra={"error_type": type(error).__name__})
        return False, None
    except PersistenceException as error:
        logger.warning("history not deleted", extra={"error_type": type(error.__cause__ or error).__name__})
        return False, None
    return True, erased
