"""TipsIntent: prevention tips for the verdict so far."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from shared.dialogue import Event
from skill import turns


class TipsIntentHandler(AbstractRequestHandler):
    """Speak a few tips, put all of them on a card, then offer the clinic's number."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Match TipsIntent."""
        return is_intent_name("TipsIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Ask the core for the tips that suit this conversation."""
        return turns.take_turn(handler_input, Event.TIPS)
