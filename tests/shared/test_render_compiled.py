"""Templates compiled at packaging (shared/render.py compile_templates, run by deploy/prebuild.py): they say what
their sources say, byte for byte, and a template edited after they were compiled is rendered from its source."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from jinja2 import FileSystemLoader, ModuleLoader, TemplateSyntaxError

from shared import render
from shared.content import CONTENT_DIR, TEMPLATE_DIR, load_content
from shared.facts import Observations
from shared.triage import assess
from tests.shared.template_grid import replies

CONTENT = load_content()


@pytest.fixture
def compiled_templates_at(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path], None]]:
    """Point render at a folder of compiled templates, as if the Lambda zip shipped it, for new environments."""

    def use(folder: Path) -> None:
        monkeypatch.setattr(render, "COMPILED_TEMPLATES", folder)
        render._environment.cache_clear()

    yield use
    render._environment.cache_clear()


def test_compiled_templates_render_every_reply_byte_for_byte_as_their_sources(
    tmp_path: Path, compiled_templates_at: Callable[[Path], None]
) -> None:
    compiled_templates_at(tmp_path / "none-shipped")
    assert isinstance(render.environment(CONTENT).loader, FileSystemLoader)
    from_sources = replies(CONTENT)

    count = render.compile_templates(CONTENT.template_dirs, tmp_path / "compiled")
    compiled_templates_at(tmp_path / "compiled")
    assert isinstance(render.environment(CONTENT).loader, ModuleLoader)
    shipped = replies(CONTENT)

    assert count == len(list((tmp_path / "compiled").glob("tmpl_*.py"))) > 40
    assert shipped == from_sources
    # Every template said something real in the grid, not only errors about impossible combinations.
    said = {key.split()[0] for key, text in from_sources.items() if not text.startswith(("UndefinedError", "Type"))}
    assert said == {key.split()[0] for key in from_sources}
    assert len(from_sources) > 1000


def test_compiled_templates_a_template_edited_since_is_rendered_from_its_source(
    tmp_path: Path, compiled_templates_at: Callable[[Path], None], caplog: pytest.LogCaptureFixture
) -> None:
    sources = tmp_path / "templates"
    shutil.copytree(TEMPLATE_DIR, sources)
    content = replace(CONTENT, template_dirs=(sources,))
    render.compile_templates(content.template_dirs, tmp_path / "compiled")
    compiled_templates_at(tmp_path / "compiled")
    before = render.render("sms", "help", "en-US", content=content)
    assert isinstance(render.environment(content).loader, ModuleLoader)

    help_text = sources / "sms" / "help.txt.j2"
    help_text.write_text(help_text.read_text(encoding="utf-8") + "\nEdited after packaging.", encoding="utf-8")
    render._environment.cache_clear()  # a new cold start
    with caplog.at_level(logging.WARNING, logger="shared.render"):
        after = render.render("sms", "help", "en-US", content=content)

    assert "Edited after packaging." not in before
    assert after.startswith(before) and after.endswith("Edited after packaging.")
    assert isinstance(render.environment(content).loader, FileSystemLoader)
    assert "compiled templates differ from the template sources" in caplog.text


def test_compiled_templates_are_not_used_for_a_content_folder_with_its_own_templates(
    tmp_path: Path, compiled_templates_at: Callable[[Path], None]
) -> None:
    render.compile_templates(CONTENT.template_dirs, tmp_path / "compiled")
    folder = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, folder)
    (folder / "templates" / "sms").mkdir(parents=True)
    (folder / "templates" / "sms" / "media.txt.j2").write_text("The clinic's own words.", encoding="utf-8")
    clinic = load_content(folder)
    compiled_templates_at(tmp_path / "compiled")

    assert render.render("sms", "media", "en-US", content=clinic) == "The clinic's own words."
    assert isinstance(render.environment(clinic).loader, FileSystemLoader)
    assert isinstance(render.environment(CONTENT).loader, ModuleLoader)


def test_compiled_templates_a_template_with_a_syntax_error_stops_the_compile(tmp_path: Path) -> None:
    sources = tmp_path / "templates"
    shutil.copytree(TEMPLATE_DIR, sources)
    (sources / "sms" / "help.txt.j2").write_text("{% if clinic %}Call us.", encoding="utf-8")

    with pytest.raises(TemplateSyntaxError):
        render.compile_templates((sources,), tmp_path / "compiled")


def test_compiled_templates_digest_changes_with_any_template_and_follows_folder_order(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, words in ((first, "first"), (second, "second")):
        (folder / "sms").mkdir(parents=True)
        (folder / "sms" / "help.txt.j2").write_text(words, encoding="utf-8")
    (second / "sms" / "media.txt.j2").write_text("media", encoding="utf-8")
    digest = render.templates_digest((first, second))

    assert render.templates_digest((second, first)) != digest
    (second / "sms" / "help.txt.j2").write_text("hidden by the first folder", encoding="utf-8")
    assert render.templates_digest((first, second)) == digest
    (second / "sms" / "media.txt.j2").write_text("media!", encoding="utf-8")
    assert render.templates_digest((first, second)) != digest


def test_compiled_templates_escape_content_text_in_ssml_like_the_sources(
    tmp_path: Path, compiled_templates_at: Callable[[Path], None]
) -> None:
    awkward = replace(CONTENT, clinic={**CONTENT.clinic, "name": 'Smith & Jones <Care> "Clinic"'})
    result = assess(Observations(), CONTENT)
    render.compile_templates(CONTENT.template_dirs, tmp_path / "compiled")
    compiled_templates_at(tmp_path / "compiled")

    speech = render.render("alexa", "contact", "en-US", content=awkward, assessment=result)

    assert isinstance(render.environment(awkward).loader, ModuleLoader)
    assert "Smith &amp; Jones &lt;Care&gt;" in speech
