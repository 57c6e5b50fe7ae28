"""Render the SMS line's replies: within two segments (tips four), never empty."""

from __future__ import annotations

from typing import Any

from shared.content import Content
from shared.dialogue import Reply, Turn
from shared.render import SMS_LIMIT, SMS_TIPS_LIMIT, fit_sms, render, sms_length


def sms_locale(content: Content) -> str:
    """The locale of the clinic's country (it decides the emergency number), else the default."""
    country = content.clinic.get("country")
    for code, block in content.locales.items():
        if block.get("country") == country:
            return code
    return content.default_locale


def render_reply(name: str, content: Content, locale: str, **context: Any) -> str:
    """Render one SMS template within the two-segment budget."""
    text = fit_sms(render("sms", name, locale, content=content, **context))
    if not text:
        raise ValueError(f"sms template {name!r} rendered an empty reply")
    return text


def render_tips(turn: Turn, content: Content, locale: str) -> str:
    """The tips reply with as many of the assessment's tips as fit in four segments."""
    tips = turn.assessment.tip_ids
    context = turn.context()
    for count in range(len(tips), -1, -1):
        text = render("sms", Reply.TIPS.value, locale, content=content, tips=tips[:count], **context)
        if sms_length(text) <= SMS_TIPS_LIMIT:
            return text
    return fit_sms(text, SMS_TIPS_LIMIT)


def render_turn(turn: Turn, content: Content, locale: str) -> str:
    """Render a dialogue turn, adding the relief step when the verdict comes in the first reply."""
    if turn.reply == Reply.TIPS:
        return render_tips(turn, content, locale)
    if turn.reply == Reply.ASSESSMENT and turn.show_relief:
        with_relief = render("sms", "verdict_with_relief", locale, content=content, **turn.context())
        if sms_length(with_relief) <= SMS_LIMIT:
            return with_relief
    return render_reply(turn.reply.value, content, locale, **turn.context())
