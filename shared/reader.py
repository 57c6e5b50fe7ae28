"""Turn what a person says or texts into Observations, by recognising concepts rather than phrases.

Pure and local: one language's lexicon (shared/lexicon.py), no network, no model. The steps, each driven by the
lexicon's data:

1. Words (shared/words.py): lower case, apostrophes dropped, text-speak and spelling variants replaced, each word
   paired with the lexicon word it is an inflection, irregular form or one-slip typo of.
2. Times (shared/times.py): amounts of time and days, each with the slot its own words give it.
3. Concepts (shared/matching.py): every class member, longest first, and every pattern whose parts are heard, as a
   phrase or within a few words in one sentence; the reach of each negation, hedge and hypothetical.
4. Facts (here): a denied sign is denied, a hedged one possible, a hypothetical one nothing, and a red-flag sign
   only partly said (its first class alone) is possible, never dropped; then the body part (the first muscle named
   with a complaint, not the place of a sign), the pattern, the time of the complaint itself, recurrence,
   severity, contexts, who has it and their age, the person's own word, and whether it is a limb cramp at all.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import NamedTuple

from shared.facts import Observations
from shared.lexicon import PUNCTUATION, Lexicon, Pattern
from shared.matching import Hit, Match, Message, Scopes
from shared.times import DAY, Amount, amounts, has_after, has_before, number_at
from shared.words import MAX_TEXT_CHARS, NUMERAL, normalise

__all__ = ["MAX_TEXT_CHARS", "OTHER_LANGUAGE", "normalise", "read"]

# The scope of a message in a language this lexicon does not read (concepts.yaml).
OTHER_LANGUAGE = "other_language"
# "3 times this week": this many episodes or more is frequent (taxonomy: 3+ episodes this week).
FREQUENT_COUNT = 3
# The sections whose words belong to a concept (a negation word inside one denies nothing). A denial's own negation
# still reaches on ("isn't warm or swollen").
CONCEPT_SECTIONS = ("body_part", "pattern", "contexts", "signs", "possible_signs", "denied", "recurrence", "severity",
                    "called_it", "age_band", "experiencer", "scope")
OWN_WORD_SECTIONS = tuple(section for section in CONCEPT_SECTIONS if section != "denied")
SIGN_SECTIONS = ("signs", "possible_signs")


class _Signs(NamedTuple):
    """The signs of one message by how they were said."""

    asserted: set[str]
    possible: set[str]
    denied: set[str]


class _Reading:
    """One message read: its concept matches, their scopes, and the facts drawn from them."""

    def __init__(self, text: str, lex: Lexicon, now: datetime | None) -> None:
        self.lex = lex
        self.settings = lex.reading
        message = self.message = Message(text, lex)
        self.amounts = amounts(message.words, lex, now)
        # "a few days back": "back" is time here, not the back.
        consumed = {
            position
            for amount in self.amounts
            for size in (has_after(message.words, amount.end, lex.time["onset_after"]),)
            for position in range(amount.end, amount.end + size)
        }
        message.hear(consumed)
        self.scopes = Scopes(message, message.positions_of(*OWN_WORD_SECTIONS))
        self._date_the_past()
        # The words of asserted signs' patterns: no muscle complaint, pattern or severity is read from them ("my jaw
        # is locked" is no locked pattern). A possible sign's words stay free ("my neck is stiff" is a neck complaint).
        self.sign_positions = message.positions_of("signs")
        self.places = set(self.settings.get("place_classes", ()))
        # How each concept was said (asserted, negated, hedged, hypothetical or past), by section.
        self.said = {fact: [(match, self.scopes.polarity(self._polar(match))) for match in message.of(fact)]
                     for fact in CONCEPT_SECTIONS}
        # Signs whose words were heard but that the settle rules say are not the sign here (night pain of a calf).
        self.not_signs: set[str] = set()

    def _date_the_past(self) -> None:
        """What a clause says of long ago is past ("I had a fit two years ago", "a rash last month")."""
        words, long_ago = self.message.words, float(self.settings.get("past_minutes", 43200))
        for amount in self.amounts:
            said_ago = has_after(words, amount.end, self.lex.time["onset_after"]) or (
                (words[amount.start],) in self.lex.time.get("last", ()) and amount.slot == "not")
            if amount.minutes >= long_ago and said_ago:
                self.scopes.past |= self.scopes.before(amount.start, whole=True)

    def live(self, fact: str) -> list[tuple[Match, str]]:
        """A section's matches, each with its polarity (asserted, negated, hedged, hypothetical or past)."""
        return self.said.get(fact, [])

    def _polar(self, match: Match) -> set[int]:
        """The words of a match a negation must cover to deny it (a denial of "the calf" is not one of its heat)."""
        polar = {p for hit in match.hits if hit.cls not in self.places for p in range(hit.start, hit.end)}
        return polar or match.positions()

    def is_other_language(self) -> bool:
        """True when too few of the words are this language's common words or lexicon words."""
        words = [word for word in self.message.words if word.isalpha()]
        if len(words) < int(self.settings.get("other_language_min_words", 4)):
            return False
        known = sum(word in self.lex.common_words or word in self.lex.vocabulary for word in words)
        return known / len(words) < float(self.settings.get("other_language_share", 0.4))

    # -- signs --

    def signs(self) -> _Signs:
        """Signs asserted, possible and denied, as said (before `settle`)."""
        found = _Signs(set(), set(), set())
        by_polarity = {"asserted": found.asserted, "hedged": found.possible, "negated": found.denied,
                       "past": found.denied}
        read_as_sign: set[int] = set()
        # A denial inside a pseudo-negation denies nothing ("I can't say the calf isn't warm").
        pseudo = self.message.positions_of("not_negation")
        denials = [(match, said) for match, said in self.live("denied")
                   if said != "hypothetical" and not match.positions() & pseudo]
        not_read_inside = self.settings.get("not_read_inside") or {}
        for match, polarity in self.live("signs"):
            if match.pattern.id in not_read_inside and self._inside_another_sign(
                    match, set(not_read_inside[match.pattern.id] or ())):
                continue
            if polarity == "negated" and self._said_again(match):
                polarity = "asserted"
            if polarity == "asserted" and any(denial.pattern.id == match.pattern.id
                                              and self._polar(match) <= denial.positions() for denial, _ in denials):
                continue  # "calf cramp, not hot": the sign's own words are the denial's
            by_polarity.get(polarity, set()).add(match.pattern.id)
            if polarity == "asserted":
                read_as_sign |= self._polar(match)
        for match, polarity in self.live("possible_signs"):
            if polarity == "asserted" and self._polar(match) & read_as_sign:
                continue  # "my calf feels a bit warm" is the calf's warmth, not a feverish person
            if any(denial.pattern.id == match.pattern.id and denial.positions() & match.positions()
                   for denial, _ in denials):
                continue  # "cramping, jaw fine": the jaw is denied, not possibly stiff
            if polarity in ("negated", "past"):
                found.denied.add(match.pattern.id)
            elif polarity != "hypothetical":
                found.possible.add(match.pattern.id)
        found.denied.update(match.pattern.id for match, _ in denials)
        self._said_of_someone_else(found)
        self._partly_said(found)
        return found

    def _said_of_someone_else(self, found: _Signs) -> None:
        """A sign asserted only in sentences about someone who is not the experiencer, and denied by the writer,
        is denied: "my sister had a clot and her leg was all swollen. mine isn't swollen"."""
        sentence = self.message.sentence
        about_others = {sentence[match.start] for match in self.message.of("not_the_experiencer")}
        for sign in found.asserted & found.denied:
            said = [match for match, polarity in self.live("signs")
                    if match.pattern.id == sign and polarity == "asserted"]
            if said and all(sentence[match.start] in about_others for match in said):
                found.asserted.discard(sign)

    def _inside_another_sign(self, match: Match, signs: set[str]) -> bool:
        """True when a match's words all belong to the match of another sign (of `signs`, or any when empty) that is
        said, not denied: "won't go" in "food won't go down", "pink" in "pink flecks in my spit" (but "not red, and
        after wiping" still denies the redness)."""
        words = match.positions()
        return any(other.pattern.id != match.pattern.id and (not signs or other.pattern.id in signs)
                   and words <= other.positions()
                   and self.scopes.polarity(self._polar(other)) in ("asserted", "hedged")
                   for section in SIGN_SECTIONS for other in self.message.of(section))

    def _said_again(self, denied: Match) -> bool:
        """True when a denial is followed by the same said of someone or something else, ending its clause: "my knee
        isn't swollen but my son's is", "the left calf isn't hot, the right one is"."""
        words, sentence = self.message.words, self.message.sentence
        for match in self.message.of("reasserted"):
            ends_clause = match.end >= len(words) or words[match.end] in PUNCTUATION
            if match.start >= denied.end and sentence[match.start] == sentence[denied.start] and ends_clause:
                return True
        return False

    def _partly_said(self, found: _Signs) -> None:
        """A red-flag sign only partly said (its head class alone: "my pee is a weird colour", "my face feels funny")
        is possible, never dropped; denied when that part is denied ("breathing fine")."""
        said = self.message.positions_of(*SIGN_SECTIONS, "denied")
        for sign, head in (self.settings.get("partial_signs") or {}).items():
            for hit in self.message.hits.get(head, ()):
                positions = set(range(hit.start, hit.end))
                if positions & said:
                    continue
                polarity = self.scopes.polarity(positions)
                if polarity in ("negated", "past"):
                    found.denied.add(sign)
                elif polarity != "hypothetical":
                    found.possible.add(sign)

    def settle(self, found: _Signs, contexts: set[str], body_part: str | None, age_band: str | None) -> _Signs:
        """The signs as the urgency table means them: read in context, the most specific only, each in one set."""
        settings = self.settings
        for context, also in (settings.get("also_in_context") or {}).items():
            if context in contexts:
                for group in (found.asserted, found.possible):
                    group |= {other for sign, other in also.items() if sign in group}
        for sign, with_signs in (settings.get("asserted_with") or {}).items():
            if sign in found.possible:
                # "stiff neck with a fever" is the neck sign, said with what makes it one; a stiff neck alone a crick.
                found.possible.discard(sign)
                if found.asserted & set(with_signs):
                    found.asserted.add(sign)
        for rule, have in (("needs_sign", found.asserted), ("needs_context", contexts)):
            for sign, needed in (settings.get(rule) or {}).items():
                if not have & set(needed):
                    self.not_signs.add(sign)
        for rule, value in (("needs_age_band", age_band), ("needs_body_part", body_part)):
            for sign, allowed in (settings.get(rule) or {}).items():
                if value not in allowed:
                    self.not_signs.add(sign)
        found.asserted.difference_update(self.not_signs)
        found.possible.difference_update(self.not_signs)
        specific = dict(settings.get("more_specific") or {})
        if age_band == "child":
            specific.update(settings.get("more_specific_in_children") or {})
        for sign, general in specific.items():
            if sign in found.asserted:
                found.asserted.difference_update(general or ())
            if sign in found.asserted | found.possible:
                found.possible.difference_update(general or ())
        found.possible.difference_update(found.asserted)
        found.denied.difference_update(found.asserted | found.possible)
        return found

    # -- contexts, pattern, recurrence, severity, called_it --

    def contexts(self) -> set[str]:
        """Circumstances said, not denied, not hypothetical, and not only what a sign says ("worse at night")."""
        said_by = {}
        for sign, contexts in (self.settings.get("contexts_said_by_sign") or {}).items():
            for match in self.message.of("signs"):
                if match.pattern.id == sign and sign not in self.not_signs:
                    for context in contexts:
                        said_by.setdefault(context, set()).update(range(match.start, match.end + 4))
        found = {
            match.pattern.id
            for match, polarity in self.live("contexts")
            if polarity in ("asserted", "hedged", "past")
            and not match.positions() <= said_by.get(match.pattern.id, set())
        }
        for specific, general in (self.settings.get("more_specific_contexts") or {}).items():
            if specific in found:
                found -= set(general or ())
        return found

    def first(self, fact: str, avoid: set[int]) -> Match | None:
        """The first match of a section that is said (not denied or hypothetical) and clear of `avoid`."""
        for match, polarity in self.live(fact):
            if polarity in ("asserted", "hedged") and not match.positions() & avoid:
                return match
        return None

    def pattern(self, body_part: str | None) -> str | None:
        """How it feels, from the first pattern word that is not part of a sign; a back or neck "locks" stiffly."""
        match = self.first("pattern", self.sign_positions)
        if match is None:
            return None
        by_part = (self.settings.get("pattern_by_body_part") or {}).get(body_part or "", {})
        return by_part.get(match.pattern.id, match.pattern.id)

    def recurrence(self, pattern: str | None, owners: list[tuple[Match, str]]) -> str | None:
        """first / recurring / frequent, from the words and from counts ("4 times this week"), said of the cramp:
        not "I drink every night", not "furosemide twice a day", not "been sick three times"."""
        own_course = set(self.settings.get("twitch_course", ())) if pattern == "twitching" else set()
        said = {
            match.pattern.id
            for match, polarity in self.live("recurrence")
            if polarity != "hypothetical" and match.pattern.text not in own_course
            and self._owner_of(Amount(match.start, match.end, 0, "recurrence"), owners) in ("complaint", None)
        }
        count = self.episode_count(owners)
        if count is not None:
            said.add("frequent" if count >= FREQUENT_COUNT else "recurring")
        # "First time ever getting a charley horse": the first time wins over the habit words around it.
        return next((level for level in ("frequent", "first", "recurring") if level in said), None)

    def episode_count(self, owners: list[tuple[Match, str]] | None = None) -> int | None:
        """The largest count of episodes said: "4 times", "third night in a row", "4th time this week", "for the last 3
        nights"."""
        words, lex, counts = self.message.words, self.lex, []
        count_after = lex.time.get("count_after", ())
        for position in range(len(words)):
            number = number_at(words, position, lex) if words[position] not in ("a", "an") else None
            said_times = number and number[1] < len(words) and words[number[1]] in lex.times
            # "4th": the digits and their ending are two words ("1st" is no count, as "first" is none).
            suffix = has_after(words, number[1], lex.time.get("ordinal_suffixes", ())) if number else 0
            if number and (said_times or has_after(words, number[1], count_after)):
                count, end = int(number[0]), number[1] + 1
            elif number and suffix and number[0] >= 2 and has_after(words, number[1] + suffix, count_after):
                count, end = int(number[0]), number[1] + suffix
            elif words[position] in lex.ordinals and has_after(words, position + 1, count_after):
                count, end = lex.ordinals[words[position]], position + 1
            else:
                continue
            if owners is None or self._owner_of(Amount(position, end, 0, "count"), owners) in ("complaint", None):
                counts.append(count)
        return max(counts) if counts else None

    def severity(self) -> str | None:
        """mild or severe, said of the muscle complaint (a severe headache is its own sign)."""
        match = self.first("severity", self.sign_positions)
        return match.pattern.id if match else None

    def called_it(self) -> str | None:
        """The person's own first word for it, unless rejected ("it's not a cramp") or only asked about."""
        rejected = self.message.positions_of("not_called_it")
        for match, polarity in self.live("called_it"):
            if polarity != "hypothetical" and not match.positions() & rejected:
                return match.pattern.id
        return None

    # -- body part --

    def body_part(self) -> str | None:
        """The first muscle named with a complaint; else the first part with a local sign; else the first named.
        Never the place of a neurological sign or of a wound, unless the person calls it a cramp."""
        message, settings = self.message, self.settings
        sign_matches = message.of("signs")
        not_located = set(settings.get("signs_not_located", ()))
        elsewhere = {p for m in sign_matches if m.pattern.id in not_located for p in m.positions()}
        elsewhere |= {p for m in message.of("contexts") if m.pattern.id in settings.get("contexts_not_located", ())
                      for p in m.positions()}
        complaints = [hit for cls in settings.get("complaint_classes", ()) for hit in message.hits.get(cls, ())]
        complaints += [m.hits[0] for m in message.of("pattern")]
        free = [hit for hit in complaints if not set(range(hit.start, hit.end)) & self.sign_positions]
        named = [m for m, polarity in self.live("body_part") if polarity != "hypothetical"]
        parts = [m for m in named if not m.positions() & elsewhere]
        reach = int(settings.get("complaint_reach", 5))
        for match in parts:
            if not match.positions() & self.sign_positions and any(self._linked(match, h, reach) for h in free):
                return match.pattern.id
        for match in parts:
            if match.positions() & self.sign_positions or any(
                self._linked(match, m.hits[0], reach) for m in sign_matches
            ):
                return match.pattern.id
        for match in parts:
            if any(self._linked(match, hit, reach) for hit in complaints):
                return match.pattern.id
        if parts:
            return parts[0].pattern.id  # named with no complaint at all ("my calf", "back of my thigh")
        if named and self.called_it():
            return named[0].pattern.id  # a cramp said of the place of another sign ("her hand won't grip, a cramp")
        return None

    def _linked(self, part: Match, hit: Hit, reach: int) -> bool:
        """True when a complaint is said of this part: in the same sentence, a few words away."""
        sentence = self.message.sentence
        if sentence[part.start] != sentence[hit.start]:
            return False
        if part.start <= hit.start < part.end:
            return True
        low, high = (part.end, hit.start) if part.end <= hit.start else (hit.end, part.start)
        return high - low <= reach

    # -- time --

    def times(self, pattern: str | None, recurrence: str | None,
              owners: list[tuple[Match, str]]) -> tuple[float | None, float | None]:
        """(duration, onset) of the muscle or limb complaint; times of other things are not its time."""
        has_complaint = any(kind == "complaint" for _, kind in owners)
        rate_numbers = self.lex.time.get("rate_numbers", ())
        durations, onsets = [], []
        for amount in self.amounts:
            if amount.slot == "not":
                continue
            owner = self._owner_of(amount, owners)
            if owner == "event" or (owner == "sign" and has_complaint):
                continue  # the time of a fall, a bite, a medicine; or of a sign when there is a cramp to time
            if owner == "activity" and has_complaint and not (amount.slot != "bare" and self._said_of_now(amount)):
                continue
            if owner is None and not has_complaint and not self._only_time():
                continue  # a time in a message about something else; a time said alone answers "how long?"
            if amount.slot == "onset":
                onsets.append(amount.minutes)
            elif amount.slot == "duration" or owner == "complaint" or (
                owner is None and (self.message.words[amount.start],) not in rate_numbers
            ):
                durations.append(amount.minutes)
        onsets += self._since_then()
        if recurrence in ("frequent", "recurring") and self._says_how_often():
            # "most nights for a year": the history of a recurring problem, not one episode's length; a twitch
            # comes and goes by itself, so only years of it are history.
            longest = float(self.settings.get("twitch_history_minutes", 259200)) if pattern == "twitching" else DAY
            durations = [minutes for minutes in durations if minutes < longest]
        return (max(durations) if durations else None), (max(onsets) if onsets else None)

    def _only_time(self) -> bool:
        """True when the message says nothing but a time ("seven weeks", "for about 2 days now")."""
        timed = {position for amount in self.amounts for position in range(amount.start, amount.end)}
        time_words = {word for phrases in self.lex.time.values() for phrase in phrases for word in phrase}
        return all(word in self.lex.common_words or word in time_words or not word.isalpha()
                   for position, word in enumerate(self.message.words) if position not in timed)

    def _said_of_now(self, amount: Amount) -> bool:
        """True for a time said of what is going on now ("2 mins now", "it's been 3 hours", "started 10 min ago")."""
        words, time = self.message.words, self.lex.time
        return bool(has_after(words, amount.end, time.get("present_after", ()))
                    or has_before(words, amount.start, time.get("present_before", ()), self.lex))

    def _says_how_often(self) -> bool:
        """True when the message says how often (so "for a year" is the history of a recurring problem)."""
        often = any(m.pattern.id in ("frequent", "recurring") for m, _ in self.live("recurrence"))
        return often or self.episode_count() is not None

    def time_owners(self) -> list[tuple[Match, str]]:
        """Everything a time may be said of: the muscle or limb complaint ("complaint"), a sign elsewhere ("sign":
        "diarrhoea since yesterday"), an event ("bitten 10 days ago"), an activity ("a coach for 14 hours")."""
        settings, message = self.settings, self.message
        elsewhere_signs = set(settings.get("signs_elsewhere", ()))
        events = set(settings.get("contexts_as_events", ()))
        activities = set(settings.get("contexts_as_activities", ()))
        elsewhere = {p for m in message.of("signs") if m.pattern.id in elsewhere_signs - self.not_signs
                     for p in m.positions()}
        places = self._places_of_events()
        owners: list[tuple[Match, str]] = []
        for match in message.matches:
            fact, concept = match.pattern.fact, match.pattern.id
            if fact == "signs" and concept in self.not_signs:
                continue
            # A local sign is the complaint unless it is only part of a sign elsewhere (the numbness of "tingly
            # lips"); a body part, pattern or word for it unless it is where a sign or event is.
            local_sign = fact == "signs" and not match.positions() <= elsewhere
            named = fact in ("body_part", "pattern", "called_it") and not match.positions() & (elsewhere | places)
            if fact == "signs" and concept in elsewhere_signs:
                owners.append((match, "sign"))
            elif local_sign or named:
                owners.append((match, "complaint"))
            elif fact == "contexts" and concept in events:
                owners.append((match, "event"))
            elif fact == "contexts" and concept in activities:
                owners.append((match, "activity"))
        for kind, key in (("complaint", "complaint_classes"), ("event", "event_classes")):
            for cls in settings.get(key, ()):
                for hit in message.hits.get(cls, ()):
                    if kind == "event" or not set(range(hit.start, hit.end)) & (elsewhere | places):
                        owners.append((Match.of(Pattern(kind, cls, (cls,), True, True, None, cls), (hit,)), kind))
        return owners

    def _places_of_events(self) -> set[int]:
        """The words of body parts named as where something else happened: inside a circumstance ("on my feet all
        day", "stomach bug") or just after an event ("surgery on my knee", "cut my hand", "bitten on my leg")."""
        message, settings = self.message, self.settings
        places = {p for m in message.of("contexts") if m.pattern.id in settings.get("contexts_not_located", ())
                  for p in m.positions()}
        reach = int(settings.get("event_place_reach", 3))
        events = [hit for cls in settings.get("event_classes", ()) for hit in message.hits.get(cls, ())]
        events += [m.hits[-1] for m in message.of("contexts") if m.pattern.id in settings.get("event_places", ())]
        breaks = self.scopes.breaks
        for part in message.of("body_part"):
            if any(0 <= part.start - event.end <= reach and not any(
                message.words[p] in PUNCTUATION or p in breaks for p in range(event.end, part.start)
            ) for event in events):
                places |= part.positions()
        return places

    def _owner_of(self, amount: Amount, owners: list[tuple[Match, str]]) -> str | None:
        """The kind of what the amount is said of: a phrase around it, else for an onset the nearest owner said
        before its "since"/"started" (a complaint later in that clause wins: "since morning having breathing
        difficulty and cramps"), else the nearest owner in its sentence."""
        sentence = self.message.sentence
        for match, kind in owners:
            if sentence[match.start] == sentence[amount.start]:
                if set(range(amount.start, amount.end)) <= match.positions():
                    return kind  # the amount is inside the phrase ("on my feet all day")
                if kind == "complaint" and amount.start <= match.start and match.end <= amount.end:
                    return kind  # the phrase says the complaint itself ("keeps cramping")
        trigger = self._onset_trigger(amount)
        if trigger is not None:
            for match, kind in owners:
                if kind in ("event", "sign") and trigger in match.positions():
                    return kind  # the "since" is the event's own ("haven't touched a drop since Friday")
            if self._opens_clause(trigger) and self._complaint_in_clause_after(owners, trigger):
                return "complaint"  # "..., from 15 days cramps in calf muscles", "since morning having cramps"
            before = self._nearest_owner(owners, amount, trigger, before_only=True)
            if before is not None:
                return before
        return self._nearest_owner(owners, amount, amount.start)

    def _opens_clause(self, position: int) -> bool:
        """True when a word starts its clause (after punctuation, a clause break, or at the start)."""
        words = self.message.words
        return position == 0 or words[position - 1] in PUNCTUATION or (words[position - 1],) in self.lex.time.get(
            "clause_openers", ())

    def _nearest_owner(self, owners: list[tuple[Match, str]], amount: Amount, anchor: int,
                       before_only: bool = False) -> str | None:
        sentence = self.message.sentence
        best, best_distance = None, None
        for match, kind in owners:
            if sentence[match.start] != sentence[amount.start] or (before_only and match.end > anchor):
                continue
            distance = anchor - match.end if match.end <= anchor else match.start - amount.end
            distance += 0.5 if match.start > anchor else 0  # a tie goes to what was said before
            if best_distance is None or distance < best_distance:
                best, best_distance = kind, distance
        return best

    def _complaint_in_clause_after(self, owners: list[tuple[Match, str]], trigger: int) -> bool:
        """True when the clause a "since"/"from" opens goes on to name the muscle complaint."""
        words = self.message.words
        end = next((p for p in range(trigger, len(words)) if words[p] in PUNCTUATION), len(words))
        return any(kind == "complaint" and trigger < match.start < end for match, kind in owners)

    def _onset_trigger(self, amount: Amount) -> int | None:
        """Where the "since", "from" or "started" of an onset stands, a few words before it in its clause."""
        if amount.slot != "onset":
            return None
        words, starts = self.message.words, {phrase[0] for phrase in self.lex.time["onset_before"]}
        for position in range(amount.start - 1, max(-1, amount.start - 9), -1):
            if words[position] in PUNCTUATION:
                return None
            if words[position] in starts and any(
                tuple(words[position : position + len(phrase)]) == phrase for phrase in self.lex.time["onset_before"]
            ):
                return position
        return None

    def _since_then(self) -> list[float]:
        """ "since then", or a "since" that ends its clause, takes the day the message named just before."""
        words, found = self.message.words, []
        dated = [amount for amount in self.amounts if amount.minutes >= 60]
        for position, word in enumerate(words):
            if (word,) not in self.lex.time.get("since", ()):
                continue
            follows = words[position + 1] if position + 1 < len(words) else "."
            if follows in PUNCTUATION or (follows,) in self.lex.time.get("then", ()):
                before = [amount for amount in dated if amount.end <= position]
                if before:
                    found.append(before[-1].minutes)
        return found


def read(text: str, lex: Lexicon, now: datetime | None = None) -> Observations:
    """Read free text into Observations with one language's lexicon; never raises for any string.

    `now` resolves weekday names ("since Tuesday"); without it they are left unread."""
    reading = _Reading(text, lex, now)
    found = reading.signs()
    if reading.is_other_language():
        # Another language: only the signs its words share with this lexicon's safety net are read, and the
        # message is marked as not understood (the dialogue gives no self-care step for it).
        found = reading.settle(found, set(), None, None)
        return Observations(signs=frozenset(found.asserted), possible_signs=frozenset(found.possible),
                            scope=OTHER_LANGUAGE)
    contexts = reading.contexts()
    body_part = reading.body_part()
    scope = _scope(reading, body_part)
    if scope == "out" and body_part is None:
        body_part = (reading.settings.get("out_of_scope_parts") or [None])[0]
    experiencer, age_band = _people(reading)
    found = reading.settle(found, contexts, body_part, age_band)
    if reading.not_signs:
        contexts = reading.contexts()  # what a sign that is none here said is a circumstance again ("woke me")
    pattern = reading.pattern(body_part)
    owners = reading.time_owners()
    recurrence = reading.recurrence(pattern, owners)
    duration, onset = reading.times(pattern, recurrence, owners)
    observations = Observations(
        body_part=body_part,
        pattern=pattern,
        duration_minutes=duration,
        onset_minutes_ago=onset,
        recurrence=recurrence,
        severity=reading.severity(),
        contexts=frozenset(contexts),
        signs=frozenset(found.asserted),
        possible_signs=frozenset(found.possible),
        denied=frozenset(found.denied),
        called_it=reading.called_it(),
        scope=scope,
        age_band=age_band,
    )
    # Who it is for is said only along with something else: a bare "yes" tells nothing.
    if observations.is_empty() or experiencer is None:
        return observations
    return replace(observations, experiencer=experiencer)


def _scope(reading: _Reading, body_part: str | None) -> str | None:
    """out for a stomach, period or pregnancy-belly cramp with no limb, back or neck complaint; in for a limb."""
    said = {match.pattern.id for match, polarity in reading.live("scope") if polarity in ("asserted", "hedged")}
    out_parts = reading.settings.get("out_of_scope_parts", ())
    if "out" in said and "in" not in said and body_part in (None, *out_parts):
        return "out"
    return "in" if body_part is not None else None


# --- Who it is for ---------------------------------------------------------------------------------------------


def _people(reading: _Reading) -> tuple[str | None, str | None]:
    """Who has it (self or other) and their age band, when stated."""
    message, lex = reading.message, reading.lex
    bystanders = message.positions_of("not_the_experiencer")
    pronouns = set(reading.settings.get("pronouns", ()))
    mentions = [m for m, _ in reading.live("experiencer")]
    others = []
    for index, mention in enumerate(mentions):
        # A pronoun is whoever was named before it: "lifting my grandson into his car seat" names a bystander twice.
        named = [m for m in mentions[:index] if m.pattern.text not in pronouns]
        refers_to = named[-1] if mention.pattern.text in pronouns and named else mention
        if not (refers_to.positions() | mention.positions()) & bystanders:
            others.append(mention)
    ages = _ages(reading, bystanders)
    other_ages = [age for owner, age in ages if owner is not None]
    if others or other_ages:
        if other_ages:
            return "other", _band(other_ages[0], lex)
        kinds = {m.start: m.pattern.id for m, _ in reading.live("age_band")}
        return "other", next((kinds[m.start] for m in others if m.start in kinds), None)
    own = [age for owner, age in ages if owner is None]
    first_person = bool(message.of("first_person"))
    return ("self" if first_person else None), (_band(own[0], lex) if own else None)


def _band(age: float, lex: Lexicon) -> str | None:
    """The age band an age falls in (the lexicon's `ages.bands`: each band's lowest age)."""
    chosen = None
    for low, band in sorted((float(low), band) for band, low in (lex.ages.get("bands") or {}).items()):
        if age >= low:
            chosen = band
    return chosen


def _phrases(rules: dict, key: str) -> tuple[tuple[str, ...], ...]:
    return rules["phrases"][key]


def _ages(reading: _Reading, bystanders: set[int]) -> list[tuple[Match | None, float]]:
    """Ages stated, each with the person it belongs to (None: the writer's own; _SOMEONE: "my 7 year old")."""
    message, lex = reading.message, reading.lex
    words, rules = message.words, lex.ages
    people = [m for m in message.of("experiencer") if not m.positions() & bystanders]
    self_before, person_before = _phrases(rules, "self_before"), _phrases(rules, "person_before")
    years_after, months_after = _phrases(rules, "years_after"), _phrases(rules, "months_after")
    not_after = _phrases(rules, "not_after")
    ages: list[tuple[Match | None, float]] = []
    for position, word in enumerate(words):
        if not (NUMERAL.match(word) or word in lex.tens or word in lex.ones or lex.numbers.get(word, 0) >= 10):
            continue
        number = number_at(words, position, lex)
        if number is None or not 0 < number[0] < 120 or number[0] != int(number[0]):
            continue
        value, end = number
        if has_after(words, end, months_after):
            value = value / 12
        elif has_after(words, end, not_after) or (
            end < len(words) and words[end] in lex.unit_minutes and not has_after(words, end, years_after)
        ):
            continue
        owner = None
        for person in people:
            if 0 <= position - person.end <= 4:
                gap = tuple(w for w in words[person.end : position] if w not in PUNCTUATION)
                if not gap or gap in person_before:
                    owner = person
        if owner is not None:  # "my father aged 67": his age, though "aged 67" alone is the writer's
            ages.append((owner, value))
        elif has_before(words, position, self_before, lex):
            ages.append((None, value))
        elif has_after(words, end, years_after) or has_after(words, end, months_after):
            ages.append((_SOMEONE, value))
    return ages


# An age said as "my 7 year old": someone else, of that age.
_SOMEONE = Match.of(Pattern("experiencer", "other", ("'someone'",), True, True, None, "a year old"), (Hit(0, 0, ""),))
