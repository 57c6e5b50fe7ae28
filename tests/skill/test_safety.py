"""Safe to follow, by voice (issue 14): every red flag through the skill's own request handling, and a whole
dialogue for each dialogue fix, the same decisions the SMS line makes (shared/dialogue.py)."""

from __future__ import annotations

import pytest

from shared.content import load_content
from tests.red_flag_phrases import PHRASES
from tests.skill.alexa_device import AlexaDevice, Reply

CONTENT = load_content()
WORDS = CONTENT.language("en-US").words
FLAGS = {flag.id: flag for flag in CONTENT.red_flags}
LEAD = {
    "emergency": "Call 9 1 1 now.",
    "urgent": "See a doctor today.",
    "routine": "Book a check-up.",
}


def until_answered(device: AlexaDevice, first: str) -> Reply:
    """Say the first phrase, answer every question "no" (a choice question is then moved on from), return the
    verdict or emergency."""
    reply = device.free_text(first)
    for _ in range(12):
        if reply.card or reply.ends_session:
            return reply
        reply = device.no()
    raise AssertionError(f"no verdict for {first!r}: {reply.speech}")


@pytest.mark.parametrize("flag_id", sorted(PHRASES))
def test_safety_every_red_flag_said_by_voice_gets_its_urgency_and_its_own_reason(
    device: AlexaDevice, flag_id: str
) -> None:
    reply = until_answered(device, PHRASES[flag_id])
    flag = FLAGS[flag_id]
    reason = WORDS["spoken_red_flags"][flag_id]  # the short form Alexa says; the card carries the full one
    assert LEAD[flag.urgency] in reply.speech, (flag_id, reply.speech)
    assert reason[0].upper() + reason[1:] in reply.speech, (flag_id, reply.speech)
    if flag.urgency == "emergency":
        # The number first, then the session ends so nothing delays the call.
        assert reply.speech.startswith("Call 9 1 1 now.") and reply.ends_session


def test_safety_voice_calf_says_not_to_rub_before_the_clot_is_screened(device: AlexaDevice) -> None:
    first = device.describe(body_part="calf")
    which = device.yes()
    assert "Rub the calf only if it isn't swollen, red or warm." in first.speech
    assert "Don't rub or massage it." in which.speech and "rub the calf" not in which.speech.lower()
    assert which.speech.endswith("Which one? swelling, redness or warmth?")


def test_safety_voice_heat_gives_no_drink_until_heat_stroke_is_ruled_out(device: AlexaDevice) -> None:
    first = device.describe(body_part="calf", context="heat")
    after_no = device.no()
    assert "drink" not in first.speech and "sip" not in first.speech
    assert first.speech.endswith("Is anyone confused, fainting, very hot with dry skin, or being sick?")
    assert "sip water or a sports drink" in after_no.speech


def test_safety_voice_which_one_then_the_reason_confirmed(device: AlexaDevice) -> None:
    device.describe(body_part="calf", feeling="locked", context="exercise")
    device.no()
    which = device.yes()
    emergency = device.free_text("my pee is dark brown")
    assert which.speech.startswith("If there's chest pain, trouble breathing or dark urine, call 9 1 1 now.")
    assert emergency.speech.startswith("Call 9 1 1 now. Dark urine after exertion")


def test_safety_voice_off_menu_answers(device: AlexaDevice) -> None:
    device.describe(body_part="hand")
    urgent = device.free_text("a bit")
    assert urgent.speech.startswith("Call 9 1 1 now. Tingling lips")  # "a bit" of tingling is a yes


def test_safety_voice_never_asks_the_same_question_a_third_time(device: AlexaDevice) -> None:
    first = device.describe(body_part="calf")
    second = device.intent("AMAZON.FallbackIntent")
    third = device.free_text("I'm not sure")
    question = "Is that leg swollen, red, or warm to the touch?"
    assert first.speech.endswith(question)
    assert second.speech == f"Sorry, I missed that. {question}"
    assert "swollen, red, or warm" not in third.speech.split("If there's")[0]
    assert "If there's swelling, redness or warmth, see a doctor today." in third.speech


def test_safety_voice_first_answer_has_a_relief_step_even_with_no_muscle_named(device: AlexaDevice) -> None:
    reply = device.free_text("it really hurts")
    assert reply.speech.startswith(WORDS["relief"]["unknown"])
    assert reply.speech.endswith(WORDS["questions"]["body_part"]["voice"])


def test_safety_voice_red_flag_said_after_the_verdict_escalates(device: AlexaDevice) -> None:
    device.describe(body_part="calf", feeling="locked", context="exercise")
    device.no()
    verdict = device.no()
    late = device.free_text("now I can't breathe")
    assert verdict.speech.endswith("Want prevention tips?")
    assert late.speech.startswith("Call 9 1 1 now.") and late.ends_session


def test_safety_voice_offers_follow_the_shared_dialogue(device: AlexaDevice) -> None:
    device.describe(body_part="calf", feeling="locked", context="exercise")
    device.no()
    device.no()
    tips = device.yes()
    declined = device.no()
    assert tips.speech.startswith("One tip:") and tips.raw["sessionAttributes"]["conversation"]["step"] == (
        "offer_callback"
    )
    assert tips.speech.endswith("Should the clinic call you back?")
    assert declined.ends_session and CONTENT.clinic["phone_spoken"] in declined.speech


def test_safety_voice_strain_and_hamstring_relief(device_for) -> None:
    strain = device_for().describe(body_part="hamstring", context="injury")
    hamstring = device_for().describe(body_part="hamstring")
    assert "No heat or massage for 2 to 3 days." in strain.speech
    assert "lean forward from your hips" in hamstring.speech


@pytest.mark.parametrize(
    "said",
    ["j'ai une crampe au mollet depuis dix minutes et ça fait très mal",
     "tengo un calambre en la pierna desde hace una hora y me duele mucho"],
)
def test_safety_voice_another_language_gets_the_emergency_number_and_no_self_care(device: AlexaDevice,
                                                                                   said: str) -> None:
    reply = device.free_text(said)
    assert reply.speech.startswith("Sorry, I can only understand English. If this is an emergency, call 9 1 1 now.")
    relief = WORDS["relief"]["calf"]
    assert relief not in reply.speech and not reply.ends_session
    # The next answer in English is read as usual: the relief step comes once the message is understood.
    assert relief in device.free_text("my calf is cramping").speech


def test_safety_voice_another_language_with_a_shared_warning_word_is_still_an_emergency(device: AlexaDevice) -> None:
    reply = device.free_text("tengo un calambre en la pierna y no puedo respirar bien")
    assert reply.speech.startswith("Call 9 1 1 now.") and reply.ends_session
