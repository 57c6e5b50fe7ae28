"""The try-it speaker's stand-in for Alexa's language understanding and request format."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from server.alexa_simulator import (
    SpeakerSession,
    build_envelope,
    choose_intent,
    intent_request,
    speech_of,
    ssml_to_text,
    strip_invocation,
)
from shared.speech import spoken_seconds


def resolved(choice, slot: str) -> str:
    """The canonical id Alexa's entity resolution would give the slot."""
    return choice.slots[slot]["resolutions"]["resolutionsPerAuthority"][0]["values"][0]["value"]["id"]


@pytest.mark.parametrize(
    ("words", "intent"),
    [
        ("tips", "TipsIntent"),
        ("call the clinic", "ContactClinicIntent"),
        ("Text me that!", "TextMeIntent"),
        ("forget my history", "ForgetHistoryIntent"),
        ("yes", "AMAZON.YesIntent"),
        ("Nope.", "AMAZON.NoIntent"),
        ("stop", "AMAZON.StopIntent"),
        ("start over", "AMAZON.StartOverIntent"),
        ("help", "AMAZON.HelpIntent"),
    ],
)
def test_choose_intent_fixed_phrases_map_to_their_intent(words: str, intent: str) -> None:
    assert choose_intent(words).name == intent


def test_choose_intent_symptom_sample_resolves_every_slot_to_its_id() -> None:
    choice = choose_intent("My calf has been locked for ten minutes")
    assert choice.name == "DescribeSymptomIntent"
    assert resolved(choice, "body_part") == "calf"
    assert resolved(choice, "feeling") == "locked"
    assert resolved(choice, "duration") == "over_10_minutes"
    assert "value" not in choice.slots["context"]


def test_choose_intent_synonym_resolves_to_the_canonical_value() -> None:
    choice = choose_intent("my calf locked after my run")
    assert resolved(choice, "context") == "after_exercise"


def test_choose_intent_unlisted_words_go_whole_to_free_text() -> None:
    # A red-flag detail must reach the skill intact, not be cut down to the slot words of a symptom sample.
    choice = choose_intent("my calf is locked and my foot went numb")
    assert choice.name == "FreeTextIntent"
    assert choice.slots["description"]["value"] == "my calf is locked and my foot went numb"


def test_choose_intent_carrier_phrase_keeps_only_the_description() -> None:
    choice = choose_intent("it feels like a burning pain down my leg")
    assert choice.name == "FreeTextIntent"
    assert choice.slots["description"]["value"] == "a burning pain down my leg"


@pytest.mark.parametrize(
    ("said", "words", "only_opening"),
    [
        ("Alexa, open Cramp Check", "", True),
        ("cramp check", "", True),
        ("alexa ask cramp check about a calf cramp", "a calf cramp", False),
        ("tell cramp check my back keeps twitching", "my back keeps twitching", False),
        ("my calf", "my calf", False),
    ],
)
def test_strip_invocation_wake_word_and_skill_name_are_removed(said: str, words: str, only_opening: bool) -> None:
    assert strip_invocation(said) == (words, only_opening)


def test_build_envelope_carries_session_attributes_and_user() -> None:
    session = SpeakerSession()
    session.begin()
    session.attributes = {"step": "asking"}
    envelope = build_envelope(session, intent_request(choose_intent("tips")), new=False, skill_id="amzn1.ask.skill.x",
                              now=datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    assert envelope["session"]["attributes"] == {"step": "asking"}
    assert envelope["session"]["new"] is False
    assert envelope["context"]["System"]["user"]["userId"] == session.user_id
    assert envelope["context"]["System"]["application"]["applicationId"] == "amzn1.ask.skill.x"
    assert envelope["request"]["timestamp"] == "2026-11-25T12:00:00Z"
    assert envelope["request"]["intent"]["name"] == "TipsIntent"


def test_ssml_to_text_drops_tags_and_unescapes() -> None:
    assert ssml_to_text("<speak>Rest &amp; stretch.<break time='300ms'/>Call <say-as>9 1 1</say-as>.</speak>") == (
        "Rest & stretch. Call 9 1 1."
    )


def test_speech_of_reads_speech_reprompt_and_end() -> None:
    response = {
        "version": "1.0",
        "sessionAttributes": {"a": 1},
        "response": {
            "outputSpeech": {"type": "SSML", "ssml": "<speak>Hello</speak>"},
            "reprompt": {"outputSpeech": {"type": "SSML", "ssml": "<speak>Still there?</speak>"}},
            "shouldEndSession": False,
        },
    }
    answer = speech_of(response)
    assert answer["speech"] == "Hello" and answer["reprompt"] == "Still there?"
    assert answer["ends_session"] is False and answer["attributes"] == {"a": 1}


def test_speech_of_gives_the_seconds_alexa_takes_to_say_speech_and_reprompt() -> None:
    said = "<speak>Call <say-as interpret-as='digits'>911</say-as> now.<break time='2s'/>Then rest.</speak>"
    asked = "<speak><p>Is it still tight?</p></speak>"
    answer = speech_of({"response": {"outputSpeech": {"type": "SSML", "ssml": said},
                                     "reprompt": {"outputSpeech": {"type": "SSML", "ssml": asked}}}})

    # The one measure (shared/speech.py): five words at 150 a minute and the two-second break.
    assert answer["seconds"] == spoken_seconds(said) == 4.0
    assert answer["reprompt_seconds"] == spoken_seconds(asked) > 0
    assert speech_of({"response": {"outputSpeech": {"type": "SSML", "ssml": said}}})["reprompt_seconds"] == 0
