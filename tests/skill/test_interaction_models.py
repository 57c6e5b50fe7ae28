"""Checks on the Alexa models and skill manifest that a model build or certification would catch."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

MODELS_DIR = Path(__file__).resolve().parents[2] / "interaction_models"
LOCALES = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")
INVOCATION_NAME = "cramp check"

CUSTOM_INTENTS = (
    "DescribeSymptomIntent",
    "FreeTextIntent",
    "TipsIntent",
    "ContactClinicIntent",
    "TextMeIntent",
    "ForgetHistoryIntent",
)
BUILT_IN_INTENTS = (
    "AMAZON.HelpIntent",
    "AMAZON.StopIntent",
    "AMAZON.CancelIntent",
    "AMAZON.NavigateHomeIntent",
    "AMAZON.FallbackIntent",
    "AMAZON.RepeatIntent",
    "AMAZON.StartOverIntent",
    "AMAZON.YesIntent",
    "AMAZON.NoIntent",
)
# Every intent the models declare; each one needs a handler in skill/ (certification sends all of them).
HANDLED_INTENTS = CUSTOM_INTENTS + BUILT_IN_INTENTS

# DescribeSymptomIntent carries both one-shot descriptions and short answers, so it needs more coverage.
MIN_SAMPLES = {name: 30 for name in CUSTOM_INTENTS} | {"DescribeSymptomIntent": 40}

EXPECTED_SLOTS = {
    "DescribeSymptomIntent": {
        "body_part": "BODY_PART",
        "feeling": "PATTERN",
        "duration": "DURATION",
        "context": "CONTEXT",
    },
    "FreeTextIntent": {"description": "AMAZON.SearchQuery"},
    "TipsIntent": {},
    "ContactClinicIntent": {},
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
    "DURATION": {"seconds", "minutes", "over_10_minutes", "hours", "days"},
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

DISCLAIMER_PHRASES = (
    "information only",
    "not medical advice",
    "diagnosis",
    "not a substitute for professional advice",
    "emergency number",
)

SLOT_REFERENCE = re.compile(r"\{([^{}]+)\}")
# Alexa accepts letters, apostrophes, spaces and periods (spelled-out abbreviations) in samples;
# numerals and other punctuation fail the model build.
SPEAKABLE_SAMPLE = re.compile(r"^[A-Za-z' .{}_]+$")
SPEAKABLE_VALUE = re.compile(r"^[A-Za-z' .]+$")
EXAMPLE_PHRASE = re.compile(r"^alexa (?:open|ask|tell|launch|start) cramp check(?: (?P<request>.+))?$")
CONNECTING_WORDS = ("to", "about", "for", "that", "if", "whether")


@cache
def load_model(locale: str) -> dict[str, Any]:
    """Return the parsed ASK CLI model file for one locale."""
    return json.loads((MODELS_DIR / f"{locale}.json").read_text(encoding="utf-8"))


@cache
def load_manifest() -> dict[str, Any]:
    """Return the parsed ASK skill manifest."""
    return json.loads((MODELS_DIR / "skill.json").read_text(encoding="utf-8"))


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
    """Compile a sample into a regex where each custom slot accepts its values and other slots any words."""
    slot_type_names = slot_types_of(intent)
    parts: list[str] = []
    position = 0
    for match in SLOT_REFERENCE.finditer(normalise(sample)):
        parts.append(re.escape(normalise(sample)[position : match.start()]))
        type_name = slot_type_names[match.group(1)]
        if type_name in types:
            forms = sorted(spoken_forms(types[type_name]), key=len, reverse=True)
            parts.append("(?:" + "|".join(re.escape(form) for form in forms) + ")")
        else:
            parts.append(r"[a-z' .]+")
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


def bare_slot_types(locale: str) -> set[str]:
    """Return the custom slot types that a sample accepts on their own, as a short answer."""
    found = set()
    for intent in intents_by_name(locale).values():
        slot_type_names = slot_types_of(intent)
        for sample in intent.get("samples", []):
            reference = SLOT_REFERENCE.fullmatch(sample.strip())
            if reference and slot_type_names.get(reference.group(1)) in custom_types(locale):
                found.add(slot_type_names[reference.group(1)])
    return found


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


@pytest.mark.parametrize("locale", LOCALES)
def test_intents_each_locale_declares_exactly_the_handled_intents(locale: str) -> None:
    names = [intent["name"] for intent in language_model(locale)["intents"]]

    assert len(names) == len(set(names)), "an intent is declared twice"
    assert set(names) == set(HANDLED_INTENTS)


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
            assert slot["type"] in defined or slot["type"].startswith("AMAZON."), (intent["name"], slot)


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
def test_slot_values_short_answer_types_never_share_a_phrase(locale: str) -> None:
    # "{feeling}", "{duration}" and "{context}" are all accepted alone, so a phrase in two of those types
    # would make a one-word answer fill the wrong slot.
    types = custom_types(locale)
    owner: dict[str, str] = {}

    for type_name in sorted(bare_slot_types(locale)):
        for form in spoken_forms(types[type_name]):
            assert owner.setdefault(form, type_name) == type_name, (form, owner[form], type_name)


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
def test_built_in_phrases_never_claimed_by_a_custom_sample_or_short_answer(locale: str) -> None:
    types = custom_types(locale)
    claimed = {normalise(sample) for _, sample in all_custom_samples(locale)}
    for type_name in bare_slot_types(locale):
        claimed |= set(spoken_forms(types[type_name]))

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
def test_samples_no_utterance_belongs_to_two_intents(locale: str) -> None:
    owner: dict[str, str] = {}

    for name, sample in all_custom_samples(locale):
        key = normalise(sample)
        assert owner.setdefault(key, name) == name, (sample, owner[key], name)


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
        ("en-US", "it feels like a hard knot", "DescribeSymptomIntent"),
        ("en-US", "it feels like pins and needles in my toes", "FreeTextIntent"),
        ("en-GB", "how do I stop it coming back", "TipsIntent"),
        ("en-GB", "ring the clinic", "ContactClinicIntent"),
        ("en-CA", "text it to my cell", "TextMeIntent"),
        ("en-IN", "erase my cramp history", "ForgetHistoryIntent"),
    ],
)
def test_utterance_spoken_naturally_reaches_the_intended_intent(
    locale: str, utterance: str, intent: str
) -> None:
    matched = intents_matching(locale, utterance)

    assert intent in matched
    # Only the SearchQuery catch-all may also fit; its carrier phrases are looser by design.
    assert matched - {intent} <= {"FreeTextIntent"}


# ------------------------------------------------------------------------------------------- manifest


def test_manifest_lists_exactly_the_five_model_locales() -> None:
    manifest = load_manifest()["manifest"]

    assert manifest["manifestVersion"] == "1.0"
    assert set(manifest["publishingInformation"]["locales"]) == set(LOCALES)
    assert set(manifest["privacyAndCompliance"]["locales"]) == set(LOCALES)
    assert {path.stem for path in MODELS_DIR.glob("*.json")} - {"skill"} == set(LOCALES)


def test_manifest_requests_only_the_mobile_number_permission() -> None:
    assert load_manifest()["manifest"]["permissions"] == [{"name": "alexa::profile:mobile_number:read"}]


def test_manifest_category_is_health_and_fitness() -> None:
    assert load_manifest()["manifest"]["publishingInformation"]["category"] == "HEALTH_AND_FITNESS"


def test_manifest_privacy_flags_declare_personal_info_and_no_ads_or_purchases() -> None:
    privacy = load_manifest()["manifest"]["privacyAndCompliance"]

    assert privacy["usesPersonalInfo"] is True
    assert privacy["containsAds"] is False
    assert privacy["allowsPurchases"] is False
    assert privacy["isChildDirected"] is False
    assert privacy["isExportCompliant"] is True
    for locale in LOCALES:
        urls = privacy["locales"][locale]
        assert urls["privacyPolicyUrl"].startswith("https://"), locale
        assert urls["termsOfUseUrl"].startswith("https://"), locale


def test_manifest_endpoint_is_a_lambda_arn() -> None:
    uri = load_manifest()["manifest"]["apis"]["custom"]["endpoint"]["uri"]

    assert uri.startswith("arn:aws:lambda:")


@pytest.mark.parametrize("locale", LOCALES)
def test_manifest_store_listing_carries_the_health_disclaimer(locale: str) -> None:
    listing = load_manifest()["manifest"]["publishingInformation"]["locales"][locale]
    description = normalise(listing["description"])

    assert listing["name"] == "Cramp Check"
    for phrase in DISCLAIMER_PHRASES:
        assert phrase in description, phrase
    assert "not medical advice" in normalise(listing["summary"])
    # The store rejects a summary over 160 characters.
    assert len(listing["summary"]) <= 160


@pytest.mark.parametrize("locale", LOCALES)
def test_manifest_example_phrases_open_the_skill_and_match_samples(locale: str) -> None:
    phrases = load_manifest()["manifest"]["publishingInformation"]["locales"][locale]["examplePhrases"]

    assert 1 <= len(phrases) <= 3
    assert normalise(phrases[0]) == "alexa, open cramp check"
    for phrase in phrases[1:]:
        parsed = EXAMPLE_PHRASE.match(normalise(re.sub(r"[^A-Za-z' ]", " ", phrase)))
        assert parsed and parsed.group("request"), phrase
        request = parsed.group("request")
        candidates = [request] + [
            request.removeprefix(f"{word} ") for word in CONNECTING_WORDS if request.startswith(f"{word} ")
        ]
        assert any(intents_matching(locale, candidate) for candidate in candidates), phrase
