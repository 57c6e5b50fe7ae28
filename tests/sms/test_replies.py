"""Every SMS template the line sends fits GSM-7 and its segment budget, in every locale."""

from __future__ import annotations

import pytest

from shared.content import load_content
from shared.dialogue import Conversation, Event, Message, Reply, next_step
from shared.facts import Observations
from shared.triage import assess
from sms.replies import render_reply, render_turn, sms_locale
from tests.shared.template_grid import ERASED_ALL
from tests.sms.helpers import assert_sms_text

CONTENT = load_content()
LOCALES = sorted(CONTENT.locales)
BODY_PARTS = sorted(part for part in CONTENT.relief if part != "unknown")
LINE_TEMPLATES = ["help", "opted_out", "opted_in", "deleted", "rate_limited", "media", "fallback", "callback_window",
                  "stop_failed", "delete_failed"]


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", LINE_TEMPLATES)
def test_replies_fixed_templates_fit_and_name_the_right_emergency_number(name: str, locale: str) -> None:
    text = render_reply(name, CONTENT, locale, rephrase=True, erasure=ERASED_ALL)
    assert_sms_text(text)
    if name not in ("opted_out", "opted_in"):
        assert CONTENT.locale(locale)["emergency_number"] in text or name == "help" and "Emergency" in text


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("part", [*BODY_PARTS, None])
def test_replies_safe_reply_fits_for_every_body_part(part: str | None, locale: str) -> None:
    assessment = assess(Observations(body_part=part), CONTENT)
    text = render_reply("unavailable", CONTENT, locale, assessment=assessment)
    assert_sms_text(text)
    assert CONTENT.language("en-US").words["relief"][assessment.relief_id] in text


@pytest.mark.parametrize("other_script", [True, False])
@pytest.mark.parametrize("question_id", [None, *[q.id for q in CONTENT.questions]])
def test_replies_unreadable_fits_with_every_pending_question(question_id: str | None, other_script: bool) -> None:
    question = CONTENT.question(question_id) if question_id else None
    text = render_reply("unreadable", CONTENT, None, question=question, other_script=other_script)
    assert_sms_text(text)


@pytest.mark.parametrize("part", BODY_PARTS)
@pytest.mark.parametrize(
    "facts",
    [
        {"pattern": "twitching", "duration_minutes": 30000.0},
        {"pattern": "locked", "contexts": frozenset({"sleep"}), "recurrence": "frequent"},
        {"pattern": "stiff", "contexts": frozenset({"new_medicine"})},
        {"pattern": "locked", "signs": frozenset({"swelling"})},
    ],
)
def test_replies_first_reply_verdict_fits_and_keeps_the_relief_when_it_can(part: str, facts: dict) -> None:
    message = Message(facts=Observations(body_part=part, **facts))
    turn = next_step(Conversation(), Event.DESCRIBE, message, content=CONTENT)
    text = render_turn(turn, CONTENT, sms_locale(CONTENT))
    assert_sms_text(text)
    if turn.reply == Reply.ASSESSMENT and turn.show_relief and turn.assessment.urgency == "self_care":
        assert text.startswith("Right now:")


@pytest.mark.parametrize("verdict_text", ["my calf locked up during my run", "my eyelid twitches", "my back hurts"])
def test_replies_tips_fit_four_segments(verdict_text: str) -> None:
    conversation = next_step(Conversation(), Event.DESCRIBE, Message(text=verdict_text), content=CONTENT).conversation
    turn = next_step(conversation, Event.TIPS, Message(), content=CONTENT)
    text = render_turn(turn, CONTENT, sms_locale(CONTENT))
    assert_sms_text(text, 612)
    assert "1) " in text


def test_replies_staff_text_names_the_request_and_urgency_only() -> None:
    text = render_reply("staff_callback", CONTENT, None, callback={"id": "cb_0123456789ab", "urgency": "self_care"})
    assert_sms_text(text)
    assert "cb_0123456789ab" in text and "self care" in text


def test_replies_locale_follows_the_clinic_country() -> None:
    assert CONTENT.locale(sms_locale(CONTENT))["country"] == CONTENT.clinic["country"]
