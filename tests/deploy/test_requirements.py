"""deploy/requirements.py: each function's bundle and requirements come from pyproject.toml, declared once."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from deploy.requirements import FUNCTIONS, LambdaFunction, RequirementsError, function_requirements, stage

pytestmark = pytest.mark.packaging

REPO = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def by_name(name: str) -> LambdaFunction:
    """The staged bundle of that name."""
    return next(function for function in FUNCTIONS if function.name == name)


def test_alexa_requirements_are_core_plus_alexa_extras() -> None:
    project = PYPROJECT["project"]
    expected = project["dependencies"] + project["optional-dependencies"]["alexa"]
    assert function_requirements(PYPROJECT, by_name("alexa")) == expected


def test_sms_requirements_are_core_plus_sms_extras() -> None:
    project = PYPROJECT["project"]
    expected = project["dependencies"] + project["optional-dependencies"]["sms"]
    assert function_requirements(PYPROJECT, by_name("sms")) == expected


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


def test_stage_copies_only_the_bundle_packages_without_bytecode(tmp_path: Path) -> None:
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
