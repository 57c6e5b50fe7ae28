"""Load and validate the clinician-editable content files once, at cold start."""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from shared.conditions import ContentError, check_condition
from shared.facts import Observations

CONTENT_DIR = Path(__file__).parent / "content"
URGENCY_ORDER = ("emergency", "urgent", "routine", "self_care")
VERDICTS = ("cramp", "spasm", "unclear")
FACT_NAMES = {f.name for f in fields(Observations)}


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


@dataclass(frozen=True, eq=False)  # identity hash: compiled lexicons are cached per Content
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
    lexicon: dict[str, Any]

    def question(self, question_id: str) -> Question:
        """Find a question by id (raises KeyError for an unknown id)."""
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def locale(self, code: str | None) -> dict[str, str]:
        """The locale block for a code such as en-GB, falling back to the default."""
        return self.locales.get(code or "", self.locales[self.default_locale])


def _read(directory: Path, name: str) -> Any:
    path = directory / name
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(f"{path}: cannot be read: {exc}") from exc


def _require(entry: dict, keys: tuple[str, ...], where: str) -> None:
    missing = [k for k in keys if not entry.get(k)]
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
            return [w for value in node.values() for w in words_in(value)]
        return list(node) if isinstance(node, list) else [node]

    for section, node in lexicon.items():
        odd = [w for w in words_in(node) if not isinstance(w, str)]
        if odd:
            raise ContentError(f"lexicon.yaml:{section}: quote these so they stay words: {odd}")


@functools.cache
def load_content(directory: str | None = None) -> Content:
    """Read every content file, validate it, and return one immutable Content (cached per directory)."""
    base = Path(directory) if directory else CONTENT_DIR
    rules, margin, strong = _load_rules(_read(base, "rules.yaml"))
    questions, max_questions = _load_questions(_read(base, "questions.yaml"))
    relief_raw = _read(base, "relief.yaml")
    tips_raw = _read(base, "tips.yaml")
    locales_raw = _read(base, "locales.yaml")
    context_relief = []
    for entry in relief_raw.get("context_relief", ()):
        check_condition(entry["when"], f"relief.yaml:{entry['id']}", FACT_NAMES)
        context_relief.append(ContextRelief(**entry))
    relief = {part: item["say"] for part, item in relief_raw["relief"].items()}
    if "unknown" not in relief:
        raise ContentError("relief.yaml: needs an 'unknown' entry for when the muscle is not known")
    content = Content(
        rules=rules,
        verdict_margin=margin,
        strong_margin=strong,
        red_flags=_load_red_flags(_read(base, "red_flags.yaml")),
        questions=questions,
        max_questions=max_questions,
        relief=relief,
        context_relief=tuple(context_relief),
        tips=_load_tips(tips_raw),
        medication_caution=tips_raw["medication_caution"]["say"],
        clinic_offer=tips_raw["clinic_offer"]["say"],
        clinic=_read(base, "clinic.yaml"),
        locales=locales_raw["locales"],
        default_locale=locales_raw["default"],
        lexicon=_read(base, "lexicon.yaml"),
    )
    _check_lexicon(content.lexicon)
    missing_relief = set(content.lexicon["body_part"]) - set(relief)
    if missing_relief:
        raise ContentError(f"relief.yaml: no relief step for {sorted(missing_relief)}")
    return content
