"""The free-text reader: a table of real phrasings (slang, typos, durations, negations, contexts, red flags,
mixed signals) with the observations and the verdict/urgency each should lead to."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from shared.content import load_content
from shared.facts import Observations
from shared.reader import MAX_TEXT_CHARS, normalise, read
from shared.triage import assess
from shared.words import words_of

CONTENT = load_content()
LEXICON = CONTENT.language("en-US").lexicon
# Duration buckets as the rules and the spoken questions use them (common.md vocabulary).
BUCKETS = (("seconds", 1), ("minutes", 10), ("over_10_minutes", 60), ("hours", 1440), ("days", float("inf")))


def bucket(minutes: float | None) -> str | None:
    if minutes is None:
        return None
    return next(name for name, below in BUCKETS if minutes < below)


# text, expected observations (sets: at least these; duration and onset by bucket)
PHRASINGS = [
    # --- the issue's own example, and the basics
    ("calf locked up halfway thru my run, 2 mins now, no swelling",
     dict(body_part="calf", pattern="locked", duration="minutes", contexts={"exercise"}, denied={"swelling"})),
    # "cramped up" is the word cramp, not the locked pattern (corpus README: the bare word cramp is no pattern)
    ("my calf cramped up at the gym",
     dict(body_part="calf", pattern=None, called_it="cramp", contexts={"exercise"})),
    ("eyelid keeps twitching", dict(body_part="eyelid_face", pattern="twitching")),
    ("lower back spasm after lifting a heavy box, hurts to move",
     dict(body_part="lower_back", pattern="stiff", contexts={"lifting"})),
    # --- slang
    # "charley horse" is the person's word for a cramp, not a body part (corpus README: care-003)
    ("charley horse woke me up last night", dict(body_part=None, called_it="cramp", contexts={"sleep"})),
    ("charlie horse in my left leg, rock hard", dict(body_part="leg", pattern="locked", called_it="cramp")),
    ("pulled my hammy sprinting and it seized",
     dict(body_part="hamstring", pattern="locked", contexts={"exercise", "injury"})),
    ("hammy cramp during football", dict(body_part="hamstring", contexts={"exercise"})),
    ("quad seized up at squats",
     dict(body_part="quadriceps", pattern="locked", contexts={"exercise"})),
    ("my quads are cramping after the match",
     dict(body_part="quadriceps", contexts={"after_exercise"})),
    ("crick in my neck since i woke up", dict(body_part="neck_shoulder", onset="hours")),
    ("traps are twitchy", dict(body_part="neck_shoulder", pattern="twitching")),
    ("got a stitch in my side while jogging", dict(body_part="abdomen", contexts={"exercise"})),
    ("writers cramp in my hand", dict(body_part="hand")),
    ("bicep cramped up doing curls", dict(body_part="arm", called_it="cramp", contexts={"exercise"})),
    # --- typos
    ("my claf is cramping", dict(body_part="calf")),
    ("cramp in my calve", dict(body_part="calf")),
    ("hamstrng seized", dict(body_part="hamstring", pattern="locked")),
    ("hamstrig cramp", dict(body_part="hamstring")),
    ("quad sezed up at football",
     dict(body_part="quadriceps", pattern="locked", contexts={"exercise"})),
    ("sholder keeps twiching", dict(body_part="neck_shoulder", pattern="twitching")),
    ("my sholuder is stiff", dict(body_part="neck_shoulder", pattern="stiff")),
    ("cramp after excercise", dict(contexts={"after_exercise"})),
    ("calf is swolen", dict(body_part="calf", signs={"swelling"})),
    ("cant brethe and my leg cramps", dict(signs={"breathless"})),
    ("i'm runnin and my calf locked",
     dict(body_part="calf", pattern="locked", contexts={"exercise"})),
    ("CALF CRAMP!!! 2 MINS", dict(body_part="calf", duration="minutes")),
    # --- durations
    ("calf cramp 2mins", dict(body_part="calf", duration="minutes")),
    ("foot cramp, lasted a few seconds", dict(body_part="foot", duration="seconds")),
    ("toes curled up for 30 secs", dict(body_part="foot", duration="seconds")),
    ("back has been in spasm since this morning",
     dict(body_part="lower_back", duration=None, onset="hours")),
    ("calves cramped all night", dict(body_part="calf", duration="hours")),
    # "for hours" has no number (corpus README time table)
    ("neck stiff for hours", dict(body_part="neck_shoulder", pattern="stiff", duration=None)),
    ("thigh cramp for 20 minutes", dict(body_part="quadriceps", duration="over_10_minutes")),
    ("cramp in my foot for about half an hour",
     dict(body_part="foot", duration="over_10_minutes")),
    ("my back has hurt for 3 days", dict(body_part="lower_back", duration="days")),
    ("eyelid twitching for a week",
     dict(body_part="eyelid_face", pattern="twitching", duration="days")),
    ("eye twitching for 3 weeks now",
     dict(body_part="eyelid_face", pattern="twitching", duration="days")),
    ("calf cramp, just a sec", dict(body_part="calf", duration="seconds")),
    ("hand cramp for a couple of minutes", dict(body_part="hand", duration="minutes")),
    ("hamstring cramp for an hour", dict(body_part="hamstring", duration="hours")),
    ("since yesterday my neck is stiff",
     dict(body_part="neck_shoulder", pattern="stiff", duration=None, onset="days")),
    ("calf cramp for 1.5 hours", dict(body_part="calf", duration="hours")),
    ("calf cramp for twenty five minutes and it wont ease",
     dict(body_part="calf", duration="over_10_minutes", signs={"not_easing"})),
    ("cramp in my foot lasted eleven minutes",
     dict(body_part="foot", duration="over_10_minutes")),
    ("30 weeks pregnant, calf cramps in bed",
     dict(body_part="calf", duration=None, contexts={"pregnancy", "sleep"})),
    ("calf cramps twice a day", dict(body_part="calf", duration=None, recurrence="frequent")),
    # --- negations
    ("calf cramp, no swelling", dict(body_part="calf", denied={"swelling"})),
    ("calf is not red", dict(body_part="calf", denied={"redness"})),
    ("calf isnt warm", dict(body_part="calf", denied={"warmth"})),
    ("calf isn't warm or swollen", dict(body_part="calf", denied={"warmth", "swelling"})),
    ("no swelling or redness in my calf",
     dict(body_part="calf", denied={"swelling", "redness"})),
    ("hamstring cramp, not swollen, not red, not warm",
     dict(body_part="hamstring", denied={"swelling", "redness", "warmth"})),
    ("no chest pain, calf cramp during my run",
     dict(body_part="calf", contexts={"exercise"}, denied={"chest_pain"})),
    ("back spasm, no numbness", dict(body_part="lower_back", denied={"numbness"})),
    ("calf is red but not swollen",
     dict(body_part="calf", signs={"redness"}, denied={"swelling"})),
    ("not swollen, but it is red, calf",
     dict(body_part="calf", signs={"redness"}, denied={"swelling"})),
    ("i dont have a fever, neck is stiff",
     dict(body_part="neck_shoulder", pattern="stiff", denied={"fever"})),
    # a hedge, not a firm denial: possible, asked next (corpus README)
    ("I dont think its swollen, just a calf cramp",
     dict(body_part="calf", possible_signs={"swelling"})),
    ("cramp isnt easing, calf, 15 minutes",
     dict(body_part="calf", signs={"not_easing"}, duration="over_10_minutes")),
    ("calf cramp for 15 minutes, it eases when I move",
     dict(body_part="calf", duration="over_10_minutes")),
    ("didnt fall, calf cramp in bed", dict(body_part="calf", contexts={"sleep"})),
    # --- contexts
    ("calf cramp during my run", dict(body_part="calf", contexts={"exercise"})),
    ("foot cramp in bed", dict(body_part="foot", contexts={"sleep"})),
    ("foot locked up in bed", dict(body_part="foot", pattern="locked", contexts={"sleep"})),
    ("back spasm after lifting", dict(body_part="lower_back", contexts={"lifting"})),
    ("I fell and my back is stiff",
     dict(body_part="lower_back", pattern="stiff", contexts={"fall"})),
    ("i fell off my bike and my neck is stiff",
     dict(body_part="neck_shoulder", pattern="stiff", contexts={"fall"})),
    ("calf cramp out of nowhere while sitting on the couch",
     dict(body_part="calf", contexts={"rest"})),
    ("twitching calf while watching tv",
     dict(body_part="calf", pattern="twitching", contexts={"rest"})),
    ("cramp after my workout", dict(contexts={"after_exercise"})),
    ("tired and dehydrated, calf cramped up",
     dict(body_part="calf", called_it="cramp", contexts={"fatigue", "dehydration"})),
    ("sciatica and my back keeps spasming", dict(body_part="lower_back", contexts={"nerve"})),
    # diabetes alone is not a listed condition (neuropathy would be: corpus README, nerve-017)
    ("i have diabetes and my feet twitch", dict(body_part="foot", pattern="twitching", contexts=set())),
    ("i have parkinsons and my feet twitch",
     dict(body_part="foot", pattern="twitching", contexts={"condition"})),
    ("cramps in the heat playing tennis", dict(contexts={"heat", "exercise"})),
    ("i fell asleep on the couch and my neck is stiff",
     dict(body_part="neck_shoulder", contexts={"sleep", "rest"})),
    ("i put heat on my calf and it helped", dict(body_part="calf", contexts=set())),
    ("calf cramps in warm weather", dict(body_part="calf", contexts={"heat"})),
    ("playing a video game and my hand cramped", dict(body_part="hand", contexts={"rest"})),
    # --- recurrence
    ("cramps every night in my calves", dict(body_part="calf", recurrence="frequent")),
    ("calf cramp again in bed",
     dict(body_part="calf", recurrence="recurring", contexts={"sleep"})),
    ("this is the first time my foot cramped", dict(body_part="foot", recurrence="first")),
    ("the cramp is back again in my calf", dict(body_part="calf", recurrence="recurring")),
    ("calf cramped 4 times this week", dict(body_part="calf", recurrence="frequent")),
    # --- red flags in free text
    ("calf cramp and chest pain", dict(body_part="calf", signs={"chest_pain"})),
    ("arm cramp with chest pain", dict(body_part="arm", signs={"chest_pain"})),
    ("leg cramps and short of breath", dict(signs={"breathless"})),
    ("my pee is dark after a marathon, legs cramping",
     dict(contexts={"after_exercise"}, signs={"dark_urine"})),
    ("cola coloured urine after crossfit", dict(signs={"dark_urine"})),
    ("she is not making sense, cramps in the heat",
     dict(contexts={"heat"}, signs={"confusion"})),
    ("he fainted after cramping in the sun", dict(contexts={"heat"}, signs={"fainting"})),
    ("he is not responding after cramping in the heat", dict(signs={"collapse"})),
    ("stepped on a rusty nail and now my jaw feels tight",
     dict(contexts={"wound"}, signs={"jaw_stiffness"})),
    ("lockjaw and spasms", dict(signs={"jaw_stiffness"})),
    ("back spasm and numb between my legs",
     dict(body_part="lower_back", signs={"groin_numbness"})),
    ("i wet myself and my back is in spasm",
     dict(body_part="lower_back", signs={"bladder_bowel"})),
    ("pins and needles in my lips and my hands are curling",
     dict(body_part="hand", signs={"tingling_mouth", "hands_curling"})),
    # a stiff neck is a neck complaint; the stiff_neck sign is a neck that will not bend forward (corpus README)
    ("stiff neck, fever and a bad headache",
     dict(body_part="neck_shoulder", pattern="stiff", signs={"fever", "severe_headache"})),
    ("fever and I cant put my chin on my chest", dict(signs={"stiff_neck", "fever"})),
    ("face drooping and arm twitching", dict(signs={"face_droop"}, pattern="twitching")),
    ("he is not breathing properly after cramping", dict(signs={"breathless"})),
    ("my urine is really dark after the gym", dict(signs={"dark_urine"})),
    ("havent peed all day and my muscles hurt", dict(signs={"little_urine"})),
    ("cant feel my groin and my back is spasming",
     dict(body_part="lower_back", signs={"groin_numbness"})),
    ("both my legs are weak and my back hurts",
     dict(body_part="lower_back", signs={"both_legs_weak"})),
    ("lips are numb and my hands are cramping up",
     dict(body_part="hand", signs={"tingling_mouth"})),
    ("cramps after a long run in the heat, threw up twice",
     dict(contexts={"after_exercise", "heat"}, signs={"vomiting"})),
    ("pregnant and my calf is swollen",
     dict(body_part="calf", contexts={"pregnancy"}, signs={"swelling"})),
    ("calf hot to the touch and puffy", dict(body_part="calf", signs={"warmth", "swelling"})),
    ("cut my foot on glass, now my calf cramps", dict(contexts={"wound"})),
    ("calf cramp not easing for 20 minutes",
     dict(body_part="calf", signs={"not_easing"}, duration="over_10_minutes")),
    ("no feeling in my foot", dict(body_part="foot", signs={"numbness"})),
    ("cramps after diarrhoea all week", dict(signs={"diarrhoea"})),
    ("started a new statin and my legs ache", dict(contexts={"statin"})),
    ("lower back spasm with a fever", dict(body_part="lower_back", signs={"fever"})),
    ("cramps since i started new meds", dict(contexts={"new_medicine"})),
    ("pregnant with calf cramps", dict(body_part="calf", contexts={"pregnancy"})),
    ("calf hurts when i walk and stops when i rest",
     dict(body_part="calf", signs={"pain_when_walking"})),
    # --- mixed signals
    ("calf locked up but i think i twisted it",
     dict(body_part="calf", pattern="locked", contexts={"injury"})),
    # a knot in a back is the stiff, guarding pattern (corpus README)
    ("hard knot in my back after lifting, fell too",
     dict(body_part="lower_back", pattern="stiff", contexts={"lifting", "fall"})),
    ("calf twitching during my run",
     dict(body_part="calf", pattern="twitching", contexts={"exercise"})),
    ("calf cramp during my run, no chest pain but my pee is dark",
     dict(body_part="calf", contexts={"exercise"}, signs={"dark_urine"}, denied={"chest_pain"})),
    ("locked calf for 2 hours during football",
     dict(body_part="calf", pattern="locked", contexts={"exercise"}, duration="hours")),
    # --- nothing to read
    ("hello", dict(body_part=None, pattern=None, duration=None)),
    ("", dict(body_part=None)),
    ("???", dict(body_part=None)),
]


def test_reader_table_has_at_least_eighty_phrasings() -> None:
    assert len(PHRASINGS) >= 80
    assert len({text for text, *_ in PHRASINGS}) == len(PHRASINGS)


@pytest.mark.parametrize(("text", "expected"), PHRASINGS, ids=[row[0][:40] for row in PHRASINGS])
def test_reader_phrasing_gives_expected_observations(text: str, expected: dict) -> None:
    observations = read(text, LEXICON)
    for fact, value in expected.items():
        if fact == "duration":
            assert bucket(observations.duration_minutes) == value, observations.duration_minutes
        elif fact == "onset":
            assert bucket(observations.onset_minutes_ago) == value, observations.onset_minutes_ago
        elif fact == "contexts" and value == set():
            assert observations.contexts == frozenset(), observations.contexts
        elif fact in ("contexts", "signs", "possible_signs", "denied"):
            assert value <= getattr(observations, fact), (fact, getattr(observations, fact))
        else:
            assert getattr(observations, fact) == value, fact


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("2 mins", 2),
        ("2mins", 2),
        ("a few seconds", 0.5),  # any number of seconds is "seconds" (corpus README)
        ("30 secs", 0.5),
        ("1.5 hours", 90),
        ("2.5 mins", 2.5),
        ("twenty five minutes", 25),
        ("forty five minutes", 45),
        ("half an hour", 30),
        ("a couple of minutes", 2),
        ("3 hrs", 180),
        ("for 2 days", 2880),
        ("a week", 10080),
    ],
)
def test_reader_duration_in_many_forms(text: str, minutes: float) -> None:
    assert read(f"calf cramp {text}", LEXICON).duration_minutes == pytest.approx(minutes)


def test_reader_frequency_and_pregnancy_week_are_not_durations() -> None:
    assert read("calf cramps twice a day", LEXICON).duration_minutes is None
    assert read("3 times a week my eyelid twitches", LEXICON).duration_minutes is None
    assert read("30 weeks pregnant with calf cramps", LEXICON).duration_minutes is None


def test_reader_denied_sign_is_not_also_reported() -> None:
    observations = read("no swelling, not red", LEXICON)
    assert not observations.signs & observations.denied
    assert {"swelling", "redness"} <= observations.denied


def test_reader_phrase_of_classes_inside_an_ordered_pattern_keeps_its_words_together() -> None:
    # "BODY CRAMP_NOW .. HABIT": the verb right after the body part, the habit a word or two on.
    assert read("my calves cramp at night", LEXICON).recurrence == "recurring"
    assert read("my calf cramp eased after 2 minutes", LEXICON).recurrence is None


def test_reader_ordered_pattern_does_not_reach_over_a_new_clause() -> None:
    # "hard ... wee" is not trouble peeing when "and my" starts a new clause between them.
    found = read("getting up from a chair is hard, and my wee looks a bit darker than normal", LEXICON)
    assert "bladder_bowel" not in found.signs
    assert "dark_urine" in found.possible_signs


def test_reader_a_denial_pattern_still_denies_what_follows_it() -> None:
    found = read("calf isn't warm or swollen", LEXICON)
    assert {"warmth", "swelling"} <= found.denied
    found = read("calf cramp, not hot, maybe a little swollen", LEXICON)
    assert "warmth" in found.denied and "warmth" not in found.signs
    assert "swelling" in found.possible_signs


def test_reader_a_course_word_inside_another_sign_is_not_the_cramp_s() -> None:
    assert read("food won't go down and my calf cramps", LEXICON).signs == {"trouble_swallowing"}
    assert "not_easing" not in read("pain in my belly won't ease and my back is spasming", LEXICON).signs
    assert "not_easing" in read("my calf cramp won't go away", LEXICON).signs


def test_reader_a_time_said_alone_answers_how_long() -> None:
    # The reply to "how long has it been going on?" names nothing else.
    assert read("seven weeks", LEXICON).duration_minutes == 7 * 10080
    assert read("for 2 minutes", LEXICON).duration_minutes == 2
    # ... while a time in a message about something else is not the complaint's.
    assert read("my dog has been ill for 2 days", LEXICON).duration_minutes is None


def test_reader_a_sign_s_word_alone_is_a_possible_sign() -> None:
    # "warm" answers "swollen, red or warm?"; alone it says no more than that it may be warm.
    assert read("warm", LEXICON).possible_signs == {"warmth"}
    assert read("my calf is warm", LEXICON).signs == {"warmth"}


def test_reader_the_service_s_own_name_is_not_the_person_s_word() -> None:
    assert read("alexa ask cramp check about my calf", LEXICON).called_it is None
    assert read("cramp in my calf", LEXICON).called_it == "cramp"


def test_reader_a_sign_of_someone_else_the_writer_denies_is_denied() -> None:
    told = "my sister had a clot and her leg was all swollen"
    assert "swelling" in read(f"{told}. mine isnt swollen, just cramps in the calf", LEXICON).denied
    assert "swelling" not in read(f"{told}. mine isnt swollen, just cramps in the calf", LEXICON).signs
    # Without the writer's own denial the swelling stays: who it belongs to is not certain enough to drop it.
    assert "swelling" in read(f"{told}, cramps in my calf", LEXICON).signs
    # The writer's own swelling stays whatever was denied of the other person.
    own = read("my sister had a clot and her leg wasnt swollen. my calf is swollen though", LEXICON)
    assert "swelling" in own.signs


def test_reader_negation_stops_at_but() -> None:
    observations = read("no swelling but it is red", LEXICON)
    assert "redness" in observations.signs and "swelling" in observations.denied


def test_reader_negation_does_not_reach_the_next_sentence() -> None:
    assert "swelling" in read("No. My calf is swollen", LEXICON).signs


def test_reader_heat_used_as_treatment_is_not_heat_exposure() -> None:
    for sentence in ("i put heat on my calf", "used a heating pad on my back", "i applied heat"):
        assert "heat" not in read(sentence, LEXICON).contexts, sentence


def test_reader_falling_asleep_is_not_a_fall() -> None:
    assert "fall" not in read("i fell asleep and woke with a calf cramp", LEXICON).contexts
    assert "fall" in read("i fell down the stairs", LEXICON).contexts


def test_reader_warm_pack_advice_is_not_a_warm_leg() -> None:
    observations = read("calf cramp, i used a warm pack and a hot bath", LEXICON)
    assert not {"warmth", "redness"} & observations.signs


def test_reader_curly_apostrophes_read_like_straight_ones() -> None:
    assert read("calf isn\u2019t warm", LEXICON) == read("calf isnt warm", LEXICON) == read("calf isn't warm", LEXICON)


def test_reader_capitals_and_punctuation_do_not_matter() -> None:
    assert read("CALF LOCKED UP!!! During my RUN.", LEXICON) == read("calf locked up during my run", LEXICON)


def test_reader_text_beyond_the_limit_is_not_read() -> None:
    padding = "and then " * (MAX_TEXT_CHARS // 9 + 1)
    assert read(padding + "chest pain", LEXICON).signs == frozenset()
    assert len(normalise("x" * (MAX_TEXT_CHARS * 3))) == MAX_TEXT_CHARS


def test_reader_gibberish_gives_empty_observations() -> None:
    assert read("asdf qwerty zxcv 12345 !!!", LEXICON).is_empty()
    assert read("", LEXICON).is_empty()
    assert read("\x00\x01\ufffd\U0001f4a9", LEXICON).is_empty()


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("hamstrng", "hamstring"),  # a letter missed
        ("stifff", "stiff"),  # a letter doubled
        ("sholuder", "shoulder"),  # two letters swapped
        ("swollem", "swollen"),  # a neighbouring key
        ("confussed", "confused"),
        ("vomitting", "vomiting"),
        ("cnat breathe", "cant breathe"),  # two letters swapped in a four-letter word
        ("brteah", "breath"),  # a letter typed two places early
    ],
)
def test_reader_one_slip_of_the_finger_is_read_as_the_word_meant(typo: str, meant: str) -> None:
    assert read(f"my {typo}", LEXICON) == read(f"my {meant}", LEXICON)


@pytest.mark.parametrize(
    ("sentence", "not_read_as"),
    [
        ("i was painting the fence and my arm cramped", "fainting"),
        ("my neck hurts from looking at my phone", "locked"),
        ("i was sweeping the floor and my back went", "sleep"),
        ("testing my new shoes, calf cramp", "rest"),
        ("i need to check my calf", "eyelid_face"),
        ("i serve at a cafe and my calf cramps", "nerve"),
        ("pulling weeds and my hand cramped", "twitching"),
        ("might be nothing but my calf cramped", "sleep"),
    ],
)
def test_reader_real_words_are_not_mistaken_for_typos(sentence: str, not_read_as: str) -> None:
    observations = read(sentence, LEXICON)
    named = {observations.body_part, observations.pattern} | observations.contexts | observations.signs
    assert not_read_as not in named, observations


def test_reader_longest_phrase_wins_over_a_word_inside_it() -> None:
    assert read("back of my thigh", LEXICON).body_part == "hamstring"
    assert read("back of my lower leg", LEXICON).body_part == "calf"
    assert read("lower back", LEXICON).body_part == "lower_back"


def test_reader_reads_without_any_network() -> None:
    code = (
        "import socket\n"
        "def refuse(*a, **k):\n    raise OSError('network used')\n"
        "socket.socket = refuse\nsocket.create_connection = refuse\n"
        "from shared.content import load_content\nfrom shared.reader import read\nfrom shared.triage import assess\n"
        "content = load_content()\n"
        "print(assess(read('calf locked up during my run', content.language('en-US').lexicon), content).verdict)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "cramp"


def test_reader_result_is_plain_observations() -> None:
    observations = read("calf cramp for 2 minutes during my run", LEXICON)
    assert isinstance(observations, Observations)
    assert Observations.from_dict(observations.to_dict()) == observations


def test_reader_keeps_accented_letters_so_other_languages_can_be_read() -> None:
    assert normalise("Crampe au mollet, ça fait MAL ÉNORMÉMENT") == "crampe au mollet, ça fait mal énormément"
    assert normalise("naïve café") == "naïve café" and normalise("it's 2mins") == "its 2 mins"


# --- Properties (hypothesis) ----------------------------------------------------------------------------------------

# The machine is shared with other test runs: no per-example deadline, and no complaint about slow data.
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Words of the lexicon's classes, without its grammar (negations, hedges, hypotheticals, past, ignored phrases):
# words that neither deny, hedge nor make hypothetical what was said before them.
GRAMMAR_WORDS = {" ".join(member) for name, members in LEXICON.classes.items()
                 if name.startswith(("grammar:", "ignore:")) for member in members}
# A leading "=" marks a word the lexicon matches in that exact form only; the person writes the word without it.
PLAIN_WORDS = sorted(
    {" ".join(word.lstrip("=") for word in member) for members in LEXICON.classes.values() for member in members
     if not any(word in GRAMMAR_WORDS for word in member)} - GRAMMAR_WORDS
)
EVERYDAY_WORDS = ["it", "my", "the", "was", "really", "and", "then", "2", "mins", "for", "a", "few", "hours", "lol",
                  "calf", "cramp", "after", "work", "today", "so", "bad"]
# A red-flag sign in one message each; the sign, or a more specific one said with it, must survive whatever plain
# words are added after it.
RED_FLAG_MESSAGES = [
    ("my calf cramps and i have chest pain", "chest_pain"),
    ("cant breathe and my legs are cramping", "breathless"),
    ("my pee is dark brown after the marathon", "dark_urine"),
    ("he fainted after cramping in the heat", "fainting"),
    ("my jaw is stiff and i cant swallow", "jaw_stiffness"),
    ("my jaw is stiff and i cant swallow", "trouble_swallowing"),
    ("back spasm and i wet myself", "bladder_bowel"),
    ("tingling lips and my hands are curling", "tingling_mouth"),
    ("face drooping on one side", "face_droop"),
    ("my calf is swollen and red", "swelling"),
    ("my calf is swollen and red", "redness"),
    ("my thigh is hot to the touch", "warmth"),
    ("been throwing up all morning", "vomiting"),
    ("my legs are weak", "weakness"),
    ("she is slurring her words", "slurred_speech"),
    ("coughing up blood and my calf aches", "coughing_blood"),
    ("stepped on a nail and my jaw has locked", "jaw_stiffness"),
    ("numb between my legs and my back is in spasm", "groin_numbness"),
]
# A sign may give way to a more specific one (in a child, a swollen ankle is the swollen-joint sign).
SPECIFIC_RULES = [*(LEXICON.reading.get("more_specific") or {}).items(),
                  *(LEXICON.reading.get("more_specific_in_children") or {}).items()]
# ... or to the sign whose words it turns out to be part of ("red" then "spit": blood coughed up, not red skin).
READ_INSIDE = {sign: set(signs) for sign, signs in (LEXICON.reading.get("not_read_inside") or {}).items() if signs}
MORE_SPECIFIC = {
    general: {specific for specific, generals in SPECIFIC_RULES if general in (generals or ())}
    | READ_INSIDE.get(general, set())
    for general in LEXICON.concept_ids("signs")
}


@PROPERTY
@given(st.sampled_from(RED_FLAG_MESSAGES), st.lists(st.sampled_from(PLAIN_WORDS + EVERYDAY_WORDS), max_size=20))
def test_property_plain_words_added_never_remove_a_red_flag_sign(case: tuple[str, str], added: list[str]) -> None:
    message, sign = case
    assert sign in read(message, LEXICON).signs
    signs = read(f"{message}, {' '.join(added)}", LEXICON).signs
    assert sign in signs or signs & MORE_SPECIFIC[sign], (added, signs)


def _words_of_sign(sign: str) -> set[str]:
    """Every word a pattern of the sign (asserted or possible, or its partial head) is made of."""
    patterns = [p for p in LEXICON.patterns if p.id == sign and p.fact in ("signs", "possible_signs")]
    classes = {part for pattern in patterns for part in pattern.parts}
    classes |= {head for name, head in (LEXICON.reading.get("partial_signs") or {}).items() if name == sign}
    return {word.lstrip("=") for cls in classes for member in LEXICON.classes[cls] for word in member}


DENIALS = [
    ("no swelling in my calf", "swelling"),
    ("my calf is not red", "redness"),
    ("no chest pain, just a cramp", "chest_pain"),
    ("breathing fine, calf cramp", "breathless"),
    ("i dont have a fever", "fever"),
    ("pee is clear", "dark_urine"),
    ("no numbness or tingling", "numbness"),
    ("jaw fine, swallowing fine", "trouble_swallowing"),
]


@PROPERTY
@given(st.sampled_from(DENIALS), st.lists(st.sampled_from(PLAIN_WORDS + EVERYDAY_WORDS), min_size=1, max_size=20),
       st.sampled_from([". ", ", and ", "! ", "\n"]))
def test_property_a_denied_sign_stays_denied_when_unrelated_clauses_follow(
    case: tuple[str, str], added: list[str], joint: str
) -> None:
    message, sign = case
    assert sign in read(message, LEXICON).denied
    unrelated = [words for words in added if not set(sum(words_of(words, LEXICON), [])) & _words_of_sign(sign)]
    assume(unrelated)
    observations = read(f"{message}{joint}{' '.join(unrelated)}", LEXICON)
    assert sign in observations.denied, (unrelated, observations)


# --- Phrasings written after the corpus, in words it does not use ----------------------------------------------------
# The corpus is what the reader was built on; these check that concepts, not its lines, were learnt. The corpus "now"
# (a Thursday) resolves weekdays. Sets: at least these ("none" for an empty set); times in minutes.
CORPUS_NOW = datetime(2026, 12, 3, 14, 0)
UNSEEN = [
    ("my hamstring pinged sprinting for the bus", dict(contexts={"injury"}, body_part="hamstring")),
    ("felt something go in my quad at five a side", dict(contexts={"injury"})),
    ("my wee has turned the colour of coca cola after yesterdays crossfit comp", dict(signs={"dark_urine"})),
    ("urine looks really brown today and my thighs ache like mad after spin", dict(signs={"dark_urine"})),
    ("ive barely had a pee since breakfast and my legs are locking up", dict(signs={"little_urine"})),
    ("my right calf has swelled up and feels really warm compared to the left one",
     dict(signs={"swelling","warmth"}, body_part="calf")),
    ("calf is all puffy and red, started after the long haul flight", dict(signs={"swelling","redness"})),
    ("there is no swelling at all and it isnt red, just a tight calf after footy", dict(denied={"swelling","redness"})),
    ("not swollen. but its bright red and hot to the touch", dict(signs={"redness","warmth"}, denied={"swelling"})),
    ("hamstring cramp, might be a bit swollen, hard to tell", dict(possible_signs={"swelling"})),
    ("my chest feels really heavy and my left arm keeps cramping", dict(signs={"chest_pain"}, body_part="arm")),
    ("having real trouble catching my breath and my calf is killing me", dict(signs={"breathless"})),
    ("i can breathe fine, no chest pain, just calf cramps at night", dict(denied={"breathless","chest_pain"})),
    ("my mum collapsed in the kitchen and isnt answering me, she had leg cramps earlier",
     dict(signs={"collapse"}, experiencer="other")),
    ("he keeps passing out, been cramping in the sun all afternoon", dict(signs={"fainting"}, contexts={"heat"})),
    ("my grandad is rambling and doesnt know what day it is, cramps in his legs, very hot day",
     dict(signs={"confusion"})),
    ("my daughter had a seizure at the athletics, her calves were cramping",
     dict(signs={"seizure"}, experiencer="other")),
    ("skin's gone dry and hot and he stopped sweating during the fun run",
     dict(signs={"stopped_sweating","very_hot_skin"})),
    ("been vomiting since lunch and cramps in my calves", dict(signs={"vomiting"})),
    ("cramps after a bout of diarrhoea", dict(signs={"diarrhoea"})),
    ("my jaw feels locked and I can't open it properly, trod on a rusty nail on sunday",
     dict(signs={"jaw_stiffness"}, contexts={"wound"})),
    ("struggling to swallow my food and my neck is cramping", dict(signs={"trouble_swallowing"})),
    ("lower back spasm and now I cant feel my bum when I sit on the toilet",
     dict(signs={"groin_numbness"}, body_part="lower_back")),
    ("back went into spasm and ive lost control of my bladder", dict(signs={"bladder_bowel"})),
    ("both my legs feel numb and heavy since my back went", dict(signs={"both_legs_weak"})),
    ("numb lips and my fingers are cramping into claws", dict(signs={"tingling_mouth","hands_curling"})),
    ("fever and a blotchy rash that wont go away when i press a glass on it", dict(signs={"fever","rash"})),
    ("terrible headache, cant touch my chin to my chest, temperature",
     dict(signs={"severe_headache","stiff_neck","fever"})),
    ("his face has dropped on one side and hes slurring", dict(signs={"face_droop","slurred_speech"})),
    ("my left arm went numb and weak suddenly and I cant lift it", dict(signs={"one_side_weak"})),
    ("my calf has been cramping non stop for half an hour and nothing helps", dict(signs={"not_easing"}, duration=30)),
    ("thigh keeps cramping, its been going for about 25 minutes now", dict(signs={"not_easing"}, duration=25)),
    ("felt a massive pop in my achilles playing squash and now i cant stand on my toes",
     dict(signs={"calf_pop","cant_push_off"})),
    ("my boy is 7 and hes limping after a cramp at football",
     dict(signs={"limp"}, age_band="child", experiencer="other")),
    ("pregnant, 30 weeks, some bleeding this morning and cramp in my calf",
     dict(signs={"bleeding"}, contexts={"pregnancy"})),
    ("i stopped drinking three days ago and my hands wont stop shaking, legs cramping",
     dict(signs={"shaking"}, contexts={"alcohol_withdrawal"})),
    ("started simvastatin last month and now my thighs ache and cramp", dict(contexts={"statin"})),
    ("i'm on furosemide and my feet cramp every night", dict(contexts={"diuretic"}, recurrence="frequent")),
    ("twitch in my eyelid for about a month now", dict(duration=43200, pattern="twitching")),
    ("my eye keeps twitching since 3 weeks", dict(onset=30240)),
    ("calf cramp woke me up at 4am, lasted about 2 minutes", dict(duration=2, contexts={"sleep"})),
    ("after a 10 hour shift my feet cramped for a few seconds", dict(duration=0.5)),
    ("im 33 weeks pregnant and get calf cramps most nights",
     dict(duration=None, recurrence="frequent", contexts={"pregnancy"})),
    ("my 80 year old dad has cramps in his calves", dict(age_band="older_adult", experiencer="other")),
    ("my wife (52) gets cramps in her feet", dict(age_band="adult", experiencer="other")),
    ("I'm 71 and my calves cramp in bed", dict(age_band="older_adult")),
    ("period cramps are awful this month", dict(scope="out")),
    ("stomach cramps from food poisoning", dict(scope="out")),
    ("i think my calf might be a bit swollen?", dict(possible_signs={"swelling"})),
    ("in case it swells up what should i do? calf cramp now", dict(signs=set(), possible_signs=set())),
    ("no fever, no rash, no headache, just a stiff neck from sleeping wrong",
     dict(denied={"fever","rash","severe_headache"})),
    ("if I get chest pain should I call 999? for now just a calf cramp", dict(signs=set())),
    ("calf swollen", dict(signs={"swelling"}, body_part="calf")),
    ("Swolen calf n its red", dict(signs={"swelling","redness"})),
    ("cant breath", dict(signs={"breathless"})),
    ("my speech is coming out all jumbled and my hand is cramping", dict(signs={"slurred_speech"})),
    ("peeing like coffee colour after marathon", dict(signs={"dark_urine"})),
    ("cramp in my calf that won't go away for 3 hours now", dict(signs={"not_easing"}, duration=180)),
    ("my son, 4, has a temperature and wont walk on his leg", dict(signs={"fever","limp"}, age_band="child")),
    ("the cramp in my foot eased after about a minute", dict(duration=1)),
    ("toes cramping since this morning", dict(onset=300)),
    ("leg cramps since monday", dict(onset=4320)),
    # A second batch, written after the first was read.
    ("um so basically my calf went really tight about an hour ago and it's like burning hot and kind of swollen and "
     "i don't know what to do",
     dict(signs={"warmth","swelling"}, onset=60)),
    ("alexa my dad can't get his words out properly and his face looks droopy",
     dict(signs={"slurred_speech","face_droop"}, experiencer="other")),
    ("respected sir my wife is having leg cramps from 3 days and her urine is coming dark brown colour",
     dict(signs={"dark_urine"}, onset=4320, experiencer="other")),
    ("me nan's calf is gone all swollen and purple, she's 86",
     dict(signs={"swelling","redness"}, age_band="older_adult")),
    ("mate my hammy's locked up and i reckon i can't walk on it properly", dict(body_part="hamstring")),
    ("my chest is tight, cant get a proper breath, calves are sore from the run",
     dict(signs={"chest_pain","breathless"})),
    ("I dont think its anything but my calf feels a bit warm", dict(possible_signs=set(), signs={"warmth"})),
    ("calf cramp, not hot, maybe a little swollen", dict(denied={"warmth"}, possible_signs={"swelling"})),
    ("I'm not confused or anything but I do feel really sick and hot after gardening all day in the sun",
     dict(denied={"confusion"})),
    ("no blood in my wee but its very dark", dict(signs={"dark_urine"})),
    ("she fainted twice today with cramps in her legs, she's 15", dict(signs={"fainting"}, age_band="child")),
    ("both his legs have gone weak, hes 68, after lifting the shopping",
     dict(signs={"both_legs_weak"}, age_band="older_adult")),
    ("lower back pain radiating down both legs, both legs tingling and weak", dict(signs={"both_legs_weak"})),
    ("numbness around my back passage after my back spasm", dict(signs={"groin_numbness"})),
    ("I keep wetting myself since my back went into spasm", dict(signs={"bladder_bowel"})),
    ("jaw is so tight I can barely open my mouth to eat, cut my finger on rusty metal",
     dict(signs={"jaw_stiffness"}, contexts={"wound"})),
    ("the cat bit me last week and now my arm keeps cramping", dict(contexts={"wound"}, body_part="arm")),
    ("eyelid twitching for the last 3 weeks on and off", dict(duration=30240)),
    ("had a cramp in my foot for 5 mins this morning, fine now", dict(duration=5)),
    ("cramp in my calf since about 10 minutes ago and it's still going", dict(onset=10, signs={"not_easing"})),
    ("doing a 12 hour shift tomorrow and my calves have been cramping on and off", dict(duration=None)),
    ("I am 6 months pregnant and my calf is red and swollen",
     dict(signs={"redness","swelling"}, contexts={"pregnancy"}, duration=None)),
    ("Been on atorvastatin for 5 years and now getting leg cramps", dict(contexts={"statin"}, duration=None)),
    ("my baby is 9 months and her legs keep jerking", dict(age_band="child", experiencer="other")),
    ("sorry to bother you but my husband has terrible cramps in his calves every night",
     dict(recurrence="frequent", experiencer="other", age_band="adult")),
    ("first cramp I've ever had, right in the arch of my foot", dict(recurrence="first", body_part="foot")),
    ("calf cramps three nights in a row now", dict(recurrence="frequent")),
    ("Cramp in my neck and shoulders, feels like a knot, can't turn my head",
     dict(body_part="neck_shoulder", pattern="stiff")),
    ("My thumb keeps twitching for no reason", dict(body_part="hand", pattern="twitching", contexts={"rest"})),
    ("cramped up in the pool, calf went rock solid", dict(pattern="locked", body_part="calf", contexts={"exercise"})),
    ("cramping in the heat at work, soaked with sweat and feel dizzy",
     dict(signs={"heavy_sweating"}, contexts={"heat"})),
    ("swollen and hot knee on my 5 year old and he won't walk",
     dict(signs={"swollen_joint","limp"}, age_band="child")),
    ("it's not swollen, it's not red, it's not hot. it's just a cramp",
     dict(denied={"swelling","redness","warmth"}, signs=set())),
    ("hardly any urine today and what there is looks like cola", dict(signs={"little_urine","dark_urine"})),
    ("i coughed and there was blood, and my calf is swollen", dict(signs={"coughing_blood","swelling"})),
    ("suddenly can't speak properly and my right side feels weak", dict(signs={"slurred_speech","one_side_weak"})),
    ("seeing things that aren't there since i stopped the booze, legs cramping",
     dict(signs={"hallucinations"}, contexts={"alcohol_withdrawal"})),
    ("I can't feel my left foot properly after the cramp", dict(signs={"numbness"})),
    ("my calf's gotten thinner than the other over the months and cramps a lot",
     dict(signs={"muscle_wasting"}, recurrence="frequent")),
    ("the twitching has spread from my eye to my whole cheek", dict(signs={"spreading_twitch"})),
    ("my eyelid keeps closing on its own", dict(signs={"eye_closing"})),
    ("cramps in my legs when I walk to the bus stop but they go if I stop for a bit",
     dict(signs={"pain_when_walking"})),
    ("i've got a heavy period with clots and cramps in my stomach", dict(signs={"bleeding"}, scope="out")),
    ("tummy cramps and i've had the runs since last night", dict(signs={"diarrhoea"}, scope="out")),
    ("can my calf cramp be because of my blood pressure tablets?", dict(contexts=set())),
    ("fingers cramp when I'm writing for a long time", dict(contexts={"writing"}, body_part="hand")),
    ("charley horse", dict(called_it="cramp")),
    ("my back's spasming, no numbness, bladder fine, no fever", dict(denied={"numbness","bladder_bowel","fever"})),
    ("cramp at the back of my thigh during the 5k parkrun", dict(body_part="hamstring", contexts={"exercise"})),
    ("quads seized up after squats at the gym",
     dict(body_part="quadriceps", contexts={"after_exercise"}, pattern="locked")),
    # A third batch: Indian, Irish, Scottish and Australian English, voice, texting, stories.
    # Indian English
    ("Good evening doctor, my father aged 67 is having severe cramps in both calves since 4 days, kindly suggest",
     dict(experiencer="other", age_band="older_adult", onset=5760, severity="severe", body_part="calf")),
    ("my mother is having swelling in left leg and it is paining a lot from yesterday",
     dict(signs={"swelling"}, experiencer="other", onset=1440)),
    ("Sir I am getting cramps in my calf muscles during night times, what to do",
     dict(contexts={"sleep"}, body_part="calf")),
    ("doctor my urine is coming very less and dark yellow after the trek, legs are paining",
     dict(signs={"little_urine"})),
    ("my son got bitten by street dog 1 week back and now he is having jaw pain and not able to open mouth",
     dict(signs={"jaw_stiffness"}, contexts={"wound"}, experiencer="other")),
    ("I am diabetic and on metformin, getting tingling and cramps in my feet at night",
     dict(contexts={"sleep"}, body_part="foot")),
    ("my wife is 7 months pregnant and having leg cramps at night, is it normal",
     dict(contexts={"pregnancy"}, experiencer="other")),
    ("hand is paining and fingers are getting locked while writing exam", dict(contexts={"writing"}, body_part="hand")),
    # Irish / Scottish / Australian / UK
    ("me calf is after going into a knot on the pitch, hurling, its fierce sore",
     dict(body_part="calf", contexts={"exercise"})),
    ("wee man is only 6 and he's limping since the match, says his knee is sore, and it's a bit swollen",
     dict(age_band="child", signs={"limp"})),
    ("arvo run in 38 degrees and now me legs are cramping and I feel crook", dict(contexts={"heat"})),
    ("the missus has been on the loo all night with the runs and now her calves are cramping",
     dict(signs={"diarrhoea"}, experiencer="other")),
    ("my granda's calf is roaring red and hot, he flew back from spain on tuesday",
     dict(signs={"redness","warmth"}, experiencer="other", age_band="older_adult")),
    ("I'm gasping, can't get a breath at all, and me leg's cramping", dict(signs={"breathless"})),
    ("bairn woke up screaming with cramp in her leg, she's 5, no temperature",
     dict(age_band="child", denied={"fever"})),
    ("knackered after the footy, hammy's tight as anything", dict(body_part="hamstring", contexts={"fatigue"})),
    # Voice transcripts, no punctuation
    ("alexa ask cramp helper my leg keeps cramping up every night for the last two weeks",
     dict(recurrence="frequent", duration=None)),
    ("hey so my husband just collapsed on the floor and hes not waking up he had really bad cramps before",
     dict(signs={"collapse"}, experiencer="other")),
    ("i think my calf is maybe a little bit swollen but im not really sure", dict(possible_signs={"swelling"})),
    ("my back went into spasm this morning and now i cant really feel my bottom when i sit on the loo",
     dict(signs={"groin_numbness"}, onset=None)),
    ("my dad is talking funny and his mouth is drooping on one side", dict(signs={"slurred_speech","face_droop"})),
    ("cramp in my foot its gone now it lasted maybe thirty seconds", dict(duration=0.5)),
    ("calf cramp for like twenty minutes and it is still going", dict(duration=20, signs={"not_easing"})),
    # Texting / typos
    ("omg my calf is sooo swolen n red wat do i do", dict(signs={"swelling","redness"})),
    ("cnt breathe properly n my chest hurts", dict(signs={"breathless","chest_pain"})),
    ("legs crampin all day, pee is like coke colour", dict(signs={"dark_urine"})),
    ("neck spasm 2dy, no fevr no rash", dict(denied={"fever","rash"})),
    ("jaw feels stiff cant open it proprly, cut my hand on a rusty gate last wk",
     dict(signs={"jaw_stiffness"}, contexts={"wound"})),
    ("hamstrng cramp aftr sprint sesh", dict(body_part="hamstring", contexts={"after_exercise"})),
    # Stories
    ("So I went for my usual Sunday long run, about 18k, it was really hot out, and around the 15k mark "
     "both calves started cramping, I walked home and drank loads, now a few hours later my pee is really "
     "dark like tea and my legs are so sore",
     dict(signs={"dark_urine"}, contexts={"heat"})),
    ("Bit of background: I'm 45, healthy, no meds. Last night I woke up with a cramp in my left calf, "
     "which eased after a few minutes. This morning the calf still feels tight and it looks a bit swollen "
     "compared to the other one, and it's warm.",
     dict(signs={"warmth", "swelling"})),
    ("My elderly mum (89) has been getting cramps in her hands for weeks, and today she seems confused and"
     " doesn't know where she is",
     dict(signs={"confusion"}, age_band="older_adult", experiencer="other")),
    # Negation / hedges / hypotheticals
    ("no swelling no redness no heat just a tight calf", dict(denied={"swelling","redness","warmth"}, signs=set())),
    ("it isn't swollen or red but it is really hot", dict(denied={"swelling","redness"}, signs={"warmth"})),
    ("should I be worried if my calf swells up? it's just cramping at the moment",
     dict(signs=set(), possible_signs=set())),
    ("I don't know if it's swollen, it might be", dict(possible_signs={"swelling"})),
    ("never had any chest pain, just these cramps", dict(denied={"chest_pain"})),
    ("I wasn't sick but I did feel dizzy", dict(denied={"vomiting"})),
    ("no numbness down below, bladder and bowels normal, just back spasms",
     dict(denied={"groin_numbness","bladder_bowel"})),
    ("doctor said to watch for dark urine, it's fine so far", dict(signs=set())),
    # Time
    ("my leg cramped about 20 minutes ago and it only lasted a minute", dict(onset=20, duration=1)),
    ("I've had this twitch for six months on and off", dict(duration=259200)),
    ("cramps started two days ago", dict(onset=2880)),
    ("calf cramp at 5am this morning, lasted about 10 minutes", dict(duration=10)),
    ("on statins for 10 years, cramps for 2 weeks", dict(duration=20160, contexts={"statin"})),
    ("I'm 28 weeks and my feet cramp", dict(duration=None, contexts={"pregnancy"})),
    # Others / age
    ("my 14 year old daughter gets cramps in her calves after netball", dict(age_band="child", experiencer="other")),
    ("Asking for my grandma, she's 92, her feet cramp at night", dict(age_band="older_adult", experiencer="other")),
    ("me and my brother both get cramps in our legs", dict(experiencer="self")),
    # Out of scope
    ("bad stomach cramps and diarrhoea since last night", dict(scope="out", signs={"diarrhoea"})),
    # A fourth batch: every red-flag sign in a wording of its own.
    ("my calf has blown up like a balloon", dict(signs={"swelling"})),
    ("left leg looks much bigger than the right now", dict(signs={"swelling"})),
    ("there's a red streak going up my shin from the calf", dict(signs={"redness"})),
    ("the skin over my calf has gone a purple colour", dict(signs={"redness"})),
    ("calf feels like it's on fire when I touch it", dict(signs={"warmth"})),
    ("my chest is really hurting when I take a deep breath", dict(signs={"chest_pain"})),
    ("stabbing pain in my ribs when i breathe in and my calf is sore", dict(signs={"chest_pain"})),
    ("I get puffed out just walking to the kitchen now and my calf is tender", dict(signs={"breathless"})),
    ("I'm wheezing and struggling to breathe after the cramp", dict(signs={"breathless"})),
    ("there was blood when I coughed this morning", dict(signs={"coughing_blood"})),
    ("spitting up blood and cramp in my calf", dict(signs={"coughing_blood"})),
    ("my husband has passed out and we can't wake him", dict(signs={"collapse"})),
    ("she went down and is out cold", dict(signs={"collapse"})),
    ("my piss is the colour of black coffee after the ultra", dict(signs={"dark_urine"})),
    ("urine looks reddish brown after squats", dict(signs={"dark_urine"})),
    ("I haven't peed since yesterday and my legs are killing me", dict(signs={"little_urine"})),
    ("he's not making any sense and seems really muddled after the heat", dict(signs={"confusion"})),
    ("she doesn't recognise me and keeps asking the same thing", dict(signs={"confusion"})),
    ("I fainted at work after my legs cramped", dict(signs={"fainting"})),
    ("he blacked out for a few seconds at the gym", dict(signs={"fainting"})),
    ("he's having a fit and his legs are jerking", dict(signs={"seizure"})),
    ("his skin is red hot and dry and he's stopped sweating, worked outside all day in the heat",
     dict(signs={"very_hot_skin","stopped_sweating"})),
    ("I've been throwing up all morning and my calves are cramping", dict(signs={"vomiting"})),
    ("been to the toilet 10 times with watery poo and now cramping", dict(signs={"diarrhoea"})),
    ("pouring with sweat and cramping in the sun", dict(signs={"heavy_sweating"})),
    ("my jaw has clamped shut and I cut myself on a rusty nail last week", dict(signs={"jaw_stiffness"})),
    ("can't get food down my throat, it keeps catching", dict(signs={"trouble_swallowing"})),
    ("bum feels numb after my back went", dict(signs={"groin_numbness"})),
    ("since the back spasm I can't pee at all", dict(signs={"bladder_bowel"})),
    ("I had an accident and soiled myself, my back has been spasming", dict(signs={"bladder_bowel"})),
    ("both my legs have gone wobbly and weak with this back pain", dict(signs={"both_legs_weak"})),
    ("tingly feeling around my mouth and my fingers cramping up", dict(signs={"tingling_mouth"})),
    ("my hands have twisted up into claws and my lips tingle", dict(signs={"hands_curling","tingling_mouth"})),
    ("I've got a high temperature and cramps everywhere", dict(signs={"fever"})),
    ("spotty purple rash that doesn't fade under a glass", dict(signs={"rash"})),
    ("worst headache of my life and neck cramps", dict(signs={"severe_headache"})),
    ("i cant put my chin on my chest and i have a fever", dict(signs={"stiff_neck","fever"})),
    ("one side of my face has dropped and my arm cramped", dict(signs={"face_droop"})),
    ("his words are all muddled and slurred", dict(signs={"slurred_speech"})),
    ("her right arm and leg suddenly went weak", dict(signs={"one_side_weak"})),
    ("my legs feel weak and floppy", dict(signs={"weakness"})),
    ("I've lost feeling in my foot after the cramp", dict(signs={"numbness"})),
    ("calf cramp still hasn't let go after 20 minutes", dict(signs={"not_easing"}, duration=20)),
    ("lost a stone without trying and my back spasms", dict(signs={"weight_loss"})),
    ("back pain and spasms that wake me up every night", dict(signs={"night_pain"})),
    ("calves cramp after walking 100 yards and ease when I stop", dict(signs={"pain_when_walking"})),
    ("heard a snap at the back of my ankle during badminton", dict(signs={"calf_pop"})),
    ("can't go up on tiptoes since it happened", dict(signs={"cant_push_off"})),
    ("my 6 year old is hobbling and his knee is swollen", dict(signs={"limp","swollen_joint"})),
    ("10 weeks pregnant and I'm spotting and have leg cramps", dict(signs={"bleeding"})),
    ("really bad constant stomach pain, 30 weeks pregnant, leg cramps too", dict(signs={"abdominal_pain"})),
    ("hands trembling and legs cramping, stopped drinking 2 days ago", dict(signs={"shaking"})),
    ("he's seeing bugs on the walls since quitting alcohol", dict(signs={"hallucinations"})),
    ("the twitch in my eye has moved to my cheek and mouth", dict(signs={"spreading_twitch"})),
    ("my eye keeps shutting by itself", dict(signs={"eye_closing"})),
    ("my eyelid is drooping and my eye twitches", dict(signs={"droopy_eyelid"})),
    ("my thigh looks smaller and thinner than the other", dict(signs={"muscle_wasting"})),
    # A fifth batch: negation and doubt, hypotheticals, who it is for, which muscle, which time.
    # negation scope
    ("no pain in my chest but my calf is really swollen", dict(denied={"chest_pain"}, signs={"swelling"})),
    ("calf isn't red, though it does feel quite warm", dict(denied={"redness"}, signs={"warmth"})),
    ("I have no idea why but my pee is dark brown", dict(signs={"dark_urine"})),
    ("nothing wrong with my breathing, just a cramp in my foot", dict(denied={"breathless"}, body_part="foot")),
    ("not swollen, not red, not warm", dict(denied={"swelling","redness","warmth"}, signs=set())),
    ("without any swelling or redness, my hamstring keeps locking",
     dict(denied={"swelling","redness"}, body_part="hamstring")),
    ("never had a seizure, but I did faint yesterday", dict(denied={"seizure"}, signs={"fainting"})),
    ("swelling? no. redness? a bit", dict(denied={"swelling"})),
    ("I wouldn't say it's swollen", dict(possible_signs={"swelling"})),
    ("can't rule out that it's a bit swollen", dict(possible_signs={"swelling"})),
    ("she doesn't have a fever and her neck isn't stiff", dict(denied={"fever"})),
    # hypotheticals
    ("what should I do if it starts to swell?", dict(signs=set(), possible_signs=set())),
    ("the leaflet says to call if you get chest pain. my calf is cramping", dict(signs=set())),
    ("should I worry if my pee goes dark?", dict(signs=set())),
    # uncertainty
    ("might have a slight temperature, calves cramping", dict(possible_signs={"fever"})),
    ("my calf could be swollen, I'm not sure", dict(possible_signs={"swelling"})),
    ("pee looks maybe a bit dark?", dict(possible_signs={"dark_urine"})),
    # experiencer
    ("my husband's calf is swollen and red", dict(experiencer="other", signs={"swelling","redness"})),
    ("my mate at footy cramped up, I'm fine", dict(experiencer="other")),
    ("my daughter says her legs hurt at night, she's 8", dict(experiencer="other", age_band="child")),
    ("my calf cramps when I pick up my toddler", dict(experiencer="self")),
    ("my 90 year old neighbour fell and now her leg is cramping", dict(experiencer="other", age_band="older_adult")),
    # body part
    ("my chest hurts and my calf is cramping", dict(body_part="calf", signs={"chest_pain"})),
    ("both my legs are weak and my back is in spasm", dict(body_part="lower_back", signs={"both_legs_weak"})),
    ("hamstring cramp, now my knee is swollen too", dict(body_part="hamstring")),
    ("my face is drooping and my hand is cramping", dict(body_part="hand", signs={"face_droop"})),
    ("foot cramps and my lips are tingling", dict(body_part="foot", signs={"tingling_mouth"})),
    ("neck spasm and a terrible headache", dict(body_part="neck_shoulder", signs={"severe_headache"})),
    # time
    ("started cramping 3 hours ago and it's still going", dict(onset=180, signs={"not_easing"})),
    ("the cramp lasted 10 minutes and was yesterday", dict(duration=10)),
    ("been on metformin for 5 years, calf cramps for the last week", dict(duration=10080)),
    ("ran 10 miles then cramped for 5 mins", dict(duration=5)),
    ("I'm 45, cramps for 2 days", dict(duration=2880, age_band="adult")),
    ("my 6 year old has had leg cramps for 3 nights", dict(age_band="child")),
    ("cramps twice a day for a month", dict(recurrence="frequent")),
    ("cramp woke me at 3am and lasted a minute", dict(duration=1, contexts={"sleep"})),
    ("since Monday my back has been in spasm", dict(onset=4320)),
    ("twitching eyelid on and off for 6 weeks", dict(duration=60480)),
    # called it / scope
    ("not sure if it's a cramp or a spasm in my back", dict(body_part="lower_back")),
    ("period pain and leg cramps", dict(contexts={"period"})),
    ("bad stomach cramps after eating", dict(scope="out")),
    ("my stomach muscles cramped doing sit ups", dict(scope="in")),
]


@pytest.mark.parametrize(("text", "expected"), UNSEEN, ids=[text[:40] for text, _ in UNSEEN])
def test_reader_unseen_phrasing_reads_the_concept(text: str, expected: dict) -> None:
    observations = read(text, LEXICON, now=CORPUS_NOW)
    for fact, value in expected.items():
        if fact in ("signs", "possible_signs", "denied", "contexts"):
            got = getattr(observations, fact)
            assert (not got) if value == set() else value <= got, (fact, got)
        elif fact in ("duration", "onset"):
            got = observations.duration_minutes if fact == "duration" else observations.onset_minutes_ago
            assert got == pytest.approx(value) if value is not None else got is None, (fact, got)
        else:
            assert getattr(observations, fact) == value, (fact, getattr(observations, fact))


# Wordings of the classes the held-out scoring found under-read (the lead's list: a faint told as a story, a fit told
# as what was seen, blood coughed up told by its colour, pleuritic chest pain, breathlessness idioms, lay words for
# speech, face and eyelid, lockjaw and a stiff neck, swallowing, bleeding in pregnancy, limb signs in images, a cramp
# getting worse, the heat, alcohol, weight loss, falls and bites, claudication, repetitive hand work, recurrence).
# Written before the lexicon was taught them: 41 of 105 read then.
UNSEEN_CLASSES = [
    # 1 loss of consciousness as a story
    ("my calves were cramping then i woke up lying on the bathroom floor", dict(signs={"fainting"})),
    ("i must have gone down because i came round on the pavement after my run", dict(signs={"fainting"})),
    ("felt the cramp, my vision went grey and then i was on the ground", dict(signs={"fainting"})),
    ("blanked out for a few seconds in the heat after the leg cramp", dict(signs={"fainting"})),
    ("i lost consciousness briefly after the cramp in my thigh", dict(signs={"fainting"})),
    ("my dad had cramps and now we cant get him to wake up", dict(signs={"collapse"})),
    ("my wife is lying there and not responding to me, her legs were cramping", dict(signs={"collapse"})),
    # 2 seizure as seen
    ("his whole body went stiff and he was jerking all over on the floor", dict(signs={"seizure"})),
    ("she was twitching all over and her eyes rolled back, wouldnt answer", dict(signs={"seizure"})),
    ("he started foaming at the mouth and shaking violently after the cramps", dict(signs={"seizure"})),
    ("my son had a fit like thing, arms and legs jerking and not responding", dict(signs={"seizure"})),
    ("she went rigid and her limbs were thrashing for a minute", dict(signs={"seizure"})),
    # 3 coughing blood indirectly
    ("calf is sore and theres red streaks in the phlegm i cough up", dict(signs={"coughing_blood"})),
    ("my spit has pink flecks in it since this morning and my leg cramps", dict(signs={"coughing_blood"})),
    ("coughing and the tissue comes away red, plus a swollen calf", dict(signs={"coughing_blood"})),
    ("bringing up rusty coloured mucus and my calf hurts", dict(signs={"coughing_blood"})),
    ("specks of blood when i cough, calf cramp for 3 days", dict(signs={"coughing_blood"})),
    # 4 chest pain through breathing
    ("sharp pain in my side every time i breathe in, and my calf is swollen", dict(signs={"chest_pain"})),
    ("stabbing feeling under my ribs when i take a breath and cant get enough air",
     dict(signs={"chest_pain", "breathless"})),
    ("it hurts to breathe deeply and my leg cramped after the flight", dict(signs={"chest_pain"})),
    ("like a knife going in with each breath, calf is tender", dict(signs={"chest_pain"})),
    ("pain behind my breastbone whenever i inhale", dict(signs={"chest_pain"})),
    # 5 breathlessness idioms
    ("i keep running out of breath just walking to the kitchen, calf swollen", dict(signs={"breathless"})),
    ("im gasping after climbing a few stairs and my leg is puffy", dict(signs={"breathless"})),
    ("i cant breath properly and my calf is killing me", dict(signs={"breathless"})),
    ("cnat breathe and calf is hot", dict(signs={"breathless"})),
    ("struggling to breahte and my calf cramps", dict(signs={"breathless"})),
    ("totally winded after a couple of steps, leg cramp", dict(signs={"breathless"})),
    # 6 speech / face / eyelid
    ("his speech is all mushy and his hand is cramping", dict(signs={"slurred_speech"})),
    ("my mum sounds drunk when she talks but she hasnt had a drink", dict(signs={"slurred_speech"})),
    ("his words are coming out thick and jumbled", dict(signs={"slurred_speech"})),
    ("one side of her face is sagging and her leg is weak", dict(signs={"face_droop"})),
    ("his smile is lopsided all of a sudden", dict(signs={"face_droop"})),
    ("the left side of my face has dropped", dict(signs={"face_droop"})),
    ("my eyelid is hanging down and my eye twitches", dict(signs={"droopy_eyelid"})),
    ("one eyelid sits lower than the other since yesterday", dict(signs={"droopy_eyelid"})),
    ("my eye wont open all the way and the lid twitches", dict(signs={"droopy_eyelid"})),
    # 7 lockjaw and stiff neck
    ("stood on a nail last week and now i can hardly open my mouth to eat", dict(signs={"jaw_stiffness"})),
    ("cant unclench my jaw and my neck cramps", dict(signs={"jaw_stiffness"})),
    ("it hurts too much to chew and my jaw feels stuck, cut my hand gardening", dict(signs={"jaw_stiffness"})),
    ("high fever and i cant bring my chin down to my chest", dict(signs={"stiff_neck", "fever"})),
    ("bad headache and my neck is rigid like a plank, cant look down", dict(signs={"stiff_neck"})),
    ("temperature of 39 and my neck is stiff as a board", dict(signs={"stiff_neck", "fever"})),
    # 8 swallowing
    ("my throat feels like its closing and my hands are cramping", dict(signs={"trouble_swallowing"})),
    ("water just wont go down and my jaw is tight", dict(signs={"trouble_swallowing"})),
    ("i can barely swallow anything since the cut on my foot", dict(signs={"trouble_swallowing"})),
    ("my throat is tight and i struggle to get my drink down", dict(signs={"trouble_swallowing"})),
    ("swallowing is really hard today and my neck spasms", dict(signs={"trouble_swallowing"})),
    # 9 bleeding in pregnancy
    ("im 20 weeks gone and had some spotting today with calf cramps",
     dict(signs={"bleeding"}, contexts={"pregnancy"})),
    ("expecting our first and theres pink on the tissue when i wipe", dict(signs={"bleeding"}, contexts={"pregnancy"})),
    ("carrying 7 months and lost a bit of blood down below, leg cramps",
     dict(signs={"bleeding"}, contexts={"pregnancy"})),
    ("cramps in my calf, my bump is 28 weeks and ive noticed red in my knickers",
     dict(signs={"bleeding"}, contexts={"pregnancy"})),
    ("im pregnant and theres bright red blood on the loo roll", dict(signs={"bleeding"}, contexts={"pregnancy"})),
    # 10 limb images
    ("my calf is giving off heat like a radiator", dict(signs={"warmth"})),
    ("my calf is twice the size of the other one", dict(signs={"swelling"})),
    ("my lower leg has gone all fat and shiny", dict(signs={"swelling"})),
    ("my leg just folded under me on the stairs", dict(signs={"weakness"})),
    ("i cant lift my foot up properly since my back went", dict(signs={"weakness"})),
    ("my foot feels like its wrapped in cotton wool", dict(signs={"numbness"})),
    ("my hand feels like it belongs to someone else after the cramp", dict(signs={"numbness"})),
    ("my little girl is hobbling and wont put any weight on her leg", dict(signs={"limp"})),
    ("hes favouring his right leg since the cramp at football", dict(signs={"limp"})),
    # 11 not easing as worsening
    ("calf cramp for 20 minutes and its getting worse by the minute", dict(signs={"not_easing"})),
    ("my thigh has been cramping for half an hour and keeps getting tighter", dict(signs={"not_easing"})),
    ("cramp started 15 mins ago and it is only getting more painful", dict(signs={"not_easing"})),
    ("been 25 minutes and the cramp is getting worse and worse", dict(signs={"not_easing"})),
    # 12 heat and heavy sweating
    ("working on the building site in this heatwave and my legs cramped", dict(contexts={"heat"})),
    ("it was 34 degrees at the match and my calves went", dict(contexts={"heat"})),
    ("95 f outside and my hamstring is cramping", dict(contexts={"heat"})),
    ("out in the sun all day gardening, now my hands cramp", dict(contexts={"heat"})),
    ("absolute scorcher today and ive got cramp in both calves", dict(contexts={"heat"})),
    ("im dripping with sweat and my legs keep cramping", dict(signs={"heavy_sweating"})),
    ("sweat is pouring off me and my calves are cramping", dict(signs={"heavy_sweating"})),
    ("absolutely drenched in sweat after the shift, thigh cramp", dict(signs={"heavy_sweating"})),
    # 13 alcohol
    ("i usually drink a bottle of wine a night but ran out two days ago, my hands are trembling and my legs cramp",
     dict(contexts={"alcohol_withdrawal"}, signs={"shaking"})),
    ("cut down on the booze after drinking every day and now ive got the shakes",
     dict(contexts={"alcohol_withdrawal"}, signs={"shaking"})),
    ("i drink about 10 cans a day and get calf cramps", dict(contexts={"heavy_drinking"})),
    ("i get through half a bottle of whisky every night and my legs cramp", dict(contexts={"heavy_drinking"})),
    ("i have about 40 units a week and my feet cramp", dict(contexts={"heavy_drinking"})),
    # 14 weight loss
    ("ive lost 2 stone without trying and my legs cramp", dict(signs={"weight_loss"})),
    ("down 8 kg in two months without dieting, and cramps", dict(signs={"weight_loss"})),
    ("my trousers are falling off me and my calves twitch", dict(signs={"weight_loss"})),
    ("lost about 10 pounds for no reason and muscle cramps", dict(signs={"weight_loss"})),
    # 15 falls and injuries, bites
    ("took a nasty tumble in the garden and my calf is cramping", dict(contexts={"fall"})),
    ("rolled my ankle on the kerb and my foot is cramping", dict(contexts={"injury"})),
    ("went down the stairs on my backside yesterday and my back is in spasm", dict(contexts={"fall"})),
    ("the neighbours dog got my leg last week and now my jaw feels tight", dict(contexts={"wound"})),
    ("our cat scratched my hand a few days ago and its cramping", dict(contexts={"wound"})),
    ("a dog nipped my ankle on my walk and now the calf cramps", dict(contexts={"wound"})),
    # 16 claudication
    ("i can only walk a few hundred yards before my calves seize and it goes once i stand for a minute",
     dict(signs={"pain_when_walking"})),
    ("walking to the shop my calf cramps and i have to stop, then it eases", dict(signs={"pain_when_walking"})),
    ("my calves ache after a short walk and settle when i rest", dict(signs={"pain_when_walking"})),
    ("after walking a bit my legs cramp up, resting makes it go away", dict(signs={"pain_when_walking"})),
    # 17 repetitive hand use
    ("my hand cramps after signing christmas cards for an hour", dict(contexts={"writing"})),
    ("fingers cramp when i play the piano for a long time", dict(contexts={"writing"})),
    ("my thumb cramps from texting all day", dict(contexts={"writing"})),
    ("hand cramps after hours of gaming on the controller", dict(contexts={"writing"})),
    ("hand cramps when i play guitar for ages", dict(contexts={"writing"})),
    # 18 recurrence
    ("calf cramp, this is the fifth time this week", dict(recurrence="frequent")),
    ("every night this week my feet have cramped", dict(recurrence="frequent")),
    ("my hamstring cramps again and again", dict(recurrence="recurring")),
    ("i get calf cramps most nights", dict(recurrence="frequent")),
    ("third night running my calves have cramped", dict(recurrence="frequent")),
    ("it keeps happening over and over, calf cramps", dict(recurrence="recurring")),
]

# A second batch, written after those read, to see the classes and not the wordings were learnt: 34 of 38 read when
# written (then: a story ending "on the landing", "found me on the floor", "it catches ... every time I take a deep
# breath", "out of breath just getting dressed").
UNSEEN_CLASSES += [
    ("one minute i was stretching my calf the next i was lying on the landing", dict(signs={"fainting"})),
    ("i dont remember anything, my wife found me on the bathroom floor after my leg cramp", dict(signs={"fainting"})),
    ("my husband is slumped in the chair and we cant wake him", dict(signs={"collapse"})),
    ("my son was jerking all over and wouldnt respond, his legs were cramping earlier", dict(signs={"seizure"})),
    ("her eyes rolled back and she went rigid and was shaking", dict(signs={"seizure"})),
    ("theres pink stuff in the phlegm when i cough and my calf is sore", dict(signs={"coughing_blood"})),
    ("bringing up red streaked mucus, leg swollen since my flight", dict(signs={"coughing_blood"})),
    ("sharp stabbing pain in my chest when i breathe in deeply, calf tender", dict(signs={"chest_pain"})),
    ("it catches under my ribs every time i take a deep breath", dict(signs={"chest_pain"})),
    ("i get totally out of breath just getting dressed and my calf is swollen", dict(signs={"breathless"})),
    ("cant breth and my leg is cramping", dict(signs={"breathless"})),
    ("dads words are all slurry and one side of his mouth is drooping", dict(signs={"slurred_speech", "face_droop"})),
    ("her face looks lopsided and she is talking funny", dict(signs={"face_droop", "slurred_speech"})),
    ("my right eyelid is drooping and half closed since this morning", dict(signs={"droopy_eyelid"})),
    ("cut my hand on rusty wire and now i can barely open my jaw", dict(signs={"jaw_stiffness"})),
    ("fever of 39 and i cant put my chin on my chest", dict(signs={"stiff_neck", "fever"})),
    ("food keeps getting stuck in my throat and my jaw cramps", dict(signs={"trouble_swallowing"})),
    ("its really hard to swallow water and my neck is in spasm", dict(signs={"trouble_swallowing"})),
    ("im 12 weeks pregnant and there was blood on the toilet paper, plus calf cramp",
     dict(signs={"bleeding"}, contexts={"pregnancy"})),
    ("expecting twins and noticed spotting this morning with leg cramps",
     dict(signs={"bleeding"}, contexts={"pregnancy"})),
    ("my calf is burning hot like a hot water bottle and swollen", dict(signs={"warmth", "swelling"})),
    ("my knee keeps giving out and my leg feels dead", dict(signs={"weakness", "numbness"})),
    ("my daughter is limping and wont walk on her left leg", dict(signs={"limp"})),
    ("the cramp has lasted 20 mins and its getting more intense", dict(signs={"not_easing"})),
    ("half an hour now and the spasm is getting worse and worse", dict(signs={"not_easing"})),
    ("playing golf in 32 degree heat and my calves seized", dict(contexts={"heat"})),
    ("im soaked in sweat from the sauna and my legs cramp", dict(signs={"heavy_sweating"}, contexts={"heat"})),
    ("ive been on 6 pints a night for years and my calves cramp", dict(contexts={"heavy_drinking"})),
    ("quit the booze on monday, now im shaking and my legs cramp",
     dict(contexts={"alcohol_withdrawal"}, signs={"shaking"})),
    ("lost 5 kg in a month without trying and my legs cramp", dict(signs={"weight_loss"})),
    ("my jeans are hanging off me now and my thighs twitch", dict(signs={"weight_loss"})),
    ("tripped over the dog and landed on my knee, now my calf cramps", dict(contexts={"fall"})),
    ("a cat bit my finger yesterday and now my hand is cramping", dict(contexts={"wound"})),
    ("i can only walk about 100 yards before my calf cramps and then it eases if i rest",
     dict(signs={"pain_when_walking"})),
    ("my hand cramps after hours of texting", dict(contexts={"writing"})),
    ("fingers cramp when i knit for hours", dict(contexts={"writing"})),
    ("second time today and fourth time this week my calf has cramped", dict(recurrence="frequent")),
    ("my feet cramp over and over again", dict(recurrence="recurring")),
]

@pytest.mark.parametrize(("text", "expected"), UNSEEN_CLASSES, ids=[text[:40] for text, _ in UNSEEN_CLASSES])
def test_reader_unseen_wording_of_an_under_read_class_reads_the_concept(text: str, expected: dict) -> None:
    test_reader_unseen_phrasing_reads_the_concept(text, expected)


# ... and the near misses of those classes that must stay unread: each names what it must not be read as.
NOT_THE_CLASS = [
    ("my muscles have been twitching all over my body for weeks", "signs", "seizure"),
    ("i have a cough and my calf is red and sore", "signs", "coughing_blood"),
    ("i took a deep breath and stretched my calf, it hurts", "signs", "chest_pain"),
    ("deep breaths help the pain in my calf", "signs", "chest_pain"),
    ("i was out of breath at the end of the marathon and my calves cramped", "signs", "breathless"),
    ("itchy red rash down there and leg cramps", "signs", "bleeding"),
    ("i woke up and put my feet on the floor and my calf cramped", "signs", "fainting"),
    ("i was out for a run and my calf cramped", "signs", "fainting"),
    ("got a cramp in my hand playing guitar for a bit", "contexts", "writing"),
    ("cramps since cutting down on the wine", "contexts", "alcohol_withdrawal"),
    ("i stopped for a drink and my calf cramped", "contexts", "alcohol_withdrawal"),
    ("its 5 degrees out and my calf cramped", "contexts", "heat"),
    ("pain in my calf when i walk, a few steps and it hurts", "signs", "breathless"),
    # a colour said of what is coughed up is blood, not red skin, and not bleeding down below
    ("my spit has pink flecks in it and my calf cramps", "signs", "redness"),
    ("coughing and the tissue comes away red, calf cramp", "signs", "bleeding"),
    ("i cant remember anything about my cramps", "signs", "fainting"),
    ("my calf catches when i walk", "signs", "chest_pain"),
]


@pytest.mark.parametrize(("text", "fact", "concept"), NOT_THE_CLASS, ids=[text[:40] for text, _, _ in NOT_THE_CLASS])
def test_reader_near_miss_of_an_under_read_class_stays_unread(text: str, fact: str, concept: str) -> None:
    assert concept not in getattr(read(text, LEXICON, now=CORPUS_NOW), fact)


# Warning signs described by what happened instead of named (the held-out check's remaining under-triage, by class):
# each phrasing must be read as its concept AND, through the whole engine, reach the urgency its red flag says
# (a self-care reply here is the harm). Written for these classes, not copied from the corpus or the lists above.
DESCRIBED = [
    # 1 blood told by its colour, coughed up or seen on wiping in pregnancy
    ("my cough brings up stuff with a pink tinge and my calf is swollen", "signs", "coughing_blood", "emergency"),
    ("every time i cough it comes out pink and my leg aches", "signs", "coughing_blood", "emergency"),
    ("coughing since the flight and theres red bits in it, calf tender", "signs", "coughing_blood", "emergency"),
    ("when i cough theres a red tinge to it and my calf hurts", "signs", "coughing_blood", "emergency"),
    ("there was pink froth when i coughed, leg cramps", "signs", "coughing_blood", "emergency"),
    ("im 16 weeks and when wiping there was a little pink, calf cramps", "signs", "bleeding", "emergency"),
    ("28 weeks pregnant with pink discharge and calf cramps", "signs", "bleeding", "emergency"),
    # 2 a fit told by the body: stiffening, shaking all over, no answer, then very sleepy
    ("my wife went rigid then her arms started jerking and she didnt answer me", "signs", "seizure", "emergency"),
    ("my son went stiff and then shook all over for a minute, now hes really sleepy", "signs", "seizure", "emergency"),
    ("dad was shaking all over and then wouldnt wake properly, just very drowsy, he had cramps earlier",
     "signs", "seizure", "emergency"),
    ("my son stiffened up and his legs were jerking, now hes groggy", "signs", "seizure", "emergency"),
    ("her eyes went up and she was twitching and jerking, she couldnt hear us", "signs", "seizure", "emergency"),
    ("my girl stared blankly and her arms were juddering", "signs", "seizure", "emergency"),
    ("grandad suddenly went stiff and shook for about a minute then was very drowsy", "signs", "seizure", "emergency"),
    # 3 breathlessness with a pronoun or an idiom
    ("cant catch it, my breath i mean, and my calf is swollen", "signs", "breathless", "emergency"),
    ("out of breath making a cup of tea, calf sore", "signs", "breathless", "emergency"),
    ("i keep stopping for breath and my leg is swollen", "signs", "breathless", "emergency"),
    ("my lungs wont fill properly and my calf is hot", "signs", "breathless", "emergency"),
    ("im winded after one flight and my calf aches", "signs", "breathless", "emergency"),
    ("i feel like im suffocating and my calf cramps", "signs", "breathless", "emergency"),
    # 4 a cramp getting worse, not letting up, over a stated time
    ("calf cramp for 15 minutes and it has got worse", "signs", "not_easing", "urgent"),
    ("thigh cramp, 25 mins now and worse than before", "signs", "not_easing", "urgent"),
    ("my foot has been cramping for 20 minutes with no let up", "signs", "not_easing", "urgent"),
    ("calf locked for 30 minutes and it is not budging", "signs", "not_easing", "urgent"),
    ("the cramp has got worse over the last 20 minutes", "signs", "not_easing", "urgent"),
    ("calf cramp, 30 minutes, no sign of letting up", "signs", "not_easing", "urgent"),
    # 5 the heat said by the weather (over an hour of cramps in the heat is urgent, CDC), sweat by simile
    ("temps hit 36 today and my thighs have been cramping for 2 hours", "contexts", "heat", "urgent"),
    ("the forecast says 33 and my legs cramped for an hour and a half at work", "contexts", "heat", "urgent"),
    ("roofing in blistering heat, leg cramps for 90 minutes", "contexts", "heat", "urgent"),
    ("32 degrees in the shade, calf cramps all afternoon", "contexts", "heat", "urgent"),
    ("sweat is dripping from me and my calves cramp", "signs", "heavy_sweating", None),
    ("my shirt is drenched and my legs cramp", "signs", "heavy_sweating", None),
    ("sweating like a tap and my calves are cramping", "signs", "heavy_sweating", None),
    ("its pouring off me and my thighs keep cramping", "signs", "heavy_sweating", None),
    # 6 a child who will not bear weight, with a fever (urgent: NHS Healthier Together)
    ("my 5 year old has a fever and wont stand on her right leg", "signs", "limp", "urgent"),
    ("my toddler is feverish and keeps holding his foot up off the floor", "signs", "limp", "urgent"),
    ("my little lad has a temperature and refuses to put his foot down", "signs", "limp", "urgent"),
    ("my 7 year old is hot with a fever and cries if we try to put weight on his leg", "signs", "limp", "urgent"),
    ("my kid has a fever and is hopping instead of walking", "signs", "limp", "urgent"),
    # 7 weight said to have reduced, with back or neck pain (urgent: back red flags)
    ("my weight has reduced by 6 kg and my back is in spasm at night", "signs", "weight_loss", "urgent"),
    ("lower back seizing up and my weight has gone down a lot without trying", "signs", "weight_loss", "urgent"),
    ("my back keeps spasming and my belt needs a new hole", "signs", "weight_loss", "urgent"),
    ("my weight is down by a stone and my neck spasms", "signs", "weight_loss", "urgent"),
    ("ive become so thin, my back cramps", "signs", "weight_loss", "urgent"),
    # 8 counts with abbreviations (3 or more this week is frequent: a check-up)
    ("calf cramps 5x this wk", "recurrence", "frequent", "routine"),
    ("3rd time this week my foot has cramped", "recurrence", "frequent", "routine"),
    ("calf cramp x3 today", "recurrence", "frequent", "routine"),
    ("calf cramp 4th time this wk", "recurrence", "frequent", "routine"),
    ("twice this wk my foot has cramped", "recurrence", "recurring", None),
    # 9 a hand that locks only at one skilled task (writer's cramp: worth a review)
    ("my fingers lock only when i play the cello", "contexts", "writing", "routine"),
    ("my hand seizes up whenever im signing forms at work", "contexts", "writing", "routine"),
    ("my thumb freezes up only while typing", "contexts", "writing", "routine"),
    ("my fingers lock up only when i sign my name", "contexts", "writing", "routine"),
]


@pytest.mark.parametrize(("text", "fact", "concept", "urgency"), DESCRIBED, ids=[row[0][:40] for row in DESCRIBED])
def test_reader_a_sign_described_not_named_is_read_and_reaches_its_urgency(
    text: str, fact: str, concept: str, urgency: str | None
) -> None:
    observations = read(text, LEXICON, now=CORPUS_NOW)
    said = getattr(observations, fact)
    assert concept in said if isinstance(said, frozenset) else said == concept, (fact, said)
    if urgency is not None:
        assert assess(observations, CONTENT).urgency == urgency


# ... and what sounds like them but is not: each must not be read as the concept named, and a sign said as denied or
# hypothetical stays so.
NOT_DESCRIBED = [
    # 1 a red face, a red leg
    ("went red in the face from running and my calf cramped", "signs", "redness"),
    ("my face went red from coughing so much, calf cramp", "signs", "coughing_blood"),
    ("coughing a lot and my calf has gone red and hot", "signs", "coughing_blood"),
    ("pregnant and my calf is pink and swollen", "signs", "bleeding"),
    # 2 a muscle that stiffens and twitches, a cramp shaken out, a back that seizes up
    ("my calf went rigid and it was twitching for a minute", "signs", "seizure"),
    ("i shook my leg to get rid of the cramp", "signs", "seizure"),
    ("i shook it off and carried on running but my calf still cramps", "signs", "shaking"),
    ("my back keeps seizing", "signs", "seizure"),
    ("my calf keeps seizing up at night", "signs", "seizure"),
    # 3 breath denied, hypothetical, or held
    ("not short of breath but my calf cramps", "signs", "breathless"),
    ("no breathlessness, just a calf cramp", "signs", "breathless"),
    ("no breathing problems, calf cramp", "signs", "breathless"),
    ("if i get out of breath ill stop running, calf cramp", "signs", "breathless"),
    ("i hold my breath when i stretch my calf", "signs", "breathless"),
    # 4 worse only in a question, or easing
    ("calf cramp 20 minutes, tell me what to do if it gets worse", "signs", "not_easing"),
    ("calf cramp for 15 minutes, no worse than usual and easing now", "signs", "not_easing"),
    # 5 a cold day, a fever's number, water not sweat
    ("we had 3 degrees today and my calf cramped for an hour", "contexts", "heat"),
    ("i have a temperature of 38 and calf cramps", "contexts", "heat"),
    ("the water was dripping off the roof and my calf cramps", "signs", "heavy_sweating"),
    ("used a heat pack for an hour on my calf cramp", "contexts", "heat"),
    # 6 weight put on a leg, a child who won't stand still, a toy held up
    ("my 6 year old put weight on her leg and it cramped, she has a fever", "signs", "limp"),
    ("my 8 year old wont stand still and has leg cramps at night", "signs", "limp"),
    ("my little girl has a fever and keeps holding her teddy up", "signs", "limp"),
    ("heard a snap in my heel at badminton and now i cant stand on tiptoe", "signs", "limp"),
    # 7 pounds of money, a weight lifted or stood on
    ("lost 2 pounds at the market and my back cramped", "signs", "weight_loss"),
    ("i lost 20 pounds on the horses and my back is in spasm", "signs", "weight_loss"),
    ("i dropped 5 pounds on a parking ticket, back spasm", "signs", "weight_loss"),
    ("i put my weight on my back leg and it cramped", "signs", "weight_loss"),
    ("i lifted 20 kg at the gym and my back spasmed", "signs", "weight_loss"),
    # 8 a date, a count of something else
    ("the 3rd of june my calf cramped", "recurrence", "frequent"),
    ("i take magnesium 3x a day and my calf cramped", "recurrence", "frequent"),
    ("i run 3x a week and my calf cramped today", "recurrence", "frequent"),
    # 9 a hand cramp once at a task, a task while another muscle cramps
    ("my hand cramped once while typing yesterday", "contexts", "writing"),
    ("i was typing when my calf cramped", "contexts", "writing"),
]


@pytest.mark.parametrize(("text", "fact", "concept"), NOT_DESCRIBED, ids=[row[0][:40] for row in NOT_DESCRIBED])
def test_reader_what_only_sounds_like_a_described_sign_is_not_read_as_it(text: str, fact: str, concept: str) -> None:
    said = getattr(read(text, LEXICON, now=CORPUS_NOW), fact)
    assert concept not in said if isinstance(said, frozenset) else said != concept, (fact, said)


def test_reader_money_said_in_pounds_is_not_weight_and_weight_said_in_pounds_still_is() -> None:
    # An ignored combination ("pounds .. MONEY_PLACE") drops the concepts its words belong to, only those.
    assert "weight_loss" not in read("lost 10 pounds at the casino, back spasm", LEXICON).signs
    assert "weight_loss" in read("lost 10 pounds in a month without trying, back spasm", LEXICON).signs
    money = read("lost 10 pounds at the casino and my calf is swollen", LEXICON)
    assert "swelling" in money.signs and money.body_part == "calf"
