"""deploy/bytecode.py on a small zip: CPython 3.12 bytecode added beside each module, or a clear warning."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from deploy import bytecode
from deploy.local_task import unzip

MODULES = {
    "greeting/__init__.py": "",
    "greeting/words.py": "def hello(name):\n    return f'hello {name}'\n",
    "handler.py": "from greeting.words import hello\n\ndef lambda_handler(event, context):\n    return hello(event)\n",
}
# Imports the handler from the folder given, answers once, and prints every source file Python had to compile.
CHILD = """
import importlib._bootstrap_external as ext, json, sys
compiled, compile_source = [], ext.SourceLoader.source_to_code
def spy(self, data, path, *, _optimize=-1):
    compiled.append(path)
    return compile_source(self, data, path, _optimize=_optimize)
ext.SourceLoader.source_to_code = spy
sys.path.insert(0, sys.argv[1])
from handler import lambda_handler
print(json.dumps({"answer": lambda_handler("clinic", None), "compiled": compiled}))
"""


def make_zip(path: Path) -> Path:
    """A function zip as serverless writes it: sources only."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in MODULES.items():
            archive.writestr(name, text)
    return path


def test_bytecode_zip_gets_a_312_pyc_per_module_and_its_import_compiles_nothing(tmp_path: Path) -> None:
    python = bytecode.find_python312()
    assert python is not None, "no CPython 3.12 on this machine: the Lambda runtime's version is needed here"
    artifact = make_zip(tmp_path / "function.zip")

    assert bytecode.add_bytecode(artifact, python) == 3
    assert bytecode.add_bytecode(artifact, python) == 0  # a second run adds nothing twice

    with zipfile.ZipFile(artifact) as archive:
        names = set(archive.namelist())
    assert {"greeting/__pycache__/words.cpython-312.pyc", "__pycache__/handler.cpython-312.pyc"} <= names
    folder = unzip(artifact, tmp_path / "task")
    run = subprocess.run([python, "-I", "-S", "-B", "-c", CHILD, str(folder)], capture_output=True, text=True,
                         check=True, timeout=60)
    assert run.stdout.strip() == '{"answer": "hello clinic", "compiled": []}'


def test_bytecode_traceback_names_the_file_where_lambda_keeps_it(tmp_path: Path) -> None:
    python = bytecode.find_python312()
    assert python is not None
    artifact = make_zip(tmp_path / "function.zip")
    bytecode.add_bytecode(artifact, python)
    folder = unzip(artifact, tmp_path / "task")
    cached = folder / "__pycache__" / "handler.cpython-312.pyc"
    child = "import marshal, sys; print(marshal.loads(open(sys.argv[1], 'rb').read()[16:]).co_filename)"

    run = subprocess.run([python, "-I", "-c", child, str(cached)], capture_output=True, text=True, timeout=60)

    assert run.stdout.strip() == "/var/task/handler.py"


def test_bytecode_without_python_312_leaves_the_zip_and_says_what_it_costs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    artifact = make_zip(tmp_path / "function.zip")
    before = artifact.read_bytes()
    monkeypatch.setattr(bytecode, "find_python312", lambda: None)

    assert bytecode.main([str(artifact)]) == 0

    assert artifact.read_bytes() == before
    warning = capsys.readouterr().err
    assert "WITHOUT bytecode" in warning and "cold start" in warning and "3.12" in warning


def test_bytecode_find_python312_skips_an_interpreter_of_another_version(tmp_path: Path) -> None:
    other = Path(sys.executable) if sys.version_info[:2] != (3, 12) else None
    not_python = tmp_path / "python3.12"
    not_python.write_text("#!/bin/sh\nexit 127\n")  # a pyenv shim for a version that is not installed
    not_python.chmod(0o755)

    found = bytecode.find_python312({"CRAMP_PYTHON312": str(other or not_python)})

    assert found is None or bytecode._version_of(found) == (3, 12)
    assert found != str(not_python)
