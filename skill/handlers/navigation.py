"""The built-in intents certification sends to every skill: Help, Stop, Cancel, NavigateHome,
Fallback, Repeat and StartOver."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from shared.dialogue import Event
from skill import turns


class HelpIntentHandler(AbstractRequestHandler):
    """Say what the skill does and how to use it, then ask the open question (platform b-1)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Match AMAZON.HelpIntent."""
        return is_intent_name("AMAZON.HelpIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Explain and keep the session open."""
        return turns.help_turn(handler_input)


class StopIntentHandler(AbstractRequestHandler):
    """Stop exits the skill, with the safety line."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Match AMAZON.StopIntent."""
        return is_intent_name("AMAZON.StopIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Say goodbye and end the session."""
        return turns.goodbye(handler_input)


class CancelIntentHandler(AbstractRequestHandler):
    """Cancel exits too: a half-finished triage has nothing worth keeping open."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Match AMAZON.CancelIntent."""
        return is_intent_name("AMAZON.CancelIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Say goodbye and end the session."""
        return turns.goodbye(handler_input)


class NavigateHomeIntentHandler(AbstractRequestHandler):
    """Screen devices' "go home": handled like Stop (platform b-1)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Match AMAZON.NavigateHomeIntent."""
        return is_intent_name("AMAZON.NavigateHomeIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Say goodbye and end the session."""
        return turns.goodbye(handler_input)


class FallbackIntentHandler(AbstractRequestHandler):
    """Out-of-domain speech: re-ask the pending question in other words."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Match AMAZON.FallbackIntent."""
        return is_intent_name("AMAZON.FallbackIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Apologise and rephrase."""
        return turns.fallback(handler_input)


class RepeatIntentHandler(AbstractRequestHandler):
    """Say the last response again."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Match AMAZON.RepeatIntent."""
        return is_intent_name("AMAZON.RepeatIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Repeat."""
        return turns.repeat(handler_input)


class StartOverIntentHandler(AbstractRequestHandler):
    """Start the triage again, keeping only the count of recent episodes."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Match AMAZON.StartOverIntent."""
        return is_intent_name("AMAZON.StartOverIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Restart the conversation in the core."""
        return turns.take_turn(handler_input, Event.NEW)
