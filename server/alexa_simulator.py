"""Turn a typed (or browser-transcribed) utterance into the JSON envelope Alexa would post, for the try-it page.

Alexa's own language understanding runs in Amazon's cloud, so the try-it page matches the words against the
skill's interaction model (the same samples and slot values Amazon trains on): a no-slot sample first, then a
sample whose slots all resolve to a listed value, then a FreeTextIntent carrier phrase. Anything else goes as
FreeTextIntent with the whole utterance, which the skill reads as a description, the way the live skill's
catch-all slot catches most free speech. The envelope itself follows Amazon's request format, so the skill
cannot tell it from a real one except for the missing signature (hence the local-simulator switch).
"""

from __future__ import annotations

import functools
import html
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shared.speech import spoken_seconds

MODELS_DIR = Path(__file__).resolve().parent.parent / "interaction_models"
DEFAULT_LOCALE = "en-US"
LOCAL_SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-00000000c0de"
INVOCATION_PREFIXES = ("open", "start", "launch", "begin", "run", "use")
# The words Amazon's built-in intents are trained on (a representative subset of their samples).
BUILT_IN_SAMPLES: dict[str, tuple[str, ...]] = {
    "AMAZON.YesIntent": ("yes", "yeah", "yep", "yup", "sure", "ok", "okay", "yes please", "correct", "that's right"),
    "AMAZON.NoIntent": ("no", "nope", "nah", "no thanks", "no thank you", "not really"),
    "AMAZON.HelpIntent": ("help", "help me", "what can i say", "what can you do", "how does this work"),
    "AMAZON.StopIntent": ("stop", "quit", "exit", "goodbye", "bye", "shut up", "off"),
    "AMAZON.CancelIntent": ("cancel", "never mind", "nevermind", "forget it"),
    "AMAZON.StartOverIntent": ("start over", "restart", "start again", "begin again", "new", "new cramp"),
    "AMAZON.RepeatIntent": ("repeat", "say that again", "repeat that", "what did you say", "again"),
    "AMAZON.NavigateHomeIntent": ("go home", "home"),
}
MAX_UTTERANCE_CHARS = 500
_SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class IntentChoice:
    """The intent the words map to, with slots as Alexa sends them (value plus resolution)."""

    name: str
    slots: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Sample:
    intent: str
    pattern: re.Pattern[str]
    slot_names: tuple[str, ...]
    literal_chars: int


@dataclass(frozen=True)
class _Model:
    invocation: str
    exact: dict[str, str]
    samples: tuple[_Sample, ...]
    slot_types: dict[str, dict[str, str]]  # intent.slot -> type name
    values: dict[str, dict[str, tuple[str, str]]]  # type -> spoken phrase -> (id, canonical name)


def normalise(text: str) -> str:
    """Lower-case words without punctuation, as Alexa's speech recogniser hands them to the model."""
    text = text.lower().replace("\u2019", "'")
    text = re.sub(r"[^\w' ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@functools.cache
def load_model(locale: str = DEFAULT_LOCALE) -> _Model:
    """Read and index one locale's interaction model (cached: the files do not change while serving)."""
    path = MODELS_DIR / f"{locale}.json"
    if not path.is_file():
        path = MODELS_DIR / f"{DEFAULT_LOCALE}.json"
    language = json.loads(path.read_text(encoding="utf-8"))["interactionModel"]["languageModel"]
    values: dict[str, dict[str, tuple[str, str]]] = {}
    for slot_type in language.get("types", []):
        phrases: dict[str, tuple[str, str]] = {}
        for value in slot_type.get("values", []):
            name = value["name"]["value"]
            ident = value.get("id") or name
            for phrase in (name, *value["name"].get("synonyms", [])):
                phrases.setdefault(normalise(phrase), (ident, name))
        values[slot_type["name"]] = phrases
    exact: dict[str, str] = {}
    samples: list[_Sample] = []
    slot_types: dict[str, dict[str, str]] = {}
    for intent in language["intents"]:
        name = intent["name"]
        slot_types[name] = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
        for sample in intent.get("samples", []):
            if "{" not in sample:
                exact.setdefault(normalise(sample), name)
                continue
            samples.append(_compile(name, sample))
    for name, phrases in BUILT_IN_SAMPLES.items():
        for phrase in phrases:
            exact.setdefault(phrase, name)
    return _Model(normalise(language["invocationName"]), exact, tuple(samples), slot_types, values)


def _compile(intent: str, sample: str) -> _Sample:
    parts = _SLOT.split(sample)
    regex = ""
    names: list[str] = []
    literal = 0
    for index, part in enumerate(parts):
        if index % 2:
            names.append(part)
            regex += f"(?P<{part}>.+?)"
        else:
            words = normalise(part)
            literal += len(words)
            if words:
                lead = " " if part[:1].isspace() else ""
                trail = " " if part[-1:].isspace() else ""
                regex += lead + re.escape(words) + trail
            elif part:
                regex += " "
    return _Sample(intent, re.compile(f"^{regex}$"), tuple(names), literal)


def strip_invocation(text: str, locale: str = DEFAULT_LOCALE) -> tuple[str, bool]:
    """Drop "Alexa," and "ask cramp check to ..." wrappers; the flag says the words only opened the skill."""
    model = load_model(locale)
    words = normalise(text)
    words = re.sub(r"^(alexa|echo|computer)\b ?", "", words)
    name = re.escape(model.invocation)
    if re.fullmatch(rf"(?:(?:{'|'.join(INVOCATION_PREFIXES)}) )?(?:the )?{name}", words):
        return "", True
    one_shot = re.match(rf"^(?:ask|tell|open|use) {name}(?: (?:about|for|to|that|if|whether|how))? ?(.*)$", words)
    if one_shot:
        return one_shot.group(1), one_shot.group(1) == ""
    return words, False


def choose_intent(text: str, locale: str = DEFAULT_LOCALE) -> IntentChoice:
    """Map words (already without the invocation) to an intent and its slots."""
    model = load_model(locale)
    words = normalise(text)[:MAX_UTTERANCE_CHARS]
    if words in model.exact:
        return _with_every_slot(model, model.exact[words], {})
    best: tuple[int, IntentChoice] | None = None
    for sample in model.samples:
        found = sample.pattern.match(words)
        if not found:
            continue
        slots = {}
        resolved = True
        for slot_name in sample.slot_names:
            slot_type = model.slot_types.get(sample.intent, {}).get(slot_name, "")
            spoken = found.group(slot_name).strip()
            slot = _slot(slot_name, slot_type, spoken, model, locale)
            if slot_type in model.values and "resolutions" not in slot:
                resolved = False
                break
            slots[slot_name] = slot
        if resolved and (best is None or sample.literal_chars > best[0]):
            best = (sample.literal_chars, _with_every_slot(model, sample.intent, slots))
    if best is not None:
        return best[1]
    described = {"description": _slot("description", "AMAZON.SearchQuery", words, model, locale)}
    return _with_every_slot(model, "FreeTextIntent", described)


def _with_every_slot(model: _Model, intent: str, filled: dict[str, dict[str, Any]]) -> IntentChoice:
    # Alexa lists every slot the intent declares; the unfilled ones carry no value.
    slots = {name: {"name": name, "confirmationStatus": "NONE"} for name in model.slot_types.get(intent, {})}
    slots.update(filled)
    return IntentChoice(intent, slots)


def _slot(name: str, slot_type: str, spoken: str, model: _Model, locale: str) -> dict[str, Any]:
    slot: dict[str, Any] = {"name": name, "value": spoken, "confirmationStatus": "NONE", "source": "USER"}
    phrases = model.values.get(slot_type)
    if phrases is None:
        return slot
    match = phrases.get(normalise(spoken)) or phrases.get(re.sub(r"^(my|a|an|the) ", "", normalise(spoken)))
    if match is None:
        return slot
    ident, canonical = match
    slot["resolutions"] = {
        "resolutionsPerAuthority": [
            {
                "authority": f"amzn1.er-authority.echo-sdk.{LOCAL_SKILL_ID}.{slot_type}",
                "status": {"code": "ER_SUCCESS_MATCH"},
                "values": [{"value": {"name": canonical, "id": ident}}],
            }
        ]
    }
    return slot


@dataclass
class SpeakerSession:
    """What Alexa keeps between turns for one simulated device: the session and its attributes."""

    user_id: str = field(default_factory=lambda: "amzn1.ask.account.TRYIT" + uuid.uuid4().hex.upper())
    device_id: str = field(default_factory=lambda: "amzn1.ask.device.TRYIT" + uuid.uuid4().hex.upper())
    session_id: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def open(self) -> bool:
        """True while the skill keeps the session open."""
        return self.session_id is not None

    def begin(self) -> None:
        """Start a new Alexa session (a fresh session id, no attributes)."""
        self.session_id = "amzn1.echo-api.session.TRYIT" + uuid.uuid4().hex
        self.attributes = {}

    def end(self) -> None:
        """Forget the session, as Alexa does once the skill ends it."""
        self.session_id = None
        self.attributes = {}


def build_envelope(
    session: SpeakerSession,
    request: dict[str, Any],
    *,
    new: bool,
    skill_id: str,
    locale: str = DEFAULT_LOCALE,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Wrap a request object in the session, context and version fields of Alexa's request format."""
    timestamp = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    application = {"applicationId": skill_id}
    user = {"userId": session.user_id}
    body = {
        "requestId": "amzn1.echo-api.request.TRYIT" + uuid.uuid4().hex,
        "timestamp": timestamp,
        "locale": locale,
        **request,
    }
    return {
        "version": "1.0",
        "session": {
            "new": new,
            "sessionId": session.session_id,
            "application": application,
            "attributes": dict(session.attributes),
            "user": user,
        },
        "context": {
            "System": {
                "application": application,
                "user": user,
                "device": {"deviceId": session.device_id, "supportedInterfaces": {}},
                "apiEndpoint": "https://api.amazonalexa.com",
                "apiAccessToken": "local-try-it-no-api-access",
            }
        },
        "request": body,
    }


def launch_request() -> dict[str, Any]:
    """A LaunchRequest ("Alexa, open cramp check")."""
    return {"type": "LaunchRequest"}


def intent_request(choice: IntentChoice) -> dict[str, Any]:
    """An IntentRequest for the chosen intent and slots."""
    return {
        "type": "IntentRequest",
        "dialogState": "STARTED",
        "intent": {"name": choice.name, "confirmationStatus": "NONE", "slots": choice.slots},
    }


def session_ended_request() -> dict[str, Any]:
    """A SessionEndedRequest, sent when the person walks away from the speaker."""
    return {"type": "SessionEndedRequest", "reason": "USER_INITIATED"}


_BREAK = re.compile(r"<break\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def ssml_to_text(ssml: str) -> str:
    """The words of an SSML answer, for the transcript and for the browser's speech synthesis."""
    text = _BREAK.sub(" ", ssml)
    text = re.sub(r"</?(p|s)\b[^>]*>", " ", text, flags=re.IGNORECASE)
    text = html.unescape(_TAG.sub("", text))
    return re.sub(r"\s+", " ", text).strip()


def speech_of(response: dict[str, Any]) -> dict[str, Any]:
    """The parts of a skill response a speaker plays or shows: speech and reprompt with the seconds Alexa takes to
    say each (shared/speech.py), card, and whether it ends."""
    inner = response.get("response") or {}
    said = (inner.get("outputSpeech") or {}).get("ssml") or (inner.get("outputSpeech") or {}).get("text") or ""
    reprompt = (inner.get("reprompt") or {}).get("outputSpeech") or {}
    asked_again = reprompt.get("ssml") or reprompt.get("text") or ""
    card = inner.get("card") or {}
    return {
        "speech": ssml_to_text(said),
        "seconds": spoken_seconds(said),
        "reprompt": ssml_to_text(asked_again),
        "reprompt_seconds": spoken_seconds(asked_again),
        "card_title": card.get("title") or "",
        "card_text": card.get("content") or card.get("text") or "",
        "ends_session": bool(inner.get("shouldEndSession")),
        "attributes": response.get("sessionAttributes") or {},
    }
