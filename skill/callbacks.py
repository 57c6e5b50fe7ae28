"""'Ask the clinic to call me' by voice: the same callback request the SMS line stores (shared/callbacks.py), for
the account's mobile number from the Customer Profile API (skill/profile.py, as "text me that" reads it).

What the request carries beyond the number and the time window follows the clinic's health-data switch
(clinic.yaml alexa_health_data, shared/health_data.py): off, no triage summary or urgency leaves the session.
The staff text is owed from the moment it is stored and sent outside this request (sms/notifications.py), as for
a request made by text.
"""

from __future__ import annotations

import logging
import time

from ask_sdk_core.handler_input import HandlerInput

from shared.callbacks import store_callback
from shared.identity import hashed_id
from shared.stores import StoreUnavailable, VersionConflict
from shared.triage import Assessment
from skill.services import services_of

logger = logging.getLogger(__name__)

CHANNEL = "alexa"


def save_request(handler_input: HandlerInput, number: str, window: str, assessment: Assessment) -> bool:
    """Store the callback request for `number` and wake the staff notifier; False when it could not be stored."""
    services = services_of(handler_input)
    content, settings = services.content, services.settings
    policy = content.health_data
    now = time.time()
    phone_hash = hashed_id("phone", number, settings.hash_salt)
    try:
        record = store_callback(
            services.store,
            # Alexa's request id: a retried request cannot store the same callback twice.
            request_id=handler_input.request_envelope.request.request_id,
            phone=number,
            phone_hash=phone_hash,
            window=window,
            assessment=assessment if policy.alexa_keeps_health_data else None,
            words=content.language(handler_input.request_envelope.request.locale).words,
            now=now,
            expires_at=policy.expires_at(now),
            channel=CHANNEL,
            content_version=content.version,
        )
    except (StoreUnavailable, VersionConflict) as error:
        logger.warning("callback not stored", extra={"phone_hash": phone_hash, "error_type": type(error).__name__})
        return False
    if services.on_callback_stored is not None:
        services.on_callback_stored(record["id"])
    return True
