"""Where the lexicon's classes and patterns are heard in a message, and which words each negation, hedge and
hypothetical covers (the NegEx/ConText idea: a trigger before or after a concept, whose reach ends at "but",
"though", a new clause or the end of the sentence).
"""

from __future__ import annotations

from itertools import pairwise
from typing import NamedTuple

from shared.lexicon import CLAUSE_MARK, EXACT, IGNORE, NUMBER, PUNCTUATION, SENTENCE_END, Lexicon, Pattern, WordTrie
from shared.words import NUMERAL, words_of


class Hit(NamedTuple):
    """A class member heard at words[start:end] (a named tuple: a long message makes hundreds)."""

    start: int
    end: int
    cls: str


class Match(NamedTuple):
    """A pattern found: the hits of its parts, in the pattern's order, and the words they span."""

    pattern: Pattern
    hits: tuple[Hit, ...]
    start: int  # the first word of the match
    end: int  # just past the last word of the match

    @classmethod
    def of(cls, pattern: Pattern, hits: tuple[Hit, ...]) -> Match:
        return cls(pattern, hits, min(hit.start for hit in hits), max(hit.end for hit in hits))

    def positions(self) -> frozenset[int]:
        """Every word position the match's hits cover."""
        return frozenset(position for hit in self.hits for position in range(hit.start, hit.end))


class Message:
    """One message's words and sentences, the class members heard in it and the patterns they make."""

    def __init__(self, text: str, lex: Lexicon, consumed: set[int] | None = None) -> None:
        self.lex = lex
        self.words, self.bases = words_of(text, lex)
        self.sentence: list[int] = []
        number = 0
        for word in self.words:
            self.sentence.append(number)
            number += word in SENTENCE_END
        self.consumed: set[int] = set(consumed or ())  # words another reading already took ("days back")
        self.hits: dict[str, list[Hit]] = {}
        self.matches: list[Match] = []
        self.by_fact: dict[str, list[Match]] = {}
        self._breaks: set[int] = set()

    def hear(self, consumed: set[int]) -> None:
        """Find every class member and every pattern; `consumed` words are read as nothing."""
        self.consumed = consumed
        self._find_hits()
        self._find_matches()
        for match in sorted(self.matches, key=lambda m: (m.start, -m.end)):
            self.by_fact.setdefault(match.pattern.fact, []).append(match)

    def _find_hits(self) -> None:
        """Every class member in the words, the longest of each group winning ("back of my thigh" is not also
        "back"; "the runs" is not a run); an ignored phrase wins over every group. And every number."""
        words, bases, count = self.words, self.bases, len(self.words)
        starts = self.lex.members.next
        free_from: dict[str, int] = {}  # group -> the first position its next member may start at
        # A word matches a member as written, as its base form, or as an exact form ("=cramps").
        exact = self.lex.exact_words
        said = [((word,) if word == base else (word, base)) + ((EXACT + word,) if word in exact else ())
                for word, base in zip(words, bases, strict=True)]
        consumed, hits = self.consumed, self.hits
        for position in range(count):
            if position in consumed or (words[position] not in starts and bases[position] not in starts):
                continue
            found: list[tuple[int, WordTrie]] = []  # (size, node) of the members that end there, shortest first
            nodes = [child for word in said[position] if (child := starts.get(word))]
            at = position
            while True:
                found += [(at + 1 - position, node) for node in nodes if node.ends]
                at += 1
                if at >= count or at in consumed:
                    break
                spoken = said[at]
                nodes = [child for node in nodes if node.next for word in spoken if (child := node.next.get(word))]
                if not nodes:
                    break
            if not found or position < free_from.get(IGNORE, 0):
                continue
            ignored = 0  # the longest ignored phrase here ("hot water bottle")
            for size, node in found:
                if any(group == IGNORE for _, group in node.ends):
                    ignored = size
            longest: dict[str, int] = {}
            for size, node in reversed(found):  # longest first
                if size < ignored:
                    break
                end = position + size
                for cls, group in node.ends:
                    if longest.get(group, size) > size or free_from.get(group, 0) > position:
                        continue
                    longest[group] = size
                    found_at = hits.get(cls)
                    if found_at is None:
                        hits[cls] = [Hit(position, end, cls)]
                    elif found_at[-1][0] != position:  # the same member reached twice (as written and as its base)
                        found_at.append(Hit(position, end, cls))
            for group, size in longest.items():
                free_from[group] = position + size
        number_words = self.lex.number_words
        numbers = [Hit(position, position + 1, NUMBER) for position, word in enumerate(words)
                   if word in number_words or (word[0].isdigit() and NUMERAL.match(word))]
        if numbers:
            hits[NUMBER] = numbers

    def _find_matches(self) -> None:
        """Every pattern whose first part was heard and whose other parts are there too. Clause breaks first: the
        parts of a pattern in order do not reach over one ("it was hard, and my wee ..." is no trouble peeing)."""
        heard = self.hits
        classes, by_first_part = heard.keys(), self.lex.by_first_part
        found = [pattern for cls in list(heard) for pattern, parts in by_first_part.get(cls, ()) if parts <= classes]
        self._breaks: set[int] = set()
        for pattern in found:
            if pattern.fact == "clause_breaks":
                for match in self._match(pattern):
                    self._breaks |= match.positions()
        for pattern in found:
            self.matches.extend(self._match(pattern))
        # An ignored combination ("pounds .. MONEY_PLACE": money, not weight) is no class member to hide, so the
        # concepts its words belong to are dropped instead; an ignored phrase already hid its words when heard.
        ignored = {position for match in self.matches if match.pattern.fact == IGNORE and len(match.pattern.parts) > 1
                   for position in match.positions()}
        if ignored:
            self.matches = [match for match in self.matches
                            if match.pattern.fact == IGNORE or not match.positions() & ignored]

    def _match(self, pattern: Pattern) -> list[Match]:
        heard = self.hits
        if len(pattern.parts) == 1:
            return [Match(pattern, (hit,), hit.start, hit.end) for hit in heard[pattern.parts[0]]]
        found = []
        window = self.lex.window if pattern.window is None else pattern.window
        next_to = pattern.next_to_previous
        for first in heard[pattern.parts[0]]:
            hits = [first]
            for index, part in enumerate(pattern.parts[1:], 1):
                if pattern.adjacent or (next_to and next_to[index]):
                    following = next((hit for hit in heard[part] if hit.start == hits[-1].end), None)
                elif pattern.ordered:
                    following = next(
                        (hit for hit in heard[part] if 0 <= hit.start - hits[-1].end <= window
                         and self.sentence[hit.start] == self.sentence[first.start]
                         and not self._breaks.intersection(range(hits[-1].end, hit.start))),
                        None,
                    )
                else:
                    following = self._nearest(first, heard[part], hits)
                if following is None:
                    break
                hits.append(following)
            else:
                if pattern.adjacent:
                    found.append(Match.of(pattern, tuple(hits)))
                elif pattern.ordered:
                    if sum(hit.start - before.end for before, hit in pairwise(hits)) <= window:
                        found.append(Match.of(pattern, tuple(hits)))
                elif max(h.start for h in hits) - min(h.end for h in hits) <= window:
                    found.append(Match.of(pattern, tuple(hits)))
        return found

    def _nearest(self, anchor: Hit, candidates: list[Hit], taken: list[Hit]) -> Hit | None:
        """The candidate in the anchor's sentence nearest to it that overlaps no hit already taken."""
        best, best_distance = None, None
        for hit in candidates:
            if self.sentence[hit.start] != self.sentence[anchor.start]:
                continue
            if any(hit.start < other.end and other.start < hit.end for other in taken):
                continue
            distance = abs(hit.start - anchor.start)
            if best_distance is None or distance < best_distance:
                best, best_distance = hit, distance
        return best

    def of(self, fact: str) -> list[Match]:
        """The matches of one lexicon section, in the order they start."""
        return self.by_fact.get(fact, [])

    def positions_of(self, *facts: str) -> set[int]:
        """Every word the matches of these sections cover."""
        return {position for fact in facts for match in self.of(fact) for position in match.positions()}


class Scopes:
    """Which words each kind of trigger covers: negated, hedged, hypothetical, past. `used` words belong to a
    concept and trigger nothing ("can't breathe" asserts breathlessness; its "can't" denies nothing)."""

    def __init__(self, message: Message, used: set[int]) -> None:
        self.message = message
        reading = message.lex.reading
        self.forward = int(reading.get("negation_reach", 8))
        self.backward = int(reading.get("negation_reach_back", 4))
        self.breaks = message.positions_of("clause_breaks")
        self.negated: dict[int, int] = {}  # position -> 1 when denied
        self.hedged: set[int] = set()
        self.hypothetical: set[int] = set()
        pseudo = message.positions_of("not_negation")

        def live(trigger: Match) -> bool:
            # A trigger inside a concept's own words ("can't" in "can't breathe") or a pseudo-negation ("no
            # doubt", "can't say it isn't") triggers nothing.
            return not trigger.positions() <= used and not trigger.positions() & pseudo

        self._negations([m for m in message.of("negation") if live(m)])
        for trigger in message.of("negation_after"):
            if live(trigger):
                for position in self.before(trigger.start):
                    self.negated[position] = 1
        hedge_breaks = message.positions_of("hedge_breaks")
        for trigger in message.of("hedges"):
            if live(trigger):
                self.hedged |= self._after(trigger.end, breaks=hedge_breaks)
        for trigger in message.of("hedges_after"):
            if live(trigger):
                self.hedged |= self.before(trigger.start)
        for trigger in message.of("hypothetical"):
            if live(trigger):
                self.hypothetical |= self._after(trigger.end, clause_only=True)
        self.past = {p for trigger in message.of("historical") for p in self.before(trigger.start, whole=True)}
        self._question_marks()

    def _negations(self, triggers: list[Match]) -> None:
        """Each negation reaches to the end of its clause, or to the next negation."""
        words = self.message.words
        for index, trigger in enumerate(triggers):
            following = triggers[index + 1].start if index + 1 < len(triggers) else len(words)
            self.negated.update(dict.fromkeys((p for p in self._after(trigger.end) if p < following), 1))

    def _after(self, start: int, clause_only: bool = False, breaks: set[int] | None = None) -> set[int]:
        """The words a trigger ending at `start` covers: to the end of its clause, at most `forward` words on."""
        words, covered = self.message.words, set()
        breaks = self.breaks if breaks is None else breaks
        position, count = start, 0
        while position < len(words) and count < self.forward:
            word = words[position]
            if word in SENTENCE_END or position in breaks:
                break
            if word in CLAUSE_MARK and (clause_only or not self._list_goes_on(position)):
                break
            covered.add(position)
            count += word not in PUNCTUATION
            position += 1
        return covered

    def _list_goes_on(self, comma: int) -> bool:
        """After a comma, a denial goes on only through a list that ends with "or" ("no swelling, redness or heat")."""
        words, list_ends = self.message.words, self.message.lex.reading.get("list_ends", ("or", "nor"))
        for position in range(comma + 1, len(words)):
            if words[position] in SENTENCE_END or position in self.breaks:
                return False
            if words[position] in list_ends:
                return True
        return False

    def before(self, end: int, whole: bool = False) -> set[int]:
        """The words just before a trigger that follows what it covers ("jaw fine"), back to the clause start."""
        words, covered = self.message.words, set()
        position, count = end - 1, 0
        while position >= 0 and (whole or count < self.backward):
            if words[position] in PUNCTUATION or position in self.breaks:
                break
            covered.add(position)
            count += 1
            position -= 1
        return covered

    def _question_marks(self) -> None:
        """A sign said just before a question mark is asked about, not asserted ("calf warm???"), unless the
        person answers it at once ("fits? no.")."""
        words, reading = self.message.words, self.message.lex.reading
        reach = int(reading.get("question_reach", 3))
        answers_no = set(reading.get("answered_no", ()))
        for position, word in enumerate(words):
            if word != "?" or (position and words[position - 1] == "?"):
                continue
            end = position
            while end < len(words) and words[end] == "?":
                end += 1
            asked = {p for p in range(max(0, position - reach), position) if words[p] not in PUNCTUATION}
            if end < len(words) and words[end] in answers_no:
                self.negated.update(dict.fromkeys(asked, 1))
            else:
                self.hedged |= asked

    def polarity(self, positions: set[int]) -> str:
        """asserted | negated | hedged | hypothetical | past, for a concept said at these words."""
        if positions & self.hypothetical:
            return "hypothetical"
        if positions & self.hedged:
            return "hedged"
        if any(self.negated.get(position) for position in positions):
            return "negated"
        if positions & self.past:
            return "past"
        return "asserted"
