"""skill.app.invoke: one parsed Alexa envelope in, the response dict out, or InvalidEnvelope for anything else."""

from __future__ import annotations

from typing import Any

import pytest
from ask_sdk_core.skill import CustomSkill

from skill.app import InvalidEnvelope, invoke


@pytest.mark.parametrize(
    "event",
    [
        [],
        None,
        "LaunchRequest",
        {"request": {"type": "Nope"}},
        {"version": "1.0", "request": {"type": "LaunchRequest"}},
    ],
    ids=["list", "null", "string", "unknown-type", "no-context"],
)
def test_invoke_refuses_what_is_not_an_envelope_as_invalid_envelope(skill: CustomSkill, event: Any) -> None:
    with pytest.raises(InvalidEnvelope):
        invoke(skill, event)
