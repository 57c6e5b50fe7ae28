"""Stage each Lambda function's code and requirements from pyproject.toml, so dependencies are declared once.

`python -m deploy.requirements` writes build/lambda/<function>/ with a copy of the packages that function
imports and a requirements.txt of the core dependencies plus that channel's optional group. serverless.yml
points each function's `module` at its folder: serverless-python-requirements installs that folder's
requirements into that function's zip only, so twilio never ships in the Alexa zip nor ask-sdk in the SMS one.
The local serverless plugin deploy/stage-functions.js runs this before every `osls package` or `osls deploy`.
"""

from __future__ import annotations

import argparse
import re
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

BUILD_DIR = Path("build") / "lambda"
# The Lambda Python runtime already holds these; shipping them would only grow the zip.
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer", "jmespath"})
_SKIPPED_FILES = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", ".DS_Store")


@dataclass(frozen=True)
class LambdaFunction:
    """One deployed code bundle: the packages it imports and the pyproject extras it needs."""

    name: str
    packages: tuple[str, ...]
    extras: tuple[str, ...]


# The sms bundle serves three functions (sms, sms_fallback, notify_retry); all import only shared/ and sms/.
FUNCTIONS = (
    LambdaFunction(name="alexa", packages=("shared", "skill"), extras=("alexa",)),
    LambdaFunction(name="sms", packages=("shared", "sms"), extras=("sms",)),
)


class RequirementsError(ValueError):
    """pyproject.toml does not say what a function needs, or says it needs the runtime's own packages."""


def _distribution_name(requirement: str) -> str:
    """The normalised project name at the start of a PEP 508 requirement string."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    if match is None:
        raise RequirementsError(f"cannot read a project name from {requirement!r}")
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def function_requirements(pyproject: dict, function: LambdaFunction) -> list[str]:
    """The core dependencies plus the function's extras, in declaration order, without duplicates."""
    project = pyproject.get("project", {})
    optional = project.get("optional-dependencies", {})
    requirements = list(project.get("dependencies", []))
    for extra in function.extras:
        if extra not in optional:
            raise RequirementsError(f"pyproject.toml has no optional-dependencies group {extra!r} for {function.name}")
        requirements.extend(optional[extra])
    unique = list(dict.fromkeys(req.strip() for req in requirements))
    shipped_by_runtime = sorted(name for name in map(_distribution_name, unique) if name in RUNTIME_PROVIDED)
    if shipped_by_runtime:
        raise RequirementsError(f"{function.name} would ship {shipped_by_runtime}; the Lambda runtime provides them")
    return unique


def stage(root: Path, functions: tuple[LambdaFunction, ...] = FUNCTIONS) -> dict[str, Path]:
    """Rebuild build/lambda/<name>/ for each function and return the folders by function name."""
    pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    staged: dict[str, Path] = {}
    for function in functions:
        folder = root / BUILD_DIR / function.name
        # Start from nothing, so a module deleted from the source tree cannot linger in the zip.
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        for package in function.packages:
            source = root / package
            if not (source / "__init__.py").is_file():
                raise RequirementsError(f"{function.name} needs the package {package}/, which is missing")
            shutil.copytree(source, folder / package, ignore=_SKIPPED_FILES)
        lines = function_requirements(pyproject, function)
        (folder / "requirements.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        staged[function.name] = folder
    return staged


def main(argv: list[str] | None = None) -> None:
    """Command line: stage every function under the given project root (default: the current folder)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="project root holding pyproject.toml")
    args = parser.parse_args(argv)
    for name, folder in stage(args.root.resolve()).items():
        print(f"staged {name}: {folder}")


if __name__ == "__main__":
    main()
