"""Turn what a person says or texts into Observations: body part, pattern, duration, context, signs.

Pure and local: the phrases and word lists of one language's lexicon (shared/lexicon.py), and a one-typo
tolerance for longer words. No network, no model download.
"""

from __future__ import annotations

import re

from shared.facts import Observations
from shared.lexicon import MAX_PHRASE_WORDS, MIN_TYPO_LENGTH, Lexicon, deletions

# Long messages are cut here: SMS bodies are at most 1,600 characters (Twilio's hard limit), and a
# few sentences is all a person mid-cramp writes.
MAX_TEXT_CHARS = 2000
# A negation covers this many words after it ("no swelling", "not really red").
NEGATION_WINDOW = 4
# "3 times this week": this many episodes or more is frequent.
FREQUENT_COUNT = 3

_APOSTROPHES = str.maketrans("", "", "\u2019'\u2018`")
_DIGIT_THEN_LETTER = re.compile(r"(\d)([^\W\d_])")
# Letters of any alphabet (accents kept), digits and the punctuation that ends a clause; the rest is a space.
_NOT_READ = re.compile(r"[^\w.,;!?\n:() ]|_")
# A dot between two digits is a decimal point ("1.5 hours"), not the end of a clause.
_CLAUSE_PUNCTUATION = re.compile(r"(?:[,;!?\n:()]|(?<!\d)\.|\.(?!\d))+")


def _one_typo(word: str, target: str, lex: Lexicon) -> bool:
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
    return len(diffs) == 1 and target[diffs[0]] in lex.keyboard_neighbours.get(word[diffs[0]], "")


def _correct(word: str, lex: Lexicon) -> str:
    """The lexicon word this one is a slip of the finger from, or the word itself."""
    if len(word) < MIN_TYPO_LENGTH or word in lex.vocabulary or word in lex.not_typos or not word.isalpha():
        return word
    for variant in (word, *sorted(deletions(word))):
        for target in lex.typo_index.get(variant, ()):
            # A shared deletion at two different places is two typos ("trust"/"rusty"): check it is one.
            if target != word and _one_typo(word, target, lex):
                return target
    return word


def normalise(text: str) -> str:
    """Lower-case, drop apostrophes, split '2mins' into '2 mins' and blank out symbols (letters keep accents)."""
    text = text[:MAX_TEXT_CHARS].lower().translate(_APOSTROPHES)
    return _NOT_READ.sub(" ", _DIGIT_THEN_LETTER.sub(r"\1 \2", text))


def _clauses(text: str, lex: Lexicon) -> list[list[str]]:
    """Split at punctuation into corrected words. Clause-break words stay in: a phrase may contain one
    ("pins and needles", "comes and goes"), so the matcher decides where a clause really ends."""
    clauses = []
    for chunk in _CLAUSE_PUNCTUATION.split(text):
        words = [meant for word in chunk.split() for meant in lex.spelling.get(word, (word,))]
        if words:
            clauses.append([_correct(word, lex) for word in words])
    return clauses


def _longest_phrase(words: list[str], i: int, lex: Lexicon) -> tuple[int, tuple[str, str] | None]:
    """The longest phrase starting at word i, as (its length, (fact, id)), or (1, None)."""
    for size in range(min(MAX_PHRASE_WORDS, len(words) - i), 0, -1):
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


def _number_value(number: str, lex: Lexicon) -> float:
    """'12' or '1.5', a number word, or a tens word and a ones word ('twenty five')."""
    if number[0].isdigit():
        return float(number)
    if number in lex.numbers:
        return lex.numbers[number]
    tens, ones = number.split()
    return lex.numbers[tens] + lex.numbers[ones]


def _duration(text: str, lex: Lexicon) -> float | None:
    """Minutes the longest amount of time in the text names ("2 mins", "an hour"), else a span ("all night")."""
    text = lex.not_durations.sub(" ", text)
    amounts = [_number_value(number, lex) * lex.unit_minutes[unit] for number, unit in lex.amount.findall(text)]
    if amounts:
        return max(amounts)
    padded = f" {text} "
    for minutes, phrases in lex.spans:
        if any(f" {phrase} " in padded for phrase in phrases):
            return minutes
    return None


def _recurrence_from_count(text: str, lex: Lexicon) -> str | None:
    """'recurring' or 'frequent' from a count of episodes ("4 times this week")."""
    match = lex.episode_count.search(text)
    if not match:
        return None
    return "frequent" if _number_value(match.group(1), lex) >= FREQUENT_COUNT else "recurring"


def read(text: str, lex: Lexicon) -> Observations:
    """Read free text into Observations with one language's lexicon; never raises for any string."""
    normal = normalise(text)
    found: dict[str, str] = {}
    contexts: set[str] = set()
    signs: set[str] = set()
    denied: set[str] = set()
    clauses = _clauses(normal, lex)
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
            size, hit = _longest_phrase(words, i, lex)
            if hit is None:
                if word in lex.negation:
                    negated_until = i + NEGATION_WINDOW
                elif word in lex.clause_breaks:
                    negated_until = signs_denied_until = -1
                i += 1
                continue
            category, value = hit
            # A phrase that starts with its own negation ("not easing", "no better") is not negated again.
            self_negating = word in lex.negation
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
    recurrence = found.get("recurrence") or _recurrence_from_count(rejoined, lex)
    return Observations(
        body_part=found.get("body_part"),
        pattern=found.get("pattern"),
        duration_minutes=_duration(rejoined, lex),
        recurrence=recurrence,
        severity=found.get("severity"),
        contexts=frozenset(contexts),
        signs=frozenset(signs),
        denied=frozenset(denied - signs),
    )
