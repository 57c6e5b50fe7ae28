"""deploy/requirements.py: each function's bundle and requirements come from pyproject.toml, declared once."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

import pytest

from deploy.requirements import FUNCTIONS, LambdaFunction, RequirementsError, function_requirements, stage

pytestmark = pytest.mark.packaging

REPO = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _name(requirement: str) -> str:
    """The normalised project name a requirement line starts with."""
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", requirement.strip()).group(0)).lower()


def by_name(name: str) -> LambdaFunction:
    """The staged bundle of that name."""
    return next(function for function in FUNCTIONS if function.name == name)


def test_alexa_requirements_are_core_plus_alexa_and_sms_send_extras() -> None:
    project = PYPROJECT["project"]
    optional = project["optional-dependencies"]
    expected = project["dependencies"] + optional["alexa"] + optional["sms-send"]
    assert function_requirements(PYPROJECT, by_name("alexa")) == expected


def test_alexa_requirements_can_send_texts_but_carry_no_webhook_framework() -> None:
    names = {_name(line) for line in function_requirements(PYPROJECT, by_name("alexa"))}
    assert "twilio" in names
    assert not names & {"flask", "werkzeug"}


def test_sms_requirements_are_core_plus_sms_extras_with_sms_send_expanded() -> None:
    project = PYPROJECT["project"]
    optional = project["optional-dependencies"]
    expected = (
        project["dependencies"]
        + [line for line in optional["sms"] if not line.startswith("cramp-check[")]
        + optional["sms-send"]
    )
    requirements = function_requirements(PYPROJECT, by_name("sms"))
    assert requirements == expected
    # pip cannot install this project from a Lambda requirements file: its own extras must be spelled out.
    assert not [line for line in requirements if line.startswith("cramp-check")]


def test_twilio_is_declared_once_in_pyproject() -> None:
    project = PYPROJECT["project"]
    groups = [project["dependencies"], *project["optional-dependencies"].values()]
    declared = [line for group in groups for line in group if _name(line) == "twilio"]
    assert declared == ["twilio>=9.3,<10"]


def test_requirements_expand_an_extra_that_names_another_of_the_project() -> None:
    pyproject = {
        "project": {
            "name": "Cramp_Check",
            "dependencies": ["pyyaml>=6"],
            "optional-dependencies": {"send": ["twilio>=9"], "sms": ["flask>=3", "cramp-check[send]"]},
        }
    }
    bundle = LambdaFunction(name="sms", packages=("sms",), extras=("sms",))
    assert function_requirements(pyproject, bundle) == ["pyyaml>=6", "flask>=3", "twilio>=9"]


def test_requirements_refuse_extras_that_include_each_other() -> None:
    pyproject = {
        "project": {
            "name": "cramp-check",
            "optional-dependencies": {"a": ["cramp-check[b]"], "b": ["cramp-check[a]"]},
        }
    }
    with pytest.raises(RequirementsError, match="includes itself"):
        function_requirements(pyproject, LambdaFunction(name="x", packages=(), extras=("a",)))


def test_requirements_refuse_an_unknown_extra_named_through_the_project() -> None:
    pyproject = {"project": {"name": "cramp-check", "optional-dependencies": {"sms": ["cramp-check[voice]"]}}}
    with pytest.raises(RequirementsError, match="voice"):
        function_requirements(pyproject, LambdaFunction(name="x", packages=(), extras=("sms",)))


def test_alexa_bundle_lists_sms_outbound_and_its_package_marker_only() -> None:
    alexa = by_name("alexa")
    assert "sms" not in alexa.packages
    assert alexa.modules == ("sms/__init__.py", "sms/outbound.py")


@pytest.mark.parametrize("module", by_name("alexa").modules)
def test_sms_module_shipped_to_alexa_imports_nothing_the_alexa_bundle_lacks(module: str) -> None:
    alexa = by_name("alexa")
    shipped = {path.removesuffix(".py").removesuffix("/__init__").replace("/", ".") for path in alexa.modules}
    distributions = {_name(line) for line in function_requirements(PYPROJECT, alexa)}
    imported = set()
    for node in ast.walk(ast.parse((REPO / module).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module)
    for name in imported:
        top = name.split(".")[0]
        if top == "sms":
            assert name in shipped, f"{module} imports {name}, which the Alexa zip does not hold"
        else:
            assert top in sys.stdlib_module_names or top in alexa.packages or top in distributions, (module, name)
    assert not {name.split(".")[0] for name in imported} & {"flask", "werkzeug"}


def test_requirements_never_ship_what_the_lambda_runtime_provides() -> None:
    for function in FUNCTIONS:
        names = [line.split(">")[0].split("=")[0].lower() for line in function_requirements(PYPROJECT, function)]
        assert not {"boto3", "botocore"} & set(names)


def test_requirements_refuse_a_runtime_package_added_to_an_extra() -> None:
    pyproject = {"project": {"dependencies": ["jinja2>=3"], "optional-dependencies": {"sms": ["Boto3>=1.34"]}}}
    with pytest.raises(RequirementsError, match="boto3"):
        function_requirements(pyproject, LambdaFunction(name="sms", packages=("shared",), extras=("sms",)))


def test_requirements_refuse_an_unknown_extra() -> None:
    with pytest.raises(RequirementsError, match="voice"):
        function_requirements(PYPROJECT, LambdaFunction(name="x", packages=("shared",), extras=("voice",)))


def test_stage_copies_only_the_bundle_packages_without_bytecode_or_local_prebuilt_files(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\ndependencies = ["pyyaml>=6"]\n[project.optional-dependencies]\nsms = ["flask>=3.1"]\n',
        encoding="utf-8",
    )
    for package in ("shared", "sms", "skill"):
        (tmp_path / package / "__pycache__").mkdir(parents=True)
        (tmp_path / package / "__init__.py").write_text("", encoding="utf-8")
        (tmp_path / package / "__pycache__" / "__init__.cpython-311.pyc").write_bytes(b"\0")
    (tmp_path / "shared" / "content").mkdir()
    (tmp_path / "shared" / "content" / "tips.yaml").write_text("tips: []\n", encoding="utf-8")
    # Left by a local run: the packaging makes its own inside the zip, from the zip's sources.
    (tmp_path / "shared" / "content.pickle").write_bytes(b"stale")
    (tmp_path / "shared" / "compiled_templates").mkdir()
    (tmp_path / "shared" / "compiled_templates" / "tmpl_1.py").write_text("", encoding="utf-8")
    bundle = LambdaFunction(name="sms", packages=("shared", "sms"), extras=("sms",))

    folder = stage(tmp_path, (bundle,))["sms"]
    files = sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file())
    assert files == ["requirements.txt", "shared/__init__.py", "shared/content/tips.yaml", "sms/__init__.py"]
    assert (folder / "requirements.txt").read_text(encoding="utf-8") == "pyyaml>=6\nflask>=3.1\n"


def test_stage_removes_files_left_from_an_earlier_run(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[project]\ndependencies = []\n[project.optional-dependencies]\nsms = []\n"
    )
    (tmp_path / "sms").mkdir()
    (tmp_path / "sms" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "sms" / "old.py").write_text("", encoding="utf-8")
    bundle = LambdaFunction(name="sms", packages=("sms",), extras=("sms",))
    stage(tmp_path, (bundle,))
    (tmp_path / "sms" / "old.py").unlink()
    folder = stage(tmp_path, (bundle,))["sms"]
    assert not (folder / "sms" / "old.py").exists()


def test_stage_refuses_a_missing_package(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[project]\ndependencies = []\n[project.optional-dependencies]\nsms = []\n"
    )
    with pytest.raises(RequirementsError, match="sms/"):
        stage(tmp_path, (LambdaFunction(name="sms", packages=("sms",), extras=("sms",)),))


def test_stage_copies_single_modules_without_the_rest_of_their_package(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[project]\ndependencies = []\n[project.optional-dependencies]\nalexa = []\n", encoding="utf-8"
    )
    for name in ("skill/__init__.py", "sms/__init__.py", "sms/outbound.py", "sms/webhook.py"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(f"# {name}\n", encoding="utf-8")
    bundle = LambdaFunction(
        name="alexa", packages=("skill",), extras=("alexa",), modules=("sms/__init__.py", "sms/outbound.py")
    )
    folder = stage(tmp_path, (bundle,))["alexa"]
    files = sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file())
    assert files == ["requirements.txt", "skill/__init__.py", "sms/__init__.py", "sms/outbound.py"]
    assert (folder / "sms" / "outbound.py").read_text(encoding="utf-8") == "# sms/outbound.py\n"


def test_stage_refuses_a_missing_single_module(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[project]\ndependencies = []\n[project.optional-dependencies]\nalexa = []\n", encoding="utf-8"
    )
    bundle = LambdaFunction(name="alexa", packages=(), extras=("alexa",), modules=("sms/outbound.py",))
    with pytest.raises(RequirementsError, match="sms/outbound.py"):
        stage(tmp_path, (bundle,))
