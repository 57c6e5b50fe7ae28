"""Render an assessment (or any reply) for a channel with Jinja2: SSML for Alexa, GSM-7 text for SMS, card text.

One environment; templates live in shared/templates/<channel>/ and may be overridden per locale in
shared/templates/<channel>/<locale>/ or shared/templates/<channel>/<language>/ (most specific first).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared.content import Content, load_content

if TYPE_CHECKING:
    from jinja2 import Environment
    from jinja2.bccache import Bucket

logger = logging.getLogger(__name__)

# Compiled templates are kept beside the bytecode, as Python keeps .pyc files: parsing and compiling the few
# templates a first request renders costs ~20 ms of a cold start, loading their code well under one.
COMPILED_CACHE_DIR = Path(__file__).parent / "__pycache__" / "templates"
# Every Environment option that changes the code a template compiles to; they name the cache files, so a
# change here can never load code compiled under other options.
ENVIRONMENT_OPTIONS = {"trim_blocks": True, "lstrip_blocks": True, "keep_trailing_newline": False}
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


@functools.cache
def _not_gsm7() -> re.Pattern[str]:
    # Compiled on first use (~0.7 ms): a voice reply never needs it.
    return re.compile("[^" + re.escape("".join(sorted(GSM7_BASIC | GSM7_EXTENDED))) + "]")


# The ASCII characters outside the GSM-7 alphabet (controls, the backtick, DEL): the only ones an ASCII text can
# lose. Every typographic replacement is non-ASCII, so an ASCII text has nothing to translate.
_ASCII_NOT_GSM7 = "".join(chr(code) for code in range(128) if chr(code) not in GSM7_BASIC | GSM7_EXTENDED)


@functools.cache
def _ascii_not_gsm7() -> re.Pattern[str]:
    # A small class: scanning a reply for it costs a third of scanning for the whole alphabet's complement.
    return re.compile("[" + re.escape(_ASCII_NOT_GSM7) + "]")


def to_gsm7(text: str) -> str:
    """Replace typographic characters with GSM-7 ones and drop anything else outside the alphabet."""
    if text.isascii() and _ascii_not_gsm7().search(text) is None:
        return text  # most replies: plain ASCII already in the alphabet
    return _not_gsm7().sub("", text.translate(_GSM7_TRANSLATION))


@functools.cache
def _gsm7_extended() -> re.Pattern[str]:
    # Compiled on first use, like _not_gsm7.
    return re.compile("[" + re.escape("".join(sorted(GSM7_EXTENDED))) + "]")


def gsm7_units(text: str) -> int:
    """Length in GSM-7 units (extension characters count twice)."""
    # One scan in C for all ten extension characters (ten str.count calls cost more, in calls, than the scans).
    return len(text) + len(_gsm7_extended().findall(text))


def is_gsm7(text: str) -> bool:
    """True when every character is in the GSM-7 alphabet."""
    return _not_gsm7().search(text) is None


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


def _compiled_cache() -> Any:
    """A Jinja bytecode cache in COMPILED_CACHE_DIR that never fails a render: it only skips work when it can."""
    import hashlib
    import pickle

    import jinja2
    from jinja2 import BytecodeCache

    # Jinja checks the template's source checksum and the Python version inside each file; the options and
    # Jinja's version go into the file names.
    options = repr((jinja2.__version__, sorted(ENVIRONMENT_OPTIONS.items()), AUTOESCAPED_EXTENSIONS))
    fingerprint = hashlib.sha256(options.encode()).hexdigest()[:16]

    class CompiledTemplateCache(BytecodeCache):
        def get_cache_key(self, name: str, filename: str | None = None) -> str:
            # By template name alone (one loader, unique names; the cache folder sits in the package), not by
            # absolute path: caches built at packaging time stay valid once unzipped elsewhere (/var/task).
            return hashlib.sha256(name.encode("utf-8")).hexdigest()[:40]

        def _path(self, bucket: Bucket) -> Path:
            return COMPILED_CACHE_DIR / f"{bucket.key}.{fingerprint}.jinja"

        def load_bytecode(self, bucket: Bucket) -> None:
            try:
                data = self._path(bucket).read_bytes()
            except OSError:
                return
            try:
                # Jinja itself empties the bucket for another Python, a changed source or unreadable code.
                bucket.bytecode_from_string(data)
            except (EOFError, ValueError, TypeError, pickle.UnpicklingError):
                bucket.reset()  # a damaged file: compile afresh

        def dump_bytecode(self, bucket: Bucket) -> None:
            # A read-only package (Lambda's /var/task) or -B simply goes without, as Python's own bytecode does.
            if sys.dont_write_bytecode:
                return
            path = self._path(bucket)
            partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                partial.write_bytes(bucket.bytecode_to_string())
                os.replace(partial, path)
            except OSError:
                with contextlib.suppress(OSError):
                    partial.unlink()

    return CompiledTemplateCache()


@functools.cache
def _environment() -> Environment:
    # Jinja2 is imported on first render, not with the module: it is most of the core's import time (~50 ms),
    # and the reader, the engine and the GSM-7 helpers do not need it.
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("shared", "templates"),
        undefined=StrictUndefined,
        autoescape=select_autoescape(
            enabled_extensions=AUTOESCAPED_EXTENSIONS, default_for_string=False, default=False
        ),
        auto_reload=False,  # templates ship with the code; no stat() of every file on every render
        bytecode_cache=_compiled_cache(),
        **ENVIRONMENT_OPTIONS,
    )
    env.filters["join_words"] = join_words
    env.filters["sentence"] = sentence
    # No template uses Jinja's default globals (range, dict, lipsum, cycler, joiner, namespace). Without them, an
    # `{% import %}` of the shared macros no longer compares the render's globals with the macro template's on
    # every render (~13 µs of each verdict render); a template that did use one fails its render tests loudly.
    env.globals.clear()
    return env


def _candidates(channel: str, name: str, locale: str | None) -> list[str]:
    filename = name + EXTENSIONS[channel]
    names = []
    if locale:
        names.append(f"{channel}/{locale}/{filename}")
        names.append(f"{channel}/{locale.split('-')[0]}/{filename}")
    names.append(f"{channel}/{filename}")
    return names


@functools.lru_cache(maxsize=512)
def _template(channel: str, name: str, locale: str | None) -> Any:
    """The most specific template for this channel, name and locale (looked up once)."""
    from jinja2 import TemplateNotFound

    env = _environment()
    for candidate in _candidates(channel, name, locale):
        try:
            return env.get_template(candidate)
        except TemplateNotFound:
            continue
    raise TemplateNotFound(name)


# Rendered replies by their full input: channel, template, locale, the Content object and every context value.
# Rendering is a pure function of these (templates ship with the code and are never reloaded; no template reads
# the clock), and the same verdicts and questions are rendered over and over. Only contexts made of ids, numbers,
# flags and content objects (an Assessment holds ids, numbers and content text) are kept: a string in the context
# may be the person's own words (a callback window), so such renders, and any unhashable context (a list of
# tips), are not cached. Bounded; the oldest entry goes first.
RENDER_CACHE_SIZE = 1024
_RENDERED: dict[tuple[Any, ...], str] = {}


def render(channel: str, name: str, locale: str | None = None, *, content: Content | None = None, **context) -> str:
    """Render template `name` for `channel` in `locale`; SMS output is GSM-7 and whitespace-collapsed."""
    if channel not in EXTENSIONS:
        raise ValueError(f"unknown channel {channel!r}")
    content = content or load_content()
    for value in context.values():
        if isinstance(value, str):
            return _render(channel, name, locale, content, context)
    key = (channel, name, locale, content, tuple(context.items()))
    try:
        cached = _RENDERED.get(key)
    except TypeError:  # an unhashable value in the context
        return _render(channel, name, locale, content, context)
    if cached is None:
        cached = _render(channel, name, locale, content, context)
        if len(_RENDERED) >= RENDER_CACHE_SIZE:
            # Another thread (a threaded local server) may be evicting the same entry or adding one meanwhile.
            with contextlib.suppress(StopIteration, KeyError, RuntimeError):
                del _RENDERED[next(iter(_RENDERED))]
        _RENDERED[key] = cached
    return cached


_SPACES_AROUND_NEWLINE = re.compile(r"[ \t]*\n[ \t]*")
_RUNS_OF_SPACES = re.compile(r"[ \t]+")


def _render(channel: str, name: str, locale: str | None, content: Content, context: dict[str, Any]) -> str:
    template = _template(channel, name, locale)
    variables = {
        "content": content, "clinic": content.clinic, "loc": content.locale(locale),
        "locale": locale or content.default_locale, **context,
    }
    # What Template.render does, without copying the variables twice into new dicts on the way: the dict above is
    # this render's own, so the context may hold it as it is (shared), and there are no globals to merge into it
    # (_environment clears them; templates get none of their own).
    try:
        text = "".join(template.root_render_func(template.new_context(variables, shared=True)))
    except Exception:
        template.environment.handle_exception()  # re-raises with the template's line, as Template.render does
    if channel == "alexa":
        # One space for every run of whitespace, newlines included (str.split() and the regex \s agree on what
        # whitespace is); splitting is several times faster than the substitutions on a reply this long.
        return " ".join(text.split())
    # Each substitution only where it can change something: a scan for a pair of characters in C is a fraction
    # of a regex pass over the reply, and most replies have no space beside a newline and no double space.
    if "\n" in text and (" \n" in text or "\n " in text or "\t\n" in text or "\n\t" in text):
        text = _SPACES_AROUND_NEWLINE.sub("\n", text)
    text = text.strip()
    if channel == "sms":
        if "\t" in text or "  " in text:
            text = _RUNS_OF_SPACES.sub(" ", text)
        text = to_gsm7(text)
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
