"""The conversation both channels hold: question limit, red flags first, re-asking, emergencies, stored state."""

from __future__ import annotations

import json

import pytest

from shared.conditions import holds
from shared.content import load_content
from shared.dialogue import Conversation, Event, Message, Reply, Step, Turn, interpret_answer, next_step
from shared.facts import Observations
from shared.render import render

CONTENT = load_content()
OPENINGS = ["hi", "calf cramp", "back spasm", "my hand", "cramp in the heat", "neck stiff", "stomach cramp", "thigh"]


def say(conversation: Conversation, text: str = "", **message: object) -> Turn:
    return next_step(conversation, Event.DESCRIBE, Message(text=text, **message), content=CONTENT)


def every_answer(question) -> list[str]:
    """Every reply that answers a question: yes/no, or each option's number."""
    if question.kind == "yes_no":
        return ["yes", "no"]
    return [str(number) for number in range(1, len(question.options) + 1)]


def walk_all_answers(turn: Turn, asked: tuple[str, ...], ends: list[tuple[tuple[str, ...], Turn]]) -> None:
    if turn.reply != Reply.QUESTION:
        ends.append((asked, turn))
        return
    assert len(asked) < 9, asked  # a loop guard: the limit is checked by the caller
    for reply in every_answer(turn.question):
        walk_all_answers(say(turn.conversation, reply), (*asked, turn.question.id), ends)


# --- Question limit and order ------------------------------------------------------------------------------


SAFETY = ("red_flag", "which", "confirm")


@pytest.mark.parametrize("opening", OPENINGS)
def test_dialogue_every_way_of_answering_reaches_a_verdict_within_the_question_limit(opening: str) -> None:
    ends: list[tuple[tuple[str, ...], Turn]] = []
    walk_all_answers(say(Conversation(), opening), (), ends)
    assert ends
    for asked, last in ends:
        # The limit is on questions that tell cramp from spasm; a warning sign is never left unasked for it.
        others = [question for question in asked if CONTENT.question(question).purpose not in SAFETY]
        assert len(others) <= CONTENT.max_questions, asked
        assert len(set(asked)) == len(asked), asked  # an answered question is never asked again
        # A stomach cramp is out of scope (the reader's scope): said honestly once its own warning signs are screened.
        ending = (Reply.OUT_OF_SCOPE, Reply.EMERGENCY) if opening == "stomach cramp" else (Reply.ASSESSMENT,
                                                                                           Reply.EMERGENCY)
        assert last.reply in ending
        assert last.assessment.finished


def open_red_flag_questions(observations: Observations) -> list[str]:
    return [
        q.id for q in CONTENT.questions
        if q.purpose == "red_flag" and q.id not in observations.answered
        and holds(q.ask_when, observations) and not holds(q.skip_when, observations)
    ]


def asked_turns(turn: Turn, seen: list[Turn]) -> None:
    if turn.reply != Reply.QUESTION:
        return
    seen.append(turn)
    for reply in every_answer(turn.question):
        asked_turns(say(turn.conversation, reply), seen)


@pytest.mark.parametrize("opening", OPENINGS)
def test_dialogue_red_flag_questions_come_before_distinction_questions(opening: str) -> None:
    seen: list[Turn] = []
    asked_turns(say(Conversation(), opening), seen)
    distinction_turns = [turn for turn in seen if turn.question.purpose == "distinction"]
    # "hi" names nothing to tell apart; a stomach cramp is out of scope, so no cramp-or-spasm question is asked; in
    # the heat, its own warning signs and how long it has lasted (asked there for safety) use the three questions a
    # verdict may wait for (questions.yaml).
    assert distinction_turns or opening in ("hi", "stomach cramp", "cramp in the heat")
    for turn in distinction_turns:
        # Whenever a distinction question is asked, no relevant red-flag question is still waiting.
        assert open_red_flag_questions(turn.conversation.observations) == [], turn.question.id


def test_dialogue_calf_asks_about_swelling_before_how_it_feels() -> None:
    first = say(Conversation(), "my calf cramped")
    assert first.reply == Reply.QUESTION and first.question.id == "leg_swelling"
    second = say(first.conversation, "no")
    assert second.question.purpose == "distinction"


def test_dialogue_question_passed_over_for_another_still_counts() -> None:
    turn = say(Conversation(), "hi")
    assert turn.question.id == "body_part"
    turn = say(turn.conversation, "calf")
    assert turn.question.id == "leg_swelling"
    # The person changes the subject: the leg question is moot now and counts as asked.
    turn = say(turn.conversation, "sorry, it is my lower back")
    assert turn.question.id == "back_nerve_signs"
    assert {"body_part", "leg_swelling"} <= turn.conversation.observations.answered


def test_dialogue_passed_over_red_flag_question_is_asked_again() -> None:
    turn = say(Conversation(), "my eyelid cramps in the heat")
    assert turn.question.id == "heat_danger"
    turn = say(turn.conversation, "it is my calf really")
    # Heat stroke is still unscreened: its question comes back before the calf's own.
    assert turn.question.id == "heat_danger"
    turn = say(turn.conversation, "no")
    assert turn.question.id == "leg_swelling"


# --- Answers, re-asking and relief ---------------------------------------------------------------------------


def test_dialogue_unclear_reply_re_asks_with_the_rephrased_question() -> None:
    asked = say(Conversation(), "calf cramp")
    again = say(asked.conversation, "banana")
    assert again.reply == Reply.QUESTION and again.rephrase
    assert again.question.id == asked.question.id
    assert again.conversation.pending == asked.conversation.pending
    speech = render("alexa", "question", "en-US", **again.context(), content=CONTENT)
    wording = CONTENT.language("en-US").words["questions"][again.question.id]
    assert wording["voice_rephrase"] in speech.replace("&#39;", "'")
    assert wording["voice"] not in speech.replace("&#39;", "'")
    assert "did not catch" in render("sms", "question", "en-US", **again.context(), content=CONTENT)


def test_dialogue_empty_reply_to_a_question_re_asks_it() -> None:
    asked = say(Conversation(), "calf cramp")
    again = say(asked.conversation, "")
    assert again.reply == Reply.QUESTION and again.rephrase and again.question.id == "leg_swelling"


def test_dialogue_numbered_reply_answers_a_choice_question() -> None:
    asked = say(Conversation(), "hi")
    answered = say(asked.conversation, "5")
    assert answered.conversation.observations.body_part == "hand"
    assert "body_part" in answered.conversation.observations.answered


def test_dialogue_voice_yes_answers_a_yes_no_question() -> None:
    asked = say(Conversation(), "calf cramp")
    answered = next_step(asked.conversation, Event.DESCRIBE, Message(answer="yes"), content=CONTENT)
    # Swollen, red or warm: which one? The yes makes all three possible until it is answered.
    assert {"swelling", "redness", "warmth"} <= answered.conversation.observations.possible_signs
    assert answered.question.id == "leg_swelling_which"
    which = next_step(answered.conversation, Event.DESCRIBE, Message(text="2"), content=CONTENT)
    assert which.conversation.observations.signs == {"redness"}
    assert which.assessment.urgency == "urgent"


def test_dialogue_voice_answer_that_is_not_yes_or_no_denies_nothing() -> None:
    asked = say(Conversation(), "calf cramp")
    turn = next_step(asked.conversation, Event.DESCRIBE, Message(answer="maybe"), content=CONTENT)
    assert not turn.conversation.observations.denied
    assert turn.reply == Reply.QUESTION and turn.rephrase and turn.question.id == "leg_swelling"


def test_dialogue_voice_slots_arrive_as_facts() -> None:
    message = Message(facts=Observations(body_part="hamstring"))
    turn = next_step(Conversation(), Event.DESCRIBE, message, content=CONTENT)
    assert turn.conversation.observations.body_part == "hamstring"
    assert turn.question.id == "leg_swelling"


@pytest.mark.parametrize(
    ("question_id", "reply", "expected"),
    [
        ("leg_swelling", "yes", {"possible_signs": ["swelling", "redness", "warmth"]}),
        ("hand_tingling", "yes", {"signs": ["tingling_mouth"]}),
        ("leg_swelling_which", "1 and 3", {"signs": ["swelling", "warmth"]}),
        ("leg_swelling_which", "its red", {"signs": ["redness"]}),
        ("leg_swelling", "nope", {"denied": ["swelling", "redness", "warmth"]}),
        ("leg_swelling", "no it isnt", {"denied": ["swelling", "redness", "warmth"]}),
        ("pattern", "it twitches on and off", {"pattern": "twitching"}),
        ("pattern", "1", {"pattern": "locked"}),
        ("onset", "i was running", {"contexts": ["exercise"]}),
        ("body_part", "back of thigh", {"body_part": "hamstring"}),
    ],
)
def test_dialogue_reply_maps_to_the_option_it_names(question_id: str, reply: str, expected: dict) -> None:
    assert interpret_answer(CONTENT.question(question_id), reply, CONTENT.language("en-US").lexicon) == expected


@pytest.mark.parametrize(
    ("question_id", "reply"), [("leg_swelling", "maybe later"), ("pattern", "9"), ("body_part", "")]
)
def test_dialogue_reply_that_answers_nothing_maps_to_none(question_id: str, reply: str) -> None:
    assert interpret_answer(CONTENT.question(question_id), reply, CONTENT.language("en-US").lexicon) is None


NO = {"denied": ["swelling", "redness", "warmth"]}
YES = {"possible_signs": ["swelling", "redness", "warmth"]}


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("yes", YES), ("yeah a bit swollen", YES), ("definitely", YES), ("right", YES),
        # Off the menu (issue 14): a number, "yes it is", a hedged "a bit" (a warning sign half-seen is a yes).
        ("1", YES), ("yes it is", YES), ("a bit", YES), ("kind of", YES), ("I think so", YES), ("Yeah.", YES),
        ("no", NO), ("nope", NO), ("not really", NO), ("definitely not", NO), ("yeah no", NO), ("nah its fine", NO),
        ("2", NO), ("Nope!", NO), ("it isn't", NO), ("not at all", NO),
        # Uncertainty is not a "no": the question is asked again instead of the warning signs being denied.
        ("not sure", None), ("no idea", None), ("i dont know", None), ("maybe", None), ("I don't think so", None),
        ("my right calf", None), ("3", None),
    ],
)
def test_dialogue_yes_no_reply_is_read_safely(reply: str, expected: dict | None) -> None:
    assert interpret_answer(CONTENT.question("leg_swelling"), reply, CONTENT.language("en-US").lexicon) == expected


def test_dialogue_not_sure_to_a_danger_question_re_asks_it() -> None:
    asked = say(Conversation(), "calf cramp")
    again = say(asked.conversation, "not sure")
    assert again.rephrase and again.question.id == "leg_swelling"
    assert not again.conversation.observations.denied


def test_dialogue_relief_is_given_once_as_soon_as_the_muscle_is_known() -> None:
    first = say(Conversation(), "calf cramp")
    assert first.show_relief and first.conversation.relief_given
    second = say(first.conversation, "no")
    assert not second.show_relief


def test_dialogue_hello_starts_by_asking_which_muscle() -> None:
    turn = say(Conversation(), "hello")
    assert turn.reply == Reply.QUESTION and turn.question.id == "body_part" and not turn.rephrase


def test_dialogue_full_conversation_ends_with_an_assessment() -> None:
    turn = say(Conversation(), "my calf locked up during my run")
    replies = [turn.reply]
    for reply in ("no", "no", "2 minutes"):
        if turn.reply != Reply.QUESTION:
            break
        turn = say(turn.conversation, reply)
        replies.append(turn.reply)
    assert turn.reply == Reply.ASSESSMENT
    assert turn.conversation.step == Step.OFFER_TIPS  # a bare "yes" now gets the tips, by voice or text
    assert turn.assessment.verdict == "cramp"
    assert len(replies) <= CONTENT.max_questions + 1


# --- Emergencies -------------------------------------------------------------------------------------------


def test_dialogue_emergency_in_the_first_message_skips_every_question() -> None:
    turn = say(Conversation(), "leg cramp and chest pain")
    assert turn.reply == Reply.EMERGENCY and turn.conversation.step == Step.EMERGENCY
    assert turn.question is None


@pytest.mark.parametrize(
    ("answer", "flag"),
    [("1", "chest_or_breathing"), ("2", "chest_or_breathing"), ("3", "dark_urine_after_exertion"),
     ("dark pee", "dark_urine_after_exertion")],
)
def test_dialogue_yes_to_a_danger_question_escalates_for_the_sign_confirmed(answer: str, flag: str) -> None:
    turn = say(Conversation(), "calf cramp during my run")
    turn = say(turn.conversation, "no")
    assert turn.question.id == "exertion_danger"
    which = say(turn.conversation, "yes")
    # One question bundles three emergencies: "which one?" comes next, with the emergency instruction already in it.
    assert which.reply == Reply.QUESTION and which.question.id == "exertion_danger_which"
    assert which.assessment.if_present_urgency == "emergency"
    assert "Call 911 now if you notice chest pain, trouble breathing or dark urine" in render(
        "sms", "question", "en-US", **which.context(), content=CONTENT
    )
    emergency = say(which.conversation, answer)
    # The reason named is the sign the person confirmed, not the first one the question listed.
    assert emergency.reply == Reply.EMERGENCY and emergency.assessment.red_flag == flag


def test_dialogue_yes_with_the_sign_in_the_words_escalates_at_once() -> None:
    turn = say(say(Conversation(), "calf cramp during my run").conversation, "no")
    emergency = say(turn.conversation, "yes, my pee is dark brown")
    assert emergency.reply == Reply.EMERGENCY and emergency.assessment.red_flag == "dark_urine_after_exertion"


@pytest.mark.parametrize("calm", ["actually it is fine now", "no chest pain, all good", "it was just a cramp", "no"])
def test_dialogue_emergency_is_never_downgraded_by_later_messages(calm: str) -> None:
    emergency = say(Conversation(), "my pee is dark after the marathon").conversation
    assert emergency.step == Step.EMERGENCY
    for event in (Event.DESCRIBE, Event.TIPS):
        turn = next_step(emergency, event, Message(text=calm), content=CONTENT)
        assert turn.reply == Reply.EMERGENCY and turn.assessment.urgency == "emergency"


def test_dialogue_emergency_after_a_new_body_part_is_still_an_emergency() -> None:
    emergency = say(Conversation(), "stiff neck with a fever and a bad headache").conversation
    turn = say(emergency, "and now my calf cramps")
    assert turn.reply == Reply.EMERGENCY


def test_dialogue_warning_sign_while_choosing_a_callback_time_is_not_ignored() -> None:
    verdict = say(Conversation(), "calf cramp")
    waiting = next_step(verdict.conversation, Event.CALL, content=CONTENT).conversation
    assert waiting.step == Step.CALLBACK_WINDOW
    turn = say(waiting, "my chest hurts and i cant breathe")
    assert turn.reply == Reply.EMERGENCY


def test_dialogue_callback_window_by_number_is_confirmed() -> None:
    waiting = next_step(say(Conversation(), "calf cramp").conversation, Event.CALL, content=CONTENT).conversation
    turn = say(waiting, "2")
    assert turn.reply == Reply.CALLBACK_CONFIRMED and turn.conversation.callback_window == "afternoon"


@pytest.mark.parametrize("reply", ["\u00b2", "\u0663", "\uff12", "0", "4", "99999999999999999999"])
def test_dialogue_callback_window_odd_digits_are_kept_as_words_not_raised(reply: str) -> None:
    waiting = next_step(say(Conversation(), "calf cramp").conversation, Event.CALL, content=CONTENT).conversation
    turn = say(waiting, reply)
    assert turn.reply == Reply.CALLBACK_CONFIRMED
    assert turn.conversation.callback_window not in ("morning", "afternoon", "evening")


# --- Stored state --------------------------------------------------------------------------------------------


def test_dialogue_conversation_round_trips_through_to_dict_and_json() -> None:
    turn = say(Conversation.new(recent_episodes=2), "my calf locked up for 2 mins during my run, no swelling")
    turn = say(turn.conversation, "no")
    stored = json.loads(json.dumps(turn.conversation.to_dict()))
    restored = Conversation.from_dict(stored, CONTENT)
    assert restored == turn.conversation
    # The restored conversation carries on exactly as the original would.
    assert say(restored, "2").assessment == say(turn.conversation, "2").assessment


@pytest.mark.parametrize(
    "stored", [None, {}, {"step": "bogus"}, {"turns": "many"}, {"observations": "junk"}, {"observations": []}, "junk"]
)
def test_dialogue_unreadable_stored_state_starts_afresh(stored: object) -> None:
    assert Conversation.from_dict(stored, CONTENT) == Conversation()


@pytest.mark.parametrize(
    "wrong",
    [
        {"denied": [None, "swelling"]},
        {"answered": ["leg_swelling", None, 3]},
        {"recent_episodes": None},
        {"recent_episodes": "three"},
        {"body_part": ["calf"]},
        {"duration_minutes": "long"},
        {"contexts": "exercise"},
        {"signs": 5},
    ],
)
def test_dialogue_stored_facts_of_the_wrong_type_are_dropped_not_raised(wrong: dict) -> None:
    stored = Conversation(step=Step.VERDICT, observations=Observations(body_part="calf")).to_dict()
    stored["observations"] |= wrong
    conversation = Conversation.from_dict(stored, CONTENT)
    for event in Event:
        turn = next_step(conversation, event, Message(text="calf cramp"), content=CONTENT)
        assert Conversation.from_dict(json.loads(json.dumps(turn.conversation.to_dict())), CONTENT) == turn.conversation


def test_dialogue_stored_string_context_is_kept_as_one_context() -> None:
    assert Observations.from_dict({"contexts": "exercise"}).contexts == {"exercise"}


def test_dialogue_pending_question_removed_in_a_release_is_asked_afresh() -> None:
    stored = Conversation().to_dict() | {"step": "asking", "pending": "question_removed_in_a_release"}
    turn = say(Conversation.from_dict(stored, CONTENT), "yes")
    assert turn.reply == Reply.QUESTION and turn.question.id == "body_part"


def test_dialogue_new_keeps_the_count_of_recent_episodes() -> None:
    busy = Conversation.new(recent_episodes=3)
    turn = next_step(busy, Event.NEW, content=CONTENT)
    assert turn.reply == Reply.RESTARTED
    assert turn.conversation.observations.recent_episodes == 3
    assert say(turn.conversation, "calf cramp").assessment.urgency == "routine"


@pytest.mark.parametrize(
    ("field", "junk"),
    [
        ("pending", ["onset"]),
        ("pending", {"id": "onset"}),
        ("pending", 7),
        ("pending", "question_removed_in_a_release"),
        ("turns", "3"),
        ("turns", -1),
        ("turns", True),
        ("relief_given", "no"),
        ("callback_window", ["morning"]),
        ("observations", "calf"),
    ],
)
def test_dialogue_stored_field_of_the_wrong_type_is_dropped_and_the_next_turn_answers(field: str, junk: object) -> None:
    content = load_content()
    good = Conversation(step=Step.ASKING, observations=Observations(body_part="calf"), pending="leg_swelling", turns=2)
    stored = good.to_dict() | {field: junk}

    conversation = Conversation.from_dict(stored, content)

    assert getattr(conversation, field) == getattr(Conversation(), field)
    others = {name: value for name, value in good.to_dict().items() if name != field}
    assert {name: value for name, value in conversation.to_dict().items() if name != field} == others
    for event in Event:
        turn = next_step(conversation, event, Message(text="yes"), content=content)
        assert Conversation.from_dict(turn.conversation.to_dict(), content) == turn.conversation


@pytest.mark.parametrize("step", [None, 3, "finished", ["asking"]])
def test_dialogue_stored_step_that_is_not_a_step_starts_afresh(step: object) -> None:
    stored = Conversation(step=Step.ASKING, pending="leg_swelling", turns=2).to_dict() | {"step": step}

    assert Conversation.from_dict(stored, load_content()) == Conversation()
