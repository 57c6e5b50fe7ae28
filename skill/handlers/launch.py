"""LaunchRequest: "Alexa, open cramp check"."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from skill import turns


class LaunchRequestHandler(AbstractRequestHandler):
    """A short welcome with the safety line, then which muscle and how it feels."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """Match LaunchRequest."""
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        """Welcome the person and ask where it hurts."""
        return turns.welcome(handler_input)
