"""The cold-start caches (parsed content files, compiled templates) give exactly what parsing afresh gives,
recover from a damaged cache file, and never stop a request where the package cannot be written."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from shared import content as content_module
from shared import render as render_module
from shared.content import CONTENT_DIR, CONTENT_FILES, load_content
from shared.reader import read
from shared.triage import assess


@pytest.fixture
def writable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Caches in a temporary folder, written even where the test run forbids bytecode."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    monkeypatch.setattr(content_module, "PARSED_CACHE_DIR", tmp_path / "content")
    monkeypatch.setattr(render_module, "COMPILED_CACHE_DIR", tmp_path / "templates")
    return tmp_path


def _fresh_parse(directory: Path) -> dict:
    return {name: content_module._read(directory, name) for name in CONTENT_FILES}


def test_parsed_cache_second_load_equals_a_fresh_parse(writable: Path) -> None:
    first = content_module._parsed_files(CONTENT_DIR)
    assert list((writable / "content").iterdir()), "the first load keeps its parse"
    second = content_module._parsed_files(CONTENT_DIR)
    assert second == first == _fresh_parse(CONTENT_DIR)
    assert repr(second) == repr(_fresh_parse(CONTENT_DIR))  # same types and order, not just equal values


def test_parsed_cache_edited_file_is_parsed_afresh(writable: Path, tmp_path: Path) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(CONTENT_DIR, folder)
    content_module._parsed_files(folder)
    clinic = folder / "clinic.yaml"
    clinic.write_text(clinic.read_text(encoding="utf-8").replace("name:", "name: Edited", 1), encoding="utf-8")
    assert content_module._parsed_files(folder)["clinic.yaml"] == _fresh_parse(folder)["clinic.yaml"]
    assert "Edited" in str(content_module._parsed_files(folder)["clinic.yaml"]["name"])


def test_parsed_cache_damaged_file_is_ignored(writable: Path) -> None:
    content_module._parsed_files(CONTENT_DIR)
    for cached in (writable / "content").iterdir():
        cached.write_bytes(b"\x00not marshal data")
    assert content_module._parsed_files(CONTENT_DIR) == _fresh_parse(CONTENT_DIR)


def test_parsed_cache_unwritable_folder_still_loads_content(
    monkeypatch: pytest.MonkeyPatch, writable: Path
) -> None:
    blocker = writable / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(content_module, "PARSED_CACHE_DIR", blocker / "content")
    assert content_module._parsed_files(CONTENT_DIR) == _fresh_parse(CONTENT_DIR)
    assert load_content.__wrapped__(str(CONTENT_DIR)).rules == load_content().rules


def _render_all(env: object) -> list[str]:
    content = load_content()
    assessment = assess(read("my calf locked up in bed last night for a few minutes", content), content)
    names = ("alexa/assessment.ssml.j2", "sms/assessment.txt.j2", "card/assessment.txt.j2")
    context = {"content": content, "clinic": content.clinic, "loc": content.locale("en-US"), "locale": "en-US"}
    return [env.get_template(name).render(assessment=assessment, **context) for name in names]  # type: ignore[attr-defined]


def test_compiled_templates_from_cache_render_the_same_text(writable: Path) -> None:
    compiled = _render_all(render_module._environment.__wrapped__())
    assert list((writable / "templates").iterdir()), "the first compile keeps its code"
    assert _render_all(render_module._environment.__wrapped__()) == compiled


def test_compiled_templates_damaged_cache_compiles_afresh(writable: Path) -> None:
    compiled = _render_all(render_module._environment.__wrapped__())
    for cached in (writable / "templates").iterdir():
        cached.write_bytes(b"garbage")
    assert _render_all(render_module._environment.__wrapped__()) == compiled


def test_compiled_templates_unwritable_folder_still_render(monkeypatch: pytest.MonkeyPatch, writable: Path) -> None:
    blocker = writable / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(render_module, "COMPILED_CACHE_DIR", blocker / "templates")
    rendered = _render_all(render_module._environment.__wrapped__())
    assert "<" in rendered[0] and rendered[1]
