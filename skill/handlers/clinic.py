"""The clinic hand-off: ContactClinicIntent, CallbackIntent (and CallbackTimeIntent, its time) and TextMeIntent."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from skill import slots, texting, turns


class ContactClinicIntentHandler(AbstractRequestHandler):
    """Say the clinic's number and put it, with the summary, on a card."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Match ContactClinicIntent."""
        return is_intent_name("ContactClinicIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Hand off to the clinic."""
        return turns.contact(handler_input)


class CallbackIntentHandler(AbstractRequestHandler):
    """'Ask the clinic to call me' (with or without a time), or the time asked for once a callback is under way."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Match CallbackIntent."""
        return is_intent_name("CallbackIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Ask the core for the callback, with the time window if one was said."""
        windows = turns.words_of(handler_input)["callback_windows"]
        return turns.callback(handler_input, slots.window_from_intent(handler_input.request_envelope.request.intent,
                                                                      windows))


class CallbackTimeIntentHandler(AbstractRequestHandler):
    """A time said alone ("in the morning"): the callback's time when one was asked, else a description."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Match CallbackTimeIntent."""
        return is_intent_name("CallbackTimeIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Give the time to the callback under way, or the words to the reader (an answer to "when did it start?")."""
        windows = turns.words_of(handler_input)["callback_windows"]
        intent = handler_input.request_envelope.request.intent
        return turns.callback_time(handler_input, slots.window_from_intent(intent, windows), slots.heard(intent))


class TextMeIntentHandler(AbstractRequestHandler):
    """'Text me that': the summary, relief step and clinic's number by SMS to the account's mobile number."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Match TextMeIntent."""
        return is_intent_name("TextMeIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Text the person, or say why not and what to do instead."""
        return texting.text_me(handler_input)
