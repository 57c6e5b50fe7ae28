"""Fuzzing with hypothesis: arbitrary and mutated input on every entry point, checked for what a person notices.

Targets (each runs `--examples` generated cases, 10,000 by default):
- alexa_skill: mutated Alexa envelopes through the Lambda path (`skill.app.invoke`). Every envelope the SDK can
  read gets a valid Alexa response and nothing raises; one it cannot read is refused with InvalidEnvelope
  (the only exception allowed), as the Lambda adapter declares.
- alexa_web: arbitrary bytes and mutated envelopes, signed by a test certificate chain, through the WSGI
  endpoint with the real verifier; half are tampered with after signing. Tampered or malformed: 400.
  Otherwise: 200 with a valid response. Never a 500.
- sms: arbitrary form posts (one to three messages from one sender) with valid Twilio signatures through
  /sms: never a 500; a 200 is valid TwiML with at most one <Message>, GSM-7, within its segment budget;
  a 400 only when there is no sender.
- core: arbitrary text through the reader, the triage and every dialogue step, and arbitrary stored state
  through Conversation.from_dict: nothing raises and every result round-trips through its stored form.
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import os
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from reliability.harness import (
    ALEXA_SCRIPTS,
    AUTH_TOKEN,
    HASH_SALT,
    SKILL_ID,
    SMS_SCRIPTS,
    AlexaSession,
    alexa_envelope,
    alexa_response_problems,
    parse_twiml,
    phone_number,
    twilio_form,
    twilio_signature,
)

LONG_EXAMPLES = 10_000
SHORT_EXAMPLES = 150
# A fixed seed makes a run repeatable; pass --seed to explore elsewhere.
DEFAULT_SEED = 20261125
PUBLIC_BASE_URL = "https://cramp.clinic.example"
MODELS = Path(__file__).resolve().parents[1] / "interaction_models"


# --- vocabulary the strategies draw from ---------------------------------------------------------------


def _model() -> dict[str, Any]:
    return json.loads((MODELS / "en-US.json").read_text(encoding="utf-8"))["interactionModel"]["languageModel"]


def _slot_values() -> list[str]:
    values = []
    for slot_type in _model()["types"]:
        for value in slot_type["values"]:
            values.append(value["id"])
            values.append(value["name"]["value"])
            values.extend(value["name"].get("synonyms", []))
    return values


INTENT_NAMES = [i["name"] for i in _model()["intents"]] + ["AMAZON.PauseIntent", "UnknownIntent", ""]
SLOT_NAMES = ["body_part", "feeling", "duration", "context", "description"]
SLOT_WORDS = _slot_values()
SMS_WORDS = sorted({w for script in SMS_SCRIPTS for w in script} | {
    "STOP", "stop", "START", "HELP", "NEW", "TIPS", "CALL", "DELETE", "YES", "UNSTOP", "INFO", "cancel", "quit",
    "1", "2", "3", "8", "9", "0", "-1", "yes", "no", "chest pain", "can't breathe", "numb", "fever", "pregnant",
    "dark urine", "calf", "back", "neck", "eyelid", "twitching", "locked", "hours", "days", "statin",
    "after 6pm", "morning", "\u00e9t\u00e9", "\u20ac", "\U0001f62d", "\u0000", "\r\n", "<b>", "&amp;", "]]>",
})
LOCALES = ["en-US", "en-GB", "en-AU", "en-CA", "en-IN", "de-DE", "fr-FR", "", "xx", "en_US"]
REQUEST_TYPES = [
    "LaunchRequest", "IntentRequest", "SessionEndedRequest", "CanFulfillIntentRequest",
    "AudioPlayer.PlaybackStarted", "System.ExceptionEncountered", "Display.ElementSelected", "Unknown",
]

json_leaf = st.none() | st.booleans() | st.integers(-(2**63), 2**63) | st.floats(allow_nan=False) | st.text(max_size=40)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=5,
)
words = st.sampled_from(SMS_WORDS + SLOT_WORDS)
# Text a person might send: vocabulary run together, arbitrary unicode, or both.
free_text = st.one_of(
    st.lists(words, max_size=8).map(" ".join),
    st.text(max_size=200),
    st.tuples(st.lists(words, max_size=4).map(" ".join), st.text(max_size=40)).map(" ".join),
    st.text(alphabet=st.characters(codec="ascii"), max_size=400),
    st.integers(0, 2000).map(lambda n: "calf cramp " * n),
)

# Strategies built once: hypothesis recomputes the properties of a strategy each time one is built.
REQUEST_TYPE = st.sampled_from(REQUEST_TYPES)
SLOT_NAME_LIST = st.lists(st.sampled_from(SLOT_NAMES), max_size=5, unique=True)
SLOT_VALUE = st.sampled_from(SLOT_WORDS) | st.text(max_size=60)
SLOT_ID = st.sampled_from(SLOT_WORDS) | st.text(max_size=20)
RESOLUTION_CODE = st.sampled_from(["ER_SUCCESS_MATCH", "ER_SUCCESS_NO_MATCH", "ER_ERROR_TIMEOUT"])
INTENT_NAME = st.sampled_from(INTENT_NAMES) | st.text(max_size=30)
DIALOG_STATE = st.sampled_from(["STARTED", "IN_PROGRESS", "COMPLETED"])
END_REASON = st.sampled_from(["USER_INITIATED", "ERROR", "EXCEEDED_MAX_REPROMPTS", "BOGUS"])
ERROR_TYPE = st.sampled_from(["INVALID_RESPONSE", "INTERNAL_SERVICE_ERROR", "X"])
SHORT_TEXT = st.text(max_size=40)
LOCALE = st.sampled_from(LOCALES) | st.text(max_size=8)
SKEW = st.sampled_from([0, 0, 0, 30, -30, 200, -200, 86_400 * 400])
USER_ID = st.sampled_from(["amzn1.ask.account.FUZZ1", "amzn1.ask.account.FUZZ2"]) | st.text(max_size=30)
SESSION_ID = st.sampled_from(["amzn1.echo-api.session.FUZZ", ""])
APPLICATION_ID = st.sampled_from([SKILL_ID, SKILL_ID, "amzn1.ask.skill.other"])
SENDER = st.sampled_from([phone_number(i) for i in range(300)]) | st.text(max_size=20)
FIXED_SID = st.sampled_from([None, None, None, "SMfixed"])
SID_HEX = st.text(alphabet="0123456789abcdef", min_size=32, max_size=32)
NUM_MEDIA = st.sampled_from(["1", "3", "-1", "x", "99999999999999999999", ""])
EXTRA_FIELDS = st.dictionaries(st.text(min_size=1, max_size=15), st.text(max_size=40), max_size=3)
TAMPER = st.sampled_from(["flip", "append", "truncate", "replace"])


def _real_attributes() -> list[dict[str, Any]]:
    """Session attributes the skill itself produces at each turn of the scripted sessions."""
    from shared.config import Settings
    from shared.stores import store_from_settings
    from skill.app import build_skill, invoke

    skill = build_skill(Settings(store="memory", hash_salt=HASH_SALT, alexa_skill_id=SKILL_ID),
                        store_from_settings("memory"))
    found: list[dict[str, Any]] = [{}]
    for script in ALEXA_SCRIPTS:
        device = AlexaSession("amzn1.ask.account.FUZZATTRIBUTES")
        for request in script:
            envelope = device.envelope(request)
            response = invoke(skill, envelope)
            device.received(envelope, response)
            if response.get("sessionAttributes"):
                found.append(response["sessionAttributes"])
    return found


@st.composite
def alexa_request(draw: st.DrawFn) -> dict[str, Any]:
    """One request body: a recorded shape with drawn names, slots, reasons and timestamps."""
    kind = draw(REQUEST_TYPE)
    request: dict[str, Any] = {"type": kind}
    if kind in ("IntentRequest", "CanFulfillIntentRequest"):
        slots = {}
        for name in draw(SLOT_NAME_LIST):
            slot: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
            if draw(st.booleans()):
                slot["value"] = draw(SLOT_VALUE)
            if draw(st.booleans()):
                code = draw(RESOLUTION_CODE)
                value_id = draw(SLOT_ID)
                slot["resolutions"] = {"resolutionsPerAuthority": [{
                    "authority": f"amzn1.er-authority.echo-sdk.{SKILL_ID}.X", "status": {"code": code},
                    "values": [{"value": {"name": value_id, "id": value_id}}] if code == "ER_SUCCESS_MATCH" else [],
                }]}
            slots[name] = slot
        request["intent"] = {"name": draw(INTENT_NAME),
                             "confirmationStatus": "NONE", "slots": slots}
        request["dialogState"] = draw(DIALOG_STATE)
    if kind == "SessionEndedRequest":
        request["reason"] = draw(END_REASON)
        if draw(st.booleans()):
            request["error"] = {"type": draw(ERROR_TYPE),
                                "message": draw(SHORT_TEXT)}
    request["locale"] = draw(LOCALE)
    return request


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def mutate(envelope: dict[str, Any], edits: list[tuple[int, str, Any]]) -> Any:
    """Apply (path choice, delete|replace, value) edits to a copy of any JSON document."""
    doc = copy.deepcopy(envelope)
    for choice, op, value in edits:
        paths = [p for p in _paths(doc) if p]
        if not paths:
            return value if op == "replace" else doc
        path = paths[choice % len(paths)]
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        if op == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = value
    return doc


edit = st.tuples(st.integers(0, 10_000), st.sampled_from(["delete", "replace"]), json_value)
EDITS_2 = st.lists(edit, max_size=2)
EDITS_3 = st.lists(edit, max_size=3)


@st.composite
def alexa_envelope_case(draw: st.DrawFn) -> dict[str, Any]:
    """A mutated envelope: drawn request, session state and attributes, then up to three blind edits."""
    attributes = draw(ATTRIBUTES)
    if draw(st.booleans()) and attributes:
        attributes = mutate(attributes, draw(EDITS_2))
        attributes = attributes if isinstance(attributes, dict) else {}
    skew = draw(SKEW)
    envelope = alexa_envelope(
        draw(USER_ID),
        draw(alexa_request()),
        session_id=draw(SESSION_ID),
        new=draw(st.booleans()),
        attributes=attributes,
        now=datetime.now(UTC) + timedelta(seconds=skew),
        skill_id=draw(APPLICATION_ID),
    )
    if draw(st.booleans()):
        envelope.pop("session")
    return mutate(envelope, draw(EDITS_3))


REAL_ATTRIBUTES = _real_attributes()
ATTRIBUTES = st.sampled_from(REAL_ATTRIBUTES) | st.dictionaries(st.text(max_size=20), json_value, max_size=5)


# --- targets ------------------------------------------------------------------------------------------


class CaseFailure(AssertionError):
    """One generated case broke a promise; the message says which."""


# Failures already found, reported and kept as regression tests in tests/reliability/test_regressions.py.
# A case that hits one is counted under its name, so a long run goes on looking for new ones.
# Known, still-open failures: a case that hits one is counted under its name instead of failing the run.
# None is open now. Those found earlier (the catch-all without a session, an envelope without a usable
# context.System.application, a stored pending question that is not a string, stored facts of the wrong type)
# are fixed and kept fixed by tests/reliability/test_regressions.py.
KNOWN_FAILURES: dict[str, tuple[tuple[type[BaseException], ...], str]] = {}
# The same for stored state the core itself did not write (the check knows which).
KNOWN_STORED_STATE_FAILURES: dict[str, tuple[tuple[type[BaseException], ...], str]] = {}


def known_failure(error: BaseException, table: dict[str, tuple[tuple[type[BaseException], ...], str]] | None = None,
                  ) -> str | None:
    """The name of the known failure this error is, or None for a new one."""
    for name, (kinds, text) in (KNOWN_FAILURES if table is None else table).items():
        if isinstance(error, kinds) and text in str(error):
            return name
    return None


@dataclass
class Target:
    """A fuzz target: a strategy, a check (raises CaseFailure) and counters of what the cases did."""

    name: str
    strategy: st.SearchStrategy[Any]
    check: Callable[[Any], str]
    outcomes: dict[str, int] = field(default_factory=dict)

    def run_case(self, case: Any) -> None:
        """Check one case and count its outcome."""
        outcome = self.check(case)
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


def fresh_skill() -> Any:
    """The skill over a fresh memory store, as the fuzz targets and regression tests use it."""
    from shared.config import Settings
    from shared.stores import store_from_settings
    from skill.app import build_skill

    return build_skill(Settings(store="memory", hash_salt=HASH_SALT, alexa_skill_id=SKILL_ID),
                       store_from_settings("memory"))


def alexa_skill_target() -> Target:
    """Mutated envelopes through the Lambda path."""
    from ask_sdk_runtime.exceptions import AskSdkException

    from skill.app import InvalidEnvelope, invoke

    skill = fresh_skill()

    def check(envelope: Any) -> str:
        try:
            response = invoke(skill, envelope)
        except InvalidEnvelope:
            return "refused: not an envelope the SDK can read"
        except AskSdkException as error:
            if "Skill ID Verification failed" in str(error):
                return "refused: another skill's id"
            if name := known_failure(error):
                return f"known failure: {name}"
            raise CaseFailure(f"the skill raised {type(error).__name__}: {error}") from error
        except Exception as error:
            if name := known_failure(error):
                return f"known failure: {name}"
            raise CaseFailure(f"the skill raised {type(error).__name__}: {error}") from error
        problems = alexa_response_problems(response)
        if problems:
            raise CaseFailure(f"invalid Alexa response: {problems}")
        return "answered"

    return Target("alexa_skill", alexa_envelope_case(), check)


@dataclass(frozen=True)
class SignedBody:
    """Bytes as signed, and the bytes actually sent (different when tampered with)."""

    signed: bytes
    sent: bytes

    @property
    def tampered(self) -> bool:
        """True when the body changed after signing."""
        return self.signed != self.sent


ALEXA_BODY = st.one_of(
    st.binary(max_size=300),
    json_value.map(lambda v: json.dumps(v).encode()),
    alexa_envelope_case().map(lambda e: json.dumps(e).encode()),
    alexa_envelope_case().map(lambda e: json.dumps(e).encode()),
)


@st.composite
def alexa_body_case(draw: st.DrawFn) -> SignedBody:
    """Arbitrary bytes, arbitrary JSON or a mutated envelope; sometimes altered after signing."""
    body = draw(ALEXA_BODY)
    sent = body
    if draw(st.booleans()):
        how = draw(TAMPER)
        if how == "flip" and body:
            index = draw(st.integers(0, len(body) - 1))
            sent = body[:index] + bytes([body[index] ^ draw(st.integers(1, 255))]) + body[index + 1:]
        elif how == "truncate" and body:
            sent = body[: draw(st.integers(0, len(body) - 1))]
        elif how == "replace":
            sent = draw(st.binary(min_size=1, max_size=100).filter(lambda b: b != body))
        else:
            sent = body + draw(st.binary(min_size=1, max_size=20))
    return SignedBody(body, sent)


def _why_500(body: bytes) -> str | None:
    """The known failure behind a 500 from POST /alexa, found by running the same envelope through the skill."""
    from skill.app import invoke

    try:
        invoke(fresh_skill(), json.loads(body))
    except Exception as error:
        return known_failure(error)
    return None


def alexa_web_target() -> Target:
    """Signed (and tampered) bodies through POST /alexa with the real verifier and a test certificate chain."""
    from werkzeug.test import Client

    from server.alexa_endpoint import AlexaWebApp
    from server.alexa_verification import RequestVerifier
    from shared.config import Settings
    from tests.skill.alexa_ca import CERT_URL, build_ca

    ca = build_ca(datetime.now(UTC))
    identity = ca.issue_signing_identity()
    pem = identity.chain_pem()
    settings = Settings(store="memory", hash_salt=HASH_SALT, alexa_skill_id=SKILL_ID)
    verifier = RequestVerifier(SKILL_ID, trusted_roots=[ca.root_cert], fetch_pem=lambda url: pem)
    client = Client(AlexaWebApp(settings, fresh_skill(), verifier))

    def check(case: SignedBody) -> str:
        headers = {"SignatureCertChainUrl": CERT_URL, "Signature-256": identity.sign(case.signed),
                   "Content-Type": "application/json"}
        response = client.post("/alexa", data=case.sent, headers=headers)
        status = response.status_code
        if status == 500 and (name := _why_500(case.sent)):
            return f"known failure: {name}"
        if status not in (200, 400):
            raise CaseFailure(f"POST /alexa answered {status}")
        if case.tampered and status != 400:
            raise CaseFailure("a body changed after signing was not refused")
        try:
            body = json.loads(response.data)
        except ValueError as error:
            raise CaseFailure("the answer is not JSON") from error
        if status == 400:
            return "400 tampered" if case.tampered else "400 malformed"
        problems = alexa_response_problems(body)
        if problems:
            raise CaseFailure(f"200 with an invalid Alexa response: {problems}")
        return "200 answered"

    return Target("alexa_web", alexa_body_case(), check)


@st.composite
def sms_post_case(draw: st.DrawFn) -> list[dict[str, str]]:
    """One to three form posts from one sender: Twilio's fields with drawn values, plus arbitrary extras."""
    sender = draw(SENDER)
    posts = []
    for _ in range(draw(st.integers(1, 3))):
        form = twilio_form(draw(free_text), sender, draw(FIXED_SID)
                           or "SM" + draw(SID_HEX))
        if draw(st.booleans()):
            form["NumMedia"] = draw(NUM_MEDIA)
        for key in draw(st.lists(st.sampled_from(sorted(form)), max_size=2, unique=True)):
            form.pop(key)
        form.update(draw(EXTRA_FIELDS))
        posts.append(form)
    return posts


def sms_target() -> Target:
    """Signed form posts through POST /sms over a memory store."""
    from shared.config import Settings
    from shared.render import SMS_LIMIT, SMS_TIPS_LIMIT, is_gsm7, sms_length
    from shared.stores import store_from_settings
    from sms.app import create_app

    settings = Settings(store="memory", public_base_url=PUBLIC_BASE_URL, hash_salt=HASH_SALT,
                        twilio_auth_token=AUTH_TOKEN)
    app = create_app(settings, store_from_settings("memory"))
    client = app.test_client()

    def check(posts: list[dict[str, str]]) -> str:
        outcome = ""
        for form in posts:
            signature = twilio_signature(PUBLIC_BASE_URL + "/sms", form)
            response = client.post("/sms", data=urlencode(form), headers={"X-Twilio-Signature": signature},
                                   content_type="application/x-www-form-urlencoded")
            status = response.status_code
            text = response.get_data(as_text=True)
            if status == 400 and not (form.get("From") or "").strip():
                outcome = "400 no sender"
                continue
            if status != 200:
                raise CaseFailure(f"POST /sms answered {status}")
            try:
                messages = parse_twiml(text)
            except ValueError as error:
                raise CaseFailure(f"invalid TwiML: {error}") from None
            if len(messages) > 1:
                raise CaseFailure(f"{len(messages)} <Message> elements")
            for message in messages:
                if not message.strip():
                    raise CaseFailure("an empty <Message>")
                # Our own wording is GSM-7; only the person's own words (a callback time) may need UCS-2.
                foreign = [c for c in message if not is_gsm7(c) and c not in form.get("Body", "")]
                if foreign:
                    raise CaseFailure(f"not GSM-7: {foreign!r}")
                limit = SMS_TIPS_LIMIT if message.startswith("Tips") else SMS_LIMIT
                if sms_length(message) > limit:
                    raise CaseFailure(f"{sms_length(message)} units > {limit}")
            outcome = "200 reply" if messages else "200 silent"
        return outcome

    return Target("sms", sms_post_case(), check)


@st.composite
def core_case(draw: st.DrawFn) -> tuple[str, dict[str, Any] | None]:
    """Text plus a stored conversation: a real one, a mutated one or arbitrary JSON."""
    return draw(free_text), draw(STORED_STATE)


def _core_states() -> list[dict[str, Any]]:
    from shared.content import load_content
    from shared.dialogue import Conversation, Event, Message, Step, next_step

    content = load_content()
    states = [Conversation().to_dict()]
    for question in content.questions:
        states.append(Conversation(step=Step.ASKING, pending=question.id).to_dict())
    for script in SMS_SCRIPTS:
        conv = Conversation()
        for text in script:
            event = {"TIPS": Event.TIPS, "CALL": Event.CALL, "NEW": Event.NEW}.get(text, Event.DESCRIBE)
            message = Message(text=text if event == Event.DESCRIBE else "")
            conv = next_step(conv, event, message, content=content).conversation
            states.append(conv.to_dict())
    return states


CORE_STATES = _core_states()
STORED_STATE = st.one_of(
    st.none(),
    st.sampled_from(CORE_STATES),
    st.tuples(st.sampled_from(CORE_STATES), EDITS_2).map(lambda pair: mutate(*pair)),
    json_value,
)


def core_target() -> Target:
    """The reader, the triage and every dialogue event over arbitrary text and stored state."""
    from shared.content import load_content
    from shared.dialogue import Conversation, Event, Message, next_step
    from shared.reader import read
    from shared.triage import assess

    content = load_content()

    def check(case: tuple[str, Any]) -> str:
        text, stored = case
        try:
            assessment = assess(read(text, content.language(None).lexicon), content)
            json.dumps(assessment.to_dict())
            conv = Conversation.from_dict(stored if isinstance(stored, dict) else None, content)
            for event in Event:
                turn = next_step(conv, event, Message(text=text), content=content)
                again = Conversation.from_dict(json.loads(json.dumps(turn.conversation.to_dict())), content)
                if again != turn.conversation:
                    raise CaseFailure(f"{event.value}: the conversation does not survive its stored form")
        except CaseFailure:
            raise
        except Exception as error:
            if stored not in CORE_STATES and (name := known_failure(error, KNOWN_STORED_STATE_FAILURES)):
                return f"known failure: {name}"
            raise CaseFailure(f"the core raised {type(error).__name__}: {error}") from error
        return assessment.urgency

    return Target("core", core_case(), check)


TARGETS: dict[str, Callable[[], Target]] = {
    "alexa_skill": alexa_skill_target,
    "alexa_web": alexa_web_target,
    "sms": sms_target,
    "core": core_target,
}


def run_target(name: str, examples: int, seed_value: int) -> dict[str, Any]:
    """Run one target for `examples` generated cases; return counts and any failures (shrunk by hypothesis)."""
    target = TARGETS[name]()
    executed = {"cases": 0}

    @seed(seed_value)
    @settings(max_examples=examples, deadline=None, database=None, derandomize=False, print_blob=True,
              phases=[Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck))
    @given(target.strategy)
    def fuzz(case: Any) -> None:
        executed["cases"] += 1
        target.run_case(case)

    failures: list[str] = []
    started = time.perf_counter()
    # Hundreds of thousands of expected warnings ("signature rejected") would cost more than the cases.
    logging.disable(logging.CRITICAL)
    try:
        fuzz()
    except BaseException as error:  # an ExceptionGroup when hypothesis found several distinct failures
        if isinstance(error, KeyboardInterrupt):
            raise
        found = list(getattr(error, "exceptions", [error]))
        failures = ["".join(traceback.format_exception_only(type(e), e)).strip() for e in found]
    finally:
        logging.disable(logging.NOTSET)
    return {
        "target": name,
        "examples_asked": examples,
        "cases_run": executed["cases"],
        "outcomes": dict(sorted(target.outcomes.items())),
        "failures": failures,
        "seed": seed_value,
        "seconds": round(time.perf_counter() - started, 1),
    }


def run(examples: int, seed_value: int, names: list[str] | None = None) -> list[dict[str, Any]]:
    """Run the chosen targets (all by default) in parallel processes, one per CPU; results in target order."""
    names = names or list(TARGETS)
    with ProcessPoolExecutor(max_workers=max(1, min(len(names), os.cpu_count() or 1))) as pool:
        futures = [pool.submit(run_target, name, examples, seed_value) for name in names]
        return [future.result() for future in futures]


def main() -> int:
    """`python -m reliability.fuzz [--examples N] [--seed S] [target ...]`: print results as JSON."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="*", help=f"targets to run (default: all of {', '.join(TARGETS)})")
    parser.add_argument("--examples", type=int, default=LONG_EXAMPLES)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    unknown = sorted(set(args.targets) - set(TARGETS))
    if unknown:
        parser.error(f"unknown targets {unknown}")
    results = run(args.examples, args.seed, args.targets or None)
    print(json.dumps(results, indent=2))
    return 1 if any(r["failures"] for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
