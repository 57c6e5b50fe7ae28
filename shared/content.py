"""Load the content files once per process and check them (shared/content_checks.py), so a mistake fails at start
naming the file, the line and the id, never by a rule that silently never fires.

A content folder (shared/content/, or the one CRAMP_CONTENT_DIR names) holds:
  concepts.yaml      the ids the engine knows: body parts, patterns, contexts, signs, ...
  rules.yaml         the cramp-vs-spasm rules: conditions on those ids, weights, sources
  red_flags.yaml     warning signs and their urgency, most urgent first
  questions.yaml     what the dialogue may ask, and the facts each answer adds
  relief.yaml        the one thing to do now, per body part and per context
  tips.yaml          prevention tips, the medicine caution and the clinic's offer
  clinic.yaml        the clinic's name, numbers and hours
  locales.yaml       emergency numbers and local words per locale (en-US, en-GB, ...)
  languages/<code>/wording.yaml   everything said, by key: reasons, relief steps, tips, questions, ...
  languages/<code>/lexicon.yaml   everything understood: the words for each id, numbers, time, yes and no
  templates/         optional: templates that take the place of shared/templates/ ones of the same path
The base language is the default locale's. Another language's two files are merged over the base language's,
key by key: whatever they leave out is the base language's.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from shared.conditions import ids_needed
from shared.content_checks import (
    ContentError,
    IdChecker,
    Spot,
    check_lexicon,
    check_words,
    mapping,
    non_empty_list,
    only,
    read_yaml,
    unique,
)
from shared.facts import CONCEPT_OF, FACT_NAMES
from shared.health_data import HealthData, HealthDataError, health_data_of
from shared.lexicon import Lexicon, build_lexicon
from shared.snapshot import read_snapshot
from shared.version import version_of

CONTENT_DIR = Path(__file__).parent / "content"
TEMPLATE_DIR = Path(__file__).parent / "templates"
URGENCY_ORDER = ("emergency", "urgent", "routine", "self_care")
VERDICTS = ("cramp", "spasm", "unclear")
QUESTION_PURPOSES = ("locate", "red_flag", "distinction")  # written in questions.yaml; which and confirm are made
QUESTION_KINDS = ("yes_no", "choice")
# Templates rely on these keys: a file without them fails at load, not mid-call.
CLINIC_KEYS = ("name", "phone", "phone_spoken", "hours", "booking_url", "staff_sms_number", "country")
LOCALE_KEYS = ("emergency_number", "emergency_spoken", "clinician", "urgent_care", "country")
QUESTION_WORDING = ("voice", "voice_rephrase", "sms")
# The ids of the questions made at load: "<question>_which" follows a yes to several signs; "confirm_<sign>" asks
# about one sign the person is unsure of. Their words are the language's `which` and `signs` entries.
WHICH_SUFFIX = "_which"
CONFIRM_PREFIX = "confirm_"
SIGN_WORDING = ("label", "confirm")


@dataclass(frozen=True)
class Rule:
    """A cramp-vs-spasm rule: when it fires, which way it points and how strongly."""

    id: str
    looks_at: str
    when: dict
    points_to: str
    weight: int
    source: str
    # Where the clinic's article and stronger sources disagree: what they say and what the clinician is asked to
    # decide (shown on the review sheet).
    disputed: str | None = None


@dataclass(frozen=True)
class RedFlag:
    """A warning sign: when it matches and how urgent it is."""

    id: str
    urgency: str
    when: dict
    source: str
    signs: tuple[str, ...] = ()  # the signs its condition names (what a confirming question can settle)
    # The signs of which one must be reported for it to match (shared/conditions.py ids_needed); None: it can
    # match without any. Worked out when the flag is made, so the screen does not evaluate a flag none of whose
    # signs was said.
    needs_one_of: frozenset[str] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        object.__setattr__(self, "needs_one_of", ids_needed(self.when, "signs"))


@dataclass(frozen=True)
class Option:
    """One option of a choice question and the facts choosing it adds."""

    id: str
    sets: dict


@dataclass(frozen=True)
class Question:
    """A question the dialogue may ask: when, and the facts each answer adds.

    A red-flag question names the signs it asks about (`asks_about`). A "yes" to one sign asserts it; a "yes" to
    several makes them possible and the follow-up "which one?" (purpose `which`, made at load) asks which. Every
    sign a red flag names has its own yes/no question (purpose `confirm`, made at load), asked next whenever the
    person is unsure of that sign.
    """

    id: str
    purpose: str  # locate | red_flag | distinction | which | confirm
    kind: str  # yes_no | choice
    ask_when: dict
    skip_when: dict | None = None
    options: tuple[Option, ...] = ()
    on_yes: dict | None = None
    on_no: dict | None = None
    asks_about: tuple[str, ...] = ()  # the signs a red-flag, which or confirm question settles
    parent: str | None = None  # the red-flag question a "which one?" follows
    # The signs of which the person must be unsure of one for it to be asked (the "which one?" and confirming
    # questions; shared/conditions.py ids_needed); None: it can be asked without. Worked out from ask_when when the
    # question is made, so choosing the next question does not evaluate every such question on every turn.
    needs_possible_sign: frozenset[str] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        object.__setattr__(self, "needs_possible_sign", ids_needed(self.ask_when, "possible_signs"))

    def answers(self) -> list[dict]:
        """Every fact change an answer to this question can make."""
        if self.kind == "yes_no":
            return [self.on_yes or {}, self.on_no or {}]
        return [option.sets for option in self.options]

    def moot(self, signs: frozenset[str], denied: frozenset[str]) -> bool:
        """True when the signs asked about are settled: one is reported, or every one is denied."""
        asked = set(self.asks_about)
        return bool(asked) and (bool(asked & signs) or asked <= denied)



@dataclass(frozen=True)
class Relief:
    """A relief step: for a body part, or for a context (`when`) that overrides the body part's."""

    id: str
    source: str
    when: dict | None = None


@dataclass(frozen=True)
class Tip:
    """A prevention tip, the verdicts it suits, and the facts that withhold it (`unless`)."""

    id: str
    for_verdicts: tuple[str, ...]
    source: str
    unless: dict | None = None


@dataclass(frozen=True)
class Language:
    """One language's words: what is said (wording.yaml) and what is understood (lexicon.yaml)."""

    code: str
    words: dict[str, Any]
    lexicon: Lexicon


@dataclass(frozen=True)
class Content:
    """Everything the engine, the reader and the templates read from the content files."""

    concepts: dict[str, tuple[str, ...]]
    rules: tuple[Rule, ...]
    verdict_margin: int
    strong_margin: int
    red_flags: tuple[RedFlag, ...]
    questions: tuple[Question, ...]
    max_questions: int
    relief: dict[str, Relief]  # by body part, and "unknown"
    context_relief: tuple[Relief, ...]
    tips: tuple[Tip, ...]
    clinic: dict[str, Any]
    locales: dict[str, dict[str, str]]
    default_locale: str
    languages: dict[str, Language]
    template_dirs: tuple[Path, ...]
    # A hash of every content file and template (shared/version.py): stamped on callbacks and assessment logs.
    version: str = ""
    # What health information is kept, and for how long (clinic.yaml; shared/health_data.py).
    health_data: HealthData = HealthData()

    @property
    def questions_by_id(self) -> dict[str, Question]:
        """Every question by its id."""
        return {q.id: q for q in self.questions}

    def question(self, question_id: str) -> Question:
        """Find a question by id (raises KeyError for an unknown id)."""
        return self.questions_by_id[question_id]

    def locale(self, code: str | None) -> dict[str, str]:
        """The locale block for a code such as en-GB, falling back to the default."""
        return self.locales.get(code or "", self.locales[self.default_locale])

    def language(self, locale: str | None) -> Language:
        """The language of a locale this content has (en-GB: en), else the default locale's."""
        code = locale if locale in self.locales else self.default_locale
        return self.languages[language_of(code)]


def language_of(locale: str) -> str:
    """The language part of a locale code: en-GB -> en."""
    return locale.split("-")[0]


# --- The files -------------------------------------------------------------------------------------------


def _load_concepts(folder: Path) -> dict[str, tuple[str, ...]]:
    spot = Spot(folder / "concepts.yaml")
    raw = mapping(read_yaml(spot.file), spot, tuple(sorted(set(CONCEPT_OF.values()))))
    concepts = {}
    for name, ids in raw.items():
        for index, item in enumerate(non_empty_list(ids, spot / name)):
            if not isinstance(item, str):
                raise (spot / name / index).fail(f"{name}: ids are words; quote {item!r}")
        unique(ids, spot / name)
        concepts[name] = tuple(ids)
    return concepts


def _load_rules(folder: Path, check: IdChecker) -> tuple[tuple[Rule, ...], int, int]:
    spot = Spot(folder / "rules.yaml")
    raw = mapping(read_yaml(spot.file), spot, ("rules", "verdict_margin", "strong_margin"))
    rules = []
    for index, entry in enumerate(non_empty_list(raw["rules"], spot / "rules")):
        at = spot / "rules" / index
        fields = ("id", "looks_at", "when", "points_to", "weight", "source")
        only(mapping(entry, at, fields), (*fields, "disputed"), at)
        where = f"rule {entry['id']!r}"
        if entry["points_to"] not in ("cramp", "spasm"):
            raise (at / "points_to").fail(f"{where}: points_to must be cramp or spasm")
        weight = entry["weight"]
        if not isinstance(weight, int) or isinstance(weight, bool) or weight < 0:
            raise (at / "weight").fail(
                f"{where}: weight must be whole points (0 listed but not counted, 1 light, 2 moderate, 3 strong)"
            )
        if entry["looks_at"] not in FACT_NAMES:
            raise (at / "looks_at").fail(f"{where}: looks_at names unknown fact {entry['looks_at']!r}")
        check.condition(entry["when"], at / "when", where)
        rules.append(Rule(**entry))
    unique([rule.id for rule in rules], spot / "rules")
    for key in ("verdict_margin", "strong_margin"):
        if not isinstance(raw[key], int) or isinstance(raw[key], bool):
            raise (spot / key).fail(f"{key} must be a whole number of points")
    return tuple(rules), raw["verdict_margin"], raw["strong_margin"]


def _load_red_flags(folder: Path, check: IdChecker) -> tuple[RedFlag, ...]:
    spot = Spot(folder / "red_flags.yaml")
    raw = mapping(read_yaml(spot.file), spot, ("red_flags",))
    flags = []
    for index, entry in enumerate(non_empty_list(raw["red_flags"], spot / "red_flags")):
        at = spot / "red_flags" / index
        fields = ("id", "urgency", "when", "source")
        only(mapping(entry, at, fields), fields, at)
        where = f"red flag {entry['id']!r}"
        if entry["urgency"] not in URGENCY_ORDER[:3]:
            raise (at / "urgency").fail(f"{where}: urgency must be emergency, urgent or routine")
        if flags and URGENCY_ORDER.index(entry["urgency"]) < URGENCY_ORDER.index(flags[-1].urgency):
            raise (at / "urgency").fail(
                f"{where}: list the flags most urgent first; the screen stops at the first match"
            )
        check.condition(entry["when"], at / "when", where)
        flags.append(RedFlag(**entry, signs=tuple(dict.fromkeys(signs_named(entry["when"])))))
    unique([flag.id for flag in flags], spot / "red_flags")
    return tuple(flags)


def signs_named(cond: dict) -> list[str]:
    """The sign ids a condition tests (on `signs`), in the order it names them."""
    for key in ("all", "any"):
        if key in cond:
            return [sign for part in cond[key] for sign in signs_named(part)]
    if "not" in cond:
        return signs_named(cond["not"])
    if cond.get("fact") != "signs":
        return []
    value = next(value for key, value in cond.items() if key != "fact")
    return list(value) if isinstance(value, list) else [value]


def _load_questions(folder: Path, concepts: dict[str, tuple[str, ...]]) -> tuple[tuple[Question, ...], int]:
    spot = Spot(folder / "questions.yaml")
    raw = mapping(read_yaml(spot.file), spot, ("questions", "max_questions"))
    entries = non_empty_list(raw["questions"], spot / "questions")
    ids = [entry.get("id") if isinstance(entry, dict) else None for entry in entries]
    made = [*(f"{question_id}{WHICH_SUFFIX}" for question_id in ids), *(CONFIRM_PREFIX + s for s in concepts["signs"])]
    check = IdChecker(concepts, {*ids, *made})
    questions = []
    for index, entry in enumerate(entries):
        at = spot / "questions" / index
        fields = ("id", "purpose", "kind", "ask_when")
        only(mapping(entry, at, fields), (*fields, "skip_when", "options", "on_yes", "on_no", "asks_about"), at)
        where = f"question {entry['id']!r}"
        if entry["purpose"] not in QUESTION_PURPOSES:
            raise (at / "purpose").fail(f"{where}: purpose must be one of {', '.join(QUESTION_PURPOSES)}")
        if entry["kind"] not in QUESTION_KINDS:
            raise (at / "kind").fail(f"{where}: kind must be one of {', '.join(QUESTION_KINDS)}")
        check.condition(entry["ask_when"], at / "ask_when", where)
        if entry.get("skip_when") is not None:
            check.condition(entry["skip_when"], at / "skip_when", where)
        options = []
        for number, option in enumerate(entry.get("options") or ()):
            only(mapping(option, at / "options" / number, ("id", "sets")), ("id", "sets"), at / "options" / number)
            check.sets(option["sets"], at / "options" / number / "sets", where)
            options.append(Option(option["id"], option["sets"]))
        unique([option.id for option in options], at / "options")
        if entry["kind"] == "choice" and len(options) < 2:
            raise at.fail(f"{where}: a choice question needs at least two options")
        asks_about = tuple(entry.get("asks_about") or ())
        if asks_about:
            check.sets({"signs": list(asks_about)}, at / "asks_about", where)
            unique(list(asks_about), at / "asks_about")
            if entry["kind"] != "yes_no" or "on_yes" in entry or "on_no" in entry:
                raise at.fail(f"{where}: asks_about is for a yes/no question, whose answers it decides")
            entry = {**entry, **_answers_about(asks_about)}
        if entry["kind"] == "yes_no":
            if not (entry.get("on_yes") and entry.get("on_no")):
                raise at.fail(f"{where}: a yes/no question needs asks_about, or both on_yes and on_no")
            check.sets(entry["on_yes"], at / "on_yes", where)
            check.sets(entry["on_no"], at / "on_no", where)
        questions.append(Question(**{**entry, "options": tuple(options), "asks_about": asks_about}))
    unique(ids, spot / "questions")
    if "body_part" not in ids:
        raise spot.fail("the dialogue restarts with a question of id 'body_part': it is missing")
    if not isinstance(raw["max_questions"], int) or isinstance(raw["max_questions"], bool):
        raise (spot / "max_questions").fail("max_questions must be a whole number")
    return tuple(questions), raw["max_questions"]


def _answers_about(signs: tuple[str, ...]) -> dict[str, dict]:
    """What "yes" and "no" to a question about these signs set: "no" denies them all; "yes" asserts the one sign,
    or makes several possible until "which one?" is answered (so the reason named is the sign confirmed)."""
    yes = {"signs": list(signs)} if len(signs) == 1 else {"possible_signs": list(signs)}
    return {"on_yes": yes, "on_no": {"denied": list(signs)}}


def _follow_ups(questions: tuple[Question, ...], red_flags: tuple[RedFlag, ...]) -> tuple[Question, ...]:
    """The questions made from the others: "which one?" after a yes to several signs, and one yes/no question for
    every sign a red flag names, asked when the person is unsure of it."""
    which = [
        Question(
            id=f"{question.id}{WHICH_SUFFIX}",
            purpose="which",
            kind="choice",
            ask_when={"all": [
                {"fact": "answered", "has": question.id},
                {"fact": "possible_signs", "has_any": list(question.asks_about)},
            ]},
            options=tuple(Option(sign, {"signs": [sign]}) for sign in question.asks_about),
            asks_about=question.asks_about,
            parent=question.id,
        )
        for question in questions
        if len(question.asks_about) > 1
    ]
    flagged = dict.fromkeys(sign for flag in red_flags for sign in flag.signs)
    confirm = [
        Question(
            id=CONFIRM_PREFIX + sign,
            purpose="confirm",
            kind="yes_no",
            ask_when={"fact": "possible_signs", "has": sign},
            asks_about=(sign,),
            **_answers_about((sign,)),
        )
        for sign in flagged
    ]
    return (*which, *confirm)


def _load_relief(folder: Path, check: IdChecker) -> tuple[dict[str, Relief], tuple[Relief, ...]]:
    spot = Spot(folder / "relief.yaml")
    raw = mapping(read_yaml(spot.file), spot, ("relief",))
    body_parts = check.concepts["body_part"]
    relief = {}
    for part, entry in mapping(raw["relief"], spot / "relief").items():
        at = spot / "relief" / part
        if part not in (*body_parts, "unknown"):
            raise at.fail(f"relief step {part!r}: not a body part of concepts.yaml, nor 'unknown'")
        only(mapping(entry, at, ("source",)), ("source",), at)
        relief[part] = Relief(part, entry["source"])
    missing = [part for part in (*body_parts, "unknown") if part not in relief]
    if missing:
        raise (spot / "relief").fail(f"no relief step for {missing} ('unknown' is for when the muscle is not known)")
    context_relief = []
    for index, entry in enumerate(raw.get("context_relief") or ()):
        at = spot / "context_relief" / index
        only(mapping(entry, at, ("id", "when", "source")), ("id", "when", "source"), at)
        if entry["id"] in relief:
            raise (at / "id").fail(f"context relief {entry['id']!r}: a body part's relief step has that id")
        check.condition(entry["when"], at / "when", f"context relief {entry['id']!r}")
        context_relief.append(Relief(entry["id"], entry["source"], entry["when"]))
    unique([item.id for item in context_relief], spot / "context_relief")
    return relief, tuple(context_relief)


def _load_tips(folder: Path, check: IdChecker) -> tuple[Tip, ...]:
    spot = Spot(folder / "tips.yaml")
    raw = mapping(read_yaml(spot.file), spot, ("tips", "medication_caution", "clinic_offer"))
    tips = []
    for index, entry in enumerate(non_empty_list(raw["tips"], spot / "tips")):
        at = spot / "tips" / index
        only(mapping(entry, at, ("id", "source")), ("id", "source", "for", "unless"), at)
        verdicts = tuple(entry.get("for", VERDICTS))
        for number, verdict in enumerate(verdicts):
            if verdict not in VERDICTS:
                raise (at / "for" / number).fail(f"tip {entry['id']!r}: {verdict!r} is not one of {VERDICTS}")
        if entry.get("unless") is not None:
            check.condition(entry["unless"], at / "unless", f"tip {entry['id']!r}")
        tips.append(Tip(entry["id"], verdicts, entry["source"], entry.get("unless")))
    unique([tip.id for tip in tips], spot / "tips")
    for key in ("medication_caution", "clinic_offer"):
        mapping(raw[key], spot / key, ("source",))
    return tuple(tips)


def _load_locales(folder: Path) -> tuple[dict[str, dict[str, str]], str]:
    spot = Spot(folder / "locales.yaml")
    raw = mapping(read_yaml(spot.file), spot, ("default", "locales"))
    locales = mapping(raw["locales"], spot / "locales")
    for code, block in locales.items():
        mapping(block, spot / "locales" / code, LOCALE_KEYS)
    if raw["default"] not in locales:
        raise (spot / "default").fail(f"the default {raw['default']!r} is not one of the locales")
    return locales, raw["default"]


# --- Languages -------------------------------------------------------------------------------------------


def merged(base: Any, over: Any) -> Any:
    """`over` laid on `base`: mappings merge key by key; anything else in `over` replaces what `base` has."""
    if isinstance(base, dict) and isinstance(over, dict):
        return {**base, **{key: merged(base.get(key), value) for key, value in over.items()}}
    return over


def _words_needed(content: dict[str, Any]) -> dict[str, Any]:
    """Every wording key the structure names, as a nested mapping of keys (None: a sentence)."""
    return {
        "list_and": None,
        "ordinals": None,
        "callback_windows": None,
        "reasons": dict.fromkeys(rule.id for rule in content["rules"]),
        "red_flags": dict.fromkeys(flag.id for flag in content["red_flags"]),
        "spoken_red_flags": dict.fromkeys(flag.id for flag in content["red_flags"]),
        "relief": dict.fromkeys([*content["relief"], *(item.id for item in content["context_relief"])]),
        "tips": dict.fromkeys(tip.id for tip in content["tips"]),
        "medication_caution": None,
        "clinic_offer": None,
        "questions": {
            question.id: {
                **dict.fromkeys(QUESTION_WORDING),
                **({"options": dict.fromkeys(option.id for option in question.options)} if question.options else {}),
            }
            for question in content["questions"]
            if question.purpose in QUESTION_PURPOSES
        },
        # "Which one?" after a yes to several signs, and each sign's label and its own yes/no question.
        "which": dict.fromkeys(QUESTION_WORDING),
        "signs": {sign: dict.fromkeys(SIGN_WORDING) for sign in content["concepts"]["signs"]},
    }


def _load_languages(folder: Path, structure: dict[str, Any]) -> dict[str, Language]:
    """Every language a locale uses, each merged over the base (default locale's) language."""
    base_code = language_of(structure["default_locale"])
    codes = [base_code, *sorted({language_of(code) for code in structure["locales"]} - {base_code})]
    needed = _words_needed(structure)
    choices = {q.id: {o.id for o in q.options} for q in structure["questions"] if q.kind == "choice"}
    base_words: dict[str, Any] = {}
    base_lexicon: dict[str, Any] = {}
    languages = {}
    for code in codes:
        is_base = code == base_code
        words_spot = Spot(folder / "languages" / code / "wording.yaml")
        lexicon_spot = Spot(folder / "languages" / code / "lexicon.yaml")
        if not words_spot.file.parent.is_dir():
            locale = next(locale for locale in structure["locales"] if language_of(locale) == code)
            where = Spot(folder / "locales.yaml") / "locales" / locale
            raise where.fail(f"locale {locale!r} speaks {code!r}, but there is no {words_spot.file.parent}")
        words = read_yaml(words_spot.file) if is_base or words_spot.file.exists() else {}
        lexicon = read_yaml(lexicon_spot.file) if is_base or lexicon_spot.file.exists() else {}
        check_words(words or {}, needed, words_spot, is_base)
        check_lexicon(lexicon or {}, lexicon_spot, structure["concepts"], choices, is_base)
        if is_base:
            base_words, base_lexicon = words, lexicon
        words, lexicon = merged(base_words, words or {}), merged(base_lexicon, lexicon or {})
        try:
            compiled = build_lexicon(lexicon)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ContentError(f"{lexicon_spot.file}: malformed ({type(exc).__name__}: {exc})") from exc
        languages[code] = Language(code, words, compiled)
    return languages


def template_dirs_of(folder: Path) -> tuple[Path, ...]:
    """Where a content folder's templates are looked up: its own `templates/` first, when it has one."""
    overrides = folder / "templates"
    return (overrides, TEMPLATE_DIR) if overrides.is_dir() else (TEMPLATE_DIR,)


@functools.cache
def load_content(directory: str | Path | None = None) -> Content:
    """Read every content file of a folder (the packaged one by default), check it, and return one immutable
    Content; each folder is read once per process. The packaged folder comes from its snapshot when the zip
    carries one (shared/snapshot.py)."""
    folder = Path(directory) if directory else CONTENT_DIR
    if folder == CONTENT_DIR and (saved := read_snapshot()) is not None:
        # Saved in the packaging folder: its template folders are found again here.
        return replace(saved, template_dirs=template_dirs_of(folder))
    concepts = _load_concepts(folder)
    written, max_questions = _load_questions(folder, concepts)
    check = IdChecker(concepts, {question.id for question in written})
    rules, margin, strong = _load_rules(folder, check)
    red_flags = _load_red_flags(folder, check)
    questions = (*written, *_follow_ups(written, red_flags))
    relief, context_relief = _load_relief(folder, check)
    tips = _load_tips(folder, check)
    clinic = mapping(read_yaml(folder / "clinic.yaml"), Spot(folder / "clinic.yaml"), CLINIC_KEYS)
    try:
        health_data = health_data_of(clinic)
    except HealthDataError as error:
        raise Spot(folder / "clinic.yaml").fail(str(error)) from error
    locales, default_locale = _load_locales(folder)
    structure = {
        "concepts": concepts, "rules": rules, "red_flags": red_flags, "questions": questions, "relief": relief,
        "context_relief": context_relief, "tips": tips, "locales": locales, "default_locale": default_locale,
    }
    template_dirs = template_dirs_of(folder)
    return Content(
        concepts=concepts,
        rules=rules,
        verdict_margin=margin,
        strong_margin=strong,
        red_flags=red_flags,
        questions=questions,
        max_questions=max_questions,
        relief=relief,
        context_relief=context_relief,
        tips=tips,
        clinic=clinic,
        locales=locales,
        default_locale=default_locale,
        languages=_load_languages(folder, structure),
        template_dirs=template_dirs,
        version=version_of(folder, template_dirs, clinic),
        health_data=health_data,
    )
