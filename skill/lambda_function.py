"""AWS Lambda entry point: `skill.lambda_function.lambda_handler`, built once per cold start."""

from __future__ import annotations

import functools
import logging
from typing import Any

from ask_sdk_core.skill import CustomSkill

from shared.logs import configure_logging, lambda_invocation
from shared.secrets import settings_for_lambda
from shared.stores import open_store
from skill.app import InvalidEnvelope, build_skill, invoke

logger = logging.getLogger(__name__)


@functools.cache
def cold_start_skill() -> CustomSkill:
    """Read settings from the environment and build the skill, once per Lambda container."""
    # The entry point is where the skill meets the SMS line: "text me that" sends through the line's sender,
    # handed to the skill here so no other skill module imports sms/ (the Alexa zip ships sms/outbound.py alone).
    from sms.outbound import send_sms, status_callback_url

    configure_logging()
    settings = settings_for_lambda().check_alexa_skill_id()
    # Twilio reports each text's delivery to the SMS line (logged there: "text me that" keeps no record of it).
    send_text = functools.partial(send_sms, settings, status_callback=status_callback_url(settings, "text_me"))
    return build_skill(settings, open_store(settings), send_text=send_text)


@lambda_invocation
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Handle one Alexa request envelope from the Lambda trigger (skill-id checked by the skill)."""
    skill = cold_start_skill()
    try:
        return invoke(skill, event, context)
    except InvalidEnvelope as error:
        # Raising would put a traceback in the Lambda log (the SDK's parse errors can quote the request) and
        # gain nothing; an empty response is a valid answer that says nothing.
        logger.warning("unusable Alexa envelope answered with an empty response", extra={"reason": str(error)})
        return {"version": "1.0", "response": {}}
