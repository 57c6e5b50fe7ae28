"""A mistake in the red flags or in a condition is named exactly: the file, the line of the very value that is wrong,
and what is wrong with it, word for word (the mutation run, reliability/mutation.py, found that the other tests
checked only a fragment of each message, so a message pointing at the wrong line, or at nothing, passed)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from shared.content import CONTENT_DIR, ContentError, load_content, signs_named

FACTS = ("body_part, pattern, duration_minutes, onset_minutes_ago, recurrence, severity, recent_episodes, contexts, "
         "signs, possible_signs, denied, experiencer, age_band, called_it, scope, answered")
OPERATORS = "is, in, has, has_any, has_none, at_least, below, known, unknown"
CHEST_FLAG = "  - id: chest_or_breathing\n    urgency: emergency\n"
CHEST_WHEN = "    when: {fact: signs, has_any: [chest_pain, breathless, coughing_blood]}\n"
CHEST = "red flag 'chest_or_breathing'"
# (file, text replaced, replacement, the marker on the line the message must name, the problem)
CASES = [
    ("red_flags.yaml", "\nred_flags:\n", "\nflags:\n", "in_scope: &in_scope", "missing red_flags"),
    ("red_flags.yaml", "\nred_flags:\n", "\nred_flags: chest pain\nunused:\n", "red_flags: chest pain",
     "expected a non-empty list, got 'chest pain'"),
    ("red_flags.yaml", CHEST_FLAG, "  - chest pain\n" + CHEST_FLAG, "  - chest pain",
     "expected a mapping of fields, got 'chest pain'"),
    ("red_flags.yaml", CHEST_FLAG + CHEST_WHEN, "  - id: chest_or_breathing\n", "id: chest_or_breathing",
     "missing urgency, when"),
    ("red_flags.yaml", CHEST_FLAG, "  - id: chest_or_breathing\n    urgency: ''\n", "id: chest_or_breathing",
     "missing urgency"),
    ("red_flags.yaml", CHEST_FLAG, "  - id: chest_or_breathing\n    colour: red\n    urgency: emergency\n",
     "colour: red", "unknown field 'colour' (known: id, urgency, when, source)"),
    ("red_flags.yaml", CHEST_FLAG, "  - id: chest_or_breathing\n    urgency: self_care\n", "urgency: self_care",
     f"{CHEST}: urgency must be emergency, urgent or routine"),
    ("red_flags.yaml", "  - id: collapsed\n    urgency: emergency\n", "  - id: collapsed\n    urgency: urgent\n",
     "urgency: emergency\n    when: {fact: signs, has_any: [face_droop", None),
    ("red_flags.yaml", "  - id: collapsed\n", "  - id: chest_or_breathing\n", "id: chest_or_breathing\n    urgency: "
     "emergency\n    when: {fact: signs, has: collapse}", "duplicate id 'chest_or_breathing'"),
    ("red_flags.yaml", CHEST_WHEN, "    when: chest pain\n", "when: chest pain",
     f"{CHEST}: a condition must be a non-empty mapping, got 'chest pain'"),
    ("red_flags.yaml", CHEST_WHEN, "    when:\n      any: []\n", "any: []", "expected a non-empty list, got []"),
    ("red_flags.yaml", CHEST_WHEN, "    when:\n      any:\n        - {fact: signs, has: chest_pain}\n"
     "        - fact: sings\n          has: rash\n", "fact: sings", f"{CHEST}: unknown fact 'sings' (known: {FACTS})"),
    ("red_flags.yaml", CHEST_WHEN, "    when:\n      not:\n        has: rash\n        fact: sings\n", "fact: sings",
     f"{CHEST}: unknown fact 'sings' (known: {FACTS})"),
    ("red_flags.yaml", CHEST_WHEN, "    when:\n      fact: signs\n      has: chest_pain\n      in: [rash]\n",
     "when:", f"{CHEST}: needs exactly one operator of {OPERATORS}, got ['has', 'in']"),
    ("red_flags.yaml", CHEST_WHEN, "    when:\n      fact: body_part\n      known: yes please\n", "known: yes please",
     f"{CHEST}: known takes true or false, not 'yes please'"),
    ("red_flags.yaml", CHEST_WHEN, "    when:\n      fact: pattern\n      has: locked\n", "has: locked",
     f"{CHEST}: has tests a set fact; pattern is not one"),
    ("red_flags.yaml", CHEST_WHEN, "    when:\n      fact: pattern\n      has_any: [locked]\n", "has_any: [locked]",
     f"{CHEST}: has_any tests a set fact; pattern is not one"),
    ("red_flags.yaml", CHEST_WHEN, "    when:\n      fact: pattern\n      has_none: [locked]\n", "has_none: [locked]",
     f"{CHEST}: has_none tests a set fact; pattern is not one"),
    ("red_flags.yaml", CHEST_WHEN, "    when:\n      fact: pattern\n      in: []\n", "in: []",
     "expected a non-empty list, got []"),
    ("red_flags.yaml", CHEST_WHEN, "    when:\n      fact: pattern\n      in:\n        - locked\n        - lockd\n",
     "- lockd", f"{CHEST} names pattern 'lockd', which concepts.yaml (pattern) does not list"),
    ("red_flags.yaml", CHEST_WHEN, "    when:\n      fact: duration_minutes\n      at_least: long\n",
     "at_least: long", f"{CHEST}: duration_minutes is a number, not 'long'"),
    ("red_flags.yaml", CHEST_WHEN, "    when:\n      fact: answered\n      has: not_a_question\n",
     "has: not_a_question", f"{CHEST} names answered 'not_a_question', which questions.yaml does not list"),
    ("red_flags.yaml", CHEST_WHEN, "    when:\n      fact: signs\n      has: chest_pain\n      source: x\n", "when:",
     f"{CHEST}: needs exactly one operator of {OPERATORS}, got ['has', 'source']"),
    ("questions.yaml", "sets: {body_part: calf}", "sets: calf", "sets: calf",
     "expected a mapping of fields, got 'calf'"),
    ("questions.yaml", "      - {id: calf, sets: {body_part: calf}}\n",
     "      - id: calf\n        sets:\n          body_part: calf\n          signs: []\n", "signs: []",
     "expected a non-empty list, got []"),
    ("questions.yaml", "      - {id: calf, sets: {body_part: calf}}\n",
     "      - id: calf\n        sets:\n          signs:\n            - swelling\n            - swoling\n", "- swoling",
     "question 'body_part' names signs 'swoling', which concepts.yaml (signs) does not list"),
    ("questions.yaml", "      - {id: calf, sets: {body_part: calf}}\n",
     "      - id: calf\n        sets:\n          body_part: calve\n", "body_part: calve",
     "question 'body_part' names body_part 'calve', which concepts.yaml (body_part) does not list"),
    ("questions.yaml", "      - {id: calf, sets: {body_part: calf}}\n",
     "      - id: calf\n        sets:\n          bodypart: calf\n", "bodypart: calf",
     "question 'body_part': answer sets unknown fact 'bodypart'"),
]
ORDER = "red flag 'stroke_signs': list the flags most urgent first; the screen stops at the first match"


@pytest.mark.parametrize(("filename", "old", "new", "marker", "problem"), CASES,
                         ids=[f"{c[0]}:{(c[4] or ORDER)[:48]}" for c in CASES])
def test_content_mistake_is_named_by_file_line_and_problem_word_for_word(
    tmp_path: Path, filename: str, old: str, new: str, marker: str, problem: str | None
) -> None:
    folder = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, folder)
    path = folder / filename
    text = path.read_text(encoding="utf-8")
    assert old in text, f"the test's anchor {old!r} is gone from {filename}"
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    line = text[: text.index(marker)].count("\n") + 1  # the line the marker starts on

    with pytest.raises(ContentError) as error:
        load_content(str(folder))

    assert str(error.value) == f"{path}, line {line}: {problem or ORDER}"


def test_content_red_flags_file_that_is_not_a_mapping_is_named_at_its_first_line(tmp_path: Path) -> None:
    folder = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, folder)
    (folder / "red_flags.yaml").write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(ContentError) as error:
        load_content(str(folder))
    assert str(error.value) == f"{folder / 'red_flags.yaml'}, line 1: expected a mapping of fields, got ['just a list']"


def test_content_red_flag_names_the_signs_its_condition_tests_in_order_even_under_not() -> None:
    cond = {"all": [{"fact": "signs", "has_any": ["fever", "rash"]}, {"not": {"fact": "signs", "has": "stiff_neck"}},
                    {"fact": "contexts", "has": "heat"}]}
    assert signs_named(cond) == ["fever", "rash", "stiff_neck"]


def test_content_red_flag_signs_inside_any_are_named_and_each_gets_a_confirming_question() -> None:
    # "My hands might be curling" is confirmed before the verdict because a red flag tests it inside an `any`.
    content = load_content()
    [flag] = [flag for flag in content.red_flags if flag.id == "tingling_mouth_with_hand_spasm"]
    assert flag.signs == ("tingling_mouth", "hands_curling")
    assert {"confirm_tingling_mouth", "confirm_hands_curling"} <= set(content.questions_by_id)
