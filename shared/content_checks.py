"""Checks for the content files: every id a file names exists, and every mistake is reported with the file, the
line and the id, so a clinic's typo fails at start instead of silently never matching.

Lines come from PyYAML's composed nodes, read again only when there is a mistake to report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.conditions import OPERATORS, operator_of
from shared.facts import CONCEPT_OF, COUNT, FACT_NAMES, KIND, NUMBER, SET
from shared.lexicon import (
    GRAMMAR_SECTIONS,
    OPTIONAL_SECTIONS,
    PHRASE_FACTS,
    REQUIRED_SECTIONS,
    classes_named,
)

NUMBER_SECTIONS = ("numbers", "units", "ordinals")  # words -> numbers
# Sections of settings and small tables, checked by the lexicon's own compiler rather than word by word.
SETTING_SECTIONS = ("reading", "ages", "endings")


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


def read_yaml(file: Path) -> Any:
    """A YAML file's data, or a ContentError naming the file."""
    try:
        source = file.read_bytes()
    except OSError as exc:
        raise ContentError(f"{file}: cannot be read: {exc}") from exc
    return _parse_yaml(file, source)


def _parse_yaml(file: Path, source: bytes) -> Any:
    # PyYAML is imported when content is parsed, not with the module; libyaml's safe loader, when present,
    # reads the files about ten times faster than the pure-Python one (cold start).
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(source.decode("utf-8"), Loader=loader)  # noqa: S506 - safe loaders
    except (ValueError, yaml.YAMLError) as exc:
        raise ContentError(f"{file}: cannot be read: {exc}") from exc


# --- Shape checks: each names the spot it found the problem at --------------------------------------------


def mapping(value: Any, spot: Spot, keys: tuple[str, ...] = ()) -> dict:
    """The value, which must be a mapping holding every one of `keys`."""
    if not isinstance(value, dict):
        raise spot.fail(f"expected a mapping of fields, got {value!r}")
    missing = [key for key in keys if value.get(key) in (None, "", [], {})]
    if missing:
        raise spot.fail(f"missing {', '.join(missing)}")
    return value


def non_empty_list(value: Any, spot: Spot) -> list:
    """The value, which must be a non-empty list."""
    if not isinstance(value, list) or not value:
        raise spot.fail(f"expected a non-empty list, got {value!r}")
    return value


def unique(ids: list[str], spot: Spot) -> None:
    """Refuse an id listed twice."""
    seen: set[str] = set()
    for index, item in enumerate(ids):
        if item in seen:
            raise (spot / index).fail(f"duplicate id {item!r}")
        seen.add(item)


def only(value: dict, allowed: tuple[str, ...], spot: Spot) -> None:
    """Refuse a field not in `allowed` (a misspelled field name)."""
    for key in value:
        if key not in allowed:
            raise (spot / key).fail(f"unknown field {key!r} (known: {', '.join(allowed)})")


class IdChecker:
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
                for index, part in enumerate(non_empty_list(cond[key], spot / key)):
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
            for index, item in enumerate(non_empty_list(expected, at)):
                self.value(fact, item, at / index, where)
        else:
            self.value(fact, expected, at, where)

    def sets(self, sets: Any, spot: Spot, where: str) -> None:
        """The facts an answer adds: known facts, and values each can hold."""
        for fact, value in mapping(sets, spot).items():
            at = spot / fact
            if fact not in FACT_NAMES:
                raise at.fail(f"{where}: answer sets unknown fact {fact!r}")
            if KIND[fact] == SET:
                for index, item in enumerate(non_empty_list(value, at)):
                    self.value(fact, item, at / index, where)
            else:
                self.value(fact, value, at, where)


def check_words(words: Any, needed: dict[str, Any], spot: Spot, base: bool) -> None:
    """The base language has every key needed; every language has no key the structure does not name."""
    words = mapping(words, spot)
    for key in words:
        if key not in needed:
            raise (spot / key).fail(f"wording {key!r} is not a key the content names (known: {', '.join(needed)})")
    for key, inner in needed.items():
        if key not in words:
            if base:
                raise spot.fail(f"no wording for {key!r} in the base language")
            continue
        if inner is not None:
            check_words(words[key], inner, spot / key, base)
        elif words[key] in (None, "", [], {}):
            raise (spot / key).fail(f"wording {key!r} is empty")


def check_lexicon(
    raw: Any, spot: Spot, concepts: dict[str, tuple[str, ...]], choices: dict[str, set[str]], base: bool
) -> None:
    """Known sections; words that stay words; patterns keyed by ids of concepts.yaml and, in the base language,
    naming only classes its `terms` have (another language may use the base's classes: its merged lexicon is
    checked when it is compiled); choices by real options."""
    raw = mapping(raw, spot)
    known_classes = set(raw.get("terms") or {}) | {"NUMBER"} if base else None
    for section, node in raw.items():
        at = spot / section
        if section not in REQUIRED_SECTIONS + OPTIONAL_SECTIONS:
            raise at.fail(f"unknown section {section!r}")
        if section in PHRASE_FACTS:
            for concept, patterns in mapping(node, at).items():
                if concept not in concepts[CONCEPT_OF[section]]:
                    raise (at / concept).fail(f"{section} {concept!r} is not an id concepts.yaml lists")
                _check_classes(patterns, known_classes, at / concept)
        if section in GRAMMAR_SECTIONS:
            _check_classes(node, known_classes, at)
        if section == "terms":
            for name, members in mapping(node, at).items():
                _check_classes(members, known_classes, at / name)
        if section == "choices":
            for question, by_option in mapping(node, at).items():
                if question not in choices:
                    raise (at / question).fail(f"choices for {question!r}, which is not a choice question")
                for option in mapping(by_option, at / question):
                    if option not in choices[question]:
                        raise (at / question / option).fail(f"question {question!r} has no option {option!r}")
        if section in SETTING_SECTIONS:
            continue
        _check_words_are_words(section, node, at)
    missing = [section for section in REQUIRED_SECTIONS if not raw.get(section)]
    if base and missing:
        raise spot.fail(f"missing sections {missing}")


def _check_classes(patterns: Any, known: set[str] | None, spot: Spot) -> None:
    """Every CAPITALISED word of a pattern (or a class member) names a class the lexicon has."""
    if known is None:
        return
    for index, pattern in enumerate(non_empty_list(patterns, spot)):
        if not isinstance(pattern, str):
            continue  # reported as a non-word by _check_words_are_words
        for name in classes_named(pattern):
            if name not in known:
                raise (spot / index).fail(f"{pattern!r} names class {name}, which the lexicon's `terms` lack")


def _check_words_are_words(section: str, node: Any, spot: Spot) -> None:
    # YAML 1.1 reads bare yes/no/on/off as booleans and bare numbers as numbers: a word list holds only strings.
    if section in NUMBER_SECTIONS:
        for word, value in mapping(node, spot).items():
            _check_words_are_words(section + " word", word, spot / str(word))
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise (spot / word).fail(f"{section}: {word!r} needs a number, not {value!r}")
    elif section in ("spans", "days"):
        for index, span in enumerate(non_empty_list(node, spot)):
            mapping(span, spot / index, ("minutes", "phrases"))
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
