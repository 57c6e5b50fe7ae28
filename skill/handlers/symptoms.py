"""Descriptions of the cramp: resolved slots (DescribeSymptomIntent) or a free phrase (FreeTextIntent)."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from skill import slots, turns


class DescribeSymptomIntentHandler(AbstractRequestHandler):
    """Body part, feeling, duration and context slots, one-shot or as an answer to the pending question."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Match DescribeSymptomIntent."""
        return is_intent_name("DescribeSymptomIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Pass the slot value ids to the core as facts."""
        concepts = turns.content_of(handler_input).concepts
        message = slots.message_from_intent(handler_input.request_envelope.request.intent, concepts)
        return turns.describe(handler_input, message)


class FreeTextIntentHandler(AbstractRequestHandler):
    """Whatever the person said (AMAZON.SearchQuery), read by the core's free-text reader."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Match FreeTextIntent."""
        return is_intent_name("FreeTextIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Give the phrase to the core as text."""
        message = slots.free_text_message(handler_input.request_envelope.request.intent)
        return turns.describe(handler_input, message)
