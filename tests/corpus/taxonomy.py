"""The taxonomy the corpus is labelled with: the ids (read from shared/content/concepts.yaml, the list every content
file is checked against) and the taxonomy's urgency table written as code (/work/plan/taxonomy.md).

The corpus test checks each line's expected urgency against `table_urgency`; the evaluation (tests/corpus/evaluate.py)
applies the same table to what the reader found, so the reader is measured apart from the red-flag file.
"""

from __future__ import annotations

from shared.content import load_content

_CONCEPTS = load_content().concepts

BODY_PARTS = frozenset(_CONCEPTS["body_part"])
PATTERNS = frozenset(_CONCEPTS["pattern"])
RECURRENCES = frozenset(_CONCEPTS["recurrence"])
SEVERITIES = frozenset(_CONCEPTS["severity"])
AGE_BANDS = frozenset(_CONCEPTS["age_band"])
CALLED_IT = frozenset(_CONCEPTS["called_it"])
EXPERIENCERS = frozenset(_CONCEPTS["experiencer"])
SCOPES = frozenset(_CONCEPTS["scope"])
CONTEXTS = frozenset(_CONCEPTS["contexts"])
SIGNS = frozenset(_CONCEPTS["signs"])

# The taxonomy's groups of body parts that some rules use.
LEG = frozenset({"calf", "hamstring", "quadriceps", "leg", "foot"})
BACK_NECK = frozenset({"lower_back", "neck_shoulder"})

URGENCIES = ("self_care", "routine", "urgent", "emergency")
TWO_WEEKS = 2 * 10080
EXERTION_OR_HEAT = frozenset({"heat", "exercise", "after_exercise"})

# The taxonomy's urgency table, as data where a rule is "any of these ids" (the combinations are in table_urgency).
EMERGENCY_SIGNS = frozenset(
    {
        "chest_pain", "breathless", "coughing_blood", "collapse",  # lung / circulation
        "dark_urine", "little_urine",  # muscle breakdown
        "confusion", "fainting", "seizure",  # heat stroke, any context
        "jaw_stiffness", "trouble_swallowing",  # tetanus
        "groin_numbness", "bladder_bowel", "both_legs_weak",  # spinal nerves
        "face_droop", "slurred_speech", "one_side_weak",  # stroke
    }
)
URGENT_SIGNS = frozenset(
    {
        "weakness", "numbness", "vomiting", "diarrhoea", "tingling_mouth", "calf_pop", "cant_push_off", "shaking",
        "hallucinations", "abdominal_pain", "bleeding",
    }
)
URGENT_CONTEXTS = frozenset({"wound", "statin", "alcohol_withdrawal"})
ROUTINE_CONTEXTS = frozenset(
    {"new_medicine", "diuretic", "dialysis", "kidney_disease", "liver_disease", "thyroid", "heart_failure",
     "pregnancy", "heavy_drinking"}
)
ROUTINE_SIGNS = frozenset({"spreading_twitch", "eye_closing", "droopy_eyelid", "pain_when_walking", "muscle_wasting"})
CLOT_SIGNS = frozenset({"swelling", "redness", "warmth"})
# Out of scope (stomach, period, pregnancy-belly cramps): every emergency sign, plus their own flags.
OUT_OF_SCOPE_URGENT_SIGNS = frozenset({"abdominal_pain", "bleeding"})


def table_urgency(gold: dict) -> tuple[str, set[str]]:
    """The taxonomy's urgency table applied to one message's labels: the level and the ids that put it there."""
    signs, contexts = set(gold["signs"]), set(gold["contexts"])
    body_part, age, in_scope = gold["body_part"], gold["age_band"], gold["scope"] != "out"
    # A long-running problem is read as the longer of duration and onset (taxonomy, onset_minutes_ago).
    longest = max(gold["duration_minutes"] or 0, gold["onset_minutes_ago"] or 0)
    fired: dict[str, set[str]] = {level: set() for level in URGENCIES}

    fired["emergency"] |= signs & EMERGENCY_SIGNS
    if contexts & EXERTION_OR_HEAT and signs & {"very_hot_skin", "stopped_sweating"}:
        fired["emergency"] |= signs & {"very_hot_skin", "stopped_sweating"} | contexts & EXERTION_OR_HEAT
    if "tingling_mouth" in signs and ("hands_curling" in signs or body_part in {"hand", "foot"}):
        fired["emergency"] |= signs & {"tingling_mouth", "hands_curling"}
    if {"fever", "rash"} <= signs:
        fired["emergency"] |= {"fever", "rash"}
    if signs & {"fever", "severe_headache", "rash"} and ("stiff_neck" in signs or body_part == "neck_shoulder"):
        fired["emergency"] |= signs & {"fever", "severe_headache", "rash", "stiff_neck"}
    if "pregnancy" in contexts and "bleeding" in signs:
        fired["emergency"] |= {"pregnancy", "bleeding"}
    # Delirium tremens: hallucinations or confusion after stopping heavy drinking is a medical emergency (issue 14;
    # red_flags.yaml alcohol_withdrawal_delirium), not the urgent withdrawal the taxonomy's first table said.
    if "alcohol_withdrawal" in contexts and signs & {"hallucinations", "confusion"}:
        fired["emergency"] |= {"alcohol_withdrawal"} | signs & {"hallucinations", "confusion"}

    if in_scope:
        fired["urgent"] |= signs & URGENT_SIGNS | contexts & URGENT_CONTEXTS
        # CDC: heavy sweating is part of ordinary heat cramps (self-care); vomiting or an hour or more needs help
        # today (issue 14; red_flags.yaml heat_with_vomiting_or_long), so heavy sweating alone is not urgent.
        if "heat" in contexts and ("vomiting" in signs or longest >= 60):
            fired["urgent"] |= {"heat"} | signs & {"vomiting"}
        if (body_part in LEG or "pregnancy" in contexts) and signs & CLOT_SIGNS:
            fired["urgent"] |= signs & CLOT_SIGNS | contexts & {"pregnancy"}
        if "not_easing" in signs and longest >= 10:
            fired["urgent"] |= {"not_easing"}
        if body_part in BACK_NECK:
            fired["urgent"] |= signs & {"fever", "weight_loss", "night_pain"}
            if age == "older_adult" and "fall" in contexts:
                fired["urgent"] |= {"fall"}
        if age == "child":
            fired["urgent"] |= signs & {"fever", "limp", "swollen_joint"}
    else:
        fired["urgent"] |= signs & OUT_OF_SCOPE_URGENT_SIGNS
    if "pregnancy" in contexts and "abdominal_pain" in signs:
        fired["urgent"] |= {"pregnancy", "abdominal_pain"}

    if in_scope:
        fired["routine"] |= contexts & ROUTINE_CONTEXTS | signs & ROUTINE_SIGNS
        if gold["recurrence"] == "frequent":
            fired["routine"] |= {"recurrence"}
        if (gold["pattern"] == "twitching" or body_part == "eyelid_face") and longest >= TWO_WEEKS:
            long_field = "duration_minutes" if (gold["duration_minutes"] or 0) >= TWO_WEEKS else "onset_minutes_ago"
            fired["routine"] |= {long_field}
        if "writing" in contexts and body_part == "hand":
            fired["routine"] |= {"writing"}
    else:
        fired["routine"] |= contexts & {"pregnancy"}

    for level in reversed(URGENCIES):
        if fired[level]:
            return level, fired[level]
    return "self_care", set()
