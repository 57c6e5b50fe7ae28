"""Do once, at packaging, the work every Lambda cold start would otherwise repeat before its first answer.

`python -m deploy.prebuild ZIP...` runs each zip's own code (its shared/, its jinja2 and PyYAML) in a fresh
interpreter over the zip's files, and adds to the zip:
  shared/content.pickle       the packaged content loaded (YAML parsed, every load-time check run, the lexicon
                              compiled) and saved whole: the cold start reads it back instead (shared/snapshot.py)
  shared/compiled_templates/  every template compiled to a Python module by the zip's jinja2, with the SHA-256 of
                              the sources: the first answers load them with jinja2.ModuleLoader instead of
                              compiling (shared/render.py)
Each is used only while its sources hash the same, so an edited file is never served stale. Loading the content
here runs every load-time check, so a content mistake stops the packaging, not the first cold start.
deploy/stage-functions.js runs this on each zip before deploy/bytecode.py, which then compiles the template
modules like every other module.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from deploy.bytecode import add_to_zip, find_python312

# Runs in the zip's files alone (-I -S: no site-packages), so the templates are compiled by the jinja2 that will
# render them and with shared/render.py's own settings; -B keeps the folder free of this machine's bytecode.
CHILD = """
import sys
sys.path.insert(0, sys.argv[1])
from shared.content import load_content
from shared.render import COMPILED_TEMPLATES, compile_templates
from shared.snapshot import write_snapshot
content = load_content()
write_snapshot(content)
print(f"content version {content.version} saved; {compile_templates(content.template_dirs, COMPILED_TEMPLATES)} "
      "templates compiled")
"""


class PrebuildError(RuntimeError):
    """The zip's content or templates are wrong: the Lambda would fail on them too."""


def prebuild(artifact: Path, python: str) -> list[str]:
    """Add the loaded content and the compiled templates to the zip; return the paths added."""
    with zipfile.ZipFile(artifact) as archive:
        needed = [name for name in archive.namelist() if name.endswith(".py") or name.startswith("shared/")]
        with tempfile.TemporaryDirectory(prefix="lambda-prebuild-") as folder:
            root = Path(folder)
            for name in needed:
                archive.extract(name, root)
            before = {path for path in root.rglob("*") if path.is_file()}
            run = subprocess.run(  # noqa: S603 - an interpreter we found ourselves, a fixed program
                [python, "-I", "-S", "-B", "-c", CHILD, str(root)],
                capture_output=True,
                text=True,
                timeout=300,
            )
            if run.returncode != 0:
                raise PrebuildError(f"{artifact.name}: {run.stderr.strip()[-3000:]}")
            for line in run.stdout.splitlines():
                print(f"prebuild: {artifact.name}: {line}")
            made = sorted(path for path in root.rglob("*") if path.is_file() and path not in before)
            return [path.relative_to(root).as_posix() for path in add_to_zip(artifact, root, made)]


def main(argv: list[str] | None = None) -> int:
    """Command line: prebuild each zip named, with CPython 3.12 when there is one (else this interpreter)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("artifacts", nargs="+", type=Path, help="Lambda function zips to complete")
    args = parser.parse_args(argv)
    python = find_python312() or sys.executable
    for artifact in dict.fromkeys(args.artifacts):
        added = prebuild(artifact, python)
        print(f"prebuild: {artifact.name}: {len(added)} files added (the loaded content, compiled templates)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
