"""A language's lexicon compiled for the reader: built once when the content loads, from the language's
lexicon.yaml (the phrases that name each concept id, and the words for numbers, time, negation and answers).

Nothing here is English: every word comes from the data file, so a new language is a new file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# The facts the reader's phrases can name, as the sections of lexicon.yaml that hold them.
PHRASE_FACTS = ("body_part", "pattern", "contexts", "signs", "recurrence", "severity")
# Longer phrases are not looked for (the longest in the lexicon has seven words).
MAX_PHRASE_WORDS = 7
# Words shorter than this are never corrected: too many real words are one slip from another.
MIN_TYPO_LENGTH = 5


@dataclass(frozen=True)
class Lexicon:
    """What the reader needs from one language's lexicon.yaml."""

    phrases: dict[tuple[str, ...], tuple[str, str]]  # words -> (fact, id); fact "ignore" for phrases to skip
    spelling: dict[str, tuple[str, ...]]  # a misspelling or text-speak -> the words meant
    negation: frozenset[str]
    clause_breaks: frozenset[str]
    not_typos: frozenset[str]  # real words one slip away from a lexicon word: never corrected
    keyboard_neighbours: dict[str, str]  # a key -> the keys next to it
    typo_index: dict[str, tuple[str, ...]]  # a word, or a word with one letter deleted -> lexicon words
    vocabulary: frozenset[str]  # every word of every phrase
    numbers: dict[str, float]
    tens: tuple[str, ...]  # "twenty five" is a tens word then a ones word
    ones: tuple[str, ...]
    unit_minutes: dict[str, float]
    amount: re.Pattern[str]  # a number, then a unit of time
    episode_count: re.Pattern[str]  # a number, then "times"
    not_durations: re.Pattern[str]  # how often, how far along: numbers that are not how long it lasted
    spans: tuple[tuple[float, tuple[str, ...]], ...]  # (minutes, phrases), the first found wins
    yes: frozenset[str]
    yes_first_only: frozenset[str]  # yes only when the reply starts with them ("right", not "my right calf")
    no: frozenset[str]
    unsure: tuple[str, ...]
    choices: dict[str, dict[str, tuple[str, ...]]]  # question id -> option id -> words that pick it


def deletions(word: str) -> set[str]:
    """The word with each one of its letters left out."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _neighbours(rows: list[str]) -> dict[str, str]:
    """Each key's neighbours on a keyboard whose rows sit half a key right of the one above."""
    return {
        key: "".join(
            rows[r][c]
            for r in range(len(rows))
            for c in range(len(rows[r]))
            if abs(r - row) <= 1 and abs((c + r / 2) - (col + row / 2)) <= 1 and (r, c) != (row, col)
        )
        for row, keys in enumerate(rows)
        for col, key in enumerate(keys)
    }


def _alternatives(words: list[str]) -> str:
    """A regex alternation of the words, longest first, each matched as written."""
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


def build_lexicon(raw: dict[str, Any]) -> Lexicon:
    """Compile a checked lexicon.yaml."""
    phrases: dict[tuple[str, ...], tuple[str, str]] = {}
    for fact in PHRASE_FACTS:
        for concept, words in raw[fact].items():
            for phrase in words:
                phrases.setdefault(tuple(phrase.split()), (fact, concept))
    for phrase in raw.get("ignore", ()):
        phrases[tuple(phrase.split())] = ("ignore", "")
    vocabulary = frozenset(word for key in phrases for word in key)
    typo_index: dict[str, tuple[str, ...]] = {}
    for word in sorted(vocabulary):
        if len(word) >= MIN_TYPO_LENGTH:
            for variant in deletions(word) | {word}:
                typo_index[variant] = (*typo_index.get(variant, ()), word)

    numbers = {word: float(value) for word, value in raw["numbers"].items()}
    # \b before the number: a number starts a word ("extra few minutes" is not "a few"), and a long run of
    # digits is tried once, not from every digit in it (that took 350 ms on 2,000 digits).
    number = (
        rf"\b(\d+(?:\.\d+)?|(?:{_alternatives(raw['tens'])}) (?:{_alternatives(raw['ones'])})"
        rf"|{_alternatives(list(numbers))})"
    )
    units = {word: seconds / 60 for word, seconds in raw["units"].items()}
    # Words allowed between a number and its unit ("5 or so minutes").
    approximately = rf"(?:(?:{_alternatives(raw['approximately'])})\s+)?" if raw.get("approximately") else ""
    answers = raw["answers"]
    return Lexicon(
        phrases=phrases,
        spelling={word: tuple(str(meant).split()) for word, meant in raw["spelling"].items()},
        negation=frozenset(raw["negation"]),
        clause_breaks=frozenset(raw["clause_breaks"]),
        not_typos=frozenset(raw["not_typos"]),
        keyboard_neighbours=_neighbours(raw["keyboard"]),
        typo_index=typo_index,
        vocabulary=vocabulary,
        numbers=numbers,
        tens=tuple(raw["tens"]),
        ones=tuple(raw["ones"]),
        unit_minutes=units,
        amount=re.compile(rf"{number}\s*{approximately}({_alternatives(list(units))})\b"),
        episode_count=re.compile(rf"{number} (?:{_alternatives(raw['times'])})\b"),
        not_durations=re.compile("|".join(f"(?:{pattern})" for pattern in raw["not_durations"])),
        spans=tuple((float(span["minutes"]), tuple(span["phrases"])) for span in raw["spans"]),
        yes=frozenset(answers["yes"]),
        yes_first_only=frozenset(answers["yes_first_only"]),
        no=frozenset(answers["no"]),
        unsure=tuple(answers["unsure"]),
        choices={
            question: {option: tuple(words) for option, words in options.items()}
            for question, options in raw["choices"].items()
        },
    )
