"""One way a person might say each red flag, for the whole-conversation tests on both channels (SMS and voice).

A phrase per flag of shared/content/red_flags.yaml that today's reader reads; a flag that rests on something the
reader does not yet read (an age: "my son", "my 80 year old dad") is listed with the facts a conversation supplies
instead, so every flag is driven through both channels either way.
"""

from __future__ import annotations

PHRASES = {
    "chest_or_breathing": "my calf cramps and I cant breathe",
    "collapsed": "he had a cramp and collapsed",
    "stroke_signs": "my face is drooping and my eyelid twitches",
    "alcohol_withdrawal_delirium": "stopped drinking and now seeing things, cramps everywhere",
    "heat_stroke_hot_dry_skin": "cramps in the heat and my skin is hot and dry",
    "heat_stroke_signs": "leg cramps in the heat and now he is confused",
    "dark_urine_after_exertion": "legs cramping after the marathon and my pee is dark brown",
    "jaw_or_swallowing": "stepped on a rusty nail and now my jaw is stiff",
    "back_with_nerve_loss": "back spasm and numb between my legs",
    "tingling_mouth_with_hand_spasm": "tingling lips and my hands are curling",
    "fever_with_rash": "calf cramps with a fever and a rash",
    "stiff_neck_with_fever": "stiff neck with a fever",
    "pregnancy_bleeding": "pregnant with leg cramps and some bleeding",
    "heat_with_vomiting_or_long": "cramps in the heat and I have been vomiting",
    "pregnant_leg_swelling": "pregnant and my calf is swollen",
    "leg_swelling_redness_warmth": "my calf is swollen and red",
    "possible_tendon_rupture": "felt a pop in my calf playing tennis",
    "wound_before_cramps": "cramps after a deep cut from gardening",
    "alcohol_withdrawal": "stopped drinking two days ago and my legs cramp",
    "pregnancy_abdominal_pain": "pregnant with leg cramps and severe stomach pain",
    "abdominal_pain_or_bleeding": "severe stomach pain and cramps",
    "cramp_not_easing": "calf cramp for 20 minutes and it wont go away",
    "new_weakness_or_numbness": "my calf cramp left my foot numb",
    "large_fluid_loss": "leg cramps after diarrhoea all night",
    "statin_muscle_pain": "I am on statins and my thighs cramp",
    "tingling_mouth_alone": "calf cramps and tingling lips",
    "back_with_fever_or_night_pain": "back spasm and a fever",
    "frequent_or_sleep_disturbing": "calf cramps every night",
    "after_new_medicine": "calf cramps since I started new tablets",
    "on_a_diuretic": "leg cramps on water pills",
    "long_term_condition": "calf cramps on dialysis",
    "heavy_drinking_or_wasting": "I drink a lot and get leg cramps",
    "pregnancy_cramps": "pregnant and my calf cramps at night",
    "twitch_over_two_weeks": "my eyelid has been twitching for three weeks",
    "eyelid_spreading_or_closing": "my eyelid twitch is spreading to my face",
    "walking_pain_eases_at_rest": "my calf hurts when i walk and stops when i rest",
    "writers_cramp": "hand cramp from writing all day",
}
# Flags that need an age the reader does not read yet (issue 13): the facts a conversation supplies instead.
BY_FACTS = {
    "child_fever_limp_or_joint": {"body_part": "calf", "age_band": "child", "signs": ["limp"]},
    "older_adult_fall_back_or_neck": {"body_part": "lower_back", "contexts": ["fall"], "age_band": "older_adult"},
}
