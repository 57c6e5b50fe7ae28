"""Render a reply for a channel with Jinja2: SSML for Alexa, text for SMS, card text.

Templates live in shared/templates/<channel>/ (a content folder's templates/ take the place of those of the same
path) and may be overridden per locale in <channel>/<locale>/ or per language in <channel>/<language>/, most
specific first. Each template gets the content, the clinic, the locale block (`loc`) and the language's words
(`words`, from languages/<code>/wording.yaml) and looks every content wording up in `words` by its key.
"""

from __future__ import annotations

import functools
import logging
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared.content import Content, language_of

if TYPE_CHECKING:
    from jinja2 import Environment

logger = logging.getLogger(__name__)

AUTOESCAPED_EXTENSIONS = ("ssml.j2",)
EXTENSIONS = {"alexa": ".ssml.j2", "sms": ".txt.j2", "card": ".txt.j2"}
# How long an SMS reply may be: two GSM-7 segments of 153 characters; the tips list four (facts: platform b-2,
# [T14][T15]). A reply with a character outside GSM-7 goes as UCS-2, whose segments hold 67 characters: the same
# length then costs more segments, which is paid rather than cutting the reply (its last line is often the
# emergency number).
SMS_LIMIT = 306
SMS_TIPS_LIMIT = 612

# GSM 03.38 basic set plus the extension table (which costs two units each).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")
# Typographic characters with a GSM-7 look-alike: folded, so one curly quote does not make a reply UCS-2.
GSM7_REPLACEMENTS = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
    "\u2026": "...", "\u00a0": " ", "\u2022": "-", "\u00b7": "-",
})


def is_gsm7(text: str) -> bool:
    """True when every character is in the GSM-7 alphabet."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def sms_length(text: str) -> int:
    """Length as sent: GSM-7 units (extension characters count twice), or UTF-16 units for a UCS-2 text."""
    if is_gsm7(text):
        return len(text) + sum(ch in GSM7_EXTENDED for ch in text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def sms_segments(text: str) -> int:
    """How many segments the text is billed as: GSM-7 holds 160 units in one, 153 in each of several; UCS-2 70
    and 67."""
    single, split = (160, 153) if is_gsm7(text) else (70, 67)
    length = sms_length(text)
    return 1 if length <= single else math.ceil(length / split)


def fit_sms(text: str, limit: int = SMS_LIMIT) -> str:
    """Keep an SMS within its length; templates are tested to fit, so this is only a backstop."""
    if sms_length(text) <= limit:
        return text
    logger.warning("sms reply over budget", extra={"length": sms_length(text), "limit": limit})
    # The longest start of the text that fits with "..." after it (a longer start is never shorter to send).
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if sms_length(text[:middle] + "...") <= limit:
            low = middle
        else:
            high = middle - 1
    kept = text[:low]
    if " " in kept:
        kept = kept[: kept.rfind(" ")]
    return kept.rstrip(" ,;") + "..."


def join_words(items: list[str] | tuple[str, ...], last: str) -> str:
    """'a', 'a and b', 'a, b and c' (with the language's word for "and" as `last`)."""
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


def lookup(keys: list[str] | tuple[str, ...], table: dict[str, str]) -> list[str]:
    """The wording of each key: `assessment.reason_ids | lookup(words.reasons)`."""
    return [table[key] for key in keys]


@functools.cache
def _environment(template_dirs: tuple[Path, ...]) -> Environment:
    # Jinja2 is imported on first render, not with the module: the reader and the engine do not need it.
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader([str(folder) for folder in template_dirs]),
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
    env.filters["lookup"] = lookup
    return env


def environment(content: Content) -> Environment:
    """The one Jinja environment over this content's template folders."""
    return _environment(content.template_dirs)


def _candidates(channel: str, name: str, locale: str) -> list[str]:
    """Template names from the most specific (the locale's folder) to the channel's default."""
    filename = name + EXTENSIONS[channel]
    return [f"{channel}/{locale}/{filename}", f"{channel}/{language_of(locale)}/{filename}", f"{channel}/{filename}"]


def render(channel: str, name: str, locale: str | None, *, content: Content, **context: Any) -> str:
    """Render template `name` for `channel` in `locale`; SMS text is tidied and typographic quotes folded."""
    if channel not in EXTENSIONS:
        raise ValueError(f"unknown channel {channel!r}")
    locale = locale if locale in content.locales else content.default_locale
    template = environment(content).select_template(_candidates(channel, name, locale))
    text = template.render(
        content=content, clinic=content.clinic, loc=content.locale(locale), locale=locale,
        words=content.language(locale).words, **context,
    )
    if channel == "alexa":
        return " ".join(text.split())
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text).strip()
    if channel == "sms":
        text = re.sub(r"[ \t]+", " ", text).translate(GSM7_REPLACEMENTS)
    return text
