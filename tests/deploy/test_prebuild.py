"""deploy/prebuild.py on a small zip of shared/ and its libraries: the loaded content and the compiled templates
are added, the zip's code then reads them (no PyYAML, no template compiled), and a content mistake stops it."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from deploy import bytecode, prebuild
from deploy.local_task import unzip

REPO = Path(__file__).resolve().parents[2]
LIBRARIES = ("jinja2", "markupsafe", "yaml")
# Loads the content and renders the Alexa assessment from the folder given alone, as the Lambda would.
CHILD = """
import json, sys
sys.path.insert(0, sys.argv[1])
from shared.content import load_content
from shared.render import environment, render
from shared.triage import assess
from shared.facts import Observations
content = load_content()
speech = render("alexa", "assessment", "en-US", content=content, assessment=assess(Observations(), content))
print(json.dumps({"speech": speech, "loader": type(environment(content).loader).__name__,
                  "yaml": "yaml" in sys.modules}))
"""


def make_zip(path: Path, edit: tuple[str, str, str] | None = None) -> Path:
    """A function zip as serverless writes it: shared/ and the libraries it loads, sources only; `edit` replaces
    a text in one file of shared/ (path, old, new)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in sorted((REPO / "shared").rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts and not file.name.endswith(".pyc"):
                name = file.relative_to(REPO).as_posix()
                data = file.read_bytes()
                if edit is not None and name == edit[0]:
                    data = data.replace(edit[1].encode(), edit[2].encode())
                archive.writestr(name, data)
        for library in LIBRARIES:
            spec = importlib.util.find_spec(library)
            assert spec is not None and spec.origin
            package = Path(spec.origin).parent
            for file in sorted(package.rglob("*")):
                if file.is_file() and "__pycache__" not in file.parts:
                    archive.writestr(file.relative_to(package.parent).as_posix(), file.read_bytes())
    return path


def run_child(folder: Path) -> dict:
    """The child's answer, run by this interpreter over the unzipped folder alone."""
    run = subprocess.run([sys.executable, "-I", "-S", "-B", "-c", CHILD, str(folder)], capture_output=True,
                         text=True, check=True, timeout=120)
    return json.loads(run.stdout)


def test_prebuild_adds_the_loaded_content_and_compiled_templates_that_the_zip_then_uses(tmp_path: Path) -> None:
    artifact = make_zip(tmp_path / "function.zip")
    plain = run_child(unzip(artifact, tmp_path / "plain"))

    added = prebuild.prebuild(artifact, sys.executable)

    assert "shared/content.pickle" in added
    templates = [name for name in added if name.startswith("shared/compiled_templates/tmpl_")]
    assert len(templates) == len(list((REPO / "shared" / "templates").rglob("*.j2")))
    assert "shared/compiled_templates/sources.sha256" in added
    assert prebuild.prebuild(artifact, sys.executable) == []  # a second run adds nothing twice

    shipped = run_child(unzip(artifact, tmp_path / "task"))
    assert plain == {"speech": plain["speech"], "loader": "FileSystemLoader", "yaml": True}
    assert shipped == {"speech": plain["speech"], "loader": "ModuleLoader", "yaml": False}


def test_prebuild_compiled_templates_get_bytecode_like_every_module(tmp_path: Path) -> None:
    python = bytecode.find_python312()
    assert python is not None, "no CPython 3.12 on this machine: the Lambda runtime's version is needed here"
    artifact = make_zip(tmp_path / "function.zip")
    added = prebuild.prebuild(artifact, python)
    bytecode.add_bytecode(artifact, python)

    names = set(zipfile.ZipFile(artifact).namelist())
    for module in (name for name in added if name.endswith(".py")):
        folder, _, filename = module.rpartition("/")
        assert f"{folder}/__pycache__/{filename[:-3]}.cpython-312.pyc" in names


def test_prebuild_content_mistake_stops_the_packaging_naming_file_and_line(tmp_path: Path) -> None:
    artifact = make_zip(
        tmp_path / "function.zip", edit=("shared/content/rules.yaml", "fact: pattern", "fact: patern")
    )
    before = artifact.read_bytes()

    with pytest.raises(prebuild.PrebuildError, match=r"rules\.yaml, line \d+: .*unknown fact 'patern'"):
        prebuild.prebuild(artifact, sys.executable)
    assert artifact.read_bytes() == before


def test_prebuild_template_syntax_error_stops_the_packaging(tmp_path: Path) -> None:
    artifact = make_zip(
        tmp_path / "function.zip", edit=("shared/templates/sms/help.txt.j2", "{{", "{% if %}{{")
    )

    with pytest.raises(prebuild.PrebuildError, match="TemplateSyntaxError"):
        prebuild.prebuild(artifact, sys.executable)
