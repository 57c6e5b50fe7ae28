"""The dialogue paths issue 14 fixed, on the core both channels call: unsure signs, off-menu answers, questions
never sent a third time, late red flags in every state, what follows an emergency, out-of-scope cramps, and the
offers after the verdict."""

from __future__ import annotations

import pytest

from shared.content import load_content
from shared.dialogue import AFTER_VERDICT, Conversation, Event, Message, Reply, Step, Turn, next_step
from shared.facts import Observations
from shared.render import render

CONTENT = load_content()
WORDS = CONTENT.language("en-US").words


def say(conversation: Conversation, text: str = "", **message: object) -> Turn:
    return next_step(conversation, Event.DESCRIBE, Message(text=text, **message), content=CONTENT)


def facts(conversation: Conversation, **known: object) -> Turn:
    return say(conversation, facts=Observations.from_dict(known))


def sms(turn: Turn) -> str:
    name = "verdict_with_relief" if turn.reply == Reply.ASSESSMENT and turn.show_relief else turn.reply.value
    return render("sms", name, "en-US", content=CONTENT, **turn.context(), tips=turn.assessment.tip_ids)


# --- A sign the person is unsure of gets its own question next ------------------------------------------------


@pytest.mark.parametrize(
    ("known", "sign", "flag"),
    [
        ({"body_part": "calf", "possible_signs": ["swelling"]}, "swelling", "leg_swelling_redness_warmth"),
        ({"body_part": "calf", "possible_signs": ["dark_urine"]}, "dark_urine", "dark_urine_after_exertion"),
        ({"body_part": "eyelid_face", "possible_signs": ["slurred_speech"]}, "slurred_speech", "stroke_signs"),
        ({"contexts": ["heat"], "possible_signs": ["confusion"]}, "confusion", "heat_stroke_signs"),
    ],
)
def test_possible_sign_is_asked_about_next_and_a_yes_escalates_at_once(known: dict, sign: str, flag: str) -> None:
    asked = facts(Conversation(), **known)
    assert asked.reply == Reply.QUESTION and asked.question.id == f"confirm_{sign}"
    assert WORDS["signs"][sign]["confirm"] in sms(asked)
    # Meanwhile the reply says what to do if it is there: a possible sign never leaves them less warned.
    assert asked.assessment.if_present_urgency == CONTENT.red_flags[
        [f.id for f in CONTENT.red_flags].index(flag)
    ].urgency
    yes = say(asked.conversation, "yes")
    assert yes.assessment.red_flag == flag


def test_possible_sign_denied_is_settled_and_never_lowers_anything() -> None:
    known = {"body_part": "calf", "contexts": ["statin"], "possible_signs": ["swelling"]}
    asked = facts(Conversation(), **known)
    assert asked.assessment.urgency == "urgent"  # the statin's own flag, not lowered by the unsure sign
    no = say(asked.conversation, "no")
    assert "swelling" in no.conversation.observations.denied
    assert "swelling" not in no.conversation.observations.possible_signs
    assert no.assessment.urgency == "urgent"


def test_possible_clot_sign_takes_rubbing_out_of_the_relief_step_until_it_is_denied() -> None:
    asked = facts(Conversation(), body_part="calf", possible_signs=["redness"])
    assert asked.assessment.relief_id == "leg_clot_possible" and "Don't rub" in sms(asked)
    denied = say(asked.conversation, "no")
    # The relief step changed, so it is given again: now the calf's own stretch.
    assert denied.show_relief and denied.assessment.relief_id == "calf"


# --- Off-menu answers and no question a third time ----------------------------------------------------------


@pytest.mark.parametrize("answer", ["yeah", "yes it is", "a bit", "1", "kind of", "Yep!"])
def test_off_menu_yes_answers_a_sign_question(answer: str) -> None:
    asked = say(Conversation(), "cramp in my hand")
    assert asked.question.id == "hand_tingling"
    assert say(asked.conversation, answer).assessment.red_flag == "tingling_mouth_with_hand_spasm"


@pytest.mark.parametrize("answer", ["nope", "not really", "2", "nah", "no it isn't", "not at all"])
def test_off_menu_no_answers_a_sign_question(answer: str) -> None:
    asked = say(Conversation(), "cramp in my hand")
    turn = say(asked.conversation, answer)
    assert "tingling_mouth" in turn.conversation.observations.denied and turn.question.id != "hand_tingling"


def test_a_red_flag_question_is_never_sent_a_third_time_and_its_signs_stay_possible() -> None:
    asked = say(Conversation(), "calf cramp")
    again = say(asked.conversation, "not sure")
    assert again.rephrase and again.question.id == "leg_swelling"
    moved = say(again.conversation, "no idea")
    # Moved on: not asked again in any form, nothing denied, and the reply says what to do if it is there.
    assert moved.question is None or moved.question.id not in ("leg_swelling", "leg_swelling_which")
    assert not moved.question or not moved.question.id.startswith("confirm_")
    observations = moved.conversation.observations
    assert not {"swelling", "redness", "warmth"} & observations.denied
    assert {"swelling", "redness", "warmth"} <= observations.possible_signs
    assert moved.assessment.relief_id == "leg_clot_possible"
    assert "See a doctor today if you notice swelling, redness or warmth." in sms(moved)


def test_which_one_answered_twice_with_nothing_moves_on_with_the_warning_kept() -> None:
    turn = say(say(Conversation(), "calf cramp during my run").conversation, "no")
    which = say(turn.conversation, "yes")
    again = say(which.conversation, "hmm")
    assert again.rephrase and again.question.id == "exertion_danger_which"
    moved = say(again.conversation, "hmm")
    assert moved.question is None or moved.question.id != "exertion_danger_which"
    assert "Call 911 now if you notice chest pain, trouble breathing or dark urine." in sms(moved)


# --- A red flag revealed late escalates at once, whatever the state ----------------------------------------


def _states() -> dict[str, Conversation]:
    asking = say(Conversation(), "calf cramp").conversation
    which = say(asking, "yes").conversation
    verdict = say(say(say(Conversation(), "my calf locked up during my run").conversation, "no").conversation, "no")
    tips = next_step(verdict.conversation, Event.TIPS, content=CONTENT).conversation
    window = next_step(verdict.conversation, Event.CALL, content=CONTENT).conversation
    return {
        "start": Conversation(), "asking": asking, "which one": which, "offer tips": verdict.conversation,
        "offer clinic": tips, "callback window": window,
    }


@pytest.mark.parametrize("state", sorted(_states()))
@pytest.mark.parametrize("late", ["no, but now I can't breathe", "my pee is dark brown", "yes and my face is drooping"])
def test_a_red_flag_said_late_escalates_at_once_in_every_state(state: str, late: str) -> None:
    turn = say(_states()[state], late)
    assert turn.reply == Reply.EMERGENCY and turn.conversation.step == Step.EMERGENCY, (state, late)


# --- After an emergency --------------------------------------------------------------------------------------


def test_after_an_emergency_call_and_tips_repeat_the_emergency_first() -> None:
    emergency = say(Conversation(), "cramps and my chest hurts").conversation
    tips = next_step(emergency, Event.TIPS, content=CONTENT)
    assert tips.reply == Reply.EMERGENCY and sms(tips).startswith("Call 911 now.")
    call = next_step(emergency, Event.CALL, content=CONTENT)
    assert sms(call).startswith("Call 911 now: a callback cannot replace that.")
    confirmed = say(call.conversation, "1")
    assert confirmed.reply == Reply.CALLBACK_CONFIRMED
    assert sms(confirmed).startswith("Call 911 now: do not wait for this callback.")
    # Still an emergency afterwards: a later TIPS says it again.
    assert next_step(confirmed.conversation, Event.TIPS, content=CONTENT).reply == Reply.EMERGENCY


# --- Out of scope: said honestly, screened, pointed to the right help -------------------------------------------


@pytest.mark.parametrize(
    ("context", "relief"), [("period", "out_of_scope_period"), ("digestive", "out_of_scope"),
                            ("pregnancy", "out_of_scope_pregnancy")],
)
def test_tummy_period_and_pregnancy_cramps_are_out_of_scope_with_their_own_screening(context: str, relief: str) -> None:
    asked = facts(Conversation(), scope="out", body_part="abdomen", contexts=[context])
    # Their own warning signs first, not a stretch and not the muscle question.
    assert asked.reply == Reply.QUESTION and asked.question.id == "bleeding_or_belly_pain"
    assert asked.assessment.relief_id == relief and "stretch" not in WORDS["relief"][relief]
    done = say(asked.conversation, "no")
    assert done.reply == Reply.OUT_OF_SCOPE and done.assessment.verdict == "unclear"
    text = sms(done)
    assert "cramp rather than a muscle cramp, so I can't advise on it" in text and "cramp or a spasm" not in text
    assert WORDS["relief"][relief] in text  # where to get the right help
    speech = render("alexa", "out_of_scope", "en-US", content=CONTENT, **done.context())
    assert "rather than a muscle cramp" in speech and "9 1 1" in speech


def test_out_of_scope_bleeding_in_pregnancy_is_an_emergency() -> None:
    asked = facts(Conversation(), scope="out", contexts=["pregnancy"])
    which = say(asked.conversation, "yes")
    assert which.question.id == "bleeding_or_belly_pain_which"
    assert "Call 911 now if you notice bleeding." in sms(which)
    assert say(which.conversation, "1").assessment.red_flag == "pregnancy_bleeding"
    assert say(which.conversation, "2").assessment.red_flag == "pregnancy_abdominal_pain"


# --- Offers: the same decisions by voice and by text ----------------------------------------------------------


def test_verdict_offers_tips_then_a_callback_and_a_bare_no_ends_politely() -> None:
    verdict = say(say(say(Conversation(), "my calf locked up during my run").conversation, "no").conversation, "no")
    assert verdict.reply == Reply.ASSESSMENT and verdict.offer == "tips"
    tips = say(verdict.conversation, answer="yes")
    assert tips.reply == Reply.TIPS and tips.offer == "callback"
    asked = say(tips.conversation, "yes")
    assert asked.reply == Reply.CALLBACK_WINDOW and asked.offer is None
    assert say(asked.conversation, "3").conversation.callback_window == "evening"
    assert say(verdict.conversation, "no thanks").reply == Reply.GOODBYE
    assert say(tips.conversation, answer="no").reply == Reply.GOODBYE


def test_urgent_verdict_offers_a_callback() -> None:
    turn = say(Conversation(), "my calf is swollen and red")
    while turn.reply == Reply.QUESTION:
        turn = say(turn.conversation, "no")
    assert turn.assessment.urgency == "urgent" and turn.offer == "callback"
    assert say(turn.conversation, "1").reply == Reply.CALLBACK_WINDOW


def test_callback_time_question_a_spoken_no_withdraws_it_and_a_spoken_yes_asks_again() -> None:
    asked = next_step(Conversation(), Event.CALL, content=CONTENT)
    assert asked.reply == Reply.CALLBACK_WINDOW
    assert say(asked.conversation, answer="no").reply == Reply.GOODBYE
    again = say(asked.conversation, answer="yes")
    assert again.reply == Reply.CALLBACK_WINDOW and again.rephrase and again.conversation.callback_window is None
    # By text, "2" picks the afternoon: it is not a "no".
    assert say(asked.conversation, "2").conversation.callback_window == "afternoon"


def test_stored_offer_of_the_clinics_number_still_gives_the_number() -> None:
    observations = say(Conversation(), "calf cramp").conversation.observations
    stored = Conversation(step=Step.OFFER_CLINIC, observations=observations)
    assert say(stored, answer="yes").reply == Reply.CONTACT


def test_link_offer_is_held_by_the_dialogue_and_returns_to_the_question_it_interrupted() -> None:
    asking = say(Conversation(), "calf cramp").conversation
    offered = next_step(asking, Event.OFFER_LINK, content=CONTENT)
    assert offered.reply == Reply.LINK_OFFER and offered.conversation.step == Step.OFFER_LINK
    accepted = say(offered.conversation, answer="yes")
    assert accepted.reply == Reply.LINK_ACCEPTED and accepted.conversation.step == Step.ASKING
    assert accepted.conversation.pending == "leg_swelling"
    declined = say(offered.conversation, answer="no")
    assert declined.reply == Reply.LINK_DECLINED


def test_a_context_said_after_the_verdict_brings_its_own_warning_question() -> None:
    verdict = say(say(say(Conversation(), "my calf locked up during my run").conversation, "no").conversation, "no")
    assert verdict.conversation.step in AFTER_VERDICT
    heat = say(verdict.conversation, "it was a really hot day")
    assert heat.reply == Reply.QUESTION and heat.question.id == "heat_danger"
