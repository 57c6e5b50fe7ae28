"""Every template of the content, rendered for a grid of replies: each locale, and every combination of sample
values for the variables the template uses (found by jinja2.meta, so a new template is covered the day it is
added). Used to prove the compiled templates the Lambda zips ship say, byte for byte, what the sources say."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from jinja2 import FileSystemLoader, meta

from shared import render
from shared.content import Content
from shared.erasure import Erasure
from shared.facts import Observations
from shared.triage import assess
from tests.shared.builders import FLAG_PER_URGENCY, RED_FLAGS, observations_satisfying

# What every template is given by render() itself.
GIVEN = {"content", "clinic", "loc", "locale", "words"}
ERASED = Erasure(callbacks=1, replies=1, texts=0, linked=False, opted_out=False, claims=2, claim_days=30,
                 rate_minutes=None, backup_days=None)
ERASED_ALL = Erasure(callbacks=2, replies=3, texts=2, linked=True, opted_out=True, claims=9, claim_days=30,
                     rate_minutes=10, backup_days=35)


@dataclass(frozen=True)
class Said:
    """Which ranked parts a verdict turn still says (skill/replies.py's Yielding, with a repr that stays put)."""

    gone: frozenset[int]

    def __call__(self, rank: int) -> bool:
        """Whether a part of this rank is said."""
        return rank not in self.gone


def sample_assessments(content: Content) -> list[Any]:
    """A verdict of each kind and one red flag of each urgency, with and without a body part."""
    flags = {flag.id: flag for flag in RED_FLAGS}
    found = [
        assess(Observations(), content),
        assess(Observations(pattern="locked", body_part="calf", contexts=frozenset({"exercise"})), content),
        assess(Observations(pattern="twitching", body_part="eyelid_face"), content),
    ]
    found += [assess(observations_satisfying(flags[flag].when), content) for flag in FLAG_PER_URGENCY.values()]
    return found


def samples(content: Content) -> dict[str, list[Any]]:
    """Sample values for each context variable the templates use besides what render() gives."""
    assessments = sample_assessments(content)
    return {
        "assessment": [*assessments, None],
        "question": list(content.questions),
        "tips": [result.tip_ids for result in assessments[:3]],
        "show_relief": [True, False],
        "rephrase": [True, False],
        "done": [True, False],
        "summary": [True, False],
        "relief": [True, False],
        "other_script": [True, False],
        "count": [1, 3, 12],
        "level": [0, 2, 4, 5],
        "window": ["after 6 when the kids are asleep"],
        "line_number": ["+1 555 0100 100"],
        "callback": [SimpleNamespace(id="cb-1234", urgency="self_care"), SimpleNamespace(id="cb-9", urgency="urgent")],
        # What an erasure removed and kept (shared/erasure.py): nothing kept but message ids, everything it may keep.
        "erasure": [ERASED, ERASED_ALL, None],
        # Set by card/assessment.txt.j2 and alexa/assessment.ssml.j2 themselves inside an {% if %}, which jinja2.meta
        # still reports as undeclared.
        "signs": [None],
        "flag": [None],
        # A verdict turn said in full, and with every ranked part on the card (alexa/_parts.ssml.j2).
        "spoken": [Said(frozenset()), Said(frozenset({1, 2, 3, 4}))],
        "yielded": [True, False],
        "notice_due": [True, False],
        "recurrence": ["", "That&#39;s your third this week."],
        "notice": ["Noted; see your card."],
        "offer_question": ["Want prevention tips?"],
    }


def variables(content: Content) -> dict[str, list[str]]:
    """Each renderable template (by channel/name) and the context variables it needs from the caller."""
    # The project's own settings and filters: parsing a template compiles it.
    env = render._new_environment(FileSystemLoader([str(folder) for folder in content.template_dirs]))
    found = {}
    for name in env.list_templates(extensions=["j2"]):
        folder, _, filename = name.partition("/")
        if not filename or filename.startswith("_") or "/" in filename:
            continue  # macros imported by other templates (a channel's, or every channel's at the top), and
            # per-locale overrides (reached through locales)
        source = env.loader.get_source(env, name)[0]
        found[name] = sorted(meta.find_undeclared_variables(env.parse(source)) - GIVEN)
    return found


def replies(content: Content) -> dict[str, str]:
    """Every template x locale x combination of sample values, rendered through render(); an error is kept as
    its type and message, so the two sides must also fail alike."""
    values = samples(content)
    out = {}
    for name, needed in variables(content).items():
        unknown = [variable for variable in needed if variable not in values]
        assert not unknown, f"{name} uses {unknown}: give them sample values in tests/shared/template_grid.py"
        channel, _, filename = name.partition("/")
        template = filename.removesuffix(render.EXTENSIONS[channel])
        for locale in sorted(content.locales):
            for combination in itertools.product(*(values[variable] for variable in needed)):
                context = dict(zip(needed, combination, strict=True))
                key = f"{name} {locale} {context!r}"
                try:
                    out[key] = render.render(channel, template, locale, content=content, **context)
                except Exception as error:
                    out[key] = f"{type(error).__name__}: {error}"
    return out
