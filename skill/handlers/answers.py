"""AMAZON.YesIntent and AMAZON.NoIntent: answers to the pending question or to the open offer."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from skill import turns


class YesIntentHandler(AbstractRequestHandler):
    """'Yes' to the pending question, or accepting the offered tips, clinic number or history link."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Match AMAZON.YesIntent."""
        return is_intent_name("AMAZON.YesIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Answer yes."""
        return turns.answer(handler_input, "yes")


class NoIntentHandler(AbstractRequestHandler):
    """'No' to the pending question, or declining the offer (which ends the session politely)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Match AMAZON.NoIntent."""
        return is_intent_name("AMAZON.NoIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Answer no."""
        return turns.answer(handler_input, "no")
