"""The engine uses every distinction of the clinic's article, screens every red flag, and never downgrades one.

Article = shared/seed "Muscle spasms vs. muscle cramps", sections "Key Distinctions" (causes, onset,
duration, recurrence) and "Comparing Their Similarities" (sensation, pain, duration, muscle groups).
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from shared.content import Question, load_content
from shared.facts import Observations
from shared.reader import read
from shared.triage import Assessment, apply_answer, assess, if_present, next_question
from tests.shared.builders import EMERGENCY_FLAGS, RED_FLAGS, observations_satisfying, rank

CONTENT = load_content()
LEXICON = CONTENT.language("en-US").lexicon
# Enough facts that no red-flag question is still open, so only distinction questions remain.
NO_LEG_FLAGS = frozenset({"swelling", "redness", "warmth", "chest_pain", "breathless", "dark_urine"})
LEG_QUESTIONS_DONE = frozenset({"leg_swelling", "exertion_danger"})


WORDS = CONTENT.language("en-US").words


def reasons(result: Assessment) -> list[str]:
    """The reasons behind the verdict, in the base language's words."""
    return [WORDS["reasons"][rule] for rule in result.reason_ids]


def relief(result: Assessment) -> str:
    """The relief step, in the base language's words."""
    return WORDS["relief"][result.relief_id]


def next_of(result: Assessment) -> Question | None:
    """The next question to ask."""
    return CONTENT.question(result.next_question_id) if result.next_question_id else None


def obs(**facts: object) -> Observations:
    return Observations.from_dict(facts)


def verdict_of(**facts: object) -> str:
    return assess(obs(**facts), CONTENT).verdict


# --- What each word means (article: "What Are Muscle Spasms / Cramps?") ------------------------------------


def test_verdict_one_hard_knot_that_will_not_let_go_points_to_cramp() -> None:
    result = assess(obs(pattern="locked"), CONTENT)
    assert result.verdict == "cramp"
    assert "the muscle is one hard, tight knot that will not let go" in reasons(result)


def test_verdict_tightening_and_letting_go_on_and_off_points_to_spasm() -> None:
    result = assess(obs(pattern="twitching"), CONTENT)
    assert result.verdict == "spasm"
    assert "it tightens and lets go, on and off" in reasons(result)


def test_verdict_stiff_guarding_muscle_points_to_spasm() -> None:
    # Key Distinctions, Causes: spasms are "a protective response" to a strain.
    assert verdict_of(pattern="stiff") == "spasm"


# --- Key Distinctions: Causes -------------------------------------------------------------------------------


def test_verdict_after_a_fall_or_strain_points_to_spasm() -> None:
    result = assess(obs(contexts=["injury"]), CONTENT)
    assert result.verdict == "spasm"
    assert any("fall" in reason for reason in reasons(result))


def test_verdict_nerve_problem_points_to_spasm() -> None:
    assert verdict_of(contexts=["nerve"]) == "spasm"


def test_verdict_underlying_condition_tips_a_lifting_episode_to_spasm() -> None:
    # Weighted lightly (issue 14, disputed): on its own it decides nothing.
    assert verdict_of(contexts=["condition"]) == "unclear"
    assert verdict_of(contexts=["lifting"]) == "unclear"
    assert verdict_of(contexts=["lifting", "condition"]) == "spasm"


@pytest.mark.parametrize("cause", ["fatigue", "dehydration", "heat"])
def test_verdict_fatigue_or_fluid_loss_tips_a_cramp_the_person_names_to_cramp(cause: str) -> None:
    # Key Distinctions, Causes: cramps come from fatigue or overuse, and dehydration upsets electrolytes. The
    # person's own word "cramp" is weak evidence (issue 14): it decides nothing alone, but adds up.
    assert verdict_of(called_it="cramp") == "unclear"
    assert verdict_of(called_it="cramp", contexts=[cause]) == "cramp"


# --- Key Distinctions: Onset Of Symptoms -------------------------------------------------------------------


@pytest.mark.parametrize("context", ["exercise", "after_exercise"])
def test_verdict_during_or_right_after_exertion_points_to_cramp(context: str) -> None:
    result = assess(obs(contexts=[context]), CONTENT)
    assert result.verdict == "cramp"
    assert "it came on during or right after exertion" in reasons(result)


def test_verdict_out_of_nowhere_at_rest_tips_toward_spasm() -> None:
    # Onset: "muscle spasms may occur spontaneously" (disputed by NHS and AAFP, so weighted lightly).
    assert verdict_of(called_it="spasm") == "unclear"
    assert verdict_of(contexts=["rest"]) == "unclear"
    assert verdict_of(called_it="spasm", contexts=["rest"]) == "spasm"


def test_verdict_twitching_in_sleep_is_a_spasm_not_a_night_cramp() -> None:
    # Article: "a sudden twitching in the leg during sleep can be a spontaneous muscle spasm".
    result = assess(obs(pattern="twitching", contexts=["sleep"]), CONTENT)
    assert result.verdict == "spasm"
    assert "onset_night_in_bed" not in result.fired_rules


def test_verdict_locked_knot_in_bed_is_a_night_cramp() -> None:
    # Departure noted in rules.yaml: the article is silent; the fact sheet says most leg cramps strike at night.
    result = assess(obs(pattern="locked", contexts=["sleep"]), CONTENT)
    assert result.verdict == "cramp"
    assert "onset_night_in_bed" in result.fired_rules


def test_verdict_heavy_lifting_tips_toward_spasm() -> None:
    # Onset: heavy lifting can provoke spasms. (The article also lists vigorous exercise; the content follows
    # its cramp section instead, where cramps "typically occur during or after intense physical activity".)
    assert verdict_of(called_it="spasm") == "unclear"
    assert verdict_of(called_it="spasm", contexts=["lifting"]) == "spasm"


# --- Key Distinctions: Duration Of Pain (content decision: listed for the clinician, not counted) ------------


def test_verdict_duration_alone_never_decides() -> None:
    # rules.yaml, CONTENT DECISION (duration): the article contradicts itself and the stronger sources.
    for minutes in (0.1, 2, 9, 15, 60, 240, 5000):
        assert verdict_of(duration_minutes=minutes) == "unclear", minutes


@pytest.mark.parametrize(
    ("minutes", "rule", "base"), [(2, "duration_short", "fatigue"), (180, "duration_long", "lifting")]
)
def test_verdict_duration_is_traced_but_not_counted_until_a_clinician_decides(
    minutes: float, rule: str, base: str
) -> None:
    # Issue 14: listed at weight 0 (disputed): the trace shows it fired, the verdict and its reasons ignore it.
    result = assess(obs(duration_minutes=minutes, contexts=[base]), CONTENT)
    assert rule in result.fired_rules and rule not in result.reason_ids
    assert result.verdict == verdict_of(contexts=[base]) == "unclear"


def test_verdict_pattern_outweighs_duration_both_ways() -> None:
    assert verdict_of(pattern="locked", duration_minutes=240) == "cramp"
    assert verdict_of(pattern="twitching", duration_minutes=1) == "spasm"


# --- Key Distinctions: Recurrence --------------------------------------------------------------------------


def test_verdict_cramps_coming_back_with_exertion_or_at_night_tip_to_cramp() -> None:
    assert verdict_of(contexts=["sleep"]) == "unclear"
    result = assess(obs(contexts=["sleep"], recurrence="recurring"), CONTENT)
    assert result.verdict == "cramp"
    assert "recurs_with_exertion" in result.fired_rules


def test_verdict_spasms_recurring_with_an_underlying_condition_point_to_spasm() -> None:
    assert verdict_of(recurrence="recurring", contexts=["condition", "rest"]) == "spasm"


@pytest.mark.parametrize("facts", [{"recurrence": "frequent"}, {"recent_episodes": 3}])
def test_urgency_cramps_that_keep_coming_back_suggest_a_check_up(facts: dict) -> None:
    # Article, "Get Proper Treatment": recurring cramps or spasms deserve a medical evaluation.
    result = assess(obs(**facts), CONTENT)
    assert result.urgency == "routine"
    assert result.red_flag == "frequent_or_sleep_disturbing"


# --- Comparing Their Similarities -----------------------------------------------------------------------------

SAMPLES = [
    {},
    {"pattern": "locked"},
    {"pattern": "twitching"},
    {"contexts": ["exercise"], "duration_minutes": 2},
    {"contexts": ["injury"], "duration_minutes": 300},
    {"contexts": ["sleep"], "recurrence": "recurring"},
]


@pytest.mark.parametrize("facts", SAMPLES)
@pytest.mark.parametrize("severity", ["mild", "severe"])
def test_verdict_pain_severity_never_changes_it(facts: dict, severity: str) -> None:
    # Similarities, Contraction Sensations / Pain And Discomfort: both range from mild to severe.
    assert verdict_of(**facts, severity=severity) == verdict_of(**facts)


@pytest.mark.parametrize("facts", SAMPLES)
@pytest.mark.parametrize("body_part", ["calf", "hamstring", "quadriceps", "foot", "hand", "lower_back"])
def test_verdict_muscle_group_never_changes_it(facts: dict, body_part: str) -> None:
    # Similarities, Muscle Groups Affected: calves, thighs, feet, hands and back for both.
    assert verdict_of(**facts, body_part=body_part) == verdict_of(**facts)


def test_verdict_eyelid_flicker_is_the_one_body_part_that_counts() -> None:
    # Departure noted in rules.yaml: an eyelid or face flicker is a twitch (myokymia), never a cramp.
    assert verdict_of(body_part="eyelid_face") == "spasm"


def test_verdict_mixed_signals_are_honestly_unclear() -> None:
    result = assess(obs(pattern="locked", contexts=["injury", "lifting"]), CONTENT)
    assert result.verdict == "unclear"
    assert result.strength == "mixed"  # said as "the signs are mixed"
    # With nothing that separates them, it is "not enough to tell yet", never "mixed" (issue 14).
    assert assess(obs(body_part="calf"), CONTENT).strength == "none"
    assert assess(obs(called_it="cramp"), CONTENT).strength == "none"


def test_verdict_reasons_given_all_point_the_same_way() -> None:
    result = assess(obs(pattern="locked", contexts=["exercise", "injury"], duration_minutes=2), CONTENT)
    assert result.verdict == "cramp"
    assert "it followed a fall, twist or strain, and muscles tighten to protect an injury" not in reasons(result)
    assert "onset_after_injury" in result.fired_rules
    assert reasons(result)[0] == "the muscle is one hard, tight knot that will not let go"


# --- Red flags ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("flag", RED_FLAGS, ids=[flag.id for flag in RED_FLAGS])
def test_red_flag_each_escalates_to_its_urgency_with_its_reason(flag) -> None:
    result = assess(observations_satisfying(flag.when), CONTENT)
    assert result.red_flag == flag.id
    assert result.urgency == flag.urgency
    assert WORDS["red_flags"][result.red_flag]


@pytest.mark.parametrize("flag", EMERGENCY_FLAGS, ids=[flag.id for flag in EMERGENCY_FLAGS])
def test_red_flag_emergency_asks_nothing_more(flag) -> None:
    result = assess(observations_satisfying(flag.when), CONTENT)
    assert result.finished
    assert result.next_question_id is None


@pytest.mark.parametrize("flag", EMERGENCY_FLAGS, ids=[flag.id for flag in EMERGENCY_FLAGS])
@pytest.mark.parametrize("other", RED_FLAGS, ids=[flag.id for flag in RED_FLAGS])
def test_red_flag_emergency_is_not_downgraded_by_any_other_finding(flag, other) -> None:
    emergency = observations_satisfying(flag.when)
    calm = Observations(
        body_part="calf", pattern="locked", duration_minutes=1, severity="mild", recurrence="first",
        contexts=frozenset({"exercise"}), denied=frozenset(NO_LEG_FLAGS), answered=LEG_QUESTIONS_DONE,
    )
    # Added findings, not a corrected muscle: where the emergency rests on the body part, it is kept.
    keep_part = {"body_part": None} if emergency.body_part else {}
    for extra in (observations_satisfying(other.when), calm):
        assert assess(emergency.merge(replace(extra, **keep_part)), CONTENT).urgency == "emergency"
        # Said the other way round: a later "no" to a sign already reported does not cancel it.
        assert assess(extra.merge(emergency), CONTENT).urgency == "emergency"


def test_red_flag_later_denial_never_cancels_a_reported_sign() -> None:
    reported = obs(body_part="calf", signs=["swelling"])
    after_no = apply_answer(reported, CONTENT.question("leg_swelling").on_no, "leg_swelling")
    assert assess(after_no, CONTENT).urgency == "urgent"
    assert "swelling" in after_no.signs


def test_red_flag_leg_swelling_in_the_back_is_not_a_clot_warning() -> None:
    assert assess(obs(body_part="lower_back", signs=["swelling"]), CONTENT).urgency == "self_care"
    assert assess(obs(body_part="calf", signs=["swelling"]), CONTENT).urgency == "urgent"


def test_red_flag_nothing_worrying_is_self_care() -> None:
    result = assess(obs(body_part="calf", pattern="locked", contexts=["exercise"]), CONTENT)
    assert result.urgency == "self_care"
    assert result.red_flag is None


# --- Next question -----------------------------------------------------------------------------------------


def test_next_question_unknown_muscle_asks_where_first() -> None:
    assert assess(Observations(), CONTENT).next_question_id == "body_part"


@pytest.mark.parametrize(
    ("facts", "question_id"),
    [
        ({"body_part": "calf"}, "leg_swelling"),
        ({"body_part": "lower_back"}, "back_nerve_signs"),
        ({"body_part": "neck_shoulder"}, "neck_fever"),
        ({"body_part": "hand"}, "hand_tingling"),
        ({"body_part": "abdomen"}, "exertion_danger"),
        # Heat stroke is screened first, before any drink is suggested (CDC) [S25].
        ({"body_part": "hand", "contexts": ["heat"]}, "heat_danger"),
        ({"body_part": "eyelid_face", "contexts": ["heat"]}, "heat_danger"),
    ],
)
def test_next_question_red_flag_question_for_the_body_part_comes_before_distinctions(
    facts: dict, question_id: str
) -> None:
    assert assess(obs(**facts), CONTENT).next_question_id == question_id


def test_next_question_distinctions_follow_once_red_flags_are_answered() -> None:
    state = obs(body_part="calf", denied=sorted(NO_LEG_FLAGS), answered=["leg_swelling"])
    assert next_of(assess(state, CONTENT)).purpose == "distinction"


def test_next_question_skips_a_question_whose_answer_cannot_change_the_verdict() -> None:
    settled = Observations(
        body_part="calf", pattern="locked", contexts=frozenset({"exercise"}),
        denied=NO_LEG_FLAGS, answered=LEG_QUESTIONS_DONE,
    )
    # Any duration would leave a locked knot during a run a cramp, so the duration question is not asked.
    assert settled.duration_minutes is None
    assert assess(settled, CONTENT).verdict == "cramp"
    assert assess(settled, CONTENT).next_question_id is None
    assert assess(settled, CONTENT).finished


def test_next_question_none_after_the_question_limit() -> None:
    answered = frozenset(q.id for q in CONTENT.questions[: CONTENT.max_questions])
    assert assess(Observations(answered=answered), CONTENT).next_question_id is None
    assert next_question(Observations(answered=answered), "unclear", "self_care", CONTENT) is None


# --- Relief and tips ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("body_part", sorted(set(CONTENT.relief) - {"unknown"}))
def test_relief_each_body_part_gets_its_own_step(body_part: str) -> None:
    assert assess(obs(body_part=body_part), CONTENT).relief_id == body_part


def test_relief_heat_overrides_the_body_part_step() -> None:
    step = relief(assess(obs(body_part="calf", contexts=["heat"]), CONTENT))
    assert "somewhere cool" in step


def test_relief_pregnant_calf_is_told_not_to_yank_the_toes() -> None:
    assert "without yanking them" in relief(assess(obs(body_part="calf", contexts=["pregnancy"]), CONTENT))


def test_tips_twitch_triggers_only_for_spasms() -> None:
    assert "twitch_triggers" in assess(obs(pattern="twitching"), CONTENT).tip_ids
    assert "twitch_triggers" not in assess(obs(pattern="locked"), CONTENT).tip_ids


def test_assessment_holds_keys_not_sentences_so_any_language_can_word_it() -> None:
    result = assess(obs(body_part="calf", pattern="locked", signs=["swelling"]), CONTENT)
    data = result.to_dict()
    json.dumps(data)
    assert data["reason_ids"] == ("pattern_locked",) and data["red_flag"] == "leg_swelling_redness_warmth"
    assert data["relief_id"] == "leg_clot_possible" and data["observations"]["body_part"] == "calf"
    keys = [value for name, value in data.items() if name != "observations"]
    words = [item for value in keys for item in (value if isinstance(value, tuple) else [value])]
    assert all(item is None or re.fullmatch(r"[a-z0-9_]+", item) for item in words), words


def test_urgency_order_emergency_outranks_everything() -> None:
    assert rank("emergency") < rank("urgent") < rank("routine") < rank("self_care")


def test_next_question_after_an_urgent_sign_skips_cramp_or_spasm_questions_but_keeps_red_flag_ones() -> None:
    # "calf locked, foot went numb": new numbness is urgent (see a clinician today).
    urgent = assess(read("my calf went numb", LEXICON), CONTENT)
    assert urgent.urgency == "urgent"
    question = next_of(urgent)
    assert question is not None and question.purpose == "red_flag"
    answered = apply_answer(urgent.observations, question.on_no, question.id)
    after = assess(answered, CONTENT)
    assert after.urgency == "urgent"
    assert after.finished  # the verdict with the urgent advice comes now, not after more questions


# --- What a sign the person is unsure of would make it (if_present) -----------------------------------------

CALF = {"body_part": "calf", "pattern": "locked"}


def unsure_of(*signs: str, **facts: object) -> Observations:
    """A calf cramp with these signs not ruled out ("I'm not sure")."""
    return Observations(**{**CALF, **facts}, possible_signs=frozenset(signs))


def test_if_present_nothing_unsure_changes_nothing() -> None:
    assert if_present(Observations(**CALF), "self_care", CONTENT) == (None, ())


def test_if_present_one_unsure_sign_names_what_it_would_make_it() -> None:
    assert if_present(unsure_of("chest_pain"), "self_care", CONTENT) == ("emergency", ("chest_pain",))


def test_if_present_no_more_urgent_than_now_says_nothing() -> None:
    assert if_present(unsure_of("swelling"), "urgent", CONTENT) == (None, ())
    assert if_present(unsure_of("swelling"), "emergency", CONTENT) == (None, ())


def test_if_present_names_only_the_signs_that_alone_reach_the_worst() -> None:
    assert if_present(unsure_of("chest_pain", "swelling"), "self_care", CONTENT) == ("emergency", ("chest_pain",))


def test_if_present_names_signs_in_the_contents_order_not_the_alphabets() -> None:
    # concepts.yaml lists swelling before redness (the order questions ask them in).
    assert if_present(unsure_of("redness", "swelling"), "self_care", CONTENT) == ("urgent", ("swelling", "redness"))


def test_if_present_signs_that_matter_only_together_are_all_named() -> None:
    # Tingling round the mouth with hands curling is low calcium's emergency; neither alone is.
    worst, named = if_present(unsure_of("tingling_mouth", "hands_curling"), "self_care", CONTENT)
    assert (worst, named) == ("emergency", ("tingling_mouth", "hands_curling"))
    assert if_present(unsure_of("hands_curling"), "self_care", CONTENT)[0] != "emergency"
