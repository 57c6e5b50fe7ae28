"""Turn what a person says or texts into Observations: body part, pattern, duration, context, signs.

Pure and local: a word list from content/lexicon.yaml, a few regular expressions for durations, and a
one-typo tolerance for longer words. No network, no model download.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from shared.content import Content, load_content
from shared.facts import Observations

# Long messages are cut here: SMS bodies are at most 1,600 characters (Twilio's hard limit), and a
# few sentences is all a person mid-cramp writes; reading more only costs time.
MAX_TEXT_CHARS = 2000
MAX_PHRASE_WORDS = 7
NEGATION_WINDOW = 4

NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "forty five": 45,
    "fifty": 50,
    "sixty": 60,
    "a few": 3,
    "few": 3,
    "a couple of": 2,
    "couple of": 2,
    "a couple": 2,
    "couple": 2,
    "several": 4,
    "half an": 0.5,
    "half a": 0.5,
}
_UNITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEENS = ("eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
# "eleven" to "ninety nine" in words: "twenty five minutes" is 25, not 5 (which would cross the 10-minute line).
NUMBER_WORDS.update({word: 11 + index for index, word in enumerate(_TEENS)})
NUMBER_WORDS.update({tens: 20 + 10 * index for index, tens in enumerate(_TENS)})
UNIT_MINUTES = {"second": 1 / 60, "minute": 1, "hour": 60, "day": 1440, "week": 10080, "month": 43200}
_NUMBER = (
    r"(\d+(?:\.\d+)?|(?:" + "|".join(_TENS) + r") (?:" + "|".join(_UNITS) + r")|"
    + "|".join(sorted(map(re.escape, NUMBER_WORDS), key=len, reverse=True))
    + r")"
)
# The patterns are compiled on the first read, not at import (~4 ms of a cold start): a voice turn whose slots
# all resolved never reads free text.
# \b before the number: a number starts a word ("extra few minutes" is not "a few"), and a long run of digits
# is tried once, not from every digit in it (which took 350 ms on 2,000 digits).
AMOUNT_PATTERN = r"\b" + _NUMBER + r"\s*(?:or so\s+)?(second|minute|hour|day|week|month)s?\b"
# Text without any unit word holds no amount: checked first, since most messages name none.
AMOUNT_UNITS = ("second", "minute", "hour", "day", "week", "month")
# How often ("twice a day", "3 times a week") and how far along ("30 weeks pregnant", "a 3 month old") are
# not how long the cramp lasted: removed before reading a duration.
NOT_A_DURATION_PATTERN = (
    r"\b(?:once|twice|\w+ times?)\s+(?:a|an|per|each|every)\s+(?:second|minute|hour|day|night|week|month)s?\b"
    r"|\b\w+\s+(?:day|week|month)s?\s+(?:pregnant|old)\b"
)
# Every match of NOT_A_DURATION_PATTERN contains one of these words; without them it is not searched.
NOT_A_DURATION_WORDS = ("once", "twice", "time", "pregnant", "old")
# Spans without a number ("all night", "since this morning"), in minutes; rough on purpose: the rules
# only care whether it is seconds-to-minutes, over ten minutes, hours, or weeks. The first in order wins.
SPAN_PATTERNS = (
    (r"\b(?:a|one|just a) (?:moment|sec)\b", 0.5),
    (r"\bhalf an hour\b", 30),
    (r"\ban hour and a half\b", 90),
    (r"\ball night\b|\bsince last night\b|\bovernight\b", 360),
    (r"\ball day\b|\bsince this morning\b|\bsince i woke( up)?\b|\bsince breakfast\b", 300),
    (r"\bsince yesterday\b", 1440),
    (r"\bfor (?:ages|a long time|a while)\b", 60),
    (r"\b(?:for )?hours\b", 120),
    (r"\b(?:for )?days\b", 2880),
    (r"\b(?:for )?weeks\b", 20160),
    (r"\b(?:a few )?seconds\b", 0.25),
    (r"\b(?:a few )?minutes\b", 3),
)
TIMES_PATTERN = r"\b" + _NUMBER + r" times\b"


class _Patterns:
    """The reader's regular expressions, compiled once on the first read (a plain class: it is only read)."""

    __slots__ = (
        "digit_then_letter", "not_read", "clause_punctuation", "amount", "not_a_duration", "spans", "any_span", "times",
    )

    def __init__(self) -> None:
        self.digit_then_letter = re.compile(r"(\d)([a-z])")
        self.not_read = re.compile(r"[^a-z0-9.,;!?\n:() ]+")
        self.clause_punctuation = re.compile(CLAUSE_PUNCTUATION)
        self.amount = re.compile(AMOUNT_PATTERN)
        self.not_a_duration = re.compile(NOT_A_DURATION_PATTERN)
        self.spans = tuple((re.compile(pattern), minutes) for pattern, minutes in SPAN_PATTERNS)
        # All the spans in one pattern: it matches exactly when one of them does, and one search of it costs
        # less than the twelve that find none in a message that gives no span.
        self.any_span = re.compile("|".join(f"(?:{pattern})" for pattern, _ in SPAN_PATTERNS))
        self.times = re.compile(TIMES_PATTERN)


@functools.cache
def _patterns() -> _Patterns:
    return _Patterns()


# Words that look one typo away from a lexicon word but are ordinary words: never "correct" them.
PROTECTED = frozenset(
    [
        "month",
        "months",
        "night",
        "nights",
        "mouth",
        "right",
        "light",
        "sweat",
        "sweet",
        "would",
        "could",
        "while",
        "where",
        "there",
        "their",
        "about",
        "after",
        "again",
        "start",
        "still",
        "since",
        "today",
        "morning",
        "evening",
        "weeks",
        "think",
        "thing",
        "things",
        "round",
        "sound",
        "house",
        "horse",
        "hours",
        "minutes",
        "seconds",
        "first",
        "worst",
        "worse",
        "cramp",
        "cramps",
        "spasm",
        "spasms",
        "really",
        "legs",
        "arms",
        "feels",
        "sport",
        "sports",
        "shift",
        "heats",
        "being",
        "doing",
        "going",
        "lying",
        "sides",
        "tried",
        "tires",
        "tired",
        # Real words one slip away from a lexicon word ("march" / "match", "waking" / "walking").
        "bring",
        "drink",
        "health",
        "lived",
        "march",
        "might",
        "slots",
        "tables",
        "three",
        "waking",
        "warning",
        "weigh",
        "whole",
    ]
)
# QWERTY neighbours (each row sits half a key right of the one above): the only letters a one-letter
# substitution typo may swap in.
_KEY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
KEYBOARD_NEIGHBOURS = {
    key: "".join(
        _KEY_ROWS[r][c]
        for r in range(len(_KEY_ROWS))
        for c in range(len(_KEY_ROWS[r]))
        if abs(r - row) <= 1 and abs((c + r / 2) - (col + row / 2)) <= 1 and (r, c) != (row, col)
    )
    for row, keys in enumerate(_KEY_ROWS)
    for col, key in enumerate(keys)
}
# A dot between two digits is a decimal point ("1.5 hours"), not the end of a clause.
CLAUSE_PUNCTUATION = r"(?:[,;!?\n:()]|(?<!\d)\.|\.(?!\d))+"
# Every character the clause pattern can split at: a text with none of them is one clause, without a search.
CLAUSE_CHARACTERS = frozenset(",;!?\n:().")


class Lexicon(NamedTuple):
    """The lexicon compiled for fast matching (a named tuple: a third of a dataclass's cold-start cost)."""

    phrases: dict[tuple[str, ...], tuple[str, str]]  # words -> (category, value)
    spelling: dict[str, tuple[str, ...]]
    negation: frozenset[str]
    clause_breaks: frozenset[str]
    typo_index: dict[str, tuple[str, ...]]  # a word, or a word with one letter deleted -> lexicon words
    vocabulary: frozenset[str]
    # First word of a phrase -> every length a phrase starting with it has, longest first (at most MAX_PHRASE_WORDS).
    lengths_from: dict[str, tuple[int, ...]]


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@functools.cache
def compile_lexicon(content: Content) -> Lexicon:
    """Build the phrase table and the one-typo index from the content's lexicon (once per content)."""
    raw = content.lexicon
    phrases: dict[tuple[str, ...], tuple[str, str]] = {}
    for category in ("body_part", "pattern", "contexts", "signs", "recurrence", "severity"):
        for value, words in raw[category].items():
            for phrase in words:
                phrases.setdefault(tuple(phrase.split()), (category, value))
    for phrase in raw.get("ignore", ()):
        phrases[tuple(phrase.split())] = ("ignore", "")
    vocabulary = frozenset(word for key in phrases for word in key)
    lengths: dict[str, set[int]] = {}
    for key in phrases:
        if len(key) <= MAX_PHRASE_WORDS:
            lengths.setdefault(key[0], set()).add(len(key))
    typo_index: dict[str, tuple[str, ...]] = {}
    for word in sorted(vocabulary):
        if len(word) >= 5:
            for variant in _deletions(word) | {word}:
                typo_index[variant] = (*typo_index.get(variant, ()), word)
    return Lexicon(
        phrases=phrases,
        spelling={k: tuple(str(v).split()) for k, v in raw["spelling"].items()},
        negation=frozenset(raw["negation"]),
        clause_breaks=frozenset(raw["clause_breaks"]),
        typo_index=typo_index,
        vocabulary=vocabulary,
        lengths_from={word: tuple(sorted(sizes, reverse=True)) for word, sizes in lengths.items()},
    )


def _one_typo(word: str, target: str) -> bool:
    """True when `word` is `target` with one slip of the finger: a letter missed, doubled or added, two
    neighbours swapped, or one letter replaced by a key next to it. Replacing a letter with a distant key
    makes another real word too often ("check" is not "cheek", "pulling" is not "pulsing"), and so does
    a slip on the first letter, which people rarely make ("testing" is not "resting", "print" not "sprint")."""
    if word[0] != target[0]:
        return False
    if abs(len(word) - len(target)) == 1:
        return True  # the shared deletion already proves one letter missed or added
    diffs = [i for i, (a, b) in enumerate(zip(word, target, strict=True)) if a != b]
    if len(diffs) == 2 and diffs[1] == diffs[0] + 1:
        first, second = diffs
        return word[first] == target[second] and word[second] == target[first]
    return len(diffs) == 1 and target[diffs[0]] in KEYBOARD_NEIGHBOURS.get(word[diffs[0]], "")


def _correct(word: str, lex: Lexicon) -> str:
    if len(word) < 5 or word in lex.vocabulary or word in PROTECTED or not word.isalpha():
        return word
    for variant in (word, *sorted(_deletions(word))):
        for target in lex.typo_index.get(variant, ()):
            # A shared deletion at two different places is two typos ("trust"/"rusty"): check it is one.
            if target != word and _one_typo(word, target):
                return target
    return word


_APOSTROPHES = str.maketrans("", "", "\u2019'\u2018`")


def normalise(text: str) -> str:
    """Lower-case, fold curly quotes, drop apostrophes and split '2mins' into '2 mins'."""
    text = text[:MAX_TEXT_CHARS].lower()
    # Most texts have no apostrophe and no digit followed by a letter: each step is skipped when it would change
    # nothing (a str.translate or a sub that finds nothing still costs a pass over the text).
    if "'" in text or "\u2019" in text or "\u2018" in text or "`" in text:
        text = text.translate(_APOSTROPHES)
    patterns = _patterns()
    if patterns.digit_then_letter.search(text) is not None:
        text = patterns.digit_then_letter.sub(r"\1 \2", text)
    return patterns.not_read.sub(" ", text)


def _clauses(text: str, lex: Lexicon) -> list[list[str]]:
    """Split at punctuation into corrected words. Clause-break words stay in: a phrase may contain one
    ("pins and needles", "comes and goes"), so the matcher decides where a clause really ends."""
    clauses: list[list[str]] = []
    vocabulary = lex.vocabulary
    chunks = _patterns().clause_punctuation.split(text) if not CLAUSE_CHARACTERS.isdisjoint(text) else [text]
    for chunk in chunks:
        words: list[str] = []
        for raw_word in chunk.split():
            words.extend(lex.spelling.get(raw_word, (raw_word,)))
        if words:
            # Short words and lexicon words (nearly all of them) are never corrected: no call for those.
            clauses.append([w if len(w) < 5 or w in vocabulary else _correct(w, lex) for w in words])
    return clauses


def _longest_phrase(words: list[str], i: int, lex: Lexicon) -> tuple[int, tuple[str, str] | None]:
    # Most words start no phrase at all; only the lengths a phrase starting here has are tried, longest first.
    remaining = len(words) - i
    for size in lex.lengths_from.get(words[i], ()):
        if size <= remaining:
            hit = lex.phrases.get(tuple(words[i : i + size]))
            if hit:
                return size, hit
    return 1, None


def _named_inside(words: list[str], lex: Lexicon) -> dict[str, str]:
    """Body part named inside a sign's phrase, with its pattern: "my neck is stiff" is a sign, and the neck, stiff.
    A pattern with no body part ("my jaw feels tight", "tight chest") says nothing about the cramping muscle."""
    named: dict[str, str] = {}
    for i in range(len(words)):
        for size in range(len(words) - i - (i == 0), 0, -1):
            hit = lex.phrases.get(tuple(words[i : i + size]))
            if hit:
                if hit[0] in ("body_part", "pattern"):
                    named.setdefault(hit[0], hit[1])
                break
    return named if "body_part" in named else {}


def _number_value(number: str) -> float:
    """'12' or '1.5', a number word, or 'twenty five'."""
    if number[0].isdigit():
        return float(number)
    if number in NUMBER_WORDS:
        return NUMBER_WORDS[number]
    tens, unit = number.split()
    return NUMBER_WORDS[tens] + NUMBER_WORDS[unit]


def _contains_any(text: str, words: tuple[str, ...]) -> bool:
    # A loop, not any() over a generator (SIM110): it runs twice per read, and the generator cost more than the scans.
    for word in words:  # noqa: SIM110
        if word in text:
            return True
    return False


def _duration(text: str) -> float | None:
    patterns = _patterns()
    if _contains_any(text, NOT_A_DURATION_WORDS):
        text = patterns.not_a_duration.sub(" ", text)
    amounts = []
    if _contains_any(text, AMOUNT_UNITS):
        for number, unit in patterns.amount.findall(text):
            value = _number_value(number)
            amounts.append(value * UNIT_MINUTES[unit])
    if amounts:
        return max(amounts)
    if patterns.any_span.search(text) is None:
        return None
    for pattern, minutes in patterns.spans:
        if pattern.search(text):
            return minutes
    return None


def _recurrence_from_count(text: str) -> str | None:
    if " times" not in text:  # the pattern ends in " times": nothing to search for
        return None
    match = _patterns().times.search(text)
    if not match:
        return None
    number = match.group(1)
    count = _number_value(number)
    return "frequent" if count >= 3 else "recurring"


def read(text: str, content: Content | None = None) -> Observations:
    """Read free text into Observations; never raises for any string."""
    content = content or load_content()
    lex = compile_lexicon(content)
    normal = normalise(text)
    found: dict[str, str] = {}
    contexts: set[str] = set()
    signs: set[str] = set()
    denied: set[str] = set()
    clauses = _clauses(normal, lex)
    # Looked up once per read rather than once per word.
    starts_phrase, negation, clause_breaks = lex.lengths_from, lex.negation, lex.clause_breaks
    for words in clauses:
        # A negation covers the next few words and is used up by the first thing it denies; after a denied
        # sign it runs on through a list of signs ("no swelling or redness in my calf" keeps the calf).
        negated_until = -1
        signs_denied_until = -1
        i = 0
        count = len(words)
        while i < count:
            word = words[i]
            # Phrases first: some begin with a negation or contain a clause break ("not easing", "pins and needles").
            # Most words start no phrase at all: those skip the phrase lookup.
            size, hit = _longest_phrase(words, i, lex) if word in starts_phrase else (1, None)
            if hit is None:
                if word in negation:
                    negated_until = i + NEGATION_WINDOW
                elif word in clause_breaks:
                    negated_until = signs_denied_until = -1
                i += 1
                continue
            category, value = hit
            # A phrase that starts with its own negation ("not easing", "no better") is not negated again.
            self_negating = word in negation
            negated = not self_negating and (i <= negated_until or (category == "signs" and i <= signs_denied_until))
            if category != "ignore" and i <= negated_until:
                negated_until = -1
            if category == "signs":
                if negated:
                    denied.add(value)
                    signs_denied_until = i + size + NEGATION_WINDOW - 1
                else:
                    signs.add(value)
                    for named_category, named_value in _named_inside(words[i : i + size], lex).items():
                        found.setdefault(named_category, named_value)
            elif category == "contexts":
                if not negated:
                    contexts.add(value)
            elif category != "ignore" and category not in found and not negated:
                found[category] = value
            i += size
    rejoined = " ".join(" ".join(c) for c in clauses)
    recurrence = found.get("recurrence") or _recurrence_from_count(rejoined)
    return Observations(
        body_part=found.get("body_part"),
        pattern=found.get("pattern"),
        duration_minutes=_duration(rejoined),
        recurrence=recurrence,
        severity=found.get("severity"),
        contexts=frozenset(contexts),
        signs=frozenset(signs),
        denied=frozenset(denied - signs),
    )
