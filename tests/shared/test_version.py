"""The content version: a hash of the content and templates, stamped on callbacks and logs, and the sign-off
clinic.yaml records for it (issue 14)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from shared.content import CONTENT_DIR, load_content
from shared.version import sign_off_of, sign_off_warning, version_of

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, copy)
    return copy


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_version_is_stable_and_short(folder: Path) -> None:
    packaged = load_content()
    assert len(packaged.version) == 12 and packaged.version == load_content(folder).version


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        ("languages/en/wording.yaml", "Give no drinks", "Give no water"),  # a wording
        ("red_flags.yaml", "    urgency: routine\n", "    urgency: routine\n\n"),  # even a blank line in a rule file
        ("clinic.yaml", "name: NextPain Care", "name: NextPain Clinic"),
    ],
)
def test_version_changes_with_any_content_change(folder: Path, file: str, old: str, new: str) -> None:
    before = load_content(folder).version
    _edit(folder / file, old, new)
    load_content.cache_clear()
    assert load_content(folder).version != before


def test_version_changes_with_a_template_a_content_folder_overrides(folder: Path) -> None:
    before = load_content(folder).version
    override = folder / "templates" / "sms" / "goodbye.txt.j2"
    override.parent.mkdir(parents=True)
    override.write_text("Bye. Emergency: {{ loc.emergency_number }}.", encoding="utf-8")
    load_content.cache_clear()
    assert load_content(folder).version != before


def test_version_recording_a_sign_off_does_not_change_the_version_it_records(folder: Path) -> None:
    content = load_content(folder)
    version = content.version
    assert "no clinician has signed off" in sign_off_warning(version, content.clinic)
    _edit(folder / "clinic.yaml", '  by: ""', '  by: "Dr A. Example, GP"')
    _edit(folder / "clinic.yaml", '  date: ""', '  date: "2026-12-06"')
    _edit(folder / "clinic.yaml", '  version: ""', f'  version: "{version}"')
    load_content.cache_clear()
    signed = load_content(folder)
    assert signed.version == version
    assert sign_off_of(signed.clinic) == {"by": "Dr A. Example, GP", "date": "2026-12-06", "version": version}
    assert sign_off_warning(signed.version, signed.clinic) is None
    # A later change to what it says is no longer what was signed: the warning names both versions.
    _edit(folder / "languages/en/wording.yaml", "Give no drinks", "Give nothing to drink")
    load_content.cache_clear()
    changed = load_content(folder)
    warning = sign_off_warning(changed.version, changed.clinic)
    assert warning and version in warning and changed.version in warning and "Dr A. Example" in warning


def test_version_command_says_where_the_sign_off_stands() -> None:
    # `make package` runs it before building, so a deploy of unsigned content says so clearly.
    done = subprocess.run([sys.executable, "-m", "shared.version"], cwd=REPO, capture_output=True, text=True,
                          check=True)
    assert f"version {load_content().version}" in done.stdout and "WARNING" in done.stdout


def test_version_of_is_pure_over_its_inputs() -> None:
    content = load_content()
    assert version_of(CONTENT_DIR, content.template_dirs, content.clinic) == content.version
