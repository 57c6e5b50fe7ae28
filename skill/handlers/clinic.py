"""The clinic hand-off: ContactClinicIntent and TextMeIntent."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from skill import texting, turns


class ContactClinicIntentHandler(AbstractRequestHandler):
    """Say the clinic's number and put it, with the summary, on a card."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Match ContactClinicIntent."""
        return is_intent_name("ContactClinicIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Hand off to the clinic."""
        return turns.contact(handler_input)


class TextMeIntentHandler(AbstractRequestHandler):
    """'Text me that': the summary, relief step and clinic's number by SMS to the account's mobile number."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Match TextMeIntent."""
        return is_intent_name("TextMeIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Text the person, or say why not and what to do instead."""
        return texting.text_me(handler_input)
