"""Put CPython 3.12 bytecode beside every module a Lambda zip ships, so a cold start loads code instead of compiling it.

Lambda unzips a function into /var/task, which is read-only: Python cannot write the bytecode it compiles there, so
without shipped bytecode every cold start compiles every module it imports again (docs/benchmarks.md measures
what that costs). `python -m deploy.bytecode ZIP...` adds a `__pycache__/<name>.cpython-312.pyc` for
each `.py` in each zip, compiled by a CPython 3.12 interpreter (the Lambda runtime's version: bytecode is only read
by the version that wrote it) with `--invalidation-mode unchecked-hash`, because Lambda does not keep the files'
timestamps and a timestamp check would reject every file. Tracebacks name the files as /var/task/... .
deploy/stage-functions.js runs it on each zip once serverless-python-requirements has added the requirements.
Without a 3.12 interpreter it leaves the zips as they are and says what that costs.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

LAMBDA_PYTHON = (3, 12)
TASK_ROOT = "/var/task"
CACHE_TAG = "cpython-312"
# Where these machines keep CPython versions (pyenv); python3.12 on PATH is tried first.
PYENV_VERSIONS = Path.home() / ".pyenv" / "versions"
NO_BYTECODE_WARNING = (
    "WARNING: no CPython 3.12 interpreter found (python3.12 on PATH, ~/.pyenv/versions/3.12.*, or CRAMP_PYTHON312):"
    " the Lambda zips were packaged WITHOUT bytecode. They work, but every cold start compiles every module it"
    " imports (about 300 ms more before the Alexa skill's first answer). Install CPython 3.12 and package again."
)


class BytecodeError(RuntimeError):
    """A shipped module could not be compiled (it could not be imported on Lambda either)."""


def _version_of(python: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run(  # noqa: S603 - an interpreter path we found ourselves
            [python, "-c", "import sys; print(*sys.version_info[:2])"], capture_output=True, text=True, timeout=30
        )
    except OSError:
        return None
    parts = out.stdout.split()
    return (int(parts[0]), int(parts[1])) if out.returncode == 0 and len(parts) == 2 else None


def find_python312(environ: dict[str, str] | None = None) -> str | None:
    """A CPython 3.12 interpreter: $CRAMP_PYTHON312, python3.12 on PATH, else the newest pyenv 3.12.x."""
    env = os.environ if environ is None else environ
    candidates = [env.get("CRAMP_PYTHON312") or "", shutil.which("python3.12") or ""]

    def patch_level(path: Path) -> int:
        match = re.fullmatch(r"3\.12\.(\d+)", path.parents[1].name)
        return int(match.group(1)) if match else -1

    candidates += [str(p) for p in sorted(PYENV_VERSIONS.glob("3.12.*/bin/python3.12"), key=patch_level, reverse=True)]
    for candidate in filter(None, candidates):
        if _version_of(candidate) == LAMBDA_PYTHON:
            return candidate
    return None


def add_bytecode(artifact: Path, python: str) -> int:
    """Compile every .py in the zip with `python` (CPython 3.12) and add the .pyc files; return how many."""
    with zipfile.ZipFile(artifact) as archive:
        members = archive.namelist()
        sources = [name for name in members if name.endswith(".py")]
        with tempfile.TemporaryDirectory(prefix="lambda-bytecode-") as folder:
            root = Path(folder)
            for name in sources:
                archive.extract(name, root)
            compiled = subprocess.run(  # noqa: S603 - the interpreter find_python312 checked
                [python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash",
                 "-s", str(root), "-p", TASK_ROOT, str(root)],
                capture_output=True,
                text=True,
                timeout=600,
            )
            if compiled.returncode != 0:
                raise BytecodeError(f"{artifact.name}: compileall failed:\n{compiled.stdout[-3000:]}")
            pycs = sorted(path for path in root.rglob("*.pyc") if path.parent.name == "__pycache__")
            added = add_to_zip(artifact, root, pycs)
    return len(added)


def add_to_zip(artifact: Path, root: Path, files: list[Path]) -> list[Path]:
    """Add each file under `root` to the zip at its path relative to `root`, unless the zip already holds that
    path; return the files added."""
    with zipfile.ZipFile(artifact) as archive:
        present = set(archive.namelist())
    added = [path for path in files if path.relative_to(root).as_posix() not in present]
    with zipfile.ZipFile(artifact, "a", compression=zipfile.ZIP_DEFLATED) as out:
        for path in added:
            info = zipfile.ZipInfo(path.relative_to(root).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(info, path.read_bytes())
    return added


def main(argv: list[str] | None = None) -> int:
    """Command line: add bytecode to each zip named, or warn (and succeed) when no CPython 3.12 is found."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("artifacts", nargs="+", type=Path, help="Lambda function zips to complete")
    args = parser.parse_args(argv)
    python = find_python312()
    if python is None:
        print(NO_BYTECODE_WARNING, file=sys.stderr)
        return 0
    for artifact in dict.fromkeys(args.artifacts):
        count = add_bytecode(artifact, python)
        print(f"bytecode: {artifact.name}: {count} modules compiled by {python} ({CACHE_TAG}, unchecked-hash)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
