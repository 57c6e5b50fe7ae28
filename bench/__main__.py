"""`python -m bench` (`make bench`): every side-by-side benchmark in one run, written to build/bench.json
and docs/benchmarks.md. Every figure in the table is a ratio against a reference measured in the same run.

--quick uses tiny run counts (a smoke run, not a measurement); --skip-artifacts leaves out the Lambda zips
and so the cold start as shipped (they need the node tools, the npm and PyPI registries and, after a code
change, a few minutes of packaging).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import alexa, artifacts, round_trips, sms
from bench.report import markdown
from bench.stats import ROOT, machine

JSON_PATH = ROOT / "build" / "bench.json"
MARKDOWN_PATH = ROOT / "docs" / "benchmarks.md"

FULL = {"warm": 400, "warmup": 40, "core": 3000, "imports": 7, "compile": 15, "artifact_imports": 9}
QUICK = {"warm": 5, "warmup": 1, "core": 20, "imports": 1, "compile": 1, "artifact_imports": 1}


def source() -> dict[str, Any]:
    """The commit measured, and how many files in the working tree differ from it (they are measured too)."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    status = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True)
    return {
        "commit": commit.stdout.strip() or "unknown",
        "uncommitted_files": len([line for line in status.stdout.splitlines() if line.strip()]),
    }


def run_all(counts: dict[str, int], *, with_artifacts: bool) -> dict[str, Any]:
    """Run every benchmark and return the results with the machine and the run counts."""
    from bench import core

    started = time.perf_counter()
    build = artifacts.package() if with_artifacts else None
    results: dict[str, Any] = {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "source": source(),
        "machine": machine(),
        "counts": counts,
    }
    results["alexa_warm"] = alexa.warm(runs=counts["warm"], warmup=counts["warmup"])
    results["sms_warm"] = sms.warm(runs=counts["warm"], warmup=counts["warmup"])
    results["core"] = core.run(runs=counts["core"], import_runs=counts["imports"], compile_runs=counts["compile"])
    results["round_trips"] = round_trips.run()
    if build is not None:
        results["artifacts"] = artifacts.measure(build, runs=counts["artifact_imports"])
    results["machine"]["load_average_at_end"] = machine()["load_average_at_start"]
    results["seconds"] = round(time.perf_counter() - started, 1)
    return results


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and write build/bench.json and docs/benchmarks.md."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny run counts: checks the benchmarks run")
    parser.add_argument("--skip-artifacts", action="store_true", help="leave out the Lambda zip figures")
    parser.add_argument("--json", type=Path, default=JSON_PATH, help="where to write the raw results")
    parser.add_argument("--markdown", type=Path, default=MARKDOWN_PATH, help="where to write the report")
    args = parser.parse_args(argv)
    results = run_all(QUICK if args.quick else FULL, with_artifacts=not args.skip_artifacts)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    report = markdown(results)
    args.markdown.parent.mkdir(parents=True, exist_ok=True)
    args.markdown.write_text(report, encoding="utf-8")
    print(report)
    failed = [name for name, found in results.get("artifacts", {}).get("imports", {}).items() if "error" in found]
    if failed:
        print(f"bench: the handler of {', '.join(failed)} cannot be imported from its zip", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
