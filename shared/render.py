"""Render an assessment (or any reply) for a channel with Jinja2: SSML for Alexa, GSM-7 text for SMS, card text.

One environment; templates live in shared/templates/<channel>/ and may be overridden per locale in
shared/templates/<channel>/<locale>/ or shared/templates/<channel>/<language>/ (most specific first).
"""

from __future__ import annotations

import functools
import logging
import re
from typing import TYPE_CHECKING, Any

from shared.content import Content

if TYPE_CHECKING:
    from jinja2 import Environment

logger = logging.getLogger(__name__)

AUTOESCAPED_EXTENSIONS = ("ssml.j2",)
EXTENSIONS = {"alexa": ".ssml.j2", "sms": ".txt.j2", "card": ".txt.j2"}
# Twilio: 2 GSM-7 segments of 153 characters; the tips list may use 4 (facts: platform b-2, [T14][T15]).
SMS_LIMIT = 306
SMS_TIPS_LIMIT = 612

# GSM 03.38 basic set plus the extension table (which costs two units each).
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")
# One of these anywhere switches the whole SMS to UCS-2 (70 characters a segment), tripling the cost.
GSM7_REPLACEMENTS = {
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
    "\u2026": "...", "\u00a0": " ", "\u2022": "-", "\u00b7": "-",
}


_GSM7_TRANSLATION = str.maketrans(GSM7_REPLACEMENTS)
_NOT_GSM7 = re.compile("[^" + re.escape("".join(sorted(GSM7_BASIC | GSM7_EXTENDED))) + "]")


def to_gsm7(text: str) -> str:
    """Replace typographic characters with GSM-7 ones and drop anything else outside the alphabet."""
    return _NOT_GSM7.sub("", text.translate(_GSM7_TRANSLATION))


def gsm7_units(text: str) -> int:
    """Length in GSM-7 units (extension characters count twice)."""
    return len(text) + sum(text.count(ch) for ch in GSM7_EXTENDED)


def is_gsm7(text: str) -> bool:
    """True when every character is in the GSM-7 alphabet."""
    return _NOT_GSM7.search(text) is None


def join_words(items: list[str] | tuple[str, ...], last: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def sentence(text: str) -> str:
    """Capitalise the first letter and end with a full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


@functools.cache
def _environment() -> Environment:
    # Jinja2 is imported on first render, not with the module: the reader and the engine do not need it.
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("shared", "templates"),
        undefined=StrictUndefined,
        autoescape=select_autoescape(
            enabled_extensions=AUTOESCAPED_EXTENSIONS, default_for_string=False, default=False
        ),
        auto_reload=False,  # templates ship with the code; no stat() of every file on every render
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["join_words"] = join_words
    env.filters["sentence"] = sentence
    return env


def _candidates(channel: str, name: str, locale: str | None) -> list[str]:
    """Template names from the most specific (the locale's folder) to the channel's default."""
    filename = name + EXTENSIONS[channel]
    names = []
    if locale:
        names.append(f"{channel}/{locale}/{filename}")
        names.append(f"{channel}/{locale.split('-')[0]}/{filename}")
    names.append(f"{channel}/{filename}")
    return names


def render(channel: str, name: str, locale: str | None, *, content: Content, **context: Any) -> str:
    """Render template `name` for `channel` in `locale`; SMS output is GSM-7 and whitespace-collapsed."""
    if channel not in EXTENSIONS:
        raise ValueError(f"unknown channel {channel!r}")
    template = _environment().select_template(_candidates(channel, name, locale))
    text = template.render(
        content=content, clinic=content.clinic, loc=content.locale(locale),
        locale=locale or content.default_locale, **context,
    )
    if channel == "alexa":
        return " ".join(text.split())
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text).strip()
    if channel == "sms":
        text = to_gsm7(re.sub(r"[ \t]+", " ", text))
    return text


def fit_sms(text: str, limit: int = SMS_LIMIT) -> str:
    """Keep an SMS within its segment budget; templates are tested to fit, so this is only a backstop."""
    if gsm7_units(text) <= limit:
        return text
    logger.warning("sms reply over budget", extra={"units": gsm7_units(text), "limit": limit})
    # Cut by GSM-7 units, not characters: extension characters ({, [, euro) cost two each.
    cut, units = [], 0
    for ch in text:
        units += gsm7_units(ch)
        if units > limit - 3:
            break
        cut.append(ch)
    kept = "".join(cut)
    if " " in kept:
        kept = kept[: kept.rfind(" ")]
    return kept.rstrip(" ,;") + "..."
