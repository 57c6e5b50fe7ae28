"""AWS Lambda entry point: `skill.lambda_function.lambda_handler`, built once per cold start."""

from __future__ import annotations

import functools
from typing import Any

from ask_sdk_core.skill import CustomSkill

from shared.logs import configure_logging
from shared.secrets import settings_for_lambda
from shared.stores import open_store
from skill.app import build_skill, invoke


@functools.cache
def cold_start_skill() -> CustomSkill:
    """Read settings from the environment and build the skill, once per Lambda container."""
    configure_logging()
    settings = settings_for_lambda()
    return build_skill(settings, open_store(settings))


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Handle one Alexa request envelope from the Lambda trigger (skill-id checked by the skill)."""
    return invoke(cold_start_skill(), event, context)
