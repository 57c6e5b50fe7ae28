"""Mutation testing of the safety-critical code: `python -m reliability.mutation` (and `make reliability`).

mutmut (pinned in the dev extra; configured in pyproject.toml's [tool.mutmut]) changes one thing at a time in the
functions below (a comparison flipped, a boolean negated, a constant or a return changed) and runs the tests that
reach that function. A mutant no test notices is a guard no test holds. Each survivor is either killed by a real
behaviour test or listed as equivalent in reliability/mutants_equivalent.yaml, with the line it changes and a
one-line reason; docs/reliability.md lists every survivor left, per module.

mutmut copies the project to mutants/ and switches mutants per function at run time (its trampolines), in forked
workers: one run over these functions takes minutes, not a pytest start per mutant. Code that runs once at import
(a decorator applied to a route) cannot be switched that way, so it is left out here and covered by its own tests.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import re
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
MUTANTS = REPO / "mutants"
EQUIVALENTS = Path(__file__).with_name("mutants_equivalent.yaml")
# mutmut's own command beside this interpreter (`python -m mutmut` re-imports its entry module and warns).
MUTMUT = str(Path(sys.executable).with_name("mutmut"))

# What is mutated, by module: mutmut's names for the functions that hold each safety guard.
TARGETS: dict[str, tuple[str, ...]] = {
    "shared/triage.py (the red-flag screen)": ("shared.triage.x_screen", "shared.triage.x__urgency",
                                               "shared.triage.x_if_present"),
    "shared/conditions.py": ("shared.conditions.x_holds", "shared.conditions.x_operator_of"),
    "shared/content.py (red flags loaded)": ("shared.content.x__load_red_flags", "shared.content.x_signs_named"),
    "shared/content_checks.py (the content checks)": (
        "shared.content_checks.x_mapping", "shared.content_checks.x_non_empty_list", "shared.content_checks.x_unique",
        "shared.content_checks.x_only", "shared.content_checks.xǁIdCheckerǁids_of",
        "shared.content_checks.xǁIdCheckerǁvalue", "shared.content_checks.xǁIdCheckerǁcondition",
        "shared.content_checks.xǁIdCheckerǁsets"),
    "sms/signature.py": ("sms.signature.x_expected_url", "sms.signature.x_is_valid_signature"),
    "sms/optouts.py (opt-outs and their journal)": ("sms.optouts.x_",),
    "shared/erasure.py": ("shared.erasure.x_",),
    "shared/outbox.py (erasure's outbox rewrite)": ("shared.outbox.x_remove_from_outbox",),
    "shared/config.py (the deployed-mode guards)": (
        "shared.config.x_is_loopback", "shared.config.x_staff_password_bits", "shared.config.x_strong_staff_password",
        "shared.config.xǁSettingsǁvalidate", "shared.config.xǁSettingsǁcheck_alexa_skill_id"),
}
STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped", 36: "timeout",
          -24: "timeout", 24: "timeout", 152: "timeout", 255: "timeout", 37: "caught by type check"}


@dataclass(frozen=True)
class Mutant:
    """One mutant: its name, the module, the status, and for a survivor the line as changed."""

    name: str
    module: str
    status: str
    line: str = ""
    equivalent: str = ""  # the reason, when listed as equivalent


def module_of(name: str) -> str | None:
    """The TARGETS module a mutant belongs to, or None when it is outside every target."""
    function = name.split("__mutmut_")[0]
    for module, prefixes in TARGETS.items():
        if any(function == prefix or (prefix.endswith("_") and function.startswith(prefix)) for prefix in prefixes):
            return module
    return None


def globs() -> list[str]:
    """The mutant-name patterns that select every target function."""
    return [f"{prefix}*" if prefix.endswith("_") else f"{prefix}__mutmut_*" for p in TARGETS.values() for prefix in p]


def results() -> dict[str, int | None]:
    """Every mutant's exit code from mutmut's own record (mutants/**.meta)."""
    codes: dict[str, int | None] = {}
    for meta in MUTANTS.rglob("*.meta"):
        codes.update(json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"])
    return codes


def function_sources(module: str) -> dict[str, str]:
    """Every function mutmut wrote into its copy of a module (each mutant, and the original as `..._orig`), by name."""
    path = MUTANTS / (module.replace(".", "/") + ".py")
    source = path.read_text(encoding="utf-8")
    return {node.name: ast.get_source_segment(source, node) or "" for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and "__mutmut_" in node.name}


def changed_line(name: str, sources: dict[str, str]) -> str:
    """The source line(s) the mutant changes, as changed, stripped ('' when its source cannot be found)."""
    function = name.rpartition(".")[2]
    original = sources.get(function.split("__mutmut_")[0] + "__mutmut_orig", "")
    mutated = sources.get(function, "")
    added = [line[2:].strip() for line in difflib.ndiff(original.splitlines()[1:], mutated.splitlines()[1:])
             if line.startswith("+ ")]
    return " | ".join(added)


def equivalents() -> dict[tuple[str, str], str]:
    """(function, changed line) -> why the mutant changes nothing a person or a caller could notice."""
    entries = yaml.safe_load(EQUIVALENTS.read_text(encoding="utf-8")) or []
    return {(entry["function"], entry["line"]): entry["reason"] for entry in entries}


def collect() -> list[Mutant]:
    """Every target mutant with its status; survivors carry their changed line and any equivalence reason."""
    known = equivalents()
    found = []
    sources: dict[str, dict[str, str]] = {}
    for name, code in sorted(results().items()):
        module = module_of(name)
        if module is None:
            continue
        status = STATUS.get(code, "not checked" if code is None else "suspicious")
        if status != "survived":
            found.append(Mutant(name, module, status))
            continue
        module_name = name.split(".x")[0]
        if module_name not in sources:
            sources[module_name] = function_sources(module_name)
        line = changed_line(name, sources[module_name])
        reason = known.get((name.split("__mutmut_")[0], line), "")
        found.append(Mutant(name, module, "equivalent" if reason else "survived", line, reason))
    return found


def summary(mutants: list[Mutant]) -> dict[str, dict[str, int]]:
    """Counts per module and status."""
    counts: dict[str, dict[str, int]] = {module: {} for module in TARGETS}
    for mutant in mutants:
        counts[mutant.module][mutant.status] = counts[mutant.module].get(mutant.status, 0) + 1
    return counts


def run(workers: int | None = None) -> dict[str, Any]:
    """Run mutmut over every target mutant (named mutants are always run again) and collect the results."""
    started = time.perf_counter()
    command = [MUTMUT, "run", *(["--max-children", str(workers)] if workers else []), *globs()]
    completed = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)  # noqa: S603
    if completed.returncode != 0:
        tail = re.sub(r"\x1b\[[0-9;]*[A-Za-z]|[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]", "", completed.stdout + completed.stderr)[-3000:]
        raise RuntimeError(f"mutmut failed ({completed.returncode}):\n{tail}")
    mutants = collect()
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "tool": "mutmut " + _version(),
        "counts": summary(mutants),
        "survivors": [asdict(m) for m in mutants if m.status in ("survived", "no tests", "timeout", "suspicious")],
        "equivalent": [asdict(m) for m in mutants if m.status == "equivalent"],
    }


def _version() -> str:
    from importlib.metadata import version

    return version("mutmut")


def main() -> int:
    """Print the results as JSON; exit 1 while a mutant survives that is not listed as equivalent."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, help="parallel mutant runs (default: one per CPU)")
    args = parser.parse_args()
    result = run(args.workers)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 1 if result["survivors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
