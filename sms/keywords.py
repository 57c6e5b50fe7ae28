"""The keyword table: carrier-required words (STOP, START, HELP) and the line's own (NEW, TIPS, CALL, DELETE).

A keyword counts only when it is the whole message, as carriers and Twilio match them: "stop please" or
"it will not stop" is ordinary text. Case, spaces and a trailing "." or "!" do not matter.

Twilio answers the opt-out, opt-in and help keywords itself (default handling on long codes, or the clinic's
Advanced Opt-Out messages, platform b-2 [T18][T19]), so the line never sends a second reply to them. With
Advanced Opt-Out, Twilio says which kind of keyword a message was in `OptOutType` (STOP, START or HELP), custom
and translated keywords included: that decides, whatever the word.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Keyword(StrEnum):
    """What a keyword asks for."""

    HELP = "help"
    STOP = "stop"
    START = "start"
    NEW = "new"
    TIPS = "tips"
    CALL = "call"
    DELETE = "delete"


# Opt-out, opt-in and help words handled by default on long codes (facts: platform b-2, [T18][T19]).
OPT_OUT_WORDS = ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT")
OPT_IN_WORDS = ("START", "UNSTOP", "YES")
HELP_WORDS = ("HELP", "INFO")

KEYWORDS: dict[str, Keyword] = {
    **{word: Keyword.STOP for word in OPT_OUT_WORDS},
    **{word: Keyword.START for word in OPT_IN_WORDS},
    **{word: Keyword.HELP for word in HELP_WORDS},
    "NEW": Keyword.NEW,
    "RESTART": Keyword.NEW,
    "TIPS": Keyword.TIPS,
    "TIP": Keyword.TIPS,
    "CALL": Keyword.CALL,
    "CALLBACK": Keyword.CALL,
    "DELETE": Keyword.DELETE,
}
# Twilio's own handling matches the trimmed body exactly (any case); it has then already answered.
TWILIO_HANDLED = frozenset(OPT_OUT_WORDS + OPT_IN_WORDS + HELP_WORDS)
# Advanced Opt-Out's OptOutType values and what they ask for.
OPT_OUT_TYPES = {"STOP": Keyword.STOP, "START": Keyword.START, "HELP": Keyword.HELP}


@dataclass(frozen=True)
class KeywordMatch:
    """A recognised keyword, the word as written (upper-case) and whether Twilio already answered it."""

    keyword: Keyword
    word: str
    handled_by_twilio: bool


def match_keyword(body: str, opt_out_type: str | None = None) -> KeywordMatch | None:
    """Return the keyword a whole message consists of (or that Twilio's OptOutType names), or None for ordinary
    text."""
    # str.split() drops exactly the characters the regex \s matches (checked over every code point), in C.
    word = "".join(body.split()).upper().rstrip(".!")
    named = OPT_OUT_TYPES.get((opt_out_type or "").strip().upper())
    if named is not None:
        # Twilio matched one of the clinic's keywords (perhaps a custom or translated one) and has answered it.
        return KeywordMatch(named, word or named.value.upper(), handled_by_twilio=True)
    keyword = KEYWORDS.get(word)
    if keyword is None:
        return None
    exact = body.strip().upper() == word
    return KeywordMatch(keyword, word, handled_by_twilio=exact and word in TWILIO_HANDLED)
