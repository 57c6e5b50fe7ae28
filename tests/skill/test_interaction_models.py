"""Checks on the Alexa interaction models that a model build or certification would catch, and the models'
decisions: no utterance two intents share, no slot alone as a sample, durations in buckets that keep
every clinical threshold (interaction_models/README.md says why)."""

from __future__ import annotations

import ast
import json
import math
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from shared.content import load_content
from shared.reader import read
from skill.slots import DURATION_MINUTES, slot_for
from tests.skill.alexa_device import AlexaDevice

ROOT = Path(__file__).resolve().parents[2]
MODELS_DIR = ROOT / "interaction_models"
LOCALES = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")
INVOCATION_NAME = "cramp check"


def handler_intent_names() -> tuple[str, ...]:
    """Every intent name a handler in skill/ matches with ask-sdk's is_intent_name, read from the source."""
    names: set[str] = set()
    for path in sorted((ROOT / "skill").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "is_intent_name"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                names.add(node.args[0].value)
    return tuple(sorted(names))


# Every intent a handler matches; each must be in every model (certification sends all the model's intents, and
# an intent missing from a model is one Alexa never sends).
HANDLED_INTENTS = handler_intent_names()
CUSTOM_INTENTS = tuple(name for name in HANDLED_INTENTS if not name.startswith("AMAZON."))
# Alexa's built-in slot types the models may use (the slot type reference); a misspelt one fails the build.
BUILT_IN_SLOT_TYPES = frozenset({
    "AMAZON.SearchQuery", "AMAZON.DURATION", "AMAZON.NUMBER", "AMAZON.DATE", "AMAZON.TIME", "AMAZON.Ordinal",
    "AMAZON.FOUR_DIGIT_NUMBER", "AMAZON.PhoneNumber", "AMAZON.AlphaNumeric", "AMAZON.FirstName",
})

# DescribeSymptomIntent carries both one-shot descriptions and short answers, so it needs more coverage.
MIN_SAMPLES = {name: 30 for name in CUSTOM_INTENTS} | {"DescribeSymptomIntent": 40}

EXPECTED_SLOTS = {
    "DescribeSymptomIntent": {
        "body_part": "BODY_PART",
        "feeling": "PATTERN",
        "duration": "DURATION",
        "context": "CONTEXT",
        "age": "AGE_BAND",
    },
    "FreeTextIntent": {"description": "AMAZON.SearchQuery"},
    "TipsIntent": {},
    "ContactClinicIntent": {},
    "CallbackIntent": {"window": "CALLBACK_WINDOW"},
    "CallbackTimeIntent": {"window": "CALLBACK_WINDOW"},
    "TextMeIntent": {},
    "ForgetHistoryIntent": {},
}

# The ids the triage core stores and matches on (notes/common.md, "Core vocabulary").
EXPECTED_SLOT_TYPE_IDS = {
    "BODY_PART": {
        "calf",
        "hamstring",
        "quadriceps",
        "foot",
        "hand",
        "lower_back",
        "neck_shoulder",
        "abdomen",
        "eyelid_face",
        "other",
    },
    "PATTERN": {"locked", "twitching", "stiff"},
    "DURATION": {"seconds", "minutes", "over_10_minutes", "hours", "days", "weeks"},
    "CONTEXT": {
        "exercise",
        "after_exercise",
        "rest",
        "sleep",
        "lifting",
        "injury",
        "heat",
        "new_medicine",
        "pregnancy",
        "wound",
    },
    "AGE_BAND": set(load_content().concepts["age_band"]),
    # The SMS line's callback windows (wording.yaml callback_windows): a spoken time is stored as the texted one.
    "CALLBACK_WINDOW": set(load_content().language("en").words["callback_windows"]),
}

# Jaw stiffness (tetanus) and chest pain are red flags: resolving them to an ordinary body part would let
# the dialogue treat them as a routine cramp.
RED_FLAG_SITES = ("jaw", "my jaw", "chest", "my chest", "heart")

# Phrases the built-in intents already own; a custom sample or bare slot answer equal to one steals it.
BUILT_IN_PHRASES = (
    "help",
    "help me",
    "stop",
    "cancel",
    "never mind",
    "yes",
    "yes please",
    "sure",
    "no",
    "no thanks",
    "repeat",
    "repeat that",
    "say that again",
    "start over",
    "start again",
    "restart",
    "home",
    "go home",
)

SLOT_REFERENCE = re.compile(r"\{([^{}]+)\}")
# Alexa accepts letters, apostrophes, spaces and periods (spelled-out abbreviations) in samples;
# numerals and other punctuation fail the model build.
SPEAKABLE_SAMPLE = re.compile(r"^[A-Za-z' .{}_]+$")
SPEAKABLE_VALUE = re.compile(r"^[A-Za-z' .]+$")


@cache
def load_model(locale: str) -> dict[str, Any]:
    """Return the parsed ASK CLI model file for one locale."""
    return json.loads((MODELS_DIR / f"{locale}.json").read_text(encoding="utf-8"))


def language_model(locale: str) -> dict[str, Any]:
    """Return the languageModel object of one locale."""
    return load_model(locale)["interactionModel"]["languageModel"]


def intents_by_name(locale: str) -> dict[str, dict[str, Any]]:
    """Map intent name to intent object for one locale."""
    return {intent["name"]: intent for intent in language_model(locale)["intents"]}


def custom_types(locale: str) -> dict[str, dict[str, Any]]:
    """Map custom slot type name to its definition for one locale."""
    return {slot_type["name"]: slot_type for slot_type in language_model(locale).get("types", [])}


def spoken_forms(slot_type: dict[str, Any]) -> dict[str, str]:
    """Map every value and synonym (lower-cased) of a custom slot type to the id it resolves to."""
    forms: dict[str, str] = {}
    for value in slot_type["values"]:
        for form in [value["name"]["value"], *value["name"].get("synonyms", [])]:
            forms.setdefault(normalise(form), value["id"])
    return forms


def normalise(text: str) -> str:
    """Lower-case and collapse whitespace, the way Alexa compares utterances."""
    return " ".join(text.lower().split())


def slot_types_of(intent: dict[str, Any]) -> dict[str, str]:
    """Map slot name to slot type for one intent."""
    return {slot["name"]: slot["type"] for slot in intent.get("slots", [])}


def sample_pattern(sample: str, intent: dict[str, Any], types: dict[str, dict[str, Any]]) -> re.Pattern[str]:
    """Compile a sample into a regex where each custom slot (a group of its name) accepts its values and other
    slots any words."""
    slot_type_names = slot_types_of(intent)
    parts: list[str] = []
    position = 0
    for match in SLOT_REFERENCE.finditer(normalise(sample)):
        parts.append(re.escape(normalise(sample)[position : match.start()]))
        type_name = slot_type_names[match.group(1)]
        if type_name in types:
            forms = sorted(spoken_forms(types[type_name]), key=len, reverse=True)
            parts.append(f"(?P<{match.group(1)}>" + "|".join(re.escape(form) for form in forms) + ")")
        else:
            parts.append(f"(?P<{match.group(1)}>[a-z' .]+)")
        position = match.end()
    parts.append(re.escape(normalise(sample)[position:]))
    return re.compile("^" + "".join(parts) + "$")


def intents_matching(locale: str, utterance: str) -> set[str]:
    """Return the custom intents with a sample that the utterance fits."""
    types = custom_types(locale)
    spoken = normalise(utterance)
    return {
        name
        for name, intent in intents_by_name(locale).items()
        for sample in intent.get("samples", [])
        if sample_pattern(sample, intent, types).match(spoken)
    }


def all_custom_samples(locale: str) -> list[tuple[str, str]]:
    """Return (intent name, sample) for every custom sample in one locale."""
    intents = intents_by_name(locale)
    return [(name, sample) for name in CUSTOM_INTENTS for sample in intents[name].get("samples", [])]


def canonical(sample: str) -> str:
    """A sample with case, punctuation and slot names gone: "It's my {body_part}." -> "its my {}"."""
    text = SLOT_REFERENCE.sub(" {} ", sample.lower())
    return " ".join(re.sub(r"[^a-z0-9{} ]", "", text).split())


def literal_words(sample: str) -> str:
    """The words of a sample around its slots, wherever the slots sit: "my {a} hurts {b}" -> "my hurts"."""
    return " ".join(word for word in canonical(sample).split() if word != "{}")


def model_samples(locale: str) -> Iterator[tuple[str, str]]:
    """(intent name, sample) for every sample of every intent in one locale, built-ins included."""
    for intent in language_model(locale)["intents"]:
        for sample in intent.get("samples", []):
            yield intent["name"], sample


def single_slot_expansions(locale: str) -> Iterator[tuple[str, str, str]]:
    """(intent, sample, phrase) for every phrase a one-slot sample of a custom type says, slot filled."""
    types = custom_types(locale)
    for name, sample in model_samples(locale):
        references = SLOT_REFERENCE.findall(sample)
        if len(references) != 1:
            continue
        type_name = slot_types_of(intents_by_name(locale)[name])[references[0]]
        if type_name in types:
            for form in spoken_forms(types[type_name]):
                yield name, sample, normalise(SLOT_REFERENCE.sub(form, sample))


# ------------------------------------------------------------------------------------------- model files


@pytest.mark.parametrize("locale", LOCALES)
def test_model_file_each_locale_parses_as_ask_cli_model(locale: str) -> None:
    model = load_model(locale)

    assert set(model) == {"interactionModel"}
    languages = model["interactionModel"]["languageModel"]
    assert isinstance(languages["intents"], list) and languages["intents"]
    assert isinstance(languages["types"], list) and languages["types"]


@pytest.mark.parametrize("locale", LOCALES)
def test_invocation_name_each_locale_is_two_lowercase_words(locale: str) -> None:
    name = language_model(locale)["invocationName"]

    assert name == INVOCATION_NAME
    assert re.fullmatch(r"[a-z]+ [a-z]+", name)


def test_intents_the_handler_scan_finds_the_intents_the_handlers_match() -> None:
    # Guards the scan below: a refactor that hid the names from it would otherwise pass every check vacuously.
    assert {"DescribeSymptomIntent", "FreeTextIntent", "AMAZON.HelpIntent", "AMAZON.StopIntent"} <= set(HANDLED_INTENTS)


@pytest.mark.parametrize("locale", LOCALES)
def test_intents_every_intent_a_handler_matches_is_in_every_model_and_no_other(locale: str) -> None:
    names = [intent["name"] for intent in language_model(locale)["intents"]]

    assert len(names) == len(set(names)), "an intent is declared twice"
    assert not set(HANDLED_INTENTS) - set(names), "a handler's intent is missing from the model"
    assert not set(names) - set(HANDLED_INTENTS), "the model declares an intent no handler matches"


@pytest.mark.parametrize("locale", LOCALES)
def test_intent_slots_each_custom_intent_matches_the_handler_contract(locale: str) -> None:
    intents = intents_by_name(locale)

    for name, expected in EXPECTED_SLOTS.items():
        assert slot_types_of(intents[name]) == expected, name


@pytest.mark.parametrize("locale", LOCALES)
def test_slot_types_every_type_used_is_defined_or_built_in(locale: str) -> None:
    defined = set(custom_types(locale))

    for intent in language_model(locale)["intents"]:
        for slot in intent.get("slots", []):
            assert slot["type"] in defined | BUILT_IN_SLOT_TYPES, (intent["name"], slot)


@pytest.mark.parametrize("locale", LOCALES)
def test_slot_types_each_locale_resolves_to_the_core_vocabulary_ids(locale: str) -> None:
    types = custom_types(locale)

    assert set(types) == set(EXPECTED_SLOT_TYPE_IDS)
    for type_name, expected_ids in EXPECTED_SLOT_TYPE_IDS.items():
        ids = [value["id"] for value in types[type_name]["values"]]
        assert len(ids) == len(set(ids)), f"{type_name} repeats an id"
        assert set(ids) == expected_ids, type_name


@pytest.mark.parametrize("locale", LOCALES)
def test_slot_values_same_phrase_never_resolves_to_two_ids(locale: str) -> None:
    for type_name, slot_type in custom_types(locale).items():
        seen: dict[str, str] = {}
        for value in slot_type["values"]:
            for form in [value["name"]["value"], *value["name"].get("synonyms", [])]:
                key = normalise(form)
                assert seen.get(key, value["id"]) == value["id"], (type_name, form, seen[key], value["id"])
                seen[key] = value["id"]


@pytest.mark.parametrize("locale", LOCALES)
def test_slot_values_never_shared_by_two_types_one_carrier_phrase_can_hold(locale: str) -> None:
    # "it was {feeling}" and "it was {context}" would both take "it was X": a phrase in both types could fill
    # the wrong slot, so types that share a carrier phrase share no phrase.
    types = custom_types(locale)
    for name, intent in intents_by_name(locale).items():
        slot_type_names = slot_types_of(intent)
        by_frame: dict[str, set[str]] = {}
        for sample in intent.get("samples", []):
            references = SLOT_REFERENCE.findall(sample)
            if len(references) == 1 and slot_type_names[references[0]] in types:
                by_frame.setdefault(canonical(sample), set()).add(slot_type_names[references[0]])
        for frame, type_names in by_frame.items():
            owner: dict[str, str] = {}
            for type_name in sorted(type_names):
                for form in spoken_forms(types[type_name]):
                    assert owner.setdefault(form, type_name) == type_name, (name, frame, form, type_name)


@pytest.mark.parametrize("locale", LOCALES)
def test_slot_values_contain_only_speakable_characters(locale: str) -> None:
    for type_name, slot_type in custom_types(locale).items():
        for form in spoken_forms(slot_type):
            assert SPEAKABLE_VALUE.fullmatch(form), (type_name, form)


@pytest.mark.parametrize("locale", LOCALES)
def test_body_part_values_leave_red_flag_sites_unresolved(locale: str) -> None:
    forms = spoken_forms(custom_types(locale)["BODY_PART"])

    assert not set(RED_FLAG_SITES) & set(forms)


@pytest.mark.parametrize("locale", LOCALES)
def test_built_in_phrases_never_claimed_by_a_custom_sample_or_a_filled_slot(locale: str) -> None:
    claimed = {normalise(sample) for _, sample in all_custom_samples(locale) if not SLOT_REFERENCE.search(sample)}
    claimed |= {phrase for _, _, phrase in single_slot_expansions(locale)}

    assert not claimed & set(BUILT_IN_PHRASES)


# ------------------------------------------------------------------------------------------- samples


@pytest.mark.parametrize("locale", LOCALES)
def test_samples_each_slot_reference_names_a_slot_of_its_intent(locale: str) -> None:
    for name, sample in all_custom_samples(locale):
        declared = slot_types_of(intents_by_name(locale)[name])
        for reference in SLOT_REFERENCE.findall(sample):
            assert reference in declared, (name, sample)


@pytest.mark.parametrize("locale", LOCALES)
def test_samples_every_declared_slot_is_used_by_some_sample(locale: str) -> None:
    for name in CUSTOM_INTENTS:
        intent = intents_by_name(locale)[name]
        used = {ref for sample in intent.get("samples", []) for ref in SLOT_REFERENCE.findall(sample)}
        assert used == set(slot_types_of(intent)), name


@pytest.mark.parametrize("locale", LOCALES)
def test_samples_no_utterance_is_shared_by_two_intents(locale: str) -> None:
    # Case, punctuation and slot names do not make two samples different to Alexa's model build.
    owner: dict[str, tuple[str, str]] = {}

    for name, sample in model_samples(locale):
        first = owner.setdefault(canonical(sample), (name, sample))
        assert first[0] == name, (sample, name, "same as", first)


@pytest.mark.parametrize("locale", LOCALES)
def test_samples_of_two_intents_never_differ_only_in_slot_placement(locale: str) -> None:
    # "{body_part} cramp help" in one intent and "cramp help {description}" in another say the same words.
    owner: dict[str, tuple[str, str]] = {}

    for name, sample in model_samples(locale):
        if not SLOT_REFERENCE.search(sample):
            continue
        first = owner.setdefault(literal_words(sample), (name, sample))
        assert first[0] == name, (sample, name, "differs only in slots from", first)


@pytest.mark.parametrize("locale", LOCALES)
def test_samples_none_is_a_slot_alone(locale: str) -> None:
    # A custom slot type is not an enumeration (Alexa fills it with whatever words it hears), so "{feeling}"
    # alone would take any utterance the other intents miss, and AMAZON.FallbackIntent would never fire.
    bare = [(name, sample) for name, sample in model_samples(locale) if not literal_words(sample)]

    assert not bare


@pytest.mark.parametrize("locale", LOCALES)
def test_samples_search_query_carrier_never_frames_another_intents_sample(locale: str) -> None:
    # AMAZON.SearchQuery takes any words, so "I have {description}" also says "I have a {body_part} cramp":
    # no other intent's sample may begin with a free-text carrier's words and end with its closing words.
    carriers = []
    for name, intent in intents_by_name(locale).items():
        search_slots = {slot for slot, type_name in slot_types_of(intent).items() if type_name == "AMAZON.SearchQuery"}
        for sample in intent.get("samples", []):
            if set(SLOT_REFERENCE.findall(sample)) & search_slots:
                before, _, after = canonical(sample).partition("{}")
                carriers.append((name, sample, before.strip(), after.strip()))

    for carrier_intent, carrier, before, after in carriers:
        frame = re.compile("^" + re.escape(before) + r"\b.+\b" + re.escape(after) + "$")
        for name, sample in model_samples(locale):
            if name != carrier_intent:
                assert not frame.match(canonical(sample)), (carrier, carrier_intent, "frames", sample, name)


@pytest.mark.parametrize("locale", LOCALES)
def test_samples_no_utterance_repeated_within_an_intent(locale: str) -> None:
    for name in CUSTOM_INTENTS:
        samples = [normalise(sample) for sample in intents_by_name(locale)[name].get("samples", [])]
        repeated = sorted({sample for sample in samples if samples.count(sample) > 1})
        assert not repeated, (name, repeated)


@pytest.mark.parametrize("locale", LOCALES)
def test_samples_each_custom_intent_meets_its_minimum_count(locale: str) -> None:
    intents = intents_by_name(locale)

    for name, minimum in MIN_SAMPLES.items():
        assert len(intents[name].get("samples", [])) >= minimum, name


@pytest.mark.parametrize("locale", LOCALES)
def test_samples_contain_only_speakable_characters(locale: str) -> None:
    for name, sample in all_custom_samples(locale):
        assert SPEAKABLE_SAMPLE.fullmatch(sample), (name, sample)
        assert sample == sample.strip() and "  " not in sample, (name, sample)


@pytest.mark.parametrize("locale", LOCALES)
def test_samples_search_query_slot_always_has_a_carrier_phrase_and_no_other_slot(locale: str) -> None:
    for name, intent in intents_by_name(locale).items():
        slot_type_names = slot_types_of(intent)
        for sample in intent.get("samples", []):
            references = SLOT_REFERENCE.findall(sample)
            if not any(slot_type_names[ref] == "AMAZON.SearchQuery" for ref in references):
                continue
            assert len(references) == 1, (name, sample)
            assert SLOT_REFERENCE.sub("", sample).strip(), (name, sample)


@pytest.mark.parametrize("locale", LOCALES)
def test_samples_fixed_phrase_never_also_fits_another_intents_slot_sample(locale: str) -> None:
    # Alexa reports these as utterance conflicts: a fixed phrase such as "tips" must not also be a way
    # of filling DescribeSymptomIntent's slots, or the same words could reach either handler.
    types = custom_types(locale)
    intents = intents_by_name(locale)
    fixed = [(name, text) for name, text in all_custom_samples(locale) if not SLOT_REFERENCE.search(text)]

    for name, intent in intents.items():
        enumerable = [
            sample
            for sample in intent.get("samples", [])
            if SLOT_REFERENCE.search(sample)
            and all(slot_types_of(intent)[ref] in types for ref in SLOT_REFERENCE.findall(sample))
        ]
        for sample in enumerable:
            pattern = sample_pattern(sample, intent, types)
            for other, phrase in fixed:
                assert other == name or not pattern.match(normalise(phrase)), (phrase, other, sample, name)


@pytest.mark.parametrize("locale", LOCALES)
def test_locales_share_intent_names_slots_and_slot_type_ids_with_en_us(locale: str) -> None:
    def shape(loc: str) -> dict[str, Any]:
        return {
            "intents": {name: slot_types_of(intent) for name, intent in intents_by_name(loc).items()},
            "types": {
                name: sorted(value["id"] for value in slot_type["values"])
                for name, slot_type in custom_types(loc).items()
            },
        }

    assert shape(locale) == shape("en-US")


@pytest.mark.parametrize(
    ("locale", "utterance", "intent"),
    [
        ("en-US", "what to do about a calf cramp", "DescribeSymptomIntent"),
        ("en-US", "my calf has been locked up for ten minutes", "DescribeSymptomIntent"),
        ("en-GB", "my eyelid keeps twitching", "DescribeSymptomIntent"),
        ("en-AU", "it started playing footy", "DescribeSymptomIntent"),
        ("en-IN", "since two days", "DescribeSymptomIntent"),
        # Said mid-cramp.
        ("en-US", "my calf just locked", "DescribeSymptomIntent"),
        ("en-US", "what do I do for a charley horse", "DescribeSymptomIntent"),
        ("en-CA", "cramp in my foot help", "DescribeSymptomIntent"),
        ("en-AU", "ow my hamstring", "DescribeSymptomIntent"),
        ("en-GB", "my back's gone into spasm", "DescribeSymptomIntent"),
        ("en-US", "cramp", "DescribeSymptomIntent"),
        # Open descriptions go whole to the reader: who it is, and signs no slot holds.
        ("en-US", "it's my little girl's leg", "FreeTextIntent"),
        ("en-GB", "I've got cramp in my calf and it's swollen", "FreeTextIntent"),
        ("en-US", "it feels like a hard knot", "FreeTextIntent"),
        ("en-US", "it feels like pins and needles in my toes", "FreeTextIntent"),
        # The answer to the age question, which no slot holds: an age or an age group said of someone.
        ("en-US", "he's nine", "FreeTextIntent"),
        ("en-GB", "she's a teenager", "FreeTextIntent"),
        ("en-AU", "seven years old", "FreeTextIntent"),
        ("en-CA", "they're grown up", "FreeTextIntent"),
        ("en-IN", "I'm aged seventy", "FreeTextIntent"),
        ("en-GB", "how do I stop it coming back", "TipsIntent"),
        ("en-GB", "ring the clinic", "ContactClinicIntent"),
        ("en-CA", "text it to my cell", "TextMeIntent"),
        ("en-IN", "erase my cramp history", "ForgetHistoryIntent"),
    ],
)
def test_utterance_spoken_naturally_reaches_exactly_one_intent(locale: str, utterance: str, intent: str) -> None:
    assert intents_matching(locale, utterance) == {intent}


@pytest.mark.parametrize(
    ("locale", "utterance", "slot", "value_id"),
    [
        ("en-US", "my calf just locked", "feeling", "locked"),
        ("en-US", "what do I do for a charley horse", "body_part", "calf"),
        ("en-GB", "my back's gone into spasm", "body_part", "lower_back"),
        ("en-AU", "my hammy's gone into cramp", "body_part", "hamstring"),
        ("en-AU", "ow my hamstring", "body_part", "hamstring"),
    ],
)
def test_utterance_mid_cramp_fills_its_slot_with_the_core_id(locale: str, utterance: str, slot: str,
                                                              value_id: str) -> None:
    types = custom_types(locale)
    intent = intents_by_name(locale)["DescribeSymptomIntent"]
    heard = [found.group(slot) for sample in intent["samples"] if f"{{{slot}}}" in sample
             for found in [sample_pattern(sample, intent, types).match(normalise(utterance))] if found]

    assert heard, "no sample takes the utterance"
    assert {spoken_forms(types[slot_types_of(intent)[slot]])[form] for form in heard} == {value_id}


# ------------------------------------------------------------------------------------------- durations
# The models keep the custom DURATION buckets rather than AMAZON.DURATION (interaction_models/README.md): what
# a bucket stands for must sit wholly on one side of every threshold the rules and red flags test.

# The reader takes "less than ten minutes" as ten, not under it: here the bucket is right and the reader is wrong.
READER_MISREADS = frozenset({"less than ten minutes"})
DURATION_RANGES = {  # minutes each bucket's words cover: [low, high)
    "seconds": (0, 1), "minutes": (1, 10), "over_10_minutes": (10, 60), "hours": (60, 1440),
    "days": (1440, 20160), "weeks": (20160, math.inf),
}


def duration_thresholds() -> set[float]:
    """Every number of minutes a rule or red flag compares duration_minutes with."""
    def walk(node: Any) -> Iterator[float]:
        if isinstance(node, dict):
            if node.get("fact") == "duration_minutes":
                yield from (node[op] for op in ("at_least", "below") if op in node)
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)

    content = load_content()
    return {limit for item in (*content.rules, *content.red_flags) for limit in walk(item.when)}


def test_duration_buckets_each_minutes_value_lies_in_its_range() -> None:
    assert set(DURATION_RANGES) == set(DURATION_MINUTES) == EXPECTED_SLOT_TYPE_IDS["DURATION"]
    for bucket, minutes in DURATION_MINUTES.items():
        low, high = DURATION_RANGES[bucket]
        assert low <= minutes < high, bucket


def test_duration_buckets_no_rule_threshold_falls_inside_a_bucket() -> None:
    thresholds = duration_thresholds()

    assert {10, 60, 20160} <= thresholds, "the rules' duration thresholds were not found"
    for limit in thresholds:
        inside = [bucket for bucket, (low, high) in DURATION_RANGES.items() if low < limit < high]
        assert not inside, f"{limit} minutes splits {inside}: a spoken bucket would weigh both sides the same"


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(
    ("spoken", "bucket"),
    [
        ("a few seconds", "seconds"), ("less than ten minutes", "minutes"), ("ten minutes", "over_10_minutes"),
        ("half an hour", "over_10_minutes"), ("an hour", "hours"), ("all night", "hours"), ("a week", "days"),
        ("yesterday", "days"), ("a few weeks", "weeks"), ("two weeks", "weeks"), ("a month", "weeks"),
    ],
)
def test_duration_spoken_boundary_phrases_resolve_to_the_right_bucket(locale: str, spoken: str, bucket: str) -> None:
    assert spoken_forms(custom_types(locale)["DURATION"])[spoken] == bucket


@pytest.mark.parametrize("locale", LOCALES)
def test_duration_every_spoken_form_the_reader_measures_falls_in_its_bucket(locale: str) -> None:
    # The reader (the measure the SMS line uses) is the check on each listed phrase; phrases it cannot measure
    # ("ages", "since lunch") are the bucket's own judgement.
    lexicon = load_content().language(locale).lexicon
    wrong = []
    for value in custom_types(locale)["DURATION"]["values"]:
        low, high = DURATION_RANGES[value["id"]]
        for form in [value["name"]["value"], *value["name"].get("synonyms", [])]:
            minutes = read(form, lexicon).duration_minutes
            if minutes is not None and not low <= minutes < high and form not in READER_MISREADS:
                wrong.append((form, value["id"], minutes))

    assert not wrong


@pytest.mark.parametrize(
    ("unresolved", "slot_ids", "flagged"),
    [
        ({}, {"duration": "weeks"}, True),
        ({}, {"duration": "days"}, False),
        # Alexa sends a value no bucket lists unresolved (ER_SUCCESS_NO_MATCH); the skill reads its words.
        ({"duration": "seven weeks"}, {}, True),
        ({"duration": "nine days"}, {}, False),
    ],
)
def test_duration_two_weeks_of_twitching_by_voice_meets_the_check_up_rule(
    device: AlexaDevice, unresolved: dict[str, str], slot_ids: dict[str, str], flagged: bool
) -> None:
    # A bucket that put "weeks" with "days" (as the models once did) would never reach this rule by voice.
    check_up = load_content().language("en-US").words["spoken_red_flags"]["twitch_over_two_weeks"].lower()
    reply = device.describe(unresolved, body_part="eyelid_face", feeling="twitching", **slot_ids)

    assert (check_up in reply.speech.lower()) is flagged, reply.speech


# ------------------------------------------------------------------------------ slot elicitation (issue 15)


@pytest.mark.parametrize("locale", LOCALES)
def test_elicitation_every_choice_question_has_a_slot_whose_samples_take_a_bare_answer(locale: str) -> None:
    slots = {slot["name"]: slot for slot in intents_by_name(locale)["DescribeSymptomIntent"]["slots"]}
    elicited = {slot_for(question) for question in load_content().questions if question.kind == "choice"}

    assert {"body_part", "feeling", "context", "age"} <= elicited - {None}
    for name in elicited - {None}:
        samples = slots[name].get("samples", [])
        # Heard only while the skill elicits this slot: the one place a lone slot may be a sample (README).
        assert f"{{{name}}}" in samples, (name, samples)
        assert all(SLOT_REFERENCE.findall(sample) == [name] for sample in samples), samples


@pytest.mark.parametrize("locale", LOCALES)
def test_elicitation_dialog_model_leaves_every_turn_to_the_skill(locale: str) -> None:
    dialog = load_model(locale)["interactionModel"]["dialog"]
    [intent] = dialog["intents"]
    slots = intents_by_name(locale)["DescribeSymptomIntent"]["slots"]

    assert dialog["delegationStrategy"] == "SKILL_RESPONSE" and intent["delegationStrategy"] == "SKILL_RESPONSE"
    assert intent["name"] == "DescribeSymptomIntent" and not intent["confirmationRequired"]
    assert [(s["name"], s["type"]) for s in intent["slots"]] == [(s["name"], s["type"]) for s in slots]
    assert not any(s["elicitationRequired"] or s["confirmationRequired"] for s in intent["slots"])
