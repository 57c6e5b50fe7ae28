"""SessionEndedRequest: the person left, stayed silent, or Alexa rejected a response."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

logger = logging.getLogger(__name__)


class SessionEndedRequestHandler(AbstractRequestHandler):
    """Log why the session ended and return a valid empty response (no speech is allowed; platform b-1)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Match SessionEndedRequest."""
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Log the reason and error type; say nothing."""
        request = handler_input.request_envelope.request
        error = request.error
        reason = request.reason.value if request.reason is not None else None
        extra = {"reason": reason, "alexa_error_type": error.object_type.value if error and error.object_type else None}
        if reason == "ERROR":
            logger.warning("session ended by an error", extra=extra)
        else:
            logger.info("session ended", extra=extra)
        return handler_input.response_builder.response
