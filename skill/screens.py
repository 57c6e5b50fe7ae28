"""An APL document for Echo devices with a screen: the card's text in large type, nothing more."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_supported_interfaces

if TYPE_CHECKING:
    from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

DOCUMENT_NAME = "crampCheckCard"
# Large type on purpose: the person may be reading from across the room, mid-cramp.
DOCUMENT = {
    "type": "APL",
    "version": "2023.3",
    "theme": "dark",
    "mainTemplate": {
        "parameters": ["payload"],
        "items": [
            {
                "type": "ScrollView",
                "width": "100vw",
                "height": "100vh",
                "item": {
                    "type": "Container",
                    "paddingLeft": "@marginHorizontal",
                    "paddingRight": "@marginHorizontal",
                    "paddingTop": "@spacingMedium",
                    "items": [
                        {"type": "Text", "text": "${payload.card.title}", "style": "textStyleDisplay4"},
                        {"type": "Text", "text": "${payload.card.text}", "style": "textStyleBody",
                         "fontSize": "32dp", "paddingTop": "@spacingSmall"},
                    ],
                },
            }
        ],
    },
}


def has_screen(handler_input: HandlerInput) -> bool:
    """True when the device says it renders APL (platform b-1: send APL only then)."""
    interfaces = get_supported_interfaces(handler_input)
    return interfaces is not None and interfaces.alexa_presentation_apl is not None


def card_document(title: str, text: str) -> RenderDocumentDirective:
    """The RenderDocument directive showing a card's title and text."""
    # Imported on use: ask_sdk_model's APL package is ~15 ms of a cold start, and only screen devices need it.
    from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

    # APL Text reads <br> for line breaks; the card text's own newlines would be run together.
    shown = text.replace("&", "&amp;").replace("<", "&lt;").replace("\n", "<br>")
    return RenderDocumentDirective(
        token=DOCUMENT_NAME, document=DOCUMENT, datasources={"card": {"title": title, "text": shown}}
    )
