"""Request logging: what arrived (type, intent, locale) and for whom as a salted hash, never the envelope."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractRequestInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_request_type

from skill.persistence import alexa_user_hash

logger = logging.getLogger(__name__)


class RequestLogInterceptor(AbstractRequestInterceptor):
    """Log each request's type and intent with the hashed user id."""

    def __init__(self, salt: str) -> None:
        self._salt = salt

    def process(self, handler_input: HandlerInput) -> None:
        """Write one log line for the incoming request."""
        envelope = handler_input.request_envelope
        request = envelope.request
        system = envelope.context.system if envelope.context else None
        user_id = system.user.user_id if system and system.user else None
        intent = getattr(request, "intent", None)
        logger.info(
            "alexa request",
            extra={
                "user": alexa_user_hash(user_id, self._salt) if user_id else None,
                "request_type": get_request_type(handler_input),
                "intent": intent.name if intent is not None else None,
                "locale": request.locale,
                "dialog_state": getattr(getattr(request, "dialog_state", None), "value", None),
            },
        )
