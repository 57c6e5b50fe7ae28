"""Amounts of time and days named in a message, each with the slot its own words give it: how long the complaint
has lasted (duration: "for 20 minutes", "20 mins now"), when it began (onset: "since Tuesday", "from 2 days",
"started 25 mins ago"), or neither (activity length, gestation, age, how often: "a 6-hour shift", "30 weeks
pregnant", "twice a day"). Which complaint a time belongs to is decided by the reader (shared/reader.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from shared.lexicon import PUNCTUATION, Lexicon
from shared.words import NUMERAL

DAY = 1440  # minutes
SECONDS = 0.5  # minutes: what "a few seconds", "20 secs" and "a sec" are read as (corpus README)


class Amount(NamedTuple):
    """An amount of time, or a day, at words[start:end], in minutes (before now, for a day)."""

    start: int
    end: int
    minutes: float
    slot: str  # duration | onset | bare (no word says which) | not (not the complaint's time at all)


def number_at(words: list[str], position: int, lex: Lexicon) -> tuple[float, int] | None:
    """The number that starts at `position` ("12", "1.5", "a couple of", "twenty five") and where it ends."""
    word = words[position]
    if word[0].isdigit() and NUMERAL.match(word):
        return float(word), position + 1
    if word in lex.tens and position + 1 < len(words) and words[position + 1] in lex.ones:
        return lex.numbers[word] + lex.numbers[words[position + 1]], position + 2
    for phrase in lex.number_starts.get(word, ()):
        end = position + len(phrase)
        if tuple(words[position:end]) == phrase:
            return lex.numbers[" ".join(phrase)], end
    return None


def has_before(words: list[str], start: int, phrases: tuple[tuple[str, ...], ...], lex: Lexicon) -> int:
    """The length of the longest phrase that ends just before `start` (words like "about" may stand between), or 0."""
    longest = 0
    near = set(words[max(0, start - 3) : start])
    for phrase in phrases:
        if phrase[-1] not in near:
            continue
        for gap in range(0, 3):
            begin = start - gap - len(phrase)
            if begin >= 0 and tuple(words[begin : start - gap]) == phrase:
                between = tuple(words[start - gap : start])
                if not between or between in lex.approximately:
                    longest = max(longest, len(phrase))
    return longest


def has_after(words: list[str], end: int, phrases: tuple[tuple[str, ...], ...]) -> int:
    """The length of the longest phrase that starts at `end`, or 0."""
    if end >= len(words):
        return 0
    first = words[end]
    return max((len(phrase) for phrase in phrases
                if phrase[0] == first and tuple(words[end : end + len(phrase)]) == phrase), default=0)


def amounts(words: list[str], lex: Lexicon, now: datetime | None) -> list[Amount]:
    """Every amount of time and every day named, with the slot its own words give it."""
    found: list[Amount] = []
    position, count, starts = 0, len(words), lex.time_starts
    while position < count:
        word = words[position]
        amount = _amount_at(words, position, lex, now) if word in starts or word[0].isdigit() else None
        if amount is None:
            position += 1
            continue
        start, end, minutes, kind = amount
        found.append(Amount(start, end, minutes, _slot(words, start, end, kind, lex)))
        position = end
    return found


def _slot(words: list[str], start: int, end: int, kind: str, lex: Lexicon) -> str:
    """The slot the words around an amount give it; the longest phrase around it decides."""
    time = lex.time
    if kind == "onset":
        return "onset"
    if kind == "day":
        said_since = has_before(words, start, time["onset_before"], lex) or _since_earlier(words, start, lex)
        return "onset" if said_since else "not"
    after = {slot: has_after(words, end, time[key])
             for slot, key in (("not", "not_after"), ("onset", "onset_after"), ("duration", "duration_after"))}
    before = {slot: has_before(words, start, time[key], lex)
              for slot, key in (("not", "not_before"), ("onset", "onset_before"), ("duration", "duration_before"))}
    if after["not"] and has_after(words, end, time.get("not_after_weak", ())) and (
        before["duration"] or before["onset"]
    ):
        after["not"] = 0  # "cramping for 40 minutes after mowing": the "for" says it; "after" dates something else
    for around in (after, before):
        if any(around.values()):
            return max(around, key=lambda slot: (around[slot], slot == "not"))
    if kind == "amount" and (words[start],) in time.get("rate_numbers", ()) and (
        has_before(words, start, time.get("rate_before", ()), lex) or start == 0 or not words[start - 1].isalpha()
    ):
        return "not"  # "twice a day", "4 days a week": how often, not how long
    return "bare" if kind == "amount" else "duration"


def _since_earlier(words: list[str], start: int, lex: Lexicon) -> bool:
    """True when a "since" opens the clause a day is named in ("since I banged it on the bed yesterday")."""
    for position in range(start - 1, max(-1, start - 9), -1):
        if words[position] in PUNCTUATION:
            return False
        if (words[position],) in lex.time.get("since", ()):
            return True
    return False


def _amount_at(words: list[str], position: int, lex: Lexicon, now: datetime | None) -> tuple | None:
    """(start, end, minutes, kind) of an amount of time or a day starting here; kind is amount, span, day or onset
    (a day that says by itself that it began then: "woke up with it")."""
    for phrase, minutes, kind in lex.time_phrases.get(words[position], ()):
        end = position + len(phrase)
        if tuple(words[position:end]) == phrase:
            return position, end, minutes, kind
    if weekday := _weekday(words, position, lex, now):
        return weekday
    number = number_at(words, position, lex)
    if number is None:
        return None
    value, end = number
    if end < len(words) and words[end] not in lex.unit_minutes:
        for phrase in lex.approximately:
            if phrase[0] == words[end] and tuple(words[end : end + len(phrase)]) == phrase:
                end += len(phrase)
                break
    if end >= len(words) or words[end] not in lex.unit_minutes:
        return None
    unit = lex.unit_minutes[words[end]]
    end += 1
    minutes = value * unit
    if tuple(words[end : end + 3]) in lex.time.get("and_a_half", ()):
        minutes += 0.5 * unit
        end += 3
    elif end + 1 < len(words) and words[end] == "or" and (more := number_at(words, end + 1, lex)):
        minutes, end = more[0] * unit, more[1]  # "a minute or two"
    if unit < 1:
        minutes = SECONDS  # any number of seconds: the rules only ask whether it was seconds
    return position, end, minutes, "amount"


def _weekday(words: list[str], position: int, lex: Lexicon, now: datetime | None) -> tuple | None:
    """A weekday named ("tuesday", "last wednesday"), in minutes before `now`; None without `now`."""
    start = position
    last = (words[position],) in lex.time.get("last", ())
    if last:
        position += 1
    if now is None or position >= len(words) or words[position] not in lex.weekdays:
        return None
    days = (now.weekday() - lex.weekdays.index(words[position])) % 7
    if last or days == 0:
        days += 7
    return start, position + 1, days * float(DAY), "day"
