"""Render a reply for a channel with Jinja2: SSML for Alexa, text for SMS, card text.

Templates live in shared/templates/<channel>/ (a content folder's templates/ take the place of those of the same
path) and may be overridden per locale in <channel>/<locale>/ or per language in <channel>/<language>/, most
specific first. Each template gets the content, the clinic, the locale block (`loc`) and the language's words
(`words`, from languages/<code>/wording.yaml) and looks every content wording up in `words` by its key.

The Lambda zips also carry the templates compiled to Python modules (shared/compiled_templates/, written by
deploy/prebuild.py with `compile_templates`, then given bytecode like every module): a cold start loads them with
jinja2's ModuleLoader instead of compiling each template it renders. They are used only while the SHA-256 of the
template sources equals the one they were compiled from; otherwise (a template edited since, a content folder's
own templates, any local run) the templates are compiled from their sources, as always.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared.content import Content, language_of

if TYPE_CHECKING:
    from jinja2 import BaseLoader, Environment

logger = logging.getLogger(__name__)

AUTOESCAPED_EXTENSIONS = ("ssml.j2",)
EXTENSIONS = {"alexa": ".ssml.j2", "sms": ".txt.j2", "card": ".txt.j2"}
# Only the Lambda zips hold this folder (deploy/prebuild.py): never the source tree.
COMPILED_TEMPLATES = Path(__file__).parent / "compiled_templates"
SOURCES_DIGEST = "sources.sha256"
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
GSM7_ALPHABET = GSM7_BASIC | GSM7_EXTENDED
# Typographic characters with a GSM-7 look-alike: folded, so one curly quote does not make a reply UCS-2.
GSM7_REPLACEMENTS = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
    "\u2026": "...", "\u00a0": " ", "\u2022": "-", "\u00b7": "-",
})


def is_gsm7(text: str) -> bool:
    """True when every character is in the GSM-7 alphabet."""
    return GSM7_ALPHABET.issuperset(text)


def sms_length(text: str) -> int:
    """Length as sent: GSM-7 units (extension characters count twice), or UTF-16 units for a UCS-2 text."""
    if is_gsm7(text):
        return len(text) + sum(text.count(ch) for ch in GSM7_EXTENDED)
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


def _new_environment(loader: BaseLoader) -> Environment:
    # Jinja2 is imported on first render, not with the module: the reader and the engine do not need it.
    from jinja2 import Environment, StrictUndefined, select_autoescape

    env = Environment(
        loader=loader,
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


def _template_files(template_dirs: tuple[Path, ...]) -> dict[str, str]:
    """Every template file of the folders by the name the loader finds it under, a name in an earlier folder hiding
    the same name in a later one."""
    files: dict[str, str] = {}
    for folder in template_dirs:
        for directory, _, filenames in os.walk(folder):
            prefix = Path(directory).relative_to(folder).as_posix()
            for filename in filenames:
                name = filename if prefix == "." else f"{prefix}/{filename}"
                files.setdefault(name, os.path.join(directory, filename))
    return files


def templates_digest(template_dirs: tuple[Path, ...]) -> str:
    """SHA-256 over the name and text of every file in the template folders, a name in an earlier folder hiding
    the same name in a later one (as the loader finds them)."""
    digest = hashlib.sha256()
    for name, path in sorted(_template_files(template_dirs).items()):
        with open(path, "rb") as file:
            source = file.read()
        digest.update(f"{name}\0{len(source)}\0".encode() + source)
    return digest.hexdigest()


def compile_templates(template_dirs: tuple[Path, ...], target: Path) -> int:
    """Compile every template of the folders into Python modules in `target`, for jinja2's ModuleLoader, with
    the SHA-256 of their sources beside them (packaging); return how many. A syntax error stops it."""
    from jinja2 import FileSystemLoader

    env = _new_environment(FileSystemLoader([str(folder) for folder in template_dirs]))
    env.compile_templates(str(target), extensions=["j2"], zip=None, ignore_errors=False)
    (target / SOURCES_DIGEST).write_text(templates_digest(template_dirs) + "\n", encoding="ascii")
    return len(env.list_templates(extensions=["j2"]))


def _loader(template_dirs: tuple[Path, ...]) -> BaseLoader:
    """The compiled templates when they were compiled from exactly these sources, else the sources."""
    from jinja2 import FileSystemLoader, ModuleLoader

    stamp = COMPILED_TEMPLATES / SOURCES_DIGEST
    if stamp.is_file():
        if stamp.read_text(encoding="ascii").strip() == templates_digest(template_dirs):
            return ModuleLoader(COMPILED_TEMPLATES)
        logger.warning("compiled templates differ from the template sources: compiling the sources instead")
    return FileSystemLoader([str(folder) for folder in template_dirs])


@functools.cache
def _environment(template_dirs: tuple[Path, ...]) -> Environment:
    return _new_environment(_loader(template_dirs))


@functools.cache
def _template_names(template_dirs: tuple[Path, ...]) -> frozenset[str]:
    """The name of every template the folders hold, listed once per process like the environment is built."""
    return frozenset(_template_files(template_dirs))


def environment(content: Content) -> Environment:
    """The one Jinja environment over this content's template folders (or their compiled modules, where the
    Lambda zip ships them)."""
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
    candidates = _candidates(channel, name, locale)
    # Only the candidates the folders hold: Jinja keeps the templates it found, but would search the folders again
    # for the missing locale and language overrides on every render. None held: Jinja's error names them all.
    held = [candidate for candidate in candidates if candidate in _template_names(content.template_dirs)]
    template = environment(content).select_template(held or candidates)
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
