"""ForgetHistoryIntent: delete the kept episode history."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from skill import turns


class ForgetHistoryIntentHandler(AbstractRequestHandler):
    """Delete the person's persistent attributes and confirm it."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Match ForgetHistoryIntent."""
        return is_intent_name("ForgetHistoryIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Forget, then carry on with any open question."""
        return turns.forget_history(handler_input)
