"""How long Alexa takes to say an SSML reply: the measure behind every spoken-length budget.

Alexa's design guidance asks for replies said in one breath, the most important thing first; issue 15 turns that
into budgets in seconds at a normal speaking rate of 150 words a minute, plus the pauses the SSML asks for.
"""

from __future__ import annotations

import html
import re

WORDS_PER_MINUTE = 150
# A verdict turn, with everything appended (issue 15's budgets).
VERDICT_SECONDS = 15.0
# Alexa pauses between paragraphs and sentences it is given as <p> and <s>: about a strong break each.
PARAGRAPH_PAUSE_SECONDS = 0.5
_BREAK = re.compile(r"<break\b([^>]*)/?>", re.IGNORECASE)
_BREAK_TIME = re.compile(r"""time\s*=\s*["']\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*["']""", re.IGNORECASE)
# Alexa's named break strengths, in seconds (x-weak none ... x-strong the longest); a bare <break/> is "medium".
_BREAK_STRENGTHS = {"none": 0.0, "x-weak": 0.0, "weak": 0.25, "medium": 0.5, "strong": 0.75, "x-strong": 1.0}
_STRENGTH = re.compile(r"""strength\s*=\s*["']([a-z-]+)["']""", re.IGNORECASE)
_PARAGRAPH_END = re.compile(r"</(?:p|s)>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
# A word is a run of letters or digits; "9 1 1" and "5 5 5, 0 1 0 0" are said digit by digit, one word each.
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")


def spoken_words(ssml: str) -> int:
    """The number of words Alexa says for this SSML (tags are not said)."""
    # Autoescaped templates write "don't" as "don&#39;t": one word said, not three.
    return len(_WORD.findall(html.unescape(_TAG.sub(" ", ssml))))


def _break_seconds(attributes: str) -> float:
    timed = _BREAK_TIME.search(attributes)
    if timed:
        amount, unit = float(timed.group(1)), timed.group(2).lower()
        return amount / 1000 if unit == "ms" else amount
    strength = _STRENGTH.search(attributes)
    return _BREAK_STRENGTHS.get(strength.group(1).lower(), 0.5) if strength else _BREAK_STRENGTHS["medium"]


def spoken_seconds(ssml: str) -> float:
    """Seconds Alexa takes to say this SSML: its words at 150 a minute, its breaks, and a pause per paragraph."""
    pauses = sum(_break_seconds(match.group(1)) for match in _BREAK.finditer(ssml))
    pauses += PARAGRAPH_PAUSE_SECONDS * len(_PARAGRAPH_END.findall(ssml))
    return round(spoken_words(ssml) * 60 / WORDS_PER_MINUTE + pauses, 1)
