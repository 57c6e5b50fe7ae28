"""The skill's CachedPlanSerializer against ask-sdk's DefaultSerializer: the same objects from every envelope the
skill tests send (and from odd ones), the same refusals, and byte-identical JSON for every response."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope, ResponseEnvelope
from dateutil.parser import parse as dateutil_parse

from skill.app import InvalidEnvelope, invoke
from skill.serializer import CachedPlanSerializer
from tests.skill.alexa_device import FIXTURES, AlexaDevice, fixture

REFERENCE = DefaultSerializer()


def recording_device(
    skill: CustomSkill, sent: list[dict], answered: list[ResponseEnvelope], **options: Any
) -> AlexaDevice:
    """A device whose every envelope and response object is kept; the skill runs behind ask-sdk's own serializer."""

    def send(event: dict) -> dict:
        sent.append(copy.deepcopy(event))
        envelope = REFERENCE.deserialize(json.dumps(event), RequestEnvelope)
        response = skill.invoke(request_envelope=envelope, context=None)
        answered.append(response)
        return REFERENCE.serialize(response)

    return AlexaDevice(send, **options)


def conversations(device_for: Callable[..., AlexaDevice]) -> None:
    """The kinds of turns the skill tests make: every request type, slots resolved and not, free text,
    every navigation intent, a screen device, another locale, a session error, and a red flag."""
    device = device_for()
    device.launch()
    device.describe(body_part="calf", feeling="locked", context="exercise")
    device.intent("AMAZON.RepeatIntent")
    device.no()
    device.no()
    device.yes()
    device.intent("ContactClinicIntent")
    screen = device_for(apl=True, locale="en-GB")
    screen.describe(body_part="eyelid_face", feeling="twitching", duration="seconds", context="rest")
    screen.intent("TipsIntent")
    screen.intent("AMAZON.StartOverIntent")
    screen.describe(unresolved={"body_part": "elbow pit"}, feeling="stiff")
    screen.intent("AMAZON.FallbackIntent")
    screen.intent("ForgetHistoryIntent")
    talker = device_for(locale="en-IN", api_access_token="")
    talker.free_text("my calf locked up during my run and will not let go")
    talker.free_text("my leg is swollen and hot")
    talker.yes()
    for name in ("AMAZON.HelpIntent", "AMAZON.NavigateHomeIntent", "AMAZON.CancelIntent", "AMAZON.StopIntent"):
        talker.intent(name)
    talker.end("ERROR", error_type="INVALID_RESPONSE")
    talker.end()


@pytest.fixture
def recorded(skill: CustomSkill) -> tuple[list[dict], list[ResponseEnvelope]]:
    """(envelopes sent, response objects) of the conversations above, plus every recorded fixture envelope."""
    sent: list[dict] = [fixture(path.stem) for path in sorted(FIXTURES.glob("*.json"))]
    answered: list[ResponseEnvelope] = []
    conversations(lambda **options: recording_device(skill, sent, answered, **options))
    return sent, answered


def outcome(serializer: DefaultSerializer, text: str, obj_type: Any) -> tuple[str, Any, Any]:
    """('ok', the result, its JSON-ready form) or ('refused', the message, None).

    ask_sdk_model objects compare equal when their classes match and all their attributes are equal."""
    try:
        result = serializer.deserialize(text, obj_type)
    except SerializationException as error:
        return "refused", str(error), None
    return "ok", result, REFERENCE.serialize(result)


def test_serializer_every_test_envelope_gives_the_same_objects_as_ask_sdk(
    recorded: tuple[list[dict], list[ResponseEnvelope]],
) -> None:
    envelopes, _ = recorded
    fast = CachedPlanSerializer()
    assert len(envelopes) > 25

    for event in envelopes:
        expected = REFERENCE.deserialize(json.dumps(event), RequestEnvelope)
        from_text = fast.deserialize(json.dumps(event), RequestEnvelope)
        from_data = fast.deserialize_data(copy.deepcopy(event), RequestEnvelope)

        assert from_text == expected
        assert from_data == expected
        assert type(from_data.request) is type(expected.request)
        assert fast.serialize(from_data) == REFERENCE.serialize(expected)


def test_serializer_every_skill_response_serialises_to_identical_json(
    recorded: tuple[list[dict], list[ResponseEnvelope]],
) -> None:
    _, responses = recorded
    fast = CachedPlanSerializer()
    assert any(r.response.directives for r in responses), "a screen device got an APL document"
    assert any(r.response.card for r in responses)

    for response in responses:
        assert json.dumps(fast.serialize(response)) == json.dumps(REFERENCE.serialize(response))


def _odd(change: Callable[[dict], None]) -> dict:
    event = copy.deepcopy(fixture("describe_symptom_intent"))
    change(event)
    return event


def _set(path: str, value: Any) -> Callable[[dict], None]:
    def change(event: dict) -> None:
        *parents, last = path.split("/")
        target = event
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        target[last] = value

    return change


ODD_ENVELOPES = {
    "unknown request type": _set("request/type", "NotARealRequestType"),
    "request without type": lambda e: e["request"].pop("type"),
    "request is a string": _set("request", "IntentRequest"),
    "request is null": _set("request", None),
    "request is a list": _set("request", [1, 2]),
    "unknown dialog state": _set("request/dialogState", "HALFWAY"),
    "timestamp not a time": _set("request/timestamp", "teatime"),
    "timestamp 30 February": _set("request/timestamp", "2026-02-30T10:00:00Z"),
    "timestamp hour 24": _set("request/timestamp", "2026-11-25T24:00:00Z"),
    "timestamp with offset": _set("request/timestamp", "2026-11-25T19:00:00+01:00"),
    "timestamp with milliseconds": _set("request/timestamp", "2026-11-25T19:00:00.250Z"),
    "timestamp with seven digits": _set("request/timestamp", "2026-11-25T19:00:00.1234567Z"),
    "timestamp as a number": _set("request/timestamp", 1764097200),
    "timestamp in other digits": _set("request/timestamp", "\u0662\u0660\u0662\u0666-11-25T19:00:00Z"),
    "session new as text": _set("session/new", "yes"),
    "slots as a list": _set("request/intent/slots", [{"name": "body_part"}]),
    "slots empty": _set("request/intent/slots", {}),
    "slot value a number": _set("request/intent/slots/body_part/value", 12),
    "slot value unicode": _set("request/intent/slots/body_part/value", "mollet \u00e9\u00e8 \u2014 \U0001f9b5"),
    "resolution values as a dict": _set(
        "request/intent/slots/body_part/resolutions/resolutionsPerAuthority/0/values", {"value": {"id": "calf"}}
    ),
    "unknown status code": _set(
        "request/intent/slots/body_part/resolutions/resolutionsPerAuthority/0/status/code", "ER_MAYBE"
    ),
    "extra keys everywhere": lambda e: (
        e.update(futureField={"a": [1]}),
        e["request"].update(newThing=True),
        e["context"]["System"]["device"].update(colour="blue"),
    ),
    "python attribute name as a key": _set("context/System/application/application_id", "not the id"),
    "version a number": _set("version", 1.0),
    "session attributes nested": _set("session/attributes", {"conversation": {"step": "start", "n": [1, None]}}),
    "screen and unknown interfaces": _set(
        "context/System/device/supportedInterfaces",
        {"Alexa.Presentation.APL": {"runtime": {"maxVersion": "2023.3"}}, "Teleporter": {}},
    ),
    "viewport with numbers as text": _set(
        "context/Viewport", {"experiences": [{"canRotate": "no"}], "pixelWidth": "1280", "dpi": "x"}
    ),
    "system is a list": _set("context/System", []),
}


@pytest.mark.parametrize("change", ODD_ENVELOPES.values(), ids=ODD_ENVELOPES.keys())
def test_serializer_odd_envelopes_are_accepted_or_refused_as_ask_sdk_does(change: Callable[[dict], None]) -> None:
    text = json.dumps(_odd(change))

    fast = outcome(CachedPlanSerializer(), text, RequestEnvelope)

    assert fast == outcome(DefaultSerializer(), text, RequestEnvelope)


@pytest.mark.parametrize(
    ("text", "obj_type"),
    [
        ("null", RequestEnvelope),
        ("[]", RequestEnvelope),
        ('"a string"', RequestEnvelope),
        ("42", RequestEnvelope),
        ("not json", RequestEnvelope),
        ('["a", "b"]', "list[str]"),
        ('[1, "2", 3.5]', "list[int]"),
        ('["x"]', "list[int]"),
        ('[1, "two"]', "list[int, str]"),
        ('{"a": 1, "b": "2"}', "dict(str, int)"),
        ('{"a": {"b": 1}}', "dict(str, object)"),
        ('"12"', "int"),
        ('"twelve"', "float"),
        ("true", "str"),
        ('"2026-11-25T19:00:00Z"', "date"),
        ('"2026-11-25T19:00:00Z"', "datetime"),
        ('"ER_SUCCESS_MATCH"', "ask_sdk_model.slu.entityresolution.status_code.StatusCode"),
        ('"ER_SOMETIMES"', "ask_sdk_model.slu.entityresolution.status_code.StatusCode"),
        ('{"countryCode": "+1", "phoneNumber": "5550100"}', "ask_sdk_model.services.ups.phone_number.PhoneNumber"),
        ('{"type": "x"}', "ask_sdk_model.no_such_module.NoSuchClass"),
        ('{"type": "x"}', "NoSuchClass"),
    ],
)
def test_serializer_service_payloads_are_read_as_ask_sdk_reads_them(text: str, obj_type: Any) -> None:
    assert outcome(CachedPlanSerializer(), text, obj_type) == outcome(DefaultSerializer(), text, obj_type)


@pytest.mark.parametrize(
    "stamp", ["2026-11-25T19:00:00Z", "2026-01-01T00:00:00Z", "2024-02-29T23:59:59Z", "2026-11-25T19:00:00.5Z",
              "2026-11-25T19:00:00.123456Z"],
)
def test_serializer_alexa_timestamps_read_without_dateutil_mean_the_same_moment(stamp: str) -> None:
    event = _odd(_set("request/timestamp", stamp))

    fast = CachedPlanSerializer().deserialize_data(event, RequestEnvelope).request.timestamp
    expected: datetime = dateutil_parse(stamp)

    assert fast == expected
    assert fast.date() == expected.date()
    assert fast.utcoffset() == expected.utcoffset()
    assert fast.tzname() == expected.tzname()
    assert fast.isoformat() == expected.isoformat()
    assert isinstance(fast.date(), date)


def test_serializer_response_with_decimal_tuple_and_none_values_matches_ask_sdk() -> None:
    from decimal import Decimal

    from ask_sdk_model import Response
    from ask_sdk_model.ui import SimpleCard

    response = ResponseEnvelope(
        version="1.0",
        session_attributes={"count": Decimal("3"), "ratio": Decimal("0.5"), "pair": (1, "a"), "none": None},
        response=Response(card=SimpleCard(title="t", content=None), should_end_session=False),
    )

    assert json.dumps(CachedPlanSerializer().serialize(response)) == json.dumps(REFERENCE.serialize(response))


@pytest.mark.parametrize("event", [[], None, "LaunchRequest", {"request": {"type": "Nope"}}],
                         ids=["list", "null", "string", "unknown-type"])
def test_invoke_refuses_what_the_serializer_refuses_as_invalid_envelope(skill: CustomSkill, event: Any) -> None:
    with pytest.raises(InvalidEnvelope):
        invoke(skill, event)
