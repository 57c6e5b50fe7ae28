"""A pretend Echo for tests: sends real Alexa request envelopes (from tests/fixtures/alexa/) through the
skill and carries session attributes from one turn to the next, as the Alexa service does."""

from __future__ import annotations

import copy
import html
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from shared.content import load_content
from shared.health_data import HealthData

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "alexa"
# The packaged content as a clinic in Amazon's HIPAA-eligible programme runs it: the skill keeps an episode history
# and may join it with the texted one (clinic.yaml alexa_health_data: true; shared/health_data.py).
KEEPING_HEALTH_DATA = replace(load_content(), health_data=HealthData(alexa_keeps_health_data=True))
MODELS = Path(__file__).resolve().parents[2] / "interaction_models"
NOW = datetime(2026, 11, 25, 19, 0, 0, tzinfo=UTC)
SKILL_ID = "amzn1.ask.skill.6a7f2c1e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
USER_ID = "amzn1.ask.account.AMAXZ4QKCRAMPCHECKFIXTUREUSERR6L7N3B2VQW5Y"
SLOT_TYPES = {
    "body_part": "BODY_PART", "feeling": "PATTERN", "duration": "DURATION", "context": "CONTEXT",
    "window": "CALLBACK_WINDOW", "age": "AGE_BAND",
}
# Roughly how fast Alexa speaks (words a second), to keep spoken turns within their time budget.
WORDS_PER_SECOND = 2.6


@cache
def fixture(name: str) -> dict:
    """A recorded envelope from tests/fixtures/alexa/ (copy before changing it)."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


@cache
def slot_value_names(locale: str, slot_type: str) -> dict[str, str]:
    """id -> spoken name of each value of a custom slot type in the locale's model."""
    model = json.loads((MODELS / f"{locale}.json").read_text(encoding="utf-8"))
    for declared in model["interactionModel"]["languageModel"]["types"]:
        if declared["name"] == slot_type:
            return {value["id"]: value["name"]["value"] for value in declared["values"]}
    raise KeyError(slot_type)


def plain(ssml: str | None) -> str:
    """What a person hears: the SSML without tags, whitespace collapsed."""
    if not ssml:
        return ""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", ssml))).strip()


@dataclass(frozen=True)
class Reply:
    """The parts of a skill response a person would notice."""

    raw: dict

    @property
    def response(self) -> dict:
        """The `response` object."""
        return self.raw.get("response") or {}

    @property
    def ssml(self) -> str:
        """The outputSpeech SSML, or '' when silent."""
        return (self.response.get("outputSpeech") or {}).get("ssml", "")

    @property
    def speech(self) -> str:
        """The spoken text, tags removed."""
        return plain(self.ssml)

    @property
    def reprompt(self) -> str:
        """The reprompt text, tags removed ('' when there is none)."""
        return plain(((self.response.get("reprompt") or {}).get("outputSpeech") or {}).get("ssml"))

    @property
    def card(self) -> dict | None:
        """The card, if any."""
        return self.response.get("card")

    @property
    def ends_session(self) -> bool:
        """True when the skill closes the session (the mic goes off)."""
        return self.response.get("shouldEndSession") is True

    @property
    def seconds(self) -> float:
        """About how long the speech takes to say."""
        return len(self.speech.split()) / WORDS_PER_SECOND


@dataclass
class AlexaDevice:
    """One person's Echo talking to `send` (a function from envelope dict to response dict)."""

    send: Callable[[dict], dict]
    locale: str = "en-US"
    user_id: str = USER_ID
    now: datetime = NOW
    apl: bool = False
    attributes: dict[str, Any] | None = None  # None: no session open
    session_id: str = field(default_factory=lambda: f"amzn1.echo-api.session.{uuid.uuid4()}")
    replies: list[Reply] = field(default_factory=list)
    api_endpoint: str | None = None  # None: the recorded one (Amazon's); tests point it at a local API server
    api_access_token: str | None = None  # None: the recorded one; "" sends none

    def envelope(self, name: str, request: dict | None = None) -> dict:
        """Fill a recorded envelope with this device's user, locale, time and session state."""
        envelope = copy.deepcopy(fixture(name))
        new = self.attributes is None
        if new:
            self.session_id = f"amzn1.echo-api.session.{uuid.uuid4()}"
        envelope["session"].update(
            new=new, sessionId=self.session_id, attributes=copy.deepcopy(self.attributes or {}),
            user={"userId": self.user_id},
        )
        envelope["context"]["System"]["user"] = {"userId": self.user_id}
        if self.api_endpoint is not None:
            envelope["context"]["System"]["apiEndpoint"] = self.api_endpoint
        if self.api_access_token == "":
            envelope["context"]["System"].pop("apiAccessToken", None)
        elif self.api_access_token is not None:
            envelope["context"]["System"]["apiAccessToken"] = self.api_access_token
        if self.apl:
            envelope["context"]["System"]["device"]["supportedInterfaces"] = {
                "Alexa.Presentation.APL": {"runtime": {"maxVersion": "2023.3"}}
            }
        envelope["request"].update(
            request or {}, locale=self.locale, timestamp=self.now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            requestId=f"amzn1.echo-api.request.{uuid.uuid4()}",
        )
        return envelope

    def post(self, envelope: dict) -> Reply:
        """Send an envelope and keep the session attributes if the session stays open."""
        reply = Reply(self.send(envelope))
        self.replies.append(reply)
        if envelope["request"]["type"] == "SessionEndedRequest" or reply.ends_session:
            self.attributes = None
        else:
            self.attributes = reply.raw.get("sessionAttributes") or {}
        return reply

    def launch(self) -> Reply:
        """'Alexa, open cramp check.'"""
        self.attributes = None
        return self.post(self.envelope("launch_request"))

    def describe(self, unresolved: dict[str, str] | None = None, **slot_ids: str) -> Reply:
        """DescribeSymptomIntent with slot value ids resolved as Alexa resolves them (ER_SUCCESS_MATCH)."""
        return self.post(self._filled(self.envelope("describe_symptom_intent"), slot_ids, unresolved))

    def elicited(self, **slot_ids: str) -> Reply:
        """The answer to a slot the skill elicited (Dialog.ElicitSlot): DescribeSymptomIntent with only that slot,
        the dialog in progress, as Alexa sends a bare "a hard knot" or "during exercise"."""
        envelope = self.envelope("describe_symptom_intent")
        envelope["request"]["dialogState"] = "IN_PROGRESS"
        return self.post(self._filled(envelope, slot_ids, None))

    def _filled(self, envelope: dict, slot_ids: dict[str, str], unresolved: dict[str, str] | None) -> dict:
        slots = envelope["request"]["intent"]["slots"]
        for name, slot in slots.items():
            template = copy.deepcopy(slot)
            slots[name] = {"name": name, "confirmationStatus": "NONE"}
            if name in slot_ids:
                spoken = slot_value_names(self.locale, SLOT_TYPES[name])[slot_ids[name]]
                authority = template["resolutions"]["resolutionsPerAuthority"][0] if "resolutions" in template else {
                    "authority": f"amzn1.er-authority.echo-sdk.{SKILL_ID}.{SLOT_TYPES[name]}"
                }
                resolutions = {"resolutionsPerAuthority": [{
                    "authority": authority["authority"], "status": {"code": "ER_SUCCESS_MATCH"},
                    "values": [{"value": {"name": spoken, "id": slot_ids[name]}}],
                }]}
                slots[name].update(value=spoken, source="USER", resolutions=resolutions)
            elif unresolved and name in unresolved:
                authority = f"amzn1.er-authority.echo-sdk.{SKILL_ID}.{SLOT_TYPES[name]}"
                slots[name].update(value=unresolved[name], source="USER", resolutions={"resolutionsPerAuthority": [
                    {"authority": authority, "status": {"code": "ER_SUCCESS_NO_MATCH"}}]})
        return envelope

    def free_text(self, description: str) -> Reply:
        """FreeTextIntent carrying an AMAZON.SearchQuery phrase."""
        envelope = self.envelope("free_text_intent")
        slot = envelope["request"]["intent"]["slots"]["description"]
        slot["value"] = slot["slotValue"]["value"] = description
        return self.post(envelope)

    def yes(self) -> Reply:
        """AMAZON.YesIntent."""
        return self.post(self.envelope("yes_intent"))

    def no(self) -> Reply:
        """AMAZON.NoIntent."""
        return self.post(self.envelope("no_intent"))

    def intent(self, name: str) -> Reply:
        """Any intent without slots (built-ins, TipsIntent, ContactClinicIntent, ...)."""
        return self.post(self.envelope("help_intent", {"intent": {"name": name, "confirmationStatus": "NONE"}}))

    def callback(self, window: str | None = None, heard: str | None = None, intent: str = "CallbackIntent") -> Reply:
        """CallbackIntent ("ask the clinic to call me in the morning"), or CallbackTimeIntent ("in the morning"):
        `window` a CALLBACK_WINDOW value id resolved as Alexa resolves it, or `heard` words no value matched;
        neither leaves the slot empty."""
        slot: dict[str, Any] = {"name": "window", "confirmationStatus": "NONE"}
        authority = f"amzn1.er-authority.echo-sdk.{SKILL_ID}.{SLOT_TYPES['window']}"
        if window is not None:
            spoken = slot_value_names(self.locale, SLOT_TYPES["window"])[window]
            slot.update(value=spoken, source="USER", resolutions={"resolutionsPerAuthority": [{
                "authority": authority, "status": {"code": "ER_SUCCESS_MATCH"},
                "values": [{"value": {"name": spoken, "id": window}}],
            }]})
        elif heard is not None:
            slot.update(value=heard, source="USER", resolutions={"resolutionsPerAuthority": [
                {"authority": authority, "status": {"code": "ER_SUCCESS_NO_MATCH"}}]})
        request = {"name": intent, "confirmationStatus": "NONE", "slots": {"window": slot}}
        return self.post(self.envelope("help_intent", {"intent": request}))

    def end(self, reason: str = "USER_INITIATED", error_type: str | None = None) -> Reply:
        """SessionEndedRequest with a reason (and error for reason ERROR)."""
        request: dict[str, Any] = {"reason": reason}
        envelope = self.envelope("session_ended_request", request)
        if error_type is None:
            envelope["request"].pop("error", None)
        else:
            envelope["request"]["error"] = {"type": error_type, "message": "recorded"}
        return self.post(envelope)
