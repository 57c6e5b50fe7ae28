"""What the clinical review sheet shows, gathered from the content files and the templates the channels render:
every red flag (urgency, what sets it off in plain words, its reason, its source, corpus phrasings that fire it),
every rule (which way it points, its weight, the disagreement a clinician must decide), every relief step and tip,
every question, and every reply each channel can send, per locale, with its length (SMS segments, spoken seconds).

Pure: it reads the content and renders the templates; review/__main__.py writes the HTML.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from review.plain import describe, name_of
from shared.content import Content, Question
from shared.content_checks import Spot, read_yaml
from shared.dialogue import Conversation, Reply, Turn
from shared.erasure import Erasure
from shared.facts import FACT_NAMES, Observations
from shared.render import render, sms_length, sms_segments
from shared.speech import spoken_seconds
from shared.triage import Assessment, assess, screen
from shared.version import sign_off_of
from skill.texting import compose_text
from sms.replies import render_tips

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus" / "messages.jsonl"
EXAMPLES_PER_FLAG = 3
EMERGENCY_SEEN = Observations(signs=frozenset({"chest_pain"}))
# No spoken reply may run over 20 seconds (issue 15); the sheet marks any that does.
MAX_SPOKEN_SECONDS = 20
SETTLED_CALF = Observations(
    body_part="calf", pattern="locked", contexts=frozenset({"exercise"}),
    denied=frozenset({"swelling", "redness", "warmth", "chest_pain", "breathless", "dark_urine"}),
)
OUT_OF_SCOPE = Observations(scope="out", body_part="abdomen", denied=frozenset({"bleeding", "abdominal_pain"}))
TIPS_BY_VERDICT = (
    ("cramp", Observations(pattern="locked")),
    ("spasm", Observations(pattern="twitching")),
    ("unclear", Observations()),
)
# What an erasure can leave (shared/erasure.py): message ids only, or everything it may keep.
ERASED = Erasure(callbacks=1, replies=2, texts=1, linked=True, opted_out=False, claims=3, claim_days=30,
                 rate_minutes=None, backup_days=None)
ERASED_ALL = replace(ERASED, opted_out=True, rate_minutes=10, backup_days=35)
# Fixed replies of one channel: (template, situation, context).
TEXT_ONLY: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("help", "HELP", {}), ("opted_out", "STOP (when the carrier did not answer it)", {}),
    ("opted_in", "START after STOP", {}), ("deleted", "DELETE", {"erasure": ERASED}),
    ("deleted", "DELETE, linked, over the rate limit, deployed", {"erasure": ERASED_ALL}),
    ("rate_limited", "too many messages", {}),
    ("stop_failed", "STOP while neither the store nor the opt-out journal can keep it", {}),
    ("delete_failed", "DELETE while the store is unavailable", {}),
    ("media", "a picture", {}), ("fallback", "the line is down", {}),
    ("not_understood", "after the verdict, a word it does not know", {}), ("goodbye", "no to the offer", {}),
    ("unreadable", "text it cannot read, with a question open", {"other_script": False}),
    ("unreadable", "another alphabet, with a question open", {"other_script": True}),
)
VOICE_ONLY: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("welcome", "Alexa, open Cramp Check", {}), ("help", "help", {}), ("ask_symptom", "where it hurts", {}),
    ("ask_symptom", "where it hurts, asked again", {"rephrase": True}), ("fallback", "not understood", {}),
    ("fallback", "not understood twice: the question in other words follows", {"rephrase": True}),
    ("give_up", "not understood three times: ends, the number on the card", {}),
    ("error", "something went wrong", {}), ("goodbye", "stop", {}), ("contact", "the clinic's number", {}),
    ("history_notice", "the first verdict: what is kept", {}), ("recurrence", "the third this week", {"count": 3}),
    ("offer_tips", "after a verdict", {}), ("offer_callback", "after an urgent verdict or the tips", {}),
    ("offer_clinic", "a yes still open from before the callback offer", {}),
    ("offer_tips", "the tips offer, asked again", {"rephrase": True}),
    ("offer_clinic", "the clinic offer, asked again", {"rephrase": True}),
    ("offer_link", "after a text was sent", {}), ("linked", "histories joined", {"done": True}),
    ("linked", "histories not joined", {"done": False}), ("link_declined", "no to joining", {}),
    ("forgotten", "forget my history", {"done": True, "erasure": None}),
    ("forgotten", "forget my history, a number linked", {"done": True, "erasure": ERASED}),
    ("forgotten", "forget my history, a linked number opted out, deployed", {"done": True, "erasure": ERASED_ALL}),
    ("forgotten", "could not delete", {"done": False, "erasure": None}),
    ("text_sent", "text me that", {"summary": True, "relief": True}),
    ("text_sent", "text me that, without the summary", {"summary": False, "relief": True}),
    ("text_failed", "the text could not be sent", {}),
    ("text_no_number", "no mobile number on the account", {}),
    ("text_opted_out", "the number has opted out", {"line_number": "+15550100100"}),
    ("text_permission", "no permission for the number", {}),
    ("callback_permission", "a callback without permission for the number", {}),
    ("callback_no_number", "a callback, no mobile number on the account", {}),
    ("callback_failed", "the callback could not be saved", {}),
)


@dataclass(frozen=True)
class Row:
    """One reply as a channel sends it: which template, in which situation, its text and its length."""

    channel: str  # sms | alexa | card
    template: str
    situation: str
    text: str
    length: str  # "2 segments (241 units)" or "7.4 s"
    over: bool = False  # over the channel's budget


@dataclass
class Sheet:
    """Everything the review sheet shows."""

    version: str
    sign_off: dict[str, Any]
    clinic: dict[str, Any]
    locales: list[str]
    languages: list[str]
    red_flags: list[dict[str, Any]] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)
    non_distinguishing: list[dict[str, Any]] = field(default_factory=list)
    margins: dict[str, int] = field(default_factory=dict)
    relief: list[dict[str, Any]] = field(default_factory=list)
    tips: list[dict[str, Any]] = field(default_factory=list)
    medicines: dict[str, Any] = field(default_factory=dict)
    questions: list[dict[str, Any]] = field(default_factory=list)
    signs: list[dict[str, Any]] = field(default_factory=list)
    replies: dict[str, list[Row]] = field(default_factory=dict)  # by locale

    @property
    def disputed(self) -> list[dict[str, Any]]:
        """The rules a clinician is asked to decide."""
        return [rule for rule in self.rules if rule["disputed"]]


def build(content: Content, content_dir: Path, corpus: Path = CORPUS) -> Sheet:
    """The whole sheet for this content."""
    base = content.language(content.default_locale)
    labels = {sign: words["label"] for sign, words in base.words["signs"].items()}
    sheet = Sheet(
        version=content.version,
        sign_off=sign_off_of(content.clinic),
        clinic=content.clinic,
        locales=sorted(content.locales),
        languages=sorted(content.languages),
        margins={
            "verdict": content.verdict_margin, "strong": content.strong_margin, "questions": content.max_questions,
        },
    )
    examples = _corpus_examples(content, corpus)
    for flag in content.red_flags:
        sheet.red_flags.append({
            "id": flag.id, "urgency": flag.urgency, "when": describe(flag.when, labels), "signs": flag.signs,
            "reason": _by_language(content, "red_flags", flag.id), "source": flag.source,
            "examples": examples.get(flag.id, []),
        })
    for rule in content.rules:
        sheet.rules.append({
            "id": rule.id, "points_to": rule.points_to, "weight": rule.weight, "when": describe(rule.when, labels),
            "reason": _by_language(content, "reasons", rule.id), "source": rule.source, "disputed": rule.disputed,
        })
    raw_rules = read_yaml(Spot(content_dir / "rules.yaml").file)
    sheet.non_distinguishing = list(raw_rules.get("non_distinguishing") or [])
    for relief_id, item in [*content.relief.items(), *((item.id, item) for item in content.context_relief)]:
        if item.when:
            when = describe(item.when, labels)
        elif relief_id == "unknown":
            when = "no muscle named yet"
        else:
            when = f"the muscle is the {name_of('body_part', relief_id, labels)}"
        sheet.relief.append({
            "id": relief_id, "when": when, "overrides": item.when is not None, "source": item.source,
            "wording": _by_language(content, "relief", relief_id), **_lengths(content, "relief", relief_id),
        })
    for tip in content.tips:
        sheet.tips.append({
            "id": tip.id, "verdicts": tip.for_verdicts, "withheld": describe(tip.unless, labels) if tip.unless else "",
            "source": tip.source, "wording": _by_language(content, "tips", tip.id),
        })
    raw_tips = read_yaml(Spot(content_dir / "tips.yaml").file)
    sheet.medicines = {
        key: {"wording": {code: language.words[key] for code, language in content.languages.items()},
              "source": raw_tips[key]["source"]}
        for key in ("medication_caution", "clinic_offer")
    }
    for question in content.questions:
        if question.purpose == "confirm":
            continue  # listed with their signs below
        sheet.questions.append(_question(content, question, labels))
    flagged = {sign for flag in content.red_flags for sign in flag.signs}
    for sign in content.concepts["signs"]:
        sheet.signs.append({
            "id": sign, "label": labels[sign], "confirm": base.words["signs"][sign]["confirm"],
            "asked": sign in flagged, "flags": [flag.id for flag in content.red_flags if sign in flag.signs],
        })
    for locale in sheet.locales:
        sheet.replies[locale] = replies(content, locale)
    return sheet


def _by_language(content: Content, section: str, key: str) -> dict[str, str]:
    return {code: language.words[section][key] for code, language in content.languages.items()}


def _lengths(content: Content, section: str, key: str) -> dict[str, str]:
    """How long a sentence of the base language is, texted and spoken."""
    text = content.language(content.default_locale).words[section][key]
    return {"sms_units": str(sms_length(text)), "seconds": f"{spoken_seconds(text):.1f}"}


def _question(content: Content, question: Question, labels: dict[str, str]) -> dict[str, Any]:
    words = content.language(content.default_locale).words
    if question.purpose == "which":
        wording = {"voice": words["which"]["voice"], "sms": words["which"]["sms"]}
        options = [labels[sign] for sign in question.asks_about]
    else:
        wording = {"voice": words["questions"][question.id]["voice"], "sms": words["questions"][question.id]["sms"]}
        options = [words["questions"][question.id]["options"][option.id] for option in question.options]
    return {
        "id": question.id, "purpose": question.purpose.replace("_", " "), "kind": question.kind.replace("_", "/"),
        "asked_when": describe(question.ask_when, labels), "asks_about": [labels[s] for s in question.asks_about],
        "options": options, **wording,
    }


def _corpus_examples(content: Content, corpus: Path) -> dict[str, list[str]]:
    """Up to a few phrasings from the development corpus whose labels fire each red flag."""
    if not corpus.exists():
        return {}
    found: dict[str, list[str]] = {}
    for line in corpus.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        labelled = Observations.from_dict({k: v for k, v in record["gold"].items() if k in FACT_NAMES})
        flag = screen(labelled, content)
        if flag is not None and len(found.setdefault(flag.id, [])) < EXAMPLES_PER_FLAG:
            found[flag.id].append(record["text"])
    return found


# --- Every reply each channel can send -----------------------------------------------------------------------


class _Replies:
    """Collects the rows of one locale, rendering each template as its channel does."""

    def __init__(self, content: Content, locale: str) -> None:
        self.content, self.locale, self.rows = content, locale, []

    def sms(self, template: str, situation: str, limit: int = 306, **context: Any) -> None:
        """A text reply rendered from its template."""
        text = render("sms", template, self.locale, content=self.content, **context)
        self.texted(template, situation, text, limit)

    def texted(self, template: str, situation: str, text: str, limit: int = 306) -> None:
        """A text reply as the SMS line sends it, with its segments."""
        units, segments = sms_length(text), sms_segments(text)
        length = f"{segments} segment{'s' if segments > 1 else ''} ({units} units)"
        self.rows.append(Row("sms", template, situation, text, length, units > limit))

    def voice(self, template: str, situation: str, **context: Any) -> None:
        """A spoken reply, with its seconds."""
        ssml = render("alexa", template, self.locale, content=self.content, **context)
        seconds = spoken_seconds(ssml)
        self.rows.append(Row("alexa", template, situation, ssml, f"{seconds:.1f} s", seconds > MAX_SPOKEN_SECONDS))

    def card(self, template: str, situation: str, **context: Any) -> None:
        """An Alexa app card."""
        text = render("card", template, self.locale, content=self.content, **context)
        self.rows.append(Row("card", template, situation, text, f"{len(text)} characters"))

    def both(self, template: str, situation: str, **context: Any) -> None:
        """The same reply by text and by voice."""
        self.sms(template, situation, **context)
        self.voice(template, situation, **context)


def satisfying(cond: dict[str, Any]) -> Observations:
    """The fewest facts that make a condition hold: the first branch of an `any`, nothing for a `not`."""
    if "all" in cond:
        observations = Observations()
        for part in cond["all"]:
            observations = observations.merge(satisfying(part))
        return observations
    if "any" in cond:
        return satisfying(cond["any"][0])
    if "not" in cond:
        return Observations()
    fact = cond["fact"]
    op, value = next((key, value) for key, value in cond.items() if key != "fact")
    if op in ("has", "has_any"):
        return Observations.from_dict({fact: [value if op == "has" else value[0]]})
    if op == "in":
        return Observations.from_dict({fact: value[0]})
    return Observations.from_dict({fact: value})  # is, at_least


def _scenarios(content: Content) -> list[tuple[str, Assessment]]:
    """One assessment per verdict and per red flag."""
    verdicts = [
        ("a strong cramp (self-care)", Observations.from_dict(
            {"body_part": "calf", "pattern": "locked", "contexts": ["exercise"]})),
        ("a cramp, moderate (self-care)", Observations.from_dict({"body_part": "calf", "contexts": ["exercise"]})),
        ("a strong spasm (self-care)", Observations.from_dict(
            {"body_part": "lower_back", "pattern": "twitching", "contexts": ["lifting"]})),
        ("a spasm, moderate (self-care)", Observations(body_part="lower_back", pattern="stiff")),
        ("unclear: the signs are mixed", Observations.from_dict(
            {"body_part": "calf", "pattern": "locked", "contexts": ["injury"]})),
        ("unclear: not enough to tell yet", Observations(body_part="arm")),
    ]
    scenarios = [(name, assess(observations, content)) for name, observations in verdicts]
    for flag in content.red_flags:
        result = assess(satisfying(flag.when), content)
        scenarios.append((f"red flag {flag.id} ({flag.urgency})", result))
    return scenarios


def replies(content: Content, locale: str) -> list[Row]:
    """Every reply each channel can send in this locale, with its length."""
    out = _Replies(content, locale)
    empty = assess(Observations(), content)
    emergency = assess(EMERGENCY_SEEN, content)
    base = {"show_relief": False, "rephrase": False, "window": "morning", "offer": None}
    body_part = content.question("body_part")
    # Questions, as asked and asked again.
    for question in content.questions:
        out.both("question", f"asks {question.id}", **base, assessment=empty, question=question)
        out.voice("ask", f"asks {question.id} again (reprompt)", question=question, rephrase=True)
    again = {**base, "rephrase": True}
    out.sms("question", "a question asked again after a reply that answered nothing", **again, assessment=empty,
            question=body_part)
    first = {**base, "show_relief": True}
    out.both("question", "first reply: the relief step for no muscle named, then where it is", **first,
             assessment=empty, question=body_part)
    out.sms("restarted", "NEW: start again", question=body_part)
    out.voice("restarted", "start over", question=body_part)
    out.sms("ask", "a question quoted alone (command line)", question=body_part)
    # Verdicts and red flags.
    for situation, result in _scenarios(content):
        context = {**base, "assessment": result, "offer": "clinic" if result.urgency == "urgent" else "tips"}
        out.both("emergency" if result.urgency == "emergency" else "assessment", situation, **context)
        out.card("assessment", situation, **context)
    settled = assess(SETTLED_CALF, content)
    out.sms("verdict_with_relief", "the verdict in the first reply, with the relief step", **first, assessment=settled)
    unsure = assess(Observations(body_part="calf", possible_signs=frozenset({"swelling", "dark_urine"})), content)
    out.both("assessment", "a verdict while the person is unsure of warning signs", **base, assessment=unsure)
    # Out of scope: tummy, period and pregnancy belly cramps.
    for context_id in ("period", "digestive", "pregnancy"):
        result = assess(replace(OUT_OF_SCOPE, contexts=frozenset({context_id})), content)
        out.both("out_of_scope", f"not a muscle cramp: {context_id}", **first, assessment=result)
    # Tips, by verdict: as many as fit four text segments; one spoken, all on the card.
    for verdict, observations in TIPS_BY_VERDICT:
        result = assess(observations, content)
        out.texted("tips", f"tips for a {verdict}", render_tips_for(result, content, locale), limit=612)
        out.voice("tips", f"tips for a {verdict} (one spoken)", tips=list(result.tip_ids))
        out.card("tips", f"tips for a {verdict}", tips=list(result.tip_ids))
    # The callback, by text; after an emergency the emergency instruction leads.
    for situation, result in (("after a verdict", empty), ("after an emergency", emergency)):
        out.sms("callback_window", f"CALL {situation}", assessment=result, rephrase=False)
        out.sms("callback_confirmed", f"callback saved {situation}", assessment=result, window="morning")
        out.sms("contact", f"yes to the clinic's number {situation}", assessment=result)
    out.sms("callback_window", "CALL, no time understood", assessment=empty, rephrase=True)
    out.sms("staff_callback", "to the clinic's staff phone", callback={"id": "cb_0123456789ab", "urgency": "urgent"})
    for situation, result in (("after a verdict", settled), ("after an emergency", emergency), ("at once", None)):
        out.texted("handover", f"'Alexa, text me that' {situation}", compose_text(result, locale, content, True))
        # What the text carries while the skill keeps no health information (clinic.yaml alexa_health_data off).
        out.texted("handover", f"'Alexa, text me that' {situation}, without the summary",
                   compose_text(result, locale, content, False))
    # The callback, by voice: the offer, the time question, the confirmation and why it could not be made.
    for situation, result in (("after a verdict", empty), ("after an emergency", emergency)):
        out.voice("callback_window", f"'ask the clinic to call me' {situation}", assessment=result, rephrase=False)
        out.voice("callback_confirmed", f"callback saved by voice {situation}", assessment=result, window="morning")
    out.voice("callback_window", "'ask the clinic to call me', no time understood", assessment=empty, rephrase=True)
    for template, situation, context in TEXT_ONLY:
        out.sms(template, situation, **context, **({"question": body_part} if template == "unreadable" else {}))
    # A message in another language: the emergency number, and the open or first question, by text and by voice.
    out.both("other_language", "another language, with a question open", question=body_part)
    out.both("other_language", "another language, nothing to ask", question=None)
    out.sms("unavailable", "the store cannot be reached", assessment=empty)
    for template, situation, context in VOICE_ONLY:
        out.voice(template, situation, **context)
    out.card("contact", "the clinic's number")
    out.card("history_notice", "the first verdict: what is kept, and how to delete it")
    return out.rows


def render_tips_for(result: Assessment, content: Content, locale: str) -> str:
    """The tips reply as the SMS line sends it (as many tips as fit four segments)."""
    return render_tips(Turn(Conversation(), Reply.TIPS, result), content, locale)

