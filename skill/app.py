"""Build the Cramp Check Alexa skill: handlers in priority order over an injected state store."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_model import Application, Context, Request, RequestEnvelope
from ask_sdk_model.interfaces.system import SystemState
from ask_sdk_model.services import ApiClient

from shared.config import Settings
from shared.content import Content, load_content
from shared.handover import TextSender
from shared.stores import Store
from skill.handlers.answers import NoIntentHandler, YesIntentHandler
from skill.handlers.clinic import (
    CallbackIntentHandler,
    CallbackTimeIntentHandler,
    ContactClinicIntentHandler,
    TextMeIntentHandler,
)
from skill.handlers.errors import CatchAllExceptionHandler
from skill.handlers.history import ForgetHistoryIntentHandler
from skill.handlers.launch import LaunchRequestHandler
from skill.handlers.navigation import (
    CancelIntentHandler,
    FallbackIntentHandler,
    HelpIntentHandler,
    NavigateHomeIntentHandler,
    RepeatIntentHandler,
    StartOverIntentHandler,
    StopIntentHandler,
)
from skill.handlers.session_ended import SessionEndedRequestHandler
from skill.handlers.symptoms import DescribeSymptomIntentHandler, FreeTextIntentHandler
from skill.handlers.tips import TipsIntentHandler
from skill.interceptors import RequestLogInterceptor
from skill.persistence import StorePersistenceAdapter
from skill.profile import LazyDefaultApiClient
from skill.services import Services, ServicesInterceptor

logger = logging.getLogger(__name__)

# Priority order: the first handler whose can_handle matches wins; each matches one request type or intent.
REQUEST_HANDLERS = (
    LaunchRequestHandler,
    DescribeSymptomIntentHandler,
    FreeTextIntentHandler,
    YesIntentHandler,
    NoIntentHandler,
    TipsIntentHandler,
    ContactClinicIntentHandler,
    CallbackIntentHandler,
    CallbackTimeIntentHandler,
    TextMeIntentHandler,
    ForgetHistoryIntentHandler,
    HelpIntentHandler,
    StopIntentHandler,
    CancelIntentHandler,
    NavigateHomeIntentHandler,
    FallbackIntentHandler,
    RepeatIntentHandler,
    StartOverIntentHandler,
    SessionEndedRequestHandler,
)


def build_skill(
    settings: Settings,
    store: Store,
    api_client: ApiClient | None = None,
    *,
    content: Content | None = None,
    send_text: TextSender | None = None,
    on_callback_stored: Callable[[str], None] | None = None,
) -> CustomSkill:
    """Register the handlers, the request log and the catch-all error handler over `store`.

    The API client (ask-sdk's DefaultApiClient unless given) gives handlers the service client factory for
    Alexa's APIs, such as the Customer Profile API behind "text me that"; `send_text` is how that feature sends
    (the SMS line's sender, wired by the entry point; without one the skill says it cannot text);
    `on_callback_stored` hears of each callback request stored by voice. The content is loaded from
    settings.content_dir unless given.
    """
    if content is None:
        content = load_content(settings.content_dir)
    builder = CustomSkillBuilder(
        persistence_adapter=StorePersistenceAdapter(store, settings.hash_salt, content.health_data.retention_seconds),
        api_client=api_client or LazyDefaultApiClient(),
    )
    builder.skill_id = settings.alexa_skill_id
    for handler in REQUEST_HANDLERS:
        builder.add_request_handler(handler())
    builder.add_global_request_interceptor(RequestLogInterceptor(settings.hash_salt))
    services = Services(settings, store, content, send_text, on_callback_stored)
    builder.add_global_request_interceptor(ServicesInterceptor(services))
    builder.add_exception_handler(CatchAllExceptionHandler())
    return builder.create()


class InvalidEnvelope(ValueError):
    """The event is not an Alexa request envelope the skill can answer."""


def invoke(skill: CustomSkill, event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Run one Alexa request envelope (a parsed JSON dict) through the skill; return the response dict.

    Raises InvalidEnvelope, and nothing else for bad input, when the event is not an envelope the skill can answer.
    Reads and writes through the skill's own (ask-sdk's default) serializer, as ask-sdk's SkillBuilder.lambda_handler
    does; the shape check in between answers for what ask-sdk reads outside its exception handlers.
    """
    if not isinstance(event, dict):
        raise InvalidEnvelope("not an Alexa request envelope")
    try:
        envelope = skill.serializer.deserialize(json.dumps(event), RequestEnvelope)
    except SerializationException as error:
        raise InvalidEnvelope("not an Alexa request envelope") from error
    check_envelope_shape(envelope)
    response = skill.invoke(request_envelope=envelope, context=context)
    return skill.serializer.serialize(response)


def check_envelope_shape(envelope: Any) -> None:
    """Raise InvalidEnvelope unless the envelope holds what ask-sdk reads before any handler runs.

    CustomSkill.invoke reads context.System (its skill-id check, the API endpoint and token) outside the
    dispatcher, so the catch-all exception handler cannot answer for it: a missing part would escape as an
    AttributeError instead of a refusal.
    """
    if not isinstance(envelope, RequestEnvelope) or not isinstance(envelope.request, Request):
        raise InvalidEnvelope("the envelope has no request")
    context = envelope.context
    system = context.system if isinstance(context, Context) else None
    if not isinstance(system, SystemState):
        raise InvalidEnvelope("the envelope has no context.System")
    application = system.application
    if not isinstance(application, Application) or not isinstance(application.application_id, str):
        raise InvalidEnvelope("the envelope has no context.System.application.applicationId")
