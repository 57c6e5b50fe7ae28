"""A second language is data: a locale block, wording and lexicon lines and a couple of templates, no Python.

The language here ("xx", spoken in the made-up locale xx-XX) is a few lines long; everything it leaves out is
the base language's (English), as the content's layout promises.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from shared.content import CONTENT_DIR, Content, ContentError, load_content
from shared.dialogue import Conversation, Event, Message, Reply, next_step
from shared.render import is_gsm7, render, sms_segments

LOCALE_BLOCK = (
    '  xx-XX: {emergency_number: "119", emergency_spoken: "one one nine", clinician: doktoro, '
    'urgent_care: "la klinika hodiaŭ", country: XX}\n'
)
WORDING = """\
list_and: kaj
reasons:
  pattern_locked: la muskolo estas unu malmola nodo
  onset_during_exertion: ĝi venis dum sporto
relief:
  calf: Etendu la kruron kaj tiru la piedfingrojn al vi.
questions:
  leg_swelling:
    sms: Ĉu la kruro estas ŝvela, ruĝa aŭ varma? Respondu JES aŭ NE.
"""
LEXICON = """\
body_part:
  calf: [kálfo, suro]
pattern:
  locked: [blokita, malmola nodo]
contexts:
  exercise: [dum kurado, sporto]
negation: [ne, sen]
answers:
  "yes": [jes]
  yes_first_only: []
  "no": [ne]
  unsure: [ne scias]
"""
QUESTION_TEMPLATE = """\
{% if show_relief %}Nun: {{ words.relief[assessment.relief_id] }}
{% endif %}
{{ words.questions[question.id].sms }}
"""
ASSESSMENT_TEMPLATE = """\
{% if assessment.verdict == "cramp" %}Verŝajne kramfo{% else %}Malfacile diri{% endif %}: \
{{ assessment.reason_ids[:2]|lookup(words.reasons)|join_words(words.list_and) }}. Ne diagnozo.
"""


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Content:
    """The packaged content with the language xx added by data files only."""
    folder = tmp_path_factory.mktemp("xx") / "content"
    shutil.copytree(CONTENT_DIR, folder)
    locales = folder / "locales.yaml"
    locales.write_text(locales.read_text(encoding="utf-8") + LOCALE_BLOCK, encoding="utf-8")
    language = folder / "languages" / "xx"
    language.mkdir()
    (language / "wording.yaml").write_text(WORDING, encoding="utf-8")
    (language / "lexicon.yaml").write_text(LEXICON, encoding="utf-8")
    templates = folder / "templates" / "sms" / "xx"
    templates.mkdir(parents=True)
    (templates / "question.txt.j2").write_text(QUESTION_TEMPLATE, encoding="utf-8")
    (templates / "assessment.txt.j2").write_text(ASSESSMENT_TEMPLATE, encoding="utf-8")
    return load_content(folder)


def text_in(content: Content, conversation: Conversation, text: str, locale: str) -> tuple[Conversation, str, Reply]:
    turn = next_step(conversation, Event.DESCRIBE, Message(text=text), content=content, locale=locale)
    reply = render("sms", turn.reply.value, locale, content=content, **turn.context(), tips=turn.assessment.tip_ids)
    return turn.conversation, reply, turn.reply


def test_language_from_data_files_holds_a_whole_conversation(content: Content) -> None:
    conversation, first, reply = text_in(content, Conversation(), "Mia kálfo estas blokita dum kurado", "xx-XX")
    assert reply == Reply.QUESTION
    assert first == (
        "Nun: Etendu la kruron kaj tiru la piedfingrojn al vi.\n"
        "Ĉu la kruro estas ŝvela, ruĝa aŭ varma? Respondu JES aŭ NE."
    )
    assert not is_gsm7(first) and sms_segments(first) == 2  # its letters are kept, and sent as UCS-2

    conversation, said, reply = text_in(content, conversation, "ne", "xx-XX")  # "no": the leg is not swollen
    assert {"swelling", "redness", "warmth"} <= conversation.observations.denied
    while reply == Reply.QUESTION:  # a question xx has no words for is asked in the base language's
        assert said in {words["sms"] for words in content.language("en").words["questions"].values()}
        conversation, said, reply = text_in(content, conversation, "ne", "xx-XX")

    assert reply == Reply.ASSESSMENT
    assert said == "Verŝajne kramfo: la muskolo estas unu malmola nodo kaj ĝi venis dum sporto. Ne diagnozo."


def test_language_from_data_files_leaves_the_base_language_as_it_was(content: Content) -> None:
    _, reply, _ = text_in(content, Conversation(), "my calf locked up during my run", "en-US")
    assert reply.startswith("Right now: Straighten the leg") and reply.endswith("Reply 1 for yes, 2 for no.")
    # The base language does not read the new language's words.
    assert text_in(content, Conversation(), "kálfo blokita", "en-US")[0].observations.body_part is None


def test_language_words_a_base_language_does_not_have_fail_at_load(tmp_path: Path) -> None:
    folder = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, folder)
    locales = folder / "locales.yaml"
    locales.write_text(locales.read_text(encoding="utf-8") + LOCALE_BLOCK, encoding="utf-8")
    (folder / "languages" / "xx").mkdir()
    wording = folder / "languages" / "xx" / "wording.yaml"
    wording.write_text(WORDING.replace("  calf: Etendu", "  kalf: Etendu"), encoding="utf-8")

    with pytest.raises(ContentError, match=r"xx/wording\.yaml, line 6: wording 'kalf' is not a key"):
        load_content(folder)
