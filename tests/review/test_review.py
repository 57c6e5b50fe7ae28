"""The clinical review sheet (`make review`): a clinician can review the whole product from it without reading
Python, so everything the product can say or decide must be on it, and the committed sheet must be current."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest

from review.__main__ import SHEET_PATH
from review.__main__ import html as sheet_html
from review.sheet import build
from shared.content import CONTENT_DIR, TEMPLATE_DIR, load_content
from shared.render import render, sms_segments
from shared.speech import spoken_seconds

CONTENT = load_content()
REPO = Path(__file__).resolve().parents[2]
PAGE = sheet_html()
TEXT = html.unescape(PAGE)
SHEET = build(CONTENT, CONTENT_DIR)
CHANNELS = ("sms", "alexa", "card")


def templates(channel: str) -> list[str]:
    """Every reply template of a channel (the _parts files hold pieces, not replies)."""
    return sorted(path.name.split(".")[0] for path in (TEMPLATE_DIR / channel).glob("*.j2")
                  if not path.name.startswith("_"))


def test_review_sheet_names_the_content_version_and_asks_for_a_sign_off() -> None:
    assert CONTENT.version in PAGE
    assert "Not signed off yet" in PAGE and "Signature:" in PAGE


@pytest.mark.parametrize("flag", CONTENT.red_flags, ids=[flag.id for flag in CONTENT.red_flags])
def test_review_sheet_shows_every_red_flag_with_its_urgency_reason_source_and_examples(flag) -> None:
    row = next(item for item in SHEET.red_flags if item["id"] == flag.id)
    assert row["urgency"] == flag.urgency and row["source"] == flag.source
    section = TEXT.split(f"<code>{flag.id}</code>", 1)[1].split("</tr>", 1)[0]
    assert flag.urgency in section and html.unescape(flag.source) in section
    assert CONTENT.language("en").words["red_flags"][flag.id] in section
    assert row["when"] in section
    for example in row["examples"]:
        assert example in section


def test_review_sheet_red_flags_have_corpus_phrasings_that_set_them_off() -> None:
    # Every flag the development corpus covers shows how people say it (the two age flags included).
    without = [row["id"] for row in SHEET.red_flags if not row["examples"]]
    assert len(without) <= 3, without


def test_review_sheet_shows_every_rule_and_marks_the_disputed_ones() -> None:
    for rule in CONTENT.rules:
        assert f"<code>{rule.id}</code>" in PAGE
        if rule.disputed:
            row = TEXT.split(f"<code>{rule.id}</code>", 1)[1].split("</tr>", 1)[0]
            assert "DISPUTED, for the clinician to decide:" in row and rule.disputed in row
    assert {rule["id"] for rule in SHEET.disputed} >= {"onset_spontaneous_at_rest", "cause_underlying_condition"}


def test_review_sheet_shows_every_relief_step_tip_question_and_sign() -> None:
    words = CONTENT.language("en").words
    for relief_id, wording in words["relief"].items():
        assert f"<code>{relief_id}</code>" in PAGE and wording in TEXT
    for tip in CONTENT.tips:
        assert f"<code>{tip.id}</code>" in PAGE and words["tips"][tip.id] in TEXT
    assert words["medication_caution"] in TEXT
    for question in CONTENT.questions:
        if question.purpose != "confirm":
            assert f"<code>{question.id}</code>" in PAGE
    for sign, wording in words["signs"].items():
        assert f"<code>{sign}</code>" in PAGE and wording["confirm"] in TEXT


@pytest.mark.parametrize("locale", sorted(CONTENT.locales))
@pytest.mark.parametrize("channel", CHANNELS)
def test_review_sheet_shows_every_reply_template_of_every_channel_in_every_locale(channel: str, locale: str) -> None:
    shown = {row.template for row in SHEET.replies[locale] if row.channel == channel}
    assert set(templates(channel)) <= shown, set(templates(channel)) - shown


@pytest.mark.parametrize("locale", sorted(CONTENT.locales))
def test_review_sheet_every_red_flag_reply_is_shown_in_every_locale(locale: str) -> None:
    situations = {row.situation for row in SHEET.replies[locale]}
    for flag in CONTENT.red_flags:
        assert f"red flag {flag.id} ({flag.urgency})" in situations
    number = CONTENT.locale(locale)["emergency_number"]
    emergencies = [row for row in SHEET.replies[locale] if row.template == "emergency" and row.channel == "sms"]
    assert emergencies and all(row.text.startswith(f"Call {number} now.") for row in emergencies)


def test_review_sheet_lengths_are_the_channels_own_measures() -> None:
    # SMS segments by shared.render's counter, spoken seconds by shared.speech: the numbers the tests budget with.
    rows = SHEET.replies["en-US"]
    texted = next(row for row in rows if row.channel == "sms" and row.template == "help")
    assert texted.length.startswith(f"{sms_segments(texted.text)} segment")
    spoken = next(row for row in rows if row.channel == "alexa" and row.template == "welcome")
    assert spoken.length == f"{spoken_seconds(spoken.text):.1f} s"
    assert spoken.text == render("alexa", "welcome", "en-US", content=CONTENT)
    for locale in SHEET.locales:  # every text within its segments, in every locale
        assert not [row for row in SHEET.replies[locale] if row.channel == "sms" and row.over], locale


def test_review_sheet_reply_text_is_escaped_in_the_page() -> None:
    # Voice replies are shown without markup, and nothing of a reply can break the page.
    assert "<speak>" not in PAGE and "<p>Right now" not in PAGE
    assert not re.search(r"<(?!/?(?:html|head|meta|title|style|body|h[123]|p|ul|li|table|tr|th|td|code|strong|em|"
                         r"span|a|br|col|colgroup)\b)[a-z]", PAGE)


def test_review_sheet_committed_is_the_one_the_content_gives() -> None:
    # `make review` writes it; CI regenerates it. A content change must come with its new sheet.
    assert SHEET_PATH.read_text(encoding="utf-8") == PAGE, "run `make review` and commit docs/clinical-review.html"


def test_review_command_writes_the_sheet_and_says_where_the_sign_off_stands(tmp_path: Path) -> None:
    out = tmp_path / "sheet.html"
    done = subprocess.run([sys.executable, "-m", "review", "--out", str(out)], cwd=REPO, capture_output=True,
                          text=True, check=True)
    assert out.read_text(encoding="utf-8") == PAGE
    assert CONTENT.version in done.stdout and "no clinician has signed off" in done.stderr
    stale = subprocess.run([sys.executable, "-m", "review", "--check", "--out", str(tmp_path / "missing.html")],
                           cwd=REPO, capture_output=True, text=True)
    assert stale.returncode == 1 and "out of date" in stale.stderr
