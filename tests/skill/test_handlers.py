"""Every request type and built-in intent, the error path, and the handler/model contract."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import pytest
from ask_sdk_core.attributes_manager import AttributesManager
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from shared.config import Settings
from shared.content import load_content
from shared.logs import JsonFormatter
from shared.stores import Store
from skill.app import REQUEST_HANDLERS, build_skill, invoke
from skill.handlers.errors import CatchAllExceptionHandler
from tests.skill.alexa_device import KEEPING_HEALTH_DATA, USER_ID, AlexaDevice
from tests.skill.test_interaction_models import HANDLED_INTENTS, LOCALES, intents_by_name

APOLOGY = "Sorry, something went wrong."
CONTENT = load_content()
CLINIC = CONTENT.clinic


def handler_input_for(device: AlexaDevice, intent_name: str) -> HandlerInput:
    """An ask-sdk HandlerInput for an intent request built from the recorded envelope."""
    raw = device.envelope("help_intent", {"intent": {"name": intent_name, "confirmationStatus": "NONE"}})
    envelope = DefaultSerializer().deserialize(json.dumps(raw), RequestEnvelope)
    return HandlerInput(request_envelope=envelope, attributes_manager=AttributesManager(envelope))


@pytest.mark.parametrize("locale", LOCALES)
def test_every_model_intent_has_exactly_one_handler_in_every_locale(
    device_for: Callable[..., AlexaDevice], locale: str
) -> None:
    device = device_for(locale=locale)
    for name in intents_by_name(locale):
        matching = [h.__name__ for h in REQUEST_HANDLERS if h().can_handle(handler_input_for(device, name))]
        assert len(matching) == 1, f"{locale} {name}: {matching}"


def test_every_intent_handler_serves_an_intent_every_locale_declares(device: AlexaDevice) -> None:
    for handler in REQUEST_HANDLERS:
        if handler.__name__ in ("LaunchRequestHandler", "SessionEndedRequestHandler"):
            continue
        served = [name for name in HANDLED_INTENTS if handler().can_handle(handler_input_for(device, name))]
        assert served, f"{handler.__name__} handles no intent of the models"
        for locale in LOCALES:
            assert set(served) <= set(intents_by_name(locale)), (handler.__name__, locale)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("intent", HANDLED_INTENTS)
def test_every_handled_intent_answers_without_error_in_every_locale(
    device_for: Callable[..., AlexaDevice], locale: str, intent: str
) -> None:
    reply = device_for(locale=locale).intent(intent)

    assert reply.speech
    assert APOLOGY not in reply.speech
    assert reply.ends_session or reply.reprompt, "an open session needs a reprompt"


@pytest.mark.parametrize("intent", ["AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent"])
def test_exit_intents_mid_dialogue_say_goodbye_and_end(device: AlexaDevice, intent: str) -> None:
    device.describe(body_part="calf")
    reply = device.intent(intent)

    assert reply.speech.startswith("Goodbye")
    assert CLINIC["phone_spoken"] in reply.speech
    assert "9 1 1" in reply.speech
    assert reply.ends_session


def test_help_explains_then_reasks_the_pending_question(device: AlexaDevice) -> None:
    device.describe(body_part="calf", feeling="locked", context="exercise")
    reply = device.intent("AMAZON.HelpIntent")

    assert reply.speech.startswith("I tell a cramp from a spasm, and what to do.")
    assert reply.speech.endswith("Is that leg swollen, red, or warm to the touch?")
    assert reply.reprompt
    assert not reply.ends_session
    assert device.no().speech.startswith("Any chest pain"), "the dialogue carries on after help"


def test_help_at_launch_asks_which_muscle(device: AlexaDevice) -> None:
    device.launch()
    reply = device.intent("AMAZON.HelpIntent")

    assert reply.speech.endswith("Which muscle is it, and how does it feel?")
    assert not reply.ends_session


def test_fallback_says_sorry_and_reasks_the_pending_question(device: AlexaDevice) -> None:
    device.describe(body_part="calf", feeling="locked", context="exercise")
    reply = device.intent("AMAZON.FallbackIntent")

    assert reply.speech == "Sorry, I missed that. Is that leg swollen, red, or warm to the touch?"
    assert reply.reprompt == "Just yes or no. Does the leg look swollen or red, or feel warm?"
    assert device.no().speech.startswith("Any chest pain")


def test_fallback_at_launch_rephrases_where_it_hurts(device: AlexaDevice) -> None:
    device.launch()
    reply = device.intent("AMAZON.FallbackIntent")

    assert reply.speech == "Sorry, I missed that. Which muscle is it, and how does it feel?"
    assert not reply.ends_session


def test_fallback_after_verdict_reasks_the_offer(device: AlexaDevice) -> None:
    device.describe(body_part="calf", feeling="locked", context="exercise")
    device.no()
    device.no()
    reply = device.intent("AMAZON.FallbackIntent")

    assert reply.speech == "Sorry, I missed that. Want prevention tips?"
    assert device.yes().speech.startswith("One tip:")


def test_unreadable_free_text_to_a_pending_question_is_rephrased(device: AlexaDevice) -> None:
    device.describe(body_part="calf", feeling="locked", context="exercise")
    reply = device.free_text("banana telephone")  # nothing the reader knows ("purple" would be a redness word)

    assert reply.speech == "Just yes or no. Does the leg look swollen or red, or feel warm?"


def test_repeat_says_the_last_question_again(device: AlexaDevice) -> None:
    asked = device.describe(body_part="calf", feeling="locked", context="exercise")
    again = device.intent("AMAZON.RepeatIntent")

    assert again.speech == asked.speech
    assert again.reprompt == asked.reprompt


def test_start_over_forgets_the_description_and_asks_which_muscle(device: AlexaDevice) -> None:
    device.describe(body_part="calf", feeling="locked", context="exercise")
    restarted = device.intent("AMAZON.StartOverIntent")
    back = device.free_text("my back has been twitching for hours")

    assert restarted.speech.startswith("OK, let's start again. Which muscle is it?")
    assert not restarted.ends_session
    assert "calf" not in json.dumps(device.attributes["conversation"]["observations"])
    assert "groin" in back.speech


def test_tips_one_shot_says_one_tip_and_puts_all_with_the_medicine_caution_on_the_card(device: AlexaDevice) -> None:
    reply = device.intent("TipsIntent")

    assert reply.speech.startswith("One tip:") and "say text me" in reply.speech
    assert reply.speech.endswith("Should the clinic call you back?")
    assert reply.card["content"].startswith(f"Tips from {CLINIC['name']}:")
    assert "Ask a clinician before taking medicine for cramps." in reply.card["content"]
    assert "Quinine and tonic water are not for routine cramps" in reply.card["content"]
    assert not reply.ends_session


def test_contact_clinic_one_shot_speaks_number_and_puts_contact_on_card(device: AlexaDevice) -> None:
    reply = device.intent("ContactClinicIntent")

    assert reply.speech.startswith(f"{CLINIC['name']} is on {CLINIC['phone_spoken']}.")
    assert reply.card["title"] == "Cramp Check"
    assert CLINIC["phone"] in reply.card["content"]
    assert CLINIC["hours"] in reply.card["content"]
    assert reply.ends_session


@pytest.mark.parametrize(("reason", "error_type"), [("USER_INITIATED", None), ("EXCEEDED_MAX_REPROMPTS", None),
                                                    ("ERROR", "INVALID_RESPONSE")])
def test_session_ended_returns_valid_empty_response_and_logs_reason(
    device: AlexaDevice, caplog: pytest.LogCaptureFixture, reason: str, error_type: str | None
) -> None:
    device.launch()
    with caplog.at_level(logging.INFO):
        reply = device.end(reason, error_type)

    assert reply.raw["version"] == "1.0"
    assert reply.raw["response"] == {}
    assert reply.speech == ""
    ended = [r for r in caplog.records if r.name == "skill.handlers.session_ended"]
    assert ended and ended[0].reason == reason
    assert ended[0].alexa_error_type == error_type


class StoreWithABug:
    """A store that, once broken, fails with an unexpected error (not StoreUnavailable): a bug, not an outage."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.broken = False

    def __getattr__(self, name: str):
        method = getattr(self.inner, name)

        def call(*args, **kwargs):
            if self.broken:
                raise RuntimeError("unexpected failure inside the store")
            return method(*args, **kwargs)

        return call


def test_error_in_a_handler_apologises_with_emergency_advice_and_never_leaves_an_open_mic(
    skill_settings: Settings, memory_store: Store
) -> None:
    store = StoreWithABug(memory_store)
    skill = build_skill(skill_settings, store, content=KEEPING_HEALTH_DATA)
    device = AlexaDevice(lambda envelope: invoke(skill, envelope))
    device.describe(body_part="calf", feeling="locked", context="exercise")
    device.no()  # leg not swollen
    store.broken = True  # the verdict's episode is saved next
    reply = device.no()  # no chest pain or dark urine

    assert reply.speech.startswith(f"{APOLOGY} If it's severe, call 9 1 1.")
    # Either the session ends, or it asks again with a reprompt: never a silent open microphone.
    assert reply.ends_session or reply.reprompt


def test_error_for_an_unknown_intent_apologises_then_asks_which_muscle(
    device_for: Callable[..., AlexaDevice],
) -> None:
    device = device_for(locale="en-AU")
    reply = device.intent("RetiredIntentFromAnOldModel")

    assert reply.speech.startswith(f"{APOLOGY} If it's severe, call triple zero.")
    assert reply.speech.endswith("Which muscle is it, and how does it feel?")
    assert reply.reprompt
    assert not reply.ends_session


def test_logs_hold_hashed_user_request_type_intent_and_step_but_no_words_or_ids(
    device: AlexaDevice, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        device.free_text("my back has been twitching for hours")
        device.no()
        device.describe(duration="days")

    dumped = " ".join(json.dumps({k: str(v) for k, v in vars(r).items()}) for r in caplog.records)
    assert USER_ID not in dumped
    assert "twitching for hours" not in dumped
    requests = [r for r in caplog.records if r.getMessage() == "alexa request"]
    assert [r.intent for r in requests] == ["FreeTextIntent", "AMAZON.NoIntent", "DescribeSymptomIntent"]
    assert all(r.user.startswith("alexa_") and r.request_type == "IntentRequest" for r in requests)
    steps = [r for r in caplog.records if r.getMessage() == "dialogue step"]
    # Twitching on and off, said in their own word: a spasm once the spine question and how long it has been
    # coming and going are answered.
    assert [r.step for r in steps] == ["asking", "asking", "offer_tips"]
    # Every assessment names the content that gave it (issue 14), so the clinic can tell later which said what.
    assert {r.content_version for r in steps} == {CONTENT.version}



def test_error_while_ending_a_session_still_returns_an_empty_response(device: AlexaDevice) -> None:
    raw = device.envelope("session_ended_request")
    envelope = DefaultSerializer().deserialize(json.dumps(raw), RequestEnvelope)
    handler_input = HandlerInput(request_envelope=envelope, attributes_manager=AttributesManager(envelope))

    response = CatchAllExceptionHandler().handle(handler_input, RuntimeError("store went away"))

    assert response.output_speech is None
    assert response.reprompt is None


@pytest.mark.parametrize("fixture_name", ["launch_request", "help_intent"])
def test_error_outside_a_session_apologises_with_emergency_advice_and_ends(
    device_for: Callable[..., AlexaDevice], fixture_name: str
) -> None:
    device = device_for(locale="en-GB")
    envelope = device.envelope(fixture_name)
    del envelope["session"]  # as Alexa sends requests outside a session; the handlers need one, so they fail

    reply = device.post(envelope)

    assert reply.speech.startswith(f"{APOLOGY} If it's severe, call 9 9 9.")
    assert reply.ends_session
    assert not reply.reprompt
    assert "sessionAttributes" not in reply.raw


def test_error_in_a_handler_logs_its_traceback_without_the_user_id_or_words(
    device: AlexaDevice, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    said = "zanzibar quokka in my calf"

    def broken(handler_input: object, message: object) -> None:
        # A message that quotes its input, as a parsing error's does.
        raise ValueError(f"could not read {said!r} for {USER_ID}")

    monkeypatch.setattr("skill.turns.describe", broken)
    with caplog.at_level(logging.INFO):
        reply = device.free_text(said)

    assert reply.speech.startswith(APOLOGY)
    failures = [r for r in caplog.records if r.getMessage() == "unhandled error in the skill"]
    assert len(failures) == 1
    logged = json.loads(JsonFormatter().format(failures[0]))
    assert logged["error_type"] == "ValueError"
    assert "in broken" in logged["traceback"] and "in handle" in logged["traceback"]
    assert "builtins.ValueError (message not logged)" in logged["traceback"]
    for record in caplog.records:
        line = JsonFormatter().format(record)
        assert USER_ID not in line and "zanzibar" not in line and "quokka" not in line, line
