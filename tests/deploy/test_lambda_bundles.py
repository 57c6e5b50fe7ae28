"""What each deployable zip holds: its own code and dependencies, for arm64, nothing else, within 15 MB."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import sys
import zipfile
from pathlib import Path

import pytest

from tests.deploy.conftest import Build

pytestmark = pytest.mark.packaging

REPO = Path(__file__).resolve().parents[2]

FUNCTIONS = ("alexa", "sms", "sms_fallback", "staff_notify", "staff")
SMS_FUNCTIONS = ("sms", "sms_fallback", "staff_notify")
# The project's budget, well inside Lambda's 50 MB for a zip uploaded directly. CPython 3.12 bytecode for every
# shipped module (deploy/bytecode.py) about doubles a zip: ~300 ms less at every cold start is worth it.
MAX_ZIP_BYTES = 25 * 1024 * 1024
LAMBDA_PYTHON = (3, 12)
EM_AARCH64 = 183
# Never in a Lambda zip: the repository's other folders, build inputs, dev tools, and what the runtime provides.
FORBIDDEN_TOP_LEVEL = {
    "tests",
    "node_modules",
    ".venv",
    "docs",
    "bench",
    "data",
    "build",
    "deploy",
    "server",
    "interaction_models",
    "serverless.yml",
    "pyproject.toml",
    "requirements.txt",
    "Makefile",
    "package.json",
    "boto3",
    "botocore",
    "s3transfer",
    "pytest",
    "_pytest",
    "hypothesis",
    "ruff",
    "playwright",
    "cfnlint",
    "waitress",
}


def top_level(artifact: Path) -> set[str]:
    """The names at the root of a zip (folders and single-file modules)."""
    with zipfile.ZipFile(artifact) as archive:
        return {name.split("/", 1)[0] for name in archive.namelist()}


def names(artifact: Path) -> list[str]:
    """Every file path in a zip."""
    with zipfile.ZipFile(artifact) as archive:
        return [info.filename for info in archive.infolist() if not info.is_dir()]


@pytest.mark.parametrize("function", FUNCTIONS)
def test_function_zip_is_at_most_25_mb(lambda_build: Build, function: str) -> None:
    size = lambda_build.artifact(function).stat().st_size
    assert size <= MAX_ZIP_BYTES, f"{function}: {size / 1e6:.1f} MB"


def test_alexa_zip_holds_skill_core_and_twilio_but_no_flask(lambda_build: Build) -> None:
    root = top_level(lambda_build.artifact("alexa"))
    # twilio: "Alexa, text me that" sends through the SMS line's outbound code (skill/texting.py).
    assert {"skill", "shared", "sms", "twilio", "ask_sdk_core", "ask_sdk_model", "jinja2"} <= root
    assert not root & {"flask", "werkzeug", "itsdangerous", "click", "blinker"}
    # Signature checks belong to the self-hosted web endpoint only; the Lambda trigger checks the skill id.
    assert "cryptography" not in root


def test_alexa_zip_holds_only_the_outbound_module_of_the_sms_line(lambda_build: Build) -> None:
    sms_files = {
        name for name in names(lambda_build.artifact("alexa")) if name.startswith("sms/") and name.endswith(".py")
    }
    # Not the webhook, its keywords or its Lambda handler: the Alexa function can only send.
    assert sms_files == {"sms/__init__.py", "sms/outbound.py"}
    source = Path(__file__).resolve().parents[2] / "sms"
    with zipfile.ZipFile(lambda_build.artifact("alexa")) as archive:
        for name in sms_files:
            assert archive.read(name) == (source / Path(name).name).read_bytes(), name


@pytest.mark.parametrize("function", SMS_FUNCTIONS)
def test_sms_zip_holds_sms_and_core_but_no_skill_code_or_ask_sdk(lambda_build: Build, function: str) -> None:
    root = top_level(lambda_build.artifact(function))
    assert {"sms", "shared", "flask", "twilio", "jinja2", "yaml"} <= root
    assert not root & {"skill", "ask_sdk_core", "ask_sdk_model", "ask_sdk_runtime", "cryptography"}


def test_staff_zip_holds_the_inbox_and_the_sms_lines_sender_but_no_webhook_or_skill(lambda_build: Build) -> None:
    root = top_level(lambda_build.artifact("staff"))
    # jwt and cryptography check Cognito's RS256 tokens; twilio texts patients back.
    assert {"staff", "shared", "sms", "flask", "apig_wsgi", "jwt", "cryptography", "twilio"} <= root
    assert not root & {"skill", "ask_sdk_core", "ask_sdk_model", "server"}
    sms_files = {name for name in names(lambda_build.artifact("staff")) if name.startswith("sms/")
                 and name.endswith(".py")}
    assert sms_files == {"sms/__init__.py", "sms/notifications.py", "sms/optouts.py", "sms/outbound.py",
                         "sms/replies.py"}
    files = set(names(lambda_build.artifact("staff")))
    assert {"staff/templates/inbox.html", "staff/static/inbox.js"} <= files


@pytest.mark.parametrize("function", FUNCTIONS)
def test_zip_holds_no_tests_tooling_or_runtime_provided_packages(lambda_build: Build, function: str) -> None:
    files = names(lambda_build.artifact(function))
    assert not top_level(lambda_build.artifact(function)) & FORBIDDEN_TOP_LEVEL
    # Bytecode only where the Lambda runtime looks for it: no other Python's, no stray .pyc.
    compiled = [name for name in files if "__pycache__/" in name or name.endswith(".pyc")]
    assert all(name.endswith(".cpython-312.pyc") and "/__pycache__/" in f"/{name}" for name in compiled)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_zip_ships_the_content_and_templates_the_core_loads(lambda_build: Build, function: str) -> None:
    files = set(names(lambda_build.artifact(function)))
    source = Path(__file__).resolve().parents[2] / "shared"
    for folder in ("content", "templates"):
        expected = {
            f"shared/{path.relative_to(source).as_posix()}"
            for path in (source / folder).rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
        }
        assert expected
        assert expected <= files


@pytest.mark.parametrize("function", FUNCTIONS)
def test_zip_compiled_modules_are_built_for_arm64_python_312(lambda_build: Build, function: str) -> None:
    with zipfile.ZipFile(lambda_build.artifact(function)) as archive:
        libraries = [name for name in archive.namelist() if name.endswith(".so")]
        assert libraries  # PyYAML and MarkupSafe at least are compiled
        for name in libraries:
            header = archive.read(name)[:20]
            assert header[:4] == b"\x7fELF", name
            assert int.from_bytes(header[18:20], "little") == EM_AARCH64, name
            assert "x86_64" not in name and ("cpython-312" in name or ".abi3." in name), name


@pytest.mark.parametrize("function", FUNCTIONS)
def test_zip_ships_cpython_312_bytecode_for_every_module_it_ships(lambda_build: Build, function: str) -> None:
    # The tests run on the Lambda runtime's Python, so this interpreter's magic number is the runtime's.
    assert sys.version_info[:2] == LAMBDA_PYTHON
    with zipfile.ZipFile(lambda_build.artifact(function)) as archive:
        files = set(archive.namelist())
        sources = [name for name in files if name.endswith(".py")]
        assert len(sources) > 500  # the code and every dependency, not a handful
        for source in sources:
            folder, _, module = source.rpartition("/")
            cached = f"{folder}/__pycache__/{module[:-3]}.cpython-312.pyc".lstrip("/")
            assert cached in files, source
            header = archive.read(cached)[:16]
            assert header[:4] == importlib.util.MAGIC_NUMBER, cached
            # PEP 552 flags: hash-based (bit 0) and never checked against the source (bit 1 clear), because
            # Lambda does not keep the files' timestamps.
            assert int.from_bytes(header[4:8], "little") == 0b01, cached


@pytest.mark.parametrize("function", FUNCTIONS)
def test_zip_ships_the_content_loaded_and_saved_as_its_own_sources_give_it(
    lambda_build: Build, function: str, tmp_path: Path
) -> None:
    from dataclasses import replace

    from shared.content import load_content
    from shared.snapshot import read_snapshot

    with zipfile.ZipFile(lambda_build.artifact(function)) as archive:
        archive.extractall(tmp_path, [name for name in archive.namelist() if name.startswith("shared/")])

    saved = read_snapshot(tmp_path / "shared" / "content.pickle")  # None unless the zip's sources hash as saved
    assert saved is not None
    content = load_content()
    assert replace(saved, template_dirs=content.template_dirs) == content


@pytest.mark.parametrize("function", ("alexa", "sms"))
def test_zip_ships_templates_compiled_from_its_sources_that_render_every_reply_like_them(
    lambda_build: Build, function: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jinja2 import ModuleLoader

    from shared import render
    from shared.content import load_content
    from tests.shared.template_grid import replies

    with zipfile.ZipFile(lambda_build.artifact(function)) as archive:
        shipped = [name for name in archive.namelist() if name.startswith("shared/compiled_templates/")]
        for name in shipped:
            archive.extract(name, tmp_path)
        # The compiled modules run under the jinja2 that compiled them: the zip's, the one this test renders with.
        (metadata,) = [name for name in archive.namelist() if re.fullmatch(r"jinja2-[^/]+\.dist-info/METADATA", name)]
        assert f"Version: {importlib.metadata.version('jinja2')}\n" in archive.read(metadata).decode()
    modules = [name for name in shipped if name.endswith(".py")]
    assert len(modules) == len(list((REPO / "shared" / "templates").rglob("*.j2")))
    content = load_content()
    render._environment.cache_clear()
    from_sources = replies(content)

    # The zip was packaged from this working tree: its compiled set must match these very sources.
    monkeypatch.setattr(render, "COMPILED_TEMPLATES", tmp_path / "shared" / "compiled_templates")
    render._environment.cache_clear()
    try:
        assert isinstance(render.environment(content).loader, ModuleLoader)
        assert replies(content) == from_sources
    finally:
        render._environment.cache_clear()
