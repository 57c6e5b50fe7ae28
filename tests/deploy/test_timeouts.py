"""Timeouts add up: every outbound call has a deadline, and the worst case of each request path, one dependency
black-holed after a cold start, ends inside its function's timeout, itself inside the platform's limit. The numbers
are the clients' own configuration (no timing is measured); docs/deploying.md ("Timeouts add up") has the table."""

from __future__ import annotations

from typing import Any

import pytest

from shared.secrets import make_client as ssm_client
from shared.stores.dynamodb import make_client as dynamodb_client
from skill.profile import PROFILE_TIMEOUT_S
from sms.outbound import REST_TIMEOUT_S
from staff.auth import JWKS_TIMEOUT_S

pytestmark = pytest.mark.packaging

TWILIO_WEBHOOK_LIMIT_S = 15  # Twilio gives up on a webhook (platform b-2, [T11])
ALEXA_LIMIT_S = 8  # Alexa drops a skill's response (platform b-1, [A19])
# Python's start and the imports before the first call, with the shipped bytecode (docs/benchmarks.md: well under 1 s).
COLD_START_S = 1.0


def worst_call(client: Any) -> float:
    """How long one call through a boto3 client can take before it gives up: every attempt's connect and read."""
    config = client.meta.config
    return config.retries["total_max_attempts"] * (config.connect_timeout + config.read_timeout)


def function_timeout(template: dict[str, Any], name: str) -> int:
    """A function's timeout in the generated template."""
    for body in template["Resources"].values():
        if body["Type"] == "AWS::Lambda::Function" and body["Properties"]["FunctionName"].endswith(f"-{name}"):
            return body["Properties"]["Timeout"]
    raise KeyError(name)


@pytest.fixture(scope="module")
def deadlines(aws_test_credentials: None) -> dict[str, float]:
    """The worst case of each outbound call, from the clients as the code builds them."""
    return {
        "ssm": worst_call(ssm_client("us-east-1")),
        "dynamodb": worst_call(dynamodb_client(None, "us-east-1")),
        "twilio": 2 * REST_TIMEOUT_S,  # requests applies it to the connect and to the read; one attempt
        "profile": PROFILE_TIMEOUT_S,
    }


def test_every_outbound_call_has_a_short_deadline(deadlines: dict[str, float]) -> None:
    assert all(0 < seconds <= 5 for seconds in deadlines.values()), deadlines


def worst_with_one_hanging(deadlines: dict[str, float], dependencies: tuple[str, ...]) -> float:
    """A request's worst case when one of its dependencies hangs until its deadline and the others answer: a cold
    start, that deadline, and half a second for everything else (each answers in milliseconds)."""
    return COLD_START_S + max(deadlines[name] for name in dependencies) + 0.5


def test_sms_webhook_answers_inside_its_timeout_and_twilios(
    template: dict[str, Any], deadlines: dict[str, float]
) -> None:
    timeout = function_timeout(template, "sms")
    # A hanging store ends the turn with the safe reply, which needs no store.
    assert worst_with_one_hanging(deadlines, ("ssm", "dynamodb")) < timeout
    assert timeout <= TWILIO_WEBHOOK_LIMIT_S - 5  # leaves Twilio time to try the fallback URL


def test_alexa_text_me_answers_inside_the_skills_timeout_whichever_dependency_hangs(
    template: dict[str, Any], deadlines: dict[str, float]
) -> None:
    timeout = function_timeout(template, "alexa")
    assert timeout < ALEXA_LIMIT_S
    # "Text me that": the profile lookup, the opt-out read, the send, the seeded conversation.
    assert worst_with_one_hanging(deadlines, ("ssm", "profile", "dynamodb", "twilio")) < timeout


def test_staff_functions_finish_inside_their_timeouts(template: dict[str, Any], deadlines: dict[str, float]) -> None:
    jwks = {**deadlines, "jwks": JWKS_TIMEOUT_S}
    assert worst_with_one_hanging(jwks, ("ssm", "jwks", "dynamodb", "twilio")) < function_timeout(template, "staff")
    # A notifier round with ten due texts and Twilio hanging: each send waits out its own deadline.
    assert COLD_START_S + 10 * (deadlines["twilio"] + 0.1) < function_timeout(template, "staff_notify")
