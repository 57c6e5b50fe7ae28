"""The benchmark's reference skill answers like Amazon's hello-world template, so the comparison is fair."""

from __future__ import annotations

import pytest

from bench.hello_world_skill import lambda_handler
from tests.skill.alexa_device import AlexaDevice


@pytest.fixture
def hello() -> AlexaDevice:
    """A device talking to the hello-world Lambda handler."""
    return AlexaDevice(lambda envelope: lambda_handler(envelope, None))


def test_hello_world_launch_welcomes_and_keeps_the_session_open(hello: AlexaDevice) -> None:
    reply = hello.launch()

    assert reply.speech == "Welcome, you can say Hello or Help. Which would you like to try?"
    assert reply.reprompt


@pytest.mark.parametrize(
    ("intent", "speech", "ends"),
    [
        ("HelloWorldIntent", "Hello World!", False),
        ("AMAZON.HelpIntent", "You can say hello to me! How can I help?", False),
        ("AMAZON.CancelIntent", "Goodbye!", False),
        ("AMAZON.StopIntent", "Goodbye!", False),
        ("AMAZON.FallbackIntent", "Sorry, I had trouble doing what you asked. Please try again.", False),
    ],
)
def test_hello_world_intents_answer_as_the_template_does(
    hello: AlexaDevice, intent: str, speech: str, ends: bool
) -> None:
    reply = hello.intent(intent)

    assert reply.speech == speech
    assert reply.ends_session is ends


def test_hello_world_session_ended_returns_an_empty_response(hello: AlexaDevice) -> None:
    hello.launch()

    assert hello.end("ERROR", "INVALID_RESPONSE").raw["response"] == {}
