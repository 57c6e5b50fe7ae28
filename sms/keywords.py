"""The keyword table: carrier-required words (STOP, START, HELP) and the line's own (NEW, TIPS, CALL, DELETE).

A keyword counts only when it is the whole message, as carriers and Twilio match them: "stop please" or
"it will not stop" is ordinary text. Case, spaces and a trailing "." or "!" do not matter.
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
# Twilio's own opt-out handling matches the trimmed body exactly; it has then already answered.
TWILIO_HANDLED = frozenset(OPT_OUT_WORDS)


@dataclass(frozen=True)
class KeywordMatch:
    """A recognised keyword, the word as written (upper-case) and whether Twilio already answered it."""

    keyword: Keyword
    word: str
    handled_by_twilio: bool


def match_keyword(body: str) -> KeywordMatch | None:
    """Return the keyword a whole message consists of, or None for ordinary text."""
    # str.split() drops exactly the characters the regex \s matches (checked over every code point), in C.
    word = "".join(body.split()).upper().rstrip(".!")
    keyword = KEYWORDS.get(word)
    if keyword is None:
        return None
    exact = body.strip().upper() == word
    return KeywordMatch(keyword, word, handled_by_twilio=exact and word in TWILIO_HANDLED)
