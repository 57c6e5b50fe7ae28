"""Load the content files once per process and check them, so a mistake fails at start naming the file, the line
and the id, never by a rule that silently never fires.

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.conditions import OPERATORS, operator_of
from shared.facts import CONCEPT_OF, COUNT, FACT_NAMES, KIND, NUMBER, SET
from shared.lexicon import PHRASE_FACTS, Lexicon, build_lexicon

CONTENT_DIR = Path(__file__).parent / "content"
TEMPLATE_DIR = Path(__file__).parent / "templates"
URGENCY_ORDER = ("emergency", "urgent", "routine", "self_care")
VERDICTS = ("cramp", "spasm", "unclear")
QUESTION_PURPOSES = ("locate", "red_flag", "distinction")
QUESTION_KINDS = ("yes_no", "choice")
# Templates rely on these keys: a file without them fails at load, not mid-call.
CLINIC_KEYS = ("name", "phone", "phone_spoken", "hours", "booking_url", "staff_sms_number", "country")
LOCALE_KEYS = ("emergency_number", "emergency_spoken", "clinician", "urgent_care", "country")
# The base language's lexicon must have every section; another language's may leave any out.
LEXICON_SECTIONS = (
    *PHRASE_FACTS, "negation", "clause_breaks", "spelling", "not_typos", "keyboard", "numbers", "tens", "ones",
    "units", "times", "not_durations", "spans", "answers", "choices",
)
OPTIONAL_LEXICON_SECTIONS = ("ignore", "approximately")
NUMBER_SECTIONS = ("numbers", "units")  # words -> numbers
QUESTION_WORDING = ("voice", "voice_rephrase", "sms")


class ContentError(ValueError):
    """A content file is wrong; raised at load time with the file, the line and the id named."""


@dataclass(frozen=True)
class Spot:
    """Where a value sits in a content file: the file, and the keys and list positions that lead to it."""

    file: Path
    keys: tuple[str | int, ...] = ()

    def __truediv__(self, key: str | int) -> Spot:
        return Spot(self.file, (*self.keys, key))

    def fail(self, problem: str) -> ContentError:
        """The error to raise for a problem found here, with the file and line named."""
        line = _line_of(self)
        return ContentError(f"{self.file}{f', line {line}' if line else ''}: {problem}")


def _line_of(spot: Spot) -> int | None:
    """The line of the value (or of its key) at the spot, from the file's YAML nodes; read only when failing."""
    import yaml

    try:
        node = yaml.compose(spot.file.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, ValueError, yaml.YAMLError):
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for key in spot.keys:
        if isinstance(node, yaml.MappingNode):
            found = next(((k, v) for k, v in node.value if k.value == str(key)), None)
            if found is None:
                break
            line, node = found[0].start_mark.line + 1, found[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            break
    return line


@dataclass(frozen=True)
class Rule:
    """A cramp-vs-spasm rule: when it fires, which way it points and how strongly."""

    id: str
    looks_at: str
    when: dict
    points_to: str
    weight: int
    source: str


@dataclass(frozen=True)
class RedFlag:
    """A warning sign: when it matches and how urgent it is."""

    id: str
    urgency: str
    when: dict
    source: str


@dataclass(frozen=True)
class Option:
    """One option of a choice question and the facts choosing it adds."""

    id: str
    sets: dict


@dataclass(frozen=True)
class Question:
    """A question the dialogue may ask: when, and the facts each answer adds."""

    id: str
    purpose: str  # locate | red_flag | distinction
    kind: str  # yes_no | choice
    ask_when: dict
    skip_when: dict
    options: tuple[Option, ...] = ()
    on_yes: dict | None = None
    on_no: dict | None = None

    def answers(self) -> list[dict]:
        """Every fact change an answer to this question can make."""
        if self.kind == "yes_no":
            return [self.on_yes or {}, self.on_no or {}]
        return [option.sets for option in self.options]


@dataclass(frozen=True)
class Relief:
    """A relief step: for a body part, or for a context (`when`) that overrides the body part's."""

    id: str
    source: str
    when: dict | None = None


@dataclass(frozen=True)
class Tip:
    """A prevention tip and the verdicts it suits."""

    id: str
    for_verdicts: tuple[str, ...]
    source: str


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


def _read(file: Path) -> Any:
    # PyYAML is imported when content is loaded, not with the module; libyaml's safe loader, when present,
    # reads the files about ten times faster than the pure-Python one (cold start).
    import yaml

    try:
        with file.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe loaders
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise ContentError(f"{file}: cannot be read: {exc}") from exc


# --- Shape checks: each names the spot it found the problem at --------------------------------------------


def _mapping(value: Any, spot: Spot, keys: tuple[str, ...] = ()) -> dict:
    if not isinstance(value, dict):
        raise spot.fail(f"expected a mapping of fields, got {value!r}")
    missing = [key for key in keys if value.get(key) in (None, "", [], {})]
    if missing:
        raise spot.fail(f"missing {', '.join(missing)}")
    return value


def _list(value: Any, spot: Spot) -> list:
    if not isinstance(value, list) or not value:
        raise spot.fail(f"expected a non-empty list, got {value!r}")
    return value


def _unique(ids: list[str], spot: Spot) -> None:
    seen: set[str] = set()
    for index, item in enumerate(ids):
        if item in seen:
            raise (spot / index).fail(f"duplicate id {item!r}")
        seen.add(item)


def _only(value: dict, allowed: tuple[str, ...], spot: Spot) -> None:
    for key in value:
        if key not in allowed:
            raise (spot / key).fail(f"unknown field {key!r} (known: {', '.join(allowed)})")


class _Checker:
    """Checks the content's ids against concepts.yaml and each other, naming the file, line and id of a mistake."""

    def __init__(self, concepts: dict[str, tuple[str, ...]], question_ids: set[str]) -> None:
        self.concepts = concepts
        self.question_ids = question_ids

    def ids_of(self, fact: str) -> tuple[str, ...] | set[str] | None:
        """The ids a fact may hold: its concepts.yaml list, the question ids for `answered`, None for numbers."""
        if fact == "answered":
            return self.question_ids
        return self.concepts[CONCEPT_OF[fact]] if fact in CONCEPT_OF else None

    def value(self, fact: str, value: Any, spot: Spot, where: str) -> None:
        """A value a condition or an answer gives a fact: of the right type, and an id the fact can hold."""
        ids = self.ids_of(fact)
        if KIND[fact] in (NUMBER, COUNT):
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise spot.fail(f"{where}: {fact} is a number, not {value!r}")
        elif ids is not None and value not in ids:
            source = "questions.yaml" if fact == "answered" else f"concepts.yaml ({CONCEPT_OF[fact]})"
            raise spot.fail(f"{where} names {fact} {value!r}, which {source} does not list")

    def condition(self, cond: Any, spot: Spot, where: str) -> None:
        """A condition's shape, facts, operators and values."""
        if not isinstance(cond, dict) or not cond:
            raise spot.fail(f"{where}: a condition must be a non-empty mapping, got {cond!r}")
        for key in ("all", "any"):
            if key in cond:
                for index, part in enumerate(_list(cond[key], spot / key)):
                    self.condition(part, spot / key / index, where)
                return
        if "not" in cond:
            self.condition(cond["not"], spot / "not", where)
            return
        fact = cond.get("fact")
        if fact not in FACT_NAMES:
            raise (spot / "fact").fail(f"{where}: unknown fact {fact!r} (known: {', '.join(FACT_NAMES)})")
        ops = [key for key in cond if key != "fact"]
        if len(ops) != 1 or ops[0] not in OPERATORS:
            raise spot.fail(f"{where}: needs exactly one operator of {', '.join(OPERATORS)}, got {ops}")
        op, expected = operator_of(cond)
        at = spot / op
        if op in ("known", "unknown"):
            if not isinstance(expected, bool):
                raise at.fail(f"{where}: {op} takes true or false, not {expected!r}")
        elif op in ("has", "has_any", "has_none") and KIND[fact] != SET:
            raise at.fail(f"{where}: {op} tests a set fact; {fact} is not one")
        elif op in ("in", "has_any", "has_none"):
            for index, item in enumerate(_list(expected, at)):
                self.value(fact, item, at / index, where)
        else:
            self.value(fact, expected, at, where)

    def sets(self, sets: Any, spot: Spot, where: str) -> None:
        """The facts an answer adds: known facts, and values each can hold."""
        for fact, value in _mapping(sets, spot).items():
            at = spot / fact
            if fact not in FACT_NAMES:
                raise at.fail(f"{where}: answer sets unknown fact {fact!r}")
            if KIND[fact] == SET:
                for index, item in enumerate(_list(value, at)):
                    self.value(fact, item, at / index, where)
            else:
                self.value(fact, value, at, where)


# --- The files -------------------------------------------------------------------------------------------


def _load_concepts(folder: Path) -> dict[str, tuple[str, ...]]:
    spot = Spot(folder / "concepts.yaml")
    raw = _mapping(_read(spot.file), spot, tuple(sorted(set(CONCEPT_OF.values()))))
    concepts = {}
    for name, ids in raw.items():
        for index, item in enumerate(_list(ids, spot / name)):
            if not isinstance(item, str):
                raise (spot / name / index).fail(f"{name}: ids are words; quote {item!r}")
        _unique(ids, spot / name)
        concepts[name] = tuple(ids)
    return concepts


def _load_rules(folder: Path, check: _Checker) -> tuple[tuple[Rule, ...], int, int]:
    spot = Spot(folder / "rules.yaml")
    raw = _mapping(_read(spot.file), spot, ("rules", "verdict_margin", "strong_margin"))
    rules = []
    for index, entry in enumerate(_list(raw["rules"], spot / "rules")):
        at = spot / "rules" / index
        fields = ("id", "looks_at", "when", "points_to", "weight", "source")
        _only(_mapping(entry, at, fields), fields, at)
        where = f"rule {entry['id']!r}"
        if entry["points_to"] not in ("cramp", "spasm"):
            raise (at / "points_to").fail(f"{where}: points_to must be cramp or spasm")
        weight = entry["weight"]
        if not isinstance(weight, int) or isinstance(weight, bool) or weight < 1:
            raise (at / "weight").fail(f"{where}: weight must be whole points (1 light, 2 moderate, 3 strong)")
        if entry["looks_at"] not in FACT_NAMES:
            raise (at / "looks_at").fail(f"{where}: looks_at names unknown fact {entry['looks_at']!r}")
        check.condition(entry["when"], at / "when", where)
        rules.append(Rule(**entry))
    _unique([rule.id for rule in rules], spot / "rules")
    return tuple(rules), int(raw["verdict_margin"]), int(raw["strong_margin"])


def _load_red_flags(folder: Path, check: _Checker) -> tuple[RedFlag, ...]:
    spot = Spot(folder / "red_flags.yaml")
    raw = _mapping(_read(spot.file), spot, ("red_flags",))
    flags = []
    for index, entry in enumerate(_list(raw["red_flags"], spot / "red_flags")):
        at = spot / "red_flags" / index
        fields = ("id", "urgency", "when", "source")
        _only(_mapping(entry, at, fields), fields, at)
        where = f"red flag {entry['id']!r}"
        if entry["urgency"] not in URGENCY_ORDER[:3]:
            raise (at / "urgency").fail(f"{where}: urgency must be emergency, urgent or routine")
        if flags and URGENCY_ORDER.index(entry["urgency"]) < URGENCY_ORDER.index(flags[-1].urgency):
            raise (at / "urgency").fail(
                f"{where}: list the flags most urgent first; the screen stops at the first match"
            )
        check.condition(entry["when"], at / "when", where)
        flags.append(RedFlag(**entry))
    _unique([flag.id for flag in flags], spot / "red_flags")
    return tuple(flags)


def _load_questions(folder: Path, concepts: dict[str, tuple[str, ...]]) -> tuple[tuple[Question, ...], int]:
    spot = Spot(folder / "questions.yaml")
    raw = _mapping(_read(spot.file), spot, ("questions", "max_questions"))
    entries = _list(raw["questions"], spot / "questions")
    ids = [entry.get("id") if isinstance(entry, dict) else None for entry in entries]
    check = _Checker(concepts, set(ids))
    questions = []
    for index, entry in enumerate(entries):
        at = spot / "questions" / index
        fields = ("id", "purpose", "kind", "ask_when", "skip_when")
        _only(_mapping(entry, at, fields), (*fields, "options", "on_yes", "on_no"), at)
        where = f"question {entry['id']!r}"
        if entry["purpose"] not in QUESTION_PURPOSES:
            raise (at / "purpose").fail(f"{where}: purpose must be one of {', '.join(QUESTION_PURPOSES)}")
        if entry["kind"] not in QUESTION_KINDS:
            raise (at / "kind").fail(f"{where}: kind must be one of {', '.join(QUESTION_KINDS)}")
        check.condition(entry["ask_when"], at / "ask_when", where)
        check.condition(entry["skip_when"], at / "skip_when", where)
        options = []
        for number, option in enumerate(entry.get("options") or ()):
            _only(_mapping(option, at / "options" / number, ("id", "sets")), ("id", "sets"), at / "options" / number)
            check.sets(option["sets"], at / "options" / number / "sets", where)
            options.append(Option(option["id"], option["sets"]))
        _unique([option.id for option in options], at / "options")
        if entry["kind"] == "choice" and len(options) < 2:
            raise at.fail(f"{where}: a choice question needs at least two options")
        if entry["kind"] == "yes_no":
            if not (entry.get("on_yes") and entry.get("on_no")):
                raise at.fail(f"{where}: a yes/no question needs both on_yes and on_no")
            check.sets(entry["on_yes"], at / "on_yes", where)
            check.sets(entry["on_no"], at / "on_no", where)
        questions.append(Question(**{**entry, "options": tuple(options)}))
    _unique(ids, spot / "questions")
    if "body_part" not in ids:
        raise spot.fail("the dialogue restarts with a question of id 'body_part': it is missing")
    return tuple(questions), int(raw["max_questions"])


def _load_relief(folder: Path, check: _Checker) -> tuple[dict[str, Relief], tuple[Relief, ...]]:
    spot = Spot(folder / "relief.yaml")
    raw = _mapping(_read(spot.file), spot, ("relief",))
    body_parts = check.concepts["body_part"]
    relief = {}
    for part, entry in _mapping(raw["relief"], spot / "relief").items():
        at = spot / "relief" / part
        if part not in (*body_parts, "unknown"):
            raise at.fail(f"relief step {part!r}: not a body part of concepts.yaml, nor 'unknown'")
        _only(_mapping(entry, at, ("source",)), ("source",), at)
        relief[part] = Relief(part, entry["source"])
    missing = [part for part in (*body_parts, "unknown") if part not in relief]
    if missing:
        raise (spot / "relief").fail(f"no relief step for {missing} ('unknown' is for when the muscle is not known)")
    context_relief = []
    for index, entry in enumerate(raw.get("context_relief") or ()):
        at = spot / "context_relief" / index
        _only(_mapping(entry, at, ("id", "when", "source")), ("id", "when", "source"), at)
        if entry["id"] in relief:
            raise (at / "id").fail(f"context relief {entry['id']!r}: a body part's relief step has that id")
        check.condition(entry["when"], at / "when", f"context relief {entry['id']!r}")
        context_relief.append(Relief(entry["id"], entry["source"], entry["when"]))
    _unique([item.id for item in context_relief], spot / "context_relief")
    return relief, tuple(context_relief)


def _load_tips(folder: Path) -> tuple[Tip, ...]:
    spot = Spot(folder / "tips.yaml")
    raw = _mapping(_read(spot.file), spot, ("tips", "medication_caution", "clinic_offer"))
    tips = []
    for index, entry in enumerate(_list(raw["tips"], spot / "tips")):
        at = spot / "tips" / index
        _only(_mapping(entry, at, ("id", "source")), ("id", "source", "for"), at)
        verdicts = tuple(entry.get("for", VERDICTS))
        for number, verdict in enumerate(verdicts):
            if verdict not in VERDICTS:
                raise (at / "for" / number).fail(f"tip {entry['id']!r}: {verdict!r} is not one of {VERDICTS}")
        tips.append(Tip(entry["id"], verdicts, entry["source"]))
    _unique([tip.id for tip in tips], spot / "tips")
    for key in ("medication_caution", "clinic_offer"):
        _mapping(raw[key], spot / key, ("source",))
    return tuple(tips)


def _load_locales(folder: Path) -> tuple[dict[str, dict[str, str]], str]:
    spot = Spot(folder / "locales.yaml")
    raw = _mapping(_read(spot.file), spot, ("default", "locales"))
    locales = _mapping(raw["locales"], spot / "locales")
    for code, block in locales.items():
        _mapping(block, spot / "locales" / code, LOCALE_KEYS)
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
        },
    }


def _check_words(words: Any, needed: dict[str, Any], spot: Spot, base: bool) -> None:
    """The base language has every key needed; every language has no key the structure does not name."""
    words = _mapping(words, spot)
    for key in words:
        if key not in needed:
            raise (spot / key).fail(f"wording {key!r} is not a key the content names (known: {', '.join(needed)})")
    for key, inner in needed.items():
        if key not in words:
            if base:
                raise spot.fail(f"no wording for {key!r} in the base language")
            continue
        if inner is not None:
            _check_words(words[key], inner, spot / key, base)
        elif words[key] in (None, "", [], {}):
            raise (spot / key).fail(f"wording {key!r} is empty")


def _check_lexicon(raw: Any, spot: Spot, concepts: dict[str, tuple[str, ...]], questions: tuple[Question, ...],
                   base: bool) -> None:
    """Known sections; words that stay words; phrases keyed by ids of concepts.yaml; choices by real options."""
    raw = _mapping(raw, spot)
    for section, node in raw.items():
        at = spot / section
        if section not in LEXICON_SECTIONS + OPTIONAL_LEXICON_SECTIONS:
            raise at.fail(f"unknown section {section!r}")
        if section in PHRASE_FACTS:
            for concept in _mapping(node, at):
                if concept not in concepts[CONCEPT_OF[section]]:
                    raise (at / concept).fail(f"{section} {concept!r} is not an id concepts.yaml lists")
        if section == "choices":
            options = {q.id: {o.id for o in q.options} for q in questions if q.kind == "choice"}
            for question, by_option in _mapping(node, at).items():
                if question not in options:
                    raise (at / question).fail(f"choices for {question!r}, which is not a choice question")
                for option in _mapping(by_option, at / question):
                    if option not in options[question]:
                        raise (at / question / option).fail(f"question {question!r} has no option {option!r}")
        _check_words_are_words(section, node, at)
    missing = [section for section in LEXICON_SECTIONS if not raw.get(section)]
    if base and missing:
        raise spot.fail(f"missing sections {missing}")


def _check_words_are_words(section: str, node: Any, spot: Spot) -> None:
    # YAML 1.1 reads bare yes/no/on/off as booleans and bare numbers as numbers: a word list holds only strings.
    if section in NUMBER_SECTIONS:
        for word, value in _mapping(node, spot).items():
            _check_words_are_words(section + " word", word, spot / str(word))
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise (spot / word).fail(f"{section}: {word!r} needs a number, not {value!r}")
    elif section == "spans":
        for index, span in enumerate(_list(node, spot)):
            _mapping(span, spot / index, ("minutes", "phrases"))
            if not isinstance(span["minutes"], int | float) or isinstance(span["minutes"], bool):
                raise (spot / index / "minutes").fail(f"spans: minutes must be a number, not {span['minutes']!r}")
            _check_words_are_words("spans phrases", span["phrases"], spot / index / "phrases")
    elif isinstance(node, dict):
        for key, value in node.items():
            _check_words_are_words(section, key, spot / str(key))
            _check_words_are_words(section, value, spot / str(key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            _check_words_are_words(section, item, spot / index)
    elif not isinstance(node, str):
        raise spot.fail(f"{section}: quote {node!r} so it stays a word")


def _load_languages(folder: Path, structure: dict[str, Any]) -> dict[str, Language]:
    """Every language a locale uses, each merged over the base (default locale's) language."""
    base_code = language_of(structure["default_locale"])
    codes = [base_code, *sorted({language_of(code) for code in structure["locales"]} - {base_code})]
    needed = _words_needed(structure)
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
        words = _read(words_spot.file) if is_base or words_spot.file.exists() else {}
        lexicon = _read(lexicon_spot.file) if is_base or lexicon_spot.file.exists() else {}
        _check_words(words or {}, needed, words_spot, is_base)
        _check_lexicon(lexicon or {}, lexicon_spot, structure["concepts"], structure["questions"], is_base)
        if is_base:
            base_words, base_lexicon = words, lexicon
        words, lexicon = merged(base_words, words or {}), merged(base_lexicon, lexicon or {})
        try:
            compiled = build_lexicon(lexicon)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ContentError(f"{lexicon_spot.file}: malformed ({type(exc).__name__}: {exc})") from exc
        languages[code] = Language(code, words, compiled)
    return languages


@functools.cache
def load_content(directory: str | Path | None = None) -> Content:
    """Read every content file of a folder (the packaged one by default), check it, and return one immutable
    Content; each folder is read once per process."""
    folder = Path(directory) if directory else CONTENT_DIR
    concepts = _load_concepts(folder)
    questions, max_questions = _load_questions(folder, concepts)
    check = _Checker(concepts, {question.id for question in questions})
    rules, margin, strong = _load_rules(folder, check)
    red_flags = _load_red_flags(folder, check)
    relief, context_relief = _load_relief(folder, check)
    tips = _load_tips(folder)
    clinic = _mapping(_read(folder / "clinic.yaml"), Spot(folder / "clinic.yaml"), CLINIC_KEYS)
    locales, default_locale = _load_locales(folder)
    structure = {
        "concepts": concepts, "rules": rules, "red_flags": red_flags, "questions": questions, "relief": relief,
        "context_relief": context_relief, "tips": tips, "locales": locales, "default_locale": default_locale,
    }
    overrides = folder / "templates"
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
        template_dirs=(overrides, TEMPLATE_DIR) if overrides.is_dir() else (TEMPLATE_DIR,),
    )
