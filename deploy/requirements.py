"""Stage each Lambda function's code and requirements from pyproject.toml, so dependencies are declared once.

`python -m deploy.requirements` writes build/lambda/<function>/ with a copy of the packages (and single
modules) that function imports and a requirements.txt of the core dependencies plus its optional groups. An
extra may name this project's own extras (`cramp-check[sms-send]`), as pip allows; they are expanded here, so
each dependency is written once in pyproject.toml. serverless.yml points each function's `module` at its
folder: serverless-python-requirements installs that folder's requirements into that function's zip only, so
flask never ships in the Alexa zip nor ask-sdk in the SMS one.
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
# deploy/prebuild.py makes the saved content and the compiled templates inside each zip from its own sources: a
# leftover from a local run is never staged in their place.
_SKIPPED_FILES = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", ".DS_Store", "*.pickle", "compiled_templates")


@dataclass(frozen=True)
class LambdaFunction:
    """One deployed code bundle: the packages and single modules it imports and the pyproject extras it needs."""

    name: str
    packages: tuple[str, ...]
    extras: tuple[str, ...]
    # Files copied alone from a package not shipped whole, e.g. "sms/outbound.py"; list the package's
    # __init__.py too, or the module cannot be imported.
    modules: tuple[str, ...] = ()


# The sms bundle serves three functions (sms, sms_fallback, staff_notify); all import only shared/ and sms/.
# "Alexa, text me that" sends through the SMS line's outbound code (skill/texting.py imports it on use): the
# Alexa bundle carries that one module and twilio, but not the webhook, flask or the rest of sms/.
FUNCTIONS = (
    LambdaFunction(
        name="alexa",
        packages=("shared", "skill"),
        extras=("alexa", "sms-send"),
        modules=("sms/__init__.py", "sms/outbound.py"),
    ),
    LambdaFunction(name="sms", packages=("shared", "sms"), extras=("sms",)),
    # The staff inbox: its own package and the SMS line's notification and sending modules (text back, the
    # notification fields it settles, the opt-outs a text back must honour), but not the webhook.
    LambdaFunction(
        name="staff",
        packages=("shared", "staff"),
        extras=("staff",),
        modules=("sms/__init__.py", "sms/notifications.py", "sms/optouts.py", "sms/outbound.py", "sms/replies.py"),
    ),
)


class RequirementsError(ValueError):
    """pyproject.toml does not say what a function needs, or says it needs the runtime's own packages."""


def _distribution_name(requirement: str) -> str:
    """The normalised project name at the start of a PEP 508 requirement string."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    if match is None:
        raise RequirementsError(f"cannot read a project name from {requirement!r}")
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def _own_extras(requirement: str, project_name: str) -> list[str] | None:
    """The extras named by a requirement on this project itself ("cramp-check[sms-send]"), else None."""
    if not project_name or _distribution_name(requirement) != project_name:
        return None
    match = re.match(r"\s*[A-Za-z0-9._-]+\s*\[([^\]]*)\]\s*$", requirement)
    if match is None:
        raise RequirementsError(f"{requirement!r} names this project without extras or with a marker or version")
    return [extra.strip() for extra in match.group(1).split(",") if extra.strip()]


def _extra_requirements(
    optional: dict, extra: str, project_name: str, function: str, seen: tuple[str, ...]
) -> list[str]:
    """One extra's requirements, with references to this project's other extras replaced by their contents."""
    if extra not in optional:
        raise RequirementsError(f"pyproject.toml has no optional-dependencies group {extra!r} for {function}")
    if extra in seen:
        raise RequirementsError(f"optional-dependencies group {extra!r} includes itself ({' -> '.join(seen)})")
    expanded: list[str] = []
    for requirement in optional[extra]:
        own = _own_extras(requirement, project_name)
        if own is None:
            expanded.append(requirement)
            continue
        for inner in own:
            expanded.extend(_extra_requirements(optional, inner, project_name, function, (*seen, extra)))
    return expanded


def function_requirements(pyproject: dict, function: LambdaFunction) -> list[str]:
    """The core dependencies plus the function's extras (own extras expanded), in order, without duplicates."""
    project = pyproject.get("project", {})
    optional = project.get("optional-dependencies", {})
    project_name = _distribution_name(project["name"]) if project.get("name") else ""
    requirements = list(project.get("dependencies", []))
    for extra in function.extras:
        requirements.extend(_extra_requirements(optional, extra, project_name, function.name, ()))
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
        for module in function.modules:
            source = root / module
            if not source.is_file():
                raise RequirementsError(f"{function.name} needs the module {module}, which is missing")
            target = folder / module
            if target.exists():
                raise RequirementsError(f"{function.name} lists {module} on its own and in a whole package")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
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
