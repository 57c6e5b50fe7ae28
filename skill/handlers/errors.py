"""The catch-all exception handler, registered last."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractExceptionHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from skill import turns

logger = logging.getLogger(__name__)


class CatchAllExceptionHandler(AbstractExceptionHandler):
    """Any unexpected error: a short apology with the emergency advice, never silence."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        """Handle every exception."""
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        """Log the error's traceback (never the request) and apologise."""
        logger.error("unhandled error in the skill", exc_info=exception)
        if is_request_type("SessionEndedRequest")(handler_input):
            # No speech is allowed after the session has ended; an empty response is still owed.
            return handler_input.response_builder.response
        return turns.apology(handler_input)
