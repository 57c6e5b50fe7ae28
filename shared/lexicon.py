"""A language's lexicon compiled for the reader: built once when the content loads, from the language's lexicon.yaml.

The file holds *word classes* (words and phrases that mean one thing here: URINE is urine, pee, wee, piss, number
one ...) and *concepts*: each id of concepts.yaml with the patterns that say it. A pattern is a phrase ("pins and
needles", "CANT breathe", where a CAPITALISED word stands for any member of that class), a combination of classes
and words joined by " + " found in any order within a few words in one sentence ("URINE + DARK"), or one joined by
" .. " found in that order. Every word is written once in a plain form: the reader also accepts its inflections (the
`endings`), the irregular `forms` (swollen -> swell), the `spelling` variants (colour -> color, rn -> right now) and
one slip of the finger on a longer word. Nothing here is English: every word comes from the data file, so a new
language is a new file.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

# The facts the lexicon's concept sections name, by section; each section maps an id to its patterns.
# possible_signs and denied hold patterns that only make a sign possible ("feel faint") or deny it ("pee is clear").
PHRASE_FACTS = (
    "body_part", "pattern", "contexts", "signs", "possible_signs", "denied", "recurrence", "severity", "called_it",
    "age_band", "experiencer", "scope",
)
# Sections holding lists of patterns (no ids): the reader's own grammar.
GRAMMAR_SECTIONS = (
    "negation", "negation_after", "not_negation", "hedges", "hedges_after", "hypothetical", "historical",
    "clause_breaks", "hedge_breaks", "ignore", "not_called_it", "not_the_experiencer", "first_person", "reasserted",
)
# Sections every base language must have (another language may leave any out and inherit them).
REQUIRED_SECTIONS = (
    *PHRASE_FACTS, "terms", "negation", "negation_after", "not_negation", "hedges", "hypothetical", "clause_breaks",
    "spelling", "endings", "forms", "not_typos", "keyboard", "numbers", "tens", "ones", "units", "times", "time",
    "answers", "choices",
)
OPTIONAL_SECTIONS = (
    "ignore", "approximately", "hedges_after", "historical", "hedge_breaks", "not_called_it", "not_the_experiencer",
    "first_person", "common_words", "ordinals", "spans", "days", "weekdays", "ages", "reading", "reasserted",
)
# Words shorter than this are never corrected: too many real words are one slip from another.
MIN_TYPO_LENGTH = 5
CLASS_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
WINDOW = re.compile(r"\s*~(\d+)$")
# The class every number said belongs to ("NUMBER degrees", "NUMBER year old").
NUMBER = "NUMBER"
# A member word written with this mark matches only that exact form, not the words it is the base of ("=cramp" is
# "cramp" but not "cramped": the present tense that says a habit, "my calves cramp at night").
EXACT = "="
# Groups of members that compete for the same words (see Lexicon.members): the classes of `terms`, the reader's
# grammar, each concept section's own phrases, and the ignored phrases, which win over every group.
TERMS, GRAMMAR, IGNORE = "terms", "grammar", "ignore"
# What the reader treats as the end of a sentence (a concept's words never reach across one) and of a clause.
SENTENCE_END = frozenset({".", "!", "?", "\n"})
CLAUSE_MARK = frozenset({",", ";", ":", "(", ")"})
PUNCTUATION = SENTENCE_END | CLAUSE_MARK


class LexiconError(ValueError):
    """A lexicon that cannot be compiled (a pattern naming a class that does not exist, ...)."""


class Pattern(NamedTuple):
    """One way of saying a concept: its parts (class names), and how they must stand to one another."""

    fact: str
    id: str
    parts: tuple[str, ...]
    ordered: bool  # parts in this order (a phrase, or "A .. B")
    adjacent: bool  # parts next to each other (a phrase)
    window: int | None  # how many words may stand between parts, in all (None: the lexicon's window)
    text: str  # as written, for messages and the review of misses
    # In an ordered pattern, which parts follow the one before them at once ("BODY CRAMP_NOW .. HABIT": CRAMP_NOW
    # right after BODY, HABIT a few words on); empty when all or none do.
    next_to_previous: tuple[bool, ...] = ()


class WordTrie(NamedTuple):
    """Class members by their words: the members that end here, and the words that may follow."""

    ends: list[tuple[str, str]]  # (class, group) of the members that end here
    next: dict[str, WordTrie]


class Lexicon(NamedTuple):
    """What the reader needs from one language's lexicon.yaml."""

    classes: dict[str, tuple[tuple[str, ...], ...]]  # class -> its members, each a tuple of words
    members: WordTrie  # every class member, word by word
    patterns: tuple[Pattern, ...]
    # A pattern is tried only when its first part was heard, and all its parts (the set) were.
    by_first_part: dict[str, tuple[tuple[Pattern, frozenset[str]], ...]]
    window: int  # how many words may stand between the parts of a combination
    reading: dict[str, Any]  # the reader's settings (scopes, windows, sign rules) from the `reading` section
    spelling: dict[str, tuple[str, ...]]  # a misspelling or text-speak -> the words meant
    forms: dict[str, str]  # an irregular form -> the word written in the lexicon
    endings: dict[str, tuple[tuple[str, str], ...]]  # last letter -> (ending, what replaces it), longest first
    vocabulary: frozenset[str]  # every word written anywhere in the lexicon
    bases: dict[str, str]  # a lexicon word that is an inflection of another ("peed" -> "pee")
    not_typos: frozenset[str]  # real words one slip away from a lexicon word: never corrected
    keyboard_neighbours: dict[str, str]  # a key -> the keys next to it
    typo_index: dict[str, tuple[str, ...]]  # a word, or a word with one letter deleted -> lexicon words
    numbers: dict[str, float]  # number words ("a couple of" -> 2)
    number_starts: dict[str, tuple[tuple[str, ...], ...]]  # first word -> number phrases, longest first
    tens: tuple[str, ...]  # "twenty five" is a tens word then a ones word
    ones: tuple[str, ...]  # in order: one is 1
    ordinals: dict[str, int]
    unit_minutes: dict[str, float]
    approximately: tuple[tuple[str, ...], ...]  # words allowed between a number and its unit
    times: frozenset[str]  # "4 times": a count of episodes
    # first word -> (phrase, minutes, kind): amounts without a number ("all night", kind span) and days named
    # ("yesterday", kind day; "woke up with it", kind onset: a day that says when it began by itself)
    time_phrases: dict[str, tuple[tuple[tuple[str, ...], float, str], ...]]
    weekdays: tuple[str, ...]  # monday first
    time: dict[str, tuple[tuple[str, ...], ...]]  # the time grammar's word lists (see lexicon.yaml `time`)
    time_starts: frozenset[str]  # every word an amount of time or a day may start with (digits aside)
    exact_words: frozenset[str]  # words some member writes as an exact form ("=cramps")
    number_words: frozenset[str]  # words heard as a NUMBER: tens, ones and ordinals
    ages: dict[str, Any]  # how ages are said, and the age bands' lower bounds
    common_words: frozenset[str]  # the language's commonest words: a message with few of them is another language
    yes: frozenset[str]
    yes_first_only: frozenset[str]  # yes only when the reply starts with them ("right", not "my right calf")
    no: frozenset[str]
    unsure: tuple[str, ...]
    choices: dict[str, dict[str, tuple[str, ...]]]  # question id -> option id -> words that pick it

    def concept_ids(self, fact: str) -> frozenset[str]:
        """Every id of a fact that some pattern of this lexicon can produce."""
        return frozenset(pattern.id for pattern in self.patterns if pattern.fact == fact)


def deletions(word: str) -> set[str]:
    """The word with each one of its letters left out."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def stems(word: str, endings: dict[str, tuple[tuple[str, str], ...]]) -> list[str]:
    """The word with each of the endings taken off (and a doubled last letter undone: slurred -> slurr -> slur).
    A base is at least three letters: "hey" is not "he"."""
    found = []
    for ending, replacement in endings.get(word[-1:], ()):
        if word.endswith(ending):
            base = word[: len(word) - len(ending)] + replacement
            if len(base) >= 3:
                found.append(base)
            if not replacement and len(base) > 3 and base[-1] == base[-2]:
                found.append(base[:-1])
    return found


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


def _spelled(words: str, spelling: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """A phrase as the reader sees it: each word replaced by what its spelling entry says it means. A word written
    "=cramps" stays "=cramps": that exact form only, not "cramped" (see EXACT)."""
    return tuple(meant for word in str(words).split() for meant in spelling.get(word, (word,)))


def _is_class(word: str) -> bool:
    return bool(CLASS_NAME.match(word))


def classes_named(pattern: str) -> list[str]:
    """The class names a pattern or class member uses ("URINE + DARK ~4" -> URINE, DARK)."""
    words = WINDOW.sub("", pattern).replace(" + ", " ").replace(" .. ", " ").split()
    return [word for word in words if _is_class(word)]


class _Compiler:
    """Turns the raw sections into classes and patterns, naming anonymous classes after the phrase they hold."""

    def __init__(self, raw: dict[str, Any], spelling: dict[str, tuple[str, ...]]) -> None:
        self.spelling = spelling
        written = raw.get("terms") or {}
        for name in written:
            if not _is_class(name):
                raise LexiconError(f"terms: class {name!r} must be written in capitals (URINE, DARK_COLOUR)")
        self.classes: dict[str, list[tuple[str, ...]]] = {
            name: list(dict.fromkeys(self._members(name, written, ()))) for name in written
        }
        self.classes[NUMBER] = []  # filled from the words themselves: every number said
        self.groups: dict[str, str] = dict.fromkeys(self.classes, TERMS)
        self.patterns: list[Pattern] = []

    def _members(self, name: str, written: dict[str, Any], within: tuple[str, ...]) -> list[tuple[str, ...]]:
        """A class's members, with any class it names ("BODY: [CALF, LEG, skin]") taken in."""
        if name in within:
            raise LexiconError(f"terms: class {name} includes itself (through {' -> '.join(within)})")
        members: list[tuple[str, ...]] = []
        for member in written[name] or ():
            if _is_class(str(member)):
                if member not in written:
                    raise LexiconError(f"terms: class {name} names class {member}, which `terms` lacks")
                members += self._members(member, written, (*within, name))
            else:
                members.append(_spelled(member, self.spelling))
        return members

    def literal(self, phrase: str, group: str) -> str:
        """The anonymous class holding one literal phrase of a section (named by the section and the phrase)."""
        words = _spelled(phrase, self.spelling)
        name = f"{group}:'{' '.join(words)}'"
        self.classes.setdefault(name, [words])
        self.groups[name] = group
        return name

    def pattern(self, fact: str, concept: str, written: str) -> None:
        """Parse one pattern: 'A + B' is a combination in any order, 'A .. B' one in this order (either may end
        in '~N': how many words may stand between parts); anything else a phrase, CAPITALS standing for a class."""
        text, window = str(written).strip(), None
        # A concept's own phrases compete only with each other: "started rosuvastatin" (a new medicine) leaves
        # "rosuvastatin" to the statin.
        group = IGNORE if fact == "ignore" else GRAMMAR if fact in GRAMMAR_SECTIONS else f"{fact}:{concept}"
        if found := WINDOW.search(text):
            text, window = WINDOW.sub("", text), int(found.group(1))
        separator = " + " if " + " in text else " .. " if " .. " in text else None
        next_to_previous: tuple[bool, ...] = ()
        if separator:
            parts = [part.strip() for part in text.split(separator)]
            ordered, adjacent = separator == " .. ", False
            names, next_to = [], []
            for part in parts:
                words = part.split()
                if len(words) > 1 and any(_is_class(word) for word in words):
                    if not ordered:
                        raise LexiconError(f"{fact} {concept!r}: pattern {text!r}: a part with a class and other "
                                           "words is a phrase, which has an order: join the parts with ' .. '")
                    # "BODY CRAMP_NOW .. HABIT": a phrase of classes inside an ordered pattern, word by word.
                    names += [word if _is_class(word) else self.literal(word, group) for word in words]
                    next_to += [False] + [True] * (len(words) - 1)
                elif part:
                    names.append(part if _is_class(part) else self.literal(part, group))
                    next_to.append(False)
            next_to_previous = tuple(next_to) if any(next_to) else ()
            names = tuple(names)
        elif any(_is_class(word) for word in text.split()):
            # The words between classes are matched one by one, so they stay free for other patterns too
            # ("CRAMP_WORD in my chest" leaves "chest" to the chest-pain sign).
            names = tuple(word if _is_class(word) else self.literal(word, group) for word in text.split())
            ordered, adjacent = True, True
        else:
            names = (self.literal(text, group),)  # a whole phrase: it wins over the shorter words inside it
            ordered, adjacent = True, True
        if not names:
            raise LexiconError(f"{fact} {concept!r}: an empty pattern")
        for name in names:
            if name not in self.classes:
                raise LexiconError(f"{fact} {concept!r}: pattern {text!r} names class {name}, which `terms` lacks")
        self.patterns.append(Pattern(fact, concept, names, ordered, adjacent, window, str(written), next_to_previous))


def _ages(raw: dict[str, Any]) -> dict[str, Any]:
    """The `ages` section, with each list of words also as phrases, longest first (`phrases`)."""
    phrases = {key: tuple(sorted((tuple(str(text).split()) for text in value), key=len, reverse=True))
               for key, value in raw.items() if isinstance(value, list)}
    return {**raw, "phrases": phrases}


def _trie(classes: dict[str, tuple[tuple[str, ...], ...]], groups: dict[str, str]) -> WordTrie:
    root = WordTrie([], {})
    for name, members in classes.items():
        for member in members:
            node = root
            for word in member:
                node = node.next.get(word) or node.next.setdefault(word, WordTrie([], {}))
            node.ends.append((name, groups[name]))
    return root


def _time_phrases(raw: dict[str, Any], spelling: dict[str, tuple[str, ...]]) -> dict[str, tuple]:
    """The `spans` and `days` sections, indexed by their phrases' first words, longest phrase first."""
    found: dict[str, list[tuple[tuple[str, ...], float, str]]] = {}
    on_its_own = {_spelled(text, spelling) for text in raw["time"].get("onset_by_itself", ())}
    for section, kind in (("spans", "span"), ("days", "day")):
        for entry in raw.get(section) or ():
            for text in entry["phrases"]:
                words = _spelled(text, spelling)
                found.setdefault(words[0], []).append(
                    (words, float(entry["minutes"]), "onset" if words in on_its_own else kind)
                )
    return {word: tuple(sorted(items, key=lambda item: -len(item[0]))) for word, items in found.items()}


def build_lexicon(raw: dict[str, Any]) -> Lexicon:
    """Compile a checked lexicon.yaml (the base language's, with any other language merged over it)."""
    spelling = {str(word): tuple(str(meant).split()) for word, meant in (raw.get("spelling") or {}).items()}
    compiler = _Compiler(raw, spelling)
    for fact in PHRASE_FACTS:
        for concept, texts in (raw.get(fact) or {}).items():
            for text in texts:
                compiler.pattern(fact, str(concept), text)
    for section in GRAMMAR_SECTIONS:
        for text in raw.get(section) or ():
            compiler.pattern(section, section, text)
    classes = {name: tuple(members) for name, members in compiler.classes.items()}
    by_first: dict[str, list[Pattern]] = {}
    for pattern in compiler.patterns:
        by_first.setdefault(pattern.parts[0], []).append(pattern)

    numbers = {str(word): float(value) for word, value in raw["numbers"].items()}
    number_starts: dict[str, list[tuple[str, ...]]] = {}
    for phrase in numbers:
        number_starts.setdefault(phrase.split()[0], []).append(tuple(phrase.split()))
    time = {key: tuple(_spelled(text, spelling) for text in texts) for key, texts in raw["time"].items()}
    time_phrases = _time_phrases(raw, spelling)
    endings: dict[str, list[tuple[str, str]]] = {}
    for ending, replacement in sorted(raw["endings"], key=lambda pair: -len(pair[0])):
        endings.setdefault(str(ending)[-1], []).append((str(ending), str(replacement or "")))
    forms = {str(form): str(word) for form, word in (raw.get("forms") or {}).items()}

    vocabulary = {word.removeprefix(EXACT) for members in classes.values() for member in members for word in member}
    vocabulary |= {word for items in time_phrases.values() for words, _, _ in items for word in words}
    vocabulary |= {word for texts in time.values() for text in texts for word in text}
    vocabulary |= set(raw["units"]) | {word for phrase in numbers for word in phrase.split()}
    vocabulary |= set(raw.get("weekdays") or ()) | set(raw.get("ordinals") or {})
    endings_by_letter = {letter: tuple(found) for letter, found in endings.items()}
    bases = {}
    for word in vocabulary:
        base = forms.get(word) or next((b for b in stems(word, endings_by_letter) if b in vocabulary), None)
        if base and base != word:
            bases[word] = base
    typo_index: dict[str, tuple[str, ...]] = {}
    for word in sorted(vocabulary):
        if len(word) >= MIN_TYPO_LENGTH and word.isalpha():
            for variant in deletions(word) | {word}:
                typo_index[variant] = (*typo_index.get(variant, ()), word)

    answers = raw["answers"]
    return Lexicon(
        classes=classes,
        members=_trie(classes, compiler.groups),
        patterns=tuple(compiler.patterns),
        by_first_part={name: tuple((pattern, frozenset(pattern.parts)) for pattern in found)
                       for name, found in by_first.items()},
        window=int((raw.get("reading") or {}).get("window", 6)),
        reading=dict(raw.get("reading") or {}),
        spelling=spelling,
        forms=forms,
        endings=endings_by_letter,
        vocabulary=frozenset(vocabulary),
        bases=bases,
        not_typos=frozenset(raw["not_typos"]),
        keyboard_neighbours=_neighbours(raw["keyboard"]),
        typo_index=typo_index,
        numbers=numbers,
        number_starts={word: tuple(sorted(found, key=len, reverse=True)) for word, found in number_starts.items()},
        tens=tuple(raw["tens"]),
        ones=tuple(raw["ones"]),
        ordinals={str(word): int(value) for word, value in (raw.get("ordinals") or {}).items()},
        unit_minutes={word: seconds / 60 for word, seconds in raw["units"].items()},
        approximately=tuple(sorted((tuple(str(t).split()) for t in raw.get("approximately") or ()), key=len,
                                   reverse=True)),
        times=frozenset(raw["times"]),
        time_phrases=time_phrases,
        weekdays=tuple(raw.get("weekdays") or ()),
        time=time,
        number_words=frozenset(raw["tens"]) | frozenset(raw["ones"])
        | frozenset(str(word) for word in raw.get("ordinals") or ()),
        exact_words=frozenset(word.removeprefix(EXACT) for members in classes.values() for member in members
                              for word in member if word.startswith(EXACT)),
        time_starts=frozenset(number_starts) | frozenset(time_phrases) | frozenset(raw.get("weekdays") or ())
        | frozenset(raw["tens"]) | {phrase[0] for phrase in time.get("last", ())},
        ages=_ages(raw.get("ages") or {}),
        common_words=frozenset(raw.get("common_words") or ()),
        yes=frozenset(answers["yes"]),
        yes_first_only=frozenset(answers["yes_first_only"]),
        no=frozenset(answers["no"]),
        unsure=tuple(answers["unsure"]),
        choices={
            question: {option: tuple(words) for option, words in options.items()}
            for question, options in raw["choices"].items()
        },
    )
