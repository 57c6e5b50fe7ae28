"""Whole voice dialogues through the real /alexa endpoint, signed as Alexa signs them (issue 15): misses that never
loop, stop and cancel mid-question, repeat, start over, and the answer slot Alexa is asked to expect."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ask_sdk_core.skill import CustomSkill

from server.alexa_endpoint import AlexaWebApp
from server.alexa_verification import RequestVerifier
from shared.config import Settings
from shared.content import load_content
from shared.speech import spoken_seconds
from shared.stores import Store, store_from_settings
from skill.app import build_skill
from tests.skill.alexa_ca import build_ca
from tests.skill.alexa_device import NOW, SKILL_ID, AlexaDevice, Reply
from tests.skill.test_interaction_models import intents_by_name

CONTENT = load_content()
WORDS = CONTENT.language("en-US").words
CLINIC = CONTENT.clinic


@pytest.fixture
def echo(tmp_path: Path) -> AlexaDevice:
    """A US Echo whose every request is signed and posted to the web endpoint's handle()."""
    settings = Settings(store="memory", data_dir=tmp_path, alexa_skill_id=SKILL_ID, hash_salt="voice-dialogues")
    store: Store = store_from_settings("memory")
    skill: CustomSkill = build_skill(settings, store)
    ca = build_ca(NOW)
    signer = ca.issue_signing_identity()
    verifier = RequestVerifier(
        SKILL_ID, trusted_roots=[ca.root_cert], fetch_pem=lambda url: signer.chain_pem(), now=lambda: NOW
    )
    app = AlexaWebApp(settings, skill, verifier)

    def send(envelope: dict) -> dict:
        body = json.dumps(envelope).encode()
        status, reply = app.handle(signer.headers(body), body)
        assert status == 200, reply
        return reply

    return AlexaDevice(send)


def directives(reply: Reply) -> list[dict]:
    """The directives of a response."""
    return reply.response.get("directives") or []


def elicited(reply: Reply) -> str | None:
    """The slot a response asks Alexa to expect next (Dialog.ElicitSlot), if any."""
    found = [d for d in directives(reply) if d["type"] == "Dialog.ElicitSlot"]
    return found[0]["slotToElicit"] if found else None


# --- Misses: sorry, then other words with an example, then a polite end ------------------------------------


def test_three_misses_at_a_question_sorry_then_an_example_then_the_clinic_number_on_a_card(echo: AlexaDevice) -> None:
    echo.launch()
    asked = echo.describe(body_part="calf", feeling="stiff")  # relief, then the leg question
    question = asked.speech.split(". ")[-1]
    first = echo.intent("AMAZON.FallbackIntent")
    second = echo.intent("AMAZON.FallbackIntent")
    third = echo.intent("AMAZON.FallbackIntent")

    assert first.speech == f"Sorry, I missed that. {question}"
    assert second.speech.startswith("Sorry.") and question not in second.speech
    assert second.speech.removeprefix("Sorry. ") == second.reprompt
    assert "yes or no" in second.speech.lower()  # the example of an answer
    assert third.ends_session and not third.reprompt
    assert CLINIC["phone"] in third.card["content"]
    assert "9 1 1" in third.speech
    said = [reply.speech for reply in (asked, first, second)]
    assert sum(question in text for text in said) == 2, "never the same prompt three times"


def test_misses_at_launch_rephrase_with_an_example_then_end(echo: AlexaDevice) -> None:
    welcome = echo.launch()
    first = echo.intent("AMAZON.FallbackIntent")
    second = echo.intent("AMAZON.FallbackIntent")
    third = echo.intent("AMAZON.FallbackIntent")

    assert welcome.speech.endswith("Which muscle is it, and how does it feel?")
    assert first.speech == "Sorry, I missed that. Which muscle is it, and how does it feel?"
    assert "for example" in second.speech.lower() and "Which muscle is it" not in second.speech
    assert third.ends_session and CLINIC["phone"] in third.card["content"]


def test_a_miss_then_an_answer_starts_the_count_again(echo: AlexaDevice) -> None:
    echo.describe(body_part="calf", feeling="locked", context="exercise")
    echo.intent("AMAZON.FallbackIntent")
    echo.intent("AMAZON.FallbackIntent")
    answered = echo.no()
    after = echo.intent("AMAZON.FallbackIntent")

    assert not answered.ends_session
    assert after.speech.startswith("Sorry, I missed that.") and not after.ends_session


def test_misses_at_the_offer_after_a_verdict_never_loop(echo: AlexaDevice) -> None:
    echo.describe(body_part="calf", feeling="locked", context="exercise")
    echo.no()
    verdict = echo.no()
    misses = [echo.intent("AMAZON.FallbackIntent") for _ in range(3)]

    assert verdict.speech.endswith("Want prevention tips?")
    assert misses[0].speech == "Sorry, I missed that. Want prevention tips?"
    assert misses[1].speech.startswith("Sorry.") and "say yes" in misses[1].speech.lower()
    assert misses[2].ends_session


# --- Stop, cancel, repeat, start over -----------------------------------------------------------------------


@pytest.mark.parametrize("intent", ["AMAZON.StopIntent", "AMAZON.CancelIntent"])
def test_stop_or_cancel_mid_question_ends_at_once(echo: AlexaDevice, intent: str) -> None:
    echo.describe(body_part="calf", feeling="locked", context="exercise")
    reply = echo.intent(intent)

    assert reply.ends_session and not reply.reprompt
    assert "?" not in reply.speech
    assert spoken_seconds(reply.ssml) <= 8
    assert "9 1 1" in reply.speech


def test_repeat_says_the_last_answer_again_word_for_word(echo: AlexaDevice) -> None:
    first = echo.describe(body_part="calf", feeling="locked", context="exercise")
    again = echo.intent("AMAZON.RepeatIntent")
    echo.no()
    echo.no()
    tips = echo.yes()
    tips_again = echo.intent("AMAZON.RepeatIntent")
    clinic = echo.yes()

    assert again.speech == first.speech and again.reprompt == first.reprompt
    assert tips_again.speech == tips.speech
    assert CLINIC["phone_spoken"] in clinic.speech, "a repeat answers nothing: the offer is still open"


def test_start_over_mid_dialogue_starts_a_new_episode(echo: AlexaDevice) -> None:
    echo.describe(body_part="calf", feeling="locked", context="exercise")
    echo.no()
    restarted = echo.intent("AMAZON.StartOverIntent")
    back = echo.free_text("my lower back is in spasm")

    assert restarted.speech.startswith("OK, let's start again.") and not restarted.ends_session
    observations = echo.attributes["conversation"]["observations"]
    assert observations["body_part"] == "lower_back"
    assert not observations.get("pattern") and not observations.get("contexts"), "nothing of the calf is kept"
    assert back.speech.startswith(WORDS["relief"]["lower_back"])


# --- One-word answers: Alexa is told which slot holds the answer -------------------------------------------


def test_a_choice_question_asks_alexa_for_its_answer_slot_and_a_bare_answer_moves_on(echo: AlexaDevice) -> None:
    echo.describe(body_part="calf")
    pattern = echo.no()  # not swollen: how does it feel?
    assert elicited(pattern) == "feeling"
    [directive] = directives(pattern)
    assert directive["updatedIntent"]["name"] == "DescribeSymptomIntent"
    # The updated intent carries exactly the slots the model gives DescribeSymptomIntent.
    model_slots = {slot["name"] for slot in intents_by_name("en-US")["DescribeSymptomIntent"]["slots"]}
    assert set(directive["updatedIntent"]["slots"]) == model_slots >= {"body_part", "feeling", "duration", "context"}

    onset = echo.elicited(feeling="locked")  # "a hard knot", heard as the elicited slot
    assert onset.speech != pattern.speech and "Sorry" not in onset.speech
    assert echo.attributes["conversation"]["observations"]["pattern"] == "locked"
    assert elicited(onset) == "context"

    after = echo.elicited(context="exercise")  # "during exercise"
    assert echo.attributes["conversation"]["observations"]["contexts"] == ["exercise"]
    assert after.speech.startswith("Any chest pain")
    assert elicited(after) is None, "a yes/no question is answered by the Yes and No intents"


def test_where_it_hurts_is_elicited_after_an_intent_but_never_after_launch(echo: AlexaDevice) -> None:
    welcome = echo.launch()
    helped = echo.intent("AMAZON.HelpIntent")
    asked = echo.free_text("it really hurts")

    assert not directives(welcome), "Dialog directives are refused in reply to a LaunchRequest"
    assert elicited(helped) is None, "nothing is pending before the first description"
    assert elicited(asked) == "body_part"
    answered = echo.elicited(body_part="hamstring")
    assert echo.attributes["conversation"]["observations"]["body_part"] == "hamstring"
    assert WORDS["relief"]["hamstring"] in answered.speech
