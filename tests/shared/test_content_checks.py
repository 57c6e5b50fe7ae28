"""The content's JSON copies (written at packaging by deploy/prebuild.py): the same content as the YAML, read
without PyYAML, never used once their YAML has changed, and content mistakes still named by file and line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from shared.content import CONTENT_DIR, load_content
from shared.content_checks import ContentError, json_copy_of, read_yaml, write_json_copy

REPO = Path(__file__).resolve().parents[2]


def copied_content(tmp_path: Path, *, with_json: bool) -> Path:
    """A copy of the packaged content folder, with each file's JSON copy written beside it when asked."""
    folder = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, folder)
    if with_json:
        assert all(write_json_copy(file) for file in sorted(folder.rglob("*.yaml")))
    return folder


def test_content_json_copies_load_the_very_content_the_yaml_gives(tmp_path: Path) -> None:
    folder = copied_content(tmp_path, with_json=True)

    assert len(list(folder.rglob("*.yaml.json"))) == len(list(folder.rglob("*.yaml"))) >= 10
    assert load_content(folder) == load_content(CONTENT_DIR)


def test_content_json_copies_are_read_without_importing_pyyaml(tmp_path: Path) -> None:
    folder = copied_content(tmp_path, with_json=True)
    child = (
        "import sys; from shared.content import load_content; content = load_content(sys.argv[1]); "
        "print(content.clinic['name'], 'yaml' in sys.modules)"
    )

    run = subprocess.run([sys.executable, "-c", child, str(folder)], capture_output=True, text=True, cwd=REPO,
                         check=True, timeout=60)

    assert run.stdout.split()[-1] == "False"  # PyYAML never imported: the cold start reads JSON
    without = subprocess.run([sys.executable, "-c", child, str(CONTENT_DIR)], capture_output=True, text=True,
                             cwd=REPO, check=True, timeout=60)
    assert without.stdout.split()[-1] == "True"
    assert run.stdout.split()[:-1] == without.stdout.split()[:-1]


def test_content_json_copy_of_a_yaml_edited_since_is_ignored(tmp_path: Path) -> None:
    folder = copied_content(tmp_path, with_json=True)
    clinic = folder / "clinic.yaml"
    clinic.write_text(clinic.read_text(encoding="utf-8").replace("name:", "name: Edited Clinic #", 1), encoding="utf-8")

    assert read_yaml(clinic)["name"].startswith("Edited Clinic")
    assert load_content(folder).clinic["name"].startswith("Edited Clinic")


def test_content_json_copy_that_is_not_valid_json_is_ignored(tmp_path: Path) -> None:
    folder = copied_content(tmp_path, with_json=True)
    json_copy_of(folder / "tips.yaml").write_text("{not json", encoding="utf-8")

    assert load_content(folder) == load_content(CONTENT_DIR)


@pytest.mark.parametrize(
    "text", ["opened: 2020-01-01\n", "numbers:\n  1: one\n", "limit: .nan\n"], ids=["date", "number_key", "nan"]
)
def test_content_json_copy_is_not_written_when_json_cannot_hold_the_data_exactly(tmp_path: Path, text: str) -> None:
    file = tmp_path / "clinic.yaml"
    file.write_text(text, encoding="utf-8")

    assert write_json_copy(file) is False
    assert not json_copy_of(file).exists()


def test_content_json_copy_keeps_numbers_booleans_and_nulls_as_they_were(tmp_path: Path) -> None:
    file = tmp_path / "words.yaml"
    file.write_text('a: 1\nb: 1.0\nc: true\nd: null\ne: "1"\nf: [yes, "no"]\ng: café\n', encoding="utf-8")

    assert write_json_copy(file) is True
    copy = json.loads(json_copy_of(file).read_text(encoding="utf-8"))["data"]
    assert repr(copy) == repr({"a": 1, "b": 1.0, "c": True, "d": None, "e": "1", "f": [True, "no"], "g": "café"})
    assert read_yaml(file) == copy


def test_content_mistake_in_a_folder_with_json_copies_is_still_named_by_file_and_line(tmp_path: Path) -> None:
    folder = copied_content(tmp_path, with_json=False)
    rules = folder / "rules.yaml"
    lines = rules.read_text(encoding="utf-8").splitlines()
    number = next(index for index, line in enumerate(lines) if "fact: pattern" in line)
    lines[number] = lines[number].replace("fact: pattern", "fact: patern")
    rules.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert all(write_json_copy(file) for file in sorted(folder.rglob("*.yaml")))

    with pytest.raises(ContentError, match=rf"rules\.yaml, line {number + 1}: .*unknown fact 'patern'"):
        load_content(folder)
