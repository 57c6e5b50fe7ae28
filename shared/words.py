"""The words of a message as the reader sees them: lower case, apostrophes dropped, text-speak and spelling variants
replaced, each word paired with the lexicon word it is an inflection, irregular form or one-slip typo of.

Pure: one language's lexicon (shared/lexicon.py) decides everything; nothing here is English.
"""

from __future__ import annotations

import re

from shared.lexicon import MIN_TYPO_LENGTH, Lexicon, deletions, stems

# Long messages are cut here: SMS bodies are at most 1,600 characters (Twilio's hard limit), and a
# few sentences is all a person mid-cramp writes.
MAX_TEXT_CHARS = 2000

_APOSTROPHES = str.maketrans("", "", "\u2019'\u2018`")
_DIGIT_THEN_LETTER = re.compile(r"(\d)([^\W\d_])")
# Letters of any alphabet (accents kept), digits and the punctuation that ends a clause; the rest is a space.
_NOT_READ = re.compile(r"[^\w.,;!?\n:() ]|_")
# A token: a number with its decimals, a word, or one mark of punctuation (a dot between digits is a decimal point).
_TOKEN = re.compile(r"\d+(?:\.\d+)?|[^\W_]+|[.,;!?\n:()]")
NUMERAL = re.compile(r"\d+(?:\.\d+)?$")


def normalise(text: str) -> str:
    """Lower-case, drop apostrophes, split '2mins' into '2 mins' and blank out symbols (letters keep accents)."""
    text = text[:MAX_TEXT_CHARS].lower().translate(_APOSTROPHES)
    if not text.isascii():
        # A digit that is no decimal digit ("²", "①") is no number here: int() refuses it.
        text = "".join(" " if char.isdigit() and not char.isdecimal() else char for char in text)
    return _NOT_READ.sub(" ", _DIGIT_THEN_LETTER.sub(r"\1 \2", text))


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


def _typo_of(word: str, lex: Lexicon) -> str | None:
    """The lexicon word this one is one slip of the finger from, if any."""
    for variant in (word, *sorted(deletions(word))):
        for target in lex.typo_index.get(variant, ()):
            # A shared deletion at two different places is two typos ("trust"/"rusty"): check it is one.
            if target != word and len(target) >= MIN_TYPO_LENGTH and _one_typo(word, target, lex):
                return target
    return None


def base_form(word: str, lex: Lexicon) -> str | None:
    """The lexicon word this one is an inflection, irregular form or one-slip typo of, if any ("swelled" -> "swell",
    "slurring" -> "slur", "swollem" -> "swollen")."""
    if word in lex.vocabulary:
        return lex.bases.get(word)
    if not word.isalpha():
        return None
    if word in lex.forms:
        return lex.forms[word]
    found = stems(word, lex.endings)
    for base in found:
        if base in lex.vocabulary:
            return base
        if base in lex.forms:
            return lex.forms[base]
    if len(word) < MIN_TYPO_LENGTH or word in lex.not_typos or word in lex.common_words:
        return None
    corrected = _typo_of(word, lex)
    if corrected:
        return corrected
    for base in found:
        # "sweling" -> "swel" -> "swell": a typo in the stem of an inflected word.
        if len(base) >= MIN_TYPO_LENGTH - 1 and (corrected := _typo_of(base, lex)):
            return corrected
    return None


def words_of(text: str, lex: Lexicon) -> tuple[list[str], list[str]]:
    """The message's words (punctuation kept as its own tokens: "?" "," "." and new lines), each as the lexicon
    writes it when it can, and each word's base form: a word the lexicon writes as it is ("peed" in "peed myself")
    still reads as its base too ("pee")."""
    words: list[str] = []
    bases: list[str] = []
    for token in _TOKEN.findall(normalise(text)):
        for meant in lex.spelling.get(token, (token,)):
            base = base_form(meant, lex)
            form = meant if meant in lex.vocabulary else base or meant
            words.append(form)
            bases.append(base or form)
    return words, bases
