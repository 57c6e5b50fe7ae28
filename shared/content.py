"""Load and validate the clinician-editable content files once, at cold start."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from shared.conditions import OPERATORS
from shared.facts import Observations
from shared.lexicon import Lexicon, build_lexicon

CONTENT_DIR = Path(__file__).parent / "content"
URGENCY_ORDER = ("emergency", "urgent", "routine", "self_care")
VERDICTS = ("cramp", "spasm", "unclear")
FACT_NAMES = {f.name for f in fields(Observations)}
QUESTION_PURPOSES = ("locate", "red_flag", "distinction")
QUESTION_KINDS = ("yes_no", "choice")
# Templates and the reader rely on these keys and sections: a file without them fails at load, not mid-call.
CLINIC_KEYS = ("name", "phone", "phone_spoken", "hours", "booking_url", "staff_sms_number", "country")
LOCALE_KEYS = ("emergency_number", "emergency_spoken", "clinician", "urgent_care", "country")
LEXICON_SECTIONS = (
    "body_part", "pattern", "contexts", "signs", "recurrence", "severity", "negation", "clause_breaks", "spelling",
    "not_typos", "keyboard", "numbers", "tens", "ones", "units", "times", "not_durations", "spans", "answers",
)

class ContentError(ValueError):
    """A content file is malformed; raised at load time with the file and id named."""


def check_condition(cond: Any, where: str, fact_names: set[str]) -> None:
    """Validate a condition's shape at load time, so evaluation never meets a surprise."""
    if not isinstance(cond, dict) or not cond:
        raise ContentError(f"{where}: a condition must be a non-empty mapping, got {cond!r}")
    if "all" in cond or "any" in cond:
        key = "all" if "all" in cond else "any"
        parts = cond[key]
        if not isinstance(parts, list) or not parts:
            raise ContentError(f"{where}: '{key}' needs a non-empty list")
        for part in parts:
            check_condition(part, where, fact_names)
        return
    if "not" in cond:
        check_condition(cond["not"], where, fact_names)
        return
    fact = cond.get("fact")
    if fact not in fact_names:
        raise ContentError(f"{where}: unknown fact {fact!r}")
    ops = [op for op in cond if op != "fact"]
    if len(ops) != 1 or ops[0] not in OPERATORS:
        raise ContentError(f"{where}: needs exactly one operator of {OPERATORS}, got {ops}")


@dataclass(frozen=True)
class Rule:
    id: str
    looks_at: str
    when: dict
    points_to: str
    weight: int
    reason: str
    source: str


@dataclass(frozen=True)
class RedFlag:
    id: str
    urgency: str
    when: dict
    reason: str
    source: str


@dataclass(frozen=True)
class Option:
    label: str
    words: tuple[str, ...]
    sets: dict


@dataclass(frozen=True)
class Question:
    id: str
    purpose: str  # locate | red_flag | distinction
    kind: str  # yes_no | choice
    ask_when: dict
    skip_when: dict
    voice: str
    voice_rephrase: str
    sms: str
    options: tuple[Option, ...] = ()
    on_yes: dict | None = None
    on_no: dict | None = None

    def answers(self) -> list[dict]:
        """Every fact change an answer to this question can make."""
        if self.kind == "yes_no":
            return [self.on_yes or {}, self.on_no or {}]
        return [option.sets for option in self.options]


@dataclass(frozen=True)
class Tip:
    id: str
    say: str
    source: str
    for_verdicts: tuple[str, ...]


@dataclass(frozen=True)
class ContextRelief:
    id: str
    when: dict
    say: str
    source: str


@dataclass(frozen=True)
class Content:
    """Everything the engine, reader and templates read from data files."""

    rules: tuple[Rule, ...]
    verdict_margin: int
    strong_margin: int
    red_flags: tuple[RedFlag, ...]
    questions: tuple[Question, ...]
    max_questions: int
    relief: dict[str, str]
    context_relief: tuple[ContextRelief, ...]
    tips: tuple[Tip, ...]
    medication_caution: str
    clinic_offer: str
    clinic: dict[str, Any]
    locales: dict[str, dict[str, str]]
    default_locale: str
    lexicon: Lexicon

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


def _read(directory: Path, name: str) -> Any:
    # PyYAML is imported when content is loaded, not with the module; libyaml's safe loader, when present,
    # reads the files about ten times faster than the pure-Python one (cold start).
    import yaml

    path = directory / name
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe loaders
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(f"{path}: cannot be read: {exc}") from exc


@contextlib.contextmanager
def _checking(name: str) -> Iterator[None]:
    """Turn any other shape error met while loading a file into a ContentError that names the file."""
    try:
        yield
    except ContentError:
        raise
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ContentError(f"{name}: malformed ({type(exc).__name__}: {exc})") from exc


def _require(entry: dict, keys: tuple[str, ...], where: str) -> None:
    if not isinstance(entry, dict):
        raise ContentError(f"{where}: must be a mapping of fields, got {entry!r}")
    missing = [k for k in keys if entry.get(k) in (None, "", [], {})]
    if missing:
        raise ContentError(f"{where}: missing {', '.join(missing)}")


def _unique(ids: list[str], where: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ContentError(f"{where}: duplicate id {item!r}")
        seen.add(item)


def _check_sets(sets: dict, where: str) -> None:
    for fact in sets:
        if fact not in FACT_NAMES:
            raise ContentError(f"{where}: answer sets unknown fact {fact!r}")


def _load_rules(raw: dict) -> tuple[tuple[Rule, ...], int, int]:
    rules = []
    for entry in raw["rules"]:
        where = f"rules.yaml:{entry.get('id')}"
        _require(entry, ("id", "looks_at", "when", "points_to", "weight", "reason", "source"), where)
        if entry["points_to"] not in ("cramp", "spasm"):
            raise ContentError(f"{where}: points_to must be cramp or spasm")
        if not isinstance(entry["weight"], int) or isinstance(entry["weight"], bool) or entry["weight"] < 1:
            raise ContentError(f"{where}: weight must be a whole number of points (1 light, 2 moderate, 3 strong)")
        check_condition(entry["when"], where, FACT_NAMES)
        rules.append(Rule(**entry))
    _unique([r.id for r in rules], "rules.yaml")
    return tuple(rules), int(raw["verdict_margin"]), int(raw["strong_margin"])


def _load_red_flags(raw: dict) -> tuple[RedFlag, ...]:
    flags = []
    for entry in raw["red_flags"]:
        where = f"red_flags.yaml:{entry.get('id')}"
        _require(entry, ("id", "urgency", "when", "reason", "source"), where)
        if entry["urgency"] not in URGENCY_ORDER[:3]:
            raise ContentError(f"{where}: urgency must be emergency, urgent or routine")
        check_condition(entry["when"], where, FACT_NAMES)
        flags.append(RedFlag(**entry))
    _unique([f.id for f in flags], "red_flags.yaml")
    ranks = [URGENCY_ORDER.index(f.urgency) for f in flags]
    if ranks != sorted(ranks):
        raise ContentError("red_flags.yaml: list the flags most urgent first; the screen stops at the first match")
    return tuple(flags)


def _load_questions(raw: dict) -> tuple[tuple[Question, ...], int]:
    questions = []
    for entry in raw["questions"]:
        where = f"questions.yaml:{entry.get('id')}"
        _require(entry, ("id", "purpose", "kind", "ask_when", "skip_when", "voice", "voice_rephrase", "sms"), where)
        if entry["purpose"] not in QUESTION_PURPOSES or entry["kind"] not in QUESTION_KINDS:
            raise ContentError(f"{where}: purpose must be one of {QUESTION_PURPOSES} and kind one of {QUESTION_KINDS}")
        check_condition(entry["ask_when"], where, FACT_NAMES)
        check_condition(entry["skip_when"], where, FACT_NAMES)
        options = tuple(
            Option(label=o["label"], words=tuple(o["words"]), sets=o["sets"]) for o in entry.get("options", ())
        )
        if entry["kind"] == "choice" and len(options) < 2:
            raise ContentError(f"{where}: a choice question needs at least two options")
        if entry["kind"] == "yes_no" and not (entry.get("on_yes") and entry.get("on_no")):
            raise ContentError(f"{where}: a yes/no question needs both on_yes and on_no")
        question = Question(**{**entry, "options": options})
        for sets in question.answers():
            _check_sets(sets, where)
        questions.append(question)
    _unique([q.id for q in questions], "questions.yaml")
    return tuple(questions), int(raw["max_questions"])


def _load_tips(raw: dict) -> tuple[Tip, ...]:
    tips = []
    for entry in raw["tips"]:
        _require(entry, ("id", "say", "source"), f"tips.yaml:{entry.get('id')}")
        tips.append(Tip(entry["id"], entry["say"], entry["source"], tuple(entry.get("for", VERDICTS))))
    _unique([t.id for t in tips], "tips.yaml")
    return tuple(tips)


def _check_lexicon(lexicon: dict) -> None:
    # YAML 1.1 reads bare yes/no/on/off as booleans; a word list must hold only strings.
    def words_in(node: Any) -> list[Any]:
        if isinstance(node, dict):
            return [w for key, value in node.items() for w in [key, *words_in(value)]]
        return [w for item in node for w in words_in(item)] if isinstance(node, list) else [node]

    if not isinstance(lexicon, dict):
        raise ContentError("lexicon.yaml: must be a mapping of sections")
    missing = [section for section in LEXICON_SECTIONS if not lexicon.get(section)]
    if missing:
        raise ContentError(f"lexicon.yaml: missing sections {missing}")
    for section, node in lexicon.items():
        if section in ("numbers", "units"):
            node = list(node)  # words -> numbers: the words must stay words
        elif section == "spans":
            node = [span["phrases"] for span in node]
        odd = [w for w in words_in(node) if not isinstance(w, str)]
        if odd:
            raise ContentError(f"lexicon.yaml:{section}: quote these so they stay words: {odd}")


@functools.cache
def load_content(directory: str | None = None) -> Content:
    """Read every content file, validate it, and return one immutable Content (cached per directory)."""
    base = Path(directory) if directory else CONTENT_DIR
    with _checking("rules.yaml"):
        rules, margin, strong = _load_rules(_read(base, "rules.yaml"))
    with _checking("questions.yaml"):
        questions, max_questions = _load_questions(_read(base, "questions.yaml"))
    with _checking("red_flags.yaml"):
        red_flags = _load_red_flags(_read(base, "red_flags.yaml"))
    with _checking("relief.yaml"):
        relief_raw = _read(base, "relief.yaml")
        context_relief = []
        for entry in relief_raw.get("context_relief", ()):
            _require(entry, ("id", "when", "say", "source"), f"relief.yaml:{entry.get('id')}")
            check_condition(entry["when"], f"relief.yaml:{entry['id']}", FACT_NAMES)
            context_relief.append(ContextRelief(**entry))
        relief = {part: item["say"] for part, item in relief_raw["relief"].items()}
    if "unknown" not in relief:
        raise ContentError("relief.yaml: needs an 'unknown' entry for when the muscle is not known")
    with _checking("tips.yaml"):
        tips_raw = _read(base, "tips.yaml")
        tips = _load_tips(tips_raw)
        medication_caution = tips_raw["medication_caution"]["say"]
        clinic_offer = tips_raw["clinic_offer"]["say"]
    clinic = _read(base, "clinic.yaml")
    _require(clinic, CLINIC_KEYS, "clinic.yaml")
    with _checking("locales.yaml"):
        locales_raw = _read(base, "locales.yaml")
        locales, default_locale = locales_raw["locales"], locales_raw["default"]
        for code, block in locales.items():
            _require(block, LOCALE_KEYS, f"locales.yaml:{code}")
    if default_locale not in locales:
        raise ContentError(f"locales.yaml: the default {default_locale!r} is not one of the locales")
    lexicon_raw = _read(base, "lexicon.yaml")
    _check_lexicon(lexicon_raw)
    with _checking("lexicon.yaml"):
        lexicon = build_lexicon(lexicon_raw)
    missing_relief = set(lexicon_raw["body_part"]) - set(relief)
    if missing_relief:
        raise ContentError(f"relief.yaml: no relief step for {sorted(missing_relief)}")
    return Content(
        rules=rules,
        verdict_margin=margin,
        strong_margin=strong,
        red_flags=red_flags,
        questions=questions,
        max_questions=max_questions,
        relief=relief,
        context_relief=tuple(context_relief),
        tips=tips,
        medication_caution=medication_caution,
        clinic_offer=clinic_offer,
        clinic=clinic,
        locales=locales,
        default_locale=default_locale,
        lexicon=lexicon,
    )
