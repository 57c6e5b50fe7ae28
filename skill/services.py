"""What handlers need beyond the request: the settings, the store, the content and the text sender, handed over
per request by an interceptor.

ask-sdk builds handlers without arguments, so build_skill registers this interceptor, which puts them into the
request attributes (a dict that lives for one request only).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from ask_sdk_core.dispatch_components import AbstractRequestInterceptor
from ask_sdk_core.handler_input import HandlerInput

from shared.config import Settings
from shared.content import Content
from shared.handover import TextSender
from shared.stores import Store

SERVICES = "cramp_services"


class Services(NamedTuple):
    """The skill's settings, state store, content (loaded once per process from the settings), where the SMS
    line can send, the sender "text me that" uses, and who hears of each callback request stored (the local
    server's staff notifier; deployed, the callbacks table's stream)."""

    settings: Settings
    store: Store
    content: Content
    send_text: TextSender | None = None
    on_callback_stored: Callable[[str], None] | None = None


class ServicesInterceptor(AbstractRequestInterceptor):
    """Make the settings, store and content reachable from every handler of this request."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def process(self, handler_input: HandlerInput) -> None:
        """Put the services into the request attributes."""
        handler_input.attributes_manager.request_attributes[SERVICES] = self._services


def services_of(handler_input: HandlerInput) -> Services:
    """The settings, store and content for this request (set by ServicesInterceptor)."""
    return handler_input.attributes_manager.request_attributes[SERVICES]
