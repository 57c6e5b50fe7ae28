"""`python -m bench` (`make bench`): every side-by-side benchmark in one run, written to build/bench.json
and docs/benchmarks.md. Every figure in the table is a ratio against a reference measured in the same run.

--quick uses tiny run counts (a smoke run, not a measurement); --skip-artifacts leaves out the Lambda zips
(which need the node tools and, after a code change, a few minutes of packaging).
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import alexa, artifacts, sms
from bench.stats import ROOT, machine

JSON_PATH = ROOT / "build" / "bench.json"
MARKDOWN_PATH = ROOT / "docs" / "benchmarks.md"

FULL = {"warm": 400, "warmup": 40, "cold": 9, "core": 3000, "imports": 7, "artifact_imports": 5}
QUICK = {"warm": 5, "warmup": 1, "cold": 1, "core": 20, "imports": 1, "artifact_imports": 1}


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
    results["core"] = core.run(runs=counts["core"], import_runs=counts["imports"])
    results["alexa_cold"] = alexa.cold(runs=counts["cold"])
    if build is not None:
        results["artifacts"] = artifacts.measure(build, runs=counts["artifact_imports"])
    results["machine"]["load_average_at_end"] = machine()["load_average_at_start"]
    results["seconds"] = round(time.perf_counter() - started, 1)
    return results


def _ms(value: float) -> str:
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _timing(stats: dict[str, Any], unit: str = "ms") -> str:
    """'p50 1.23 ms (p90 1.50, p99 2.10; IQR 0.20; n=400)'."""
    return (
        f"p50 {_ms(stats['p50'])} {unit} (p90 {_ms(stats['p90'])}, p99 {_ms(stats['p99'])}; "
        f"IQR {_ms(stats['iqr'])}; n={stats['runs']})"
    )


def _ratio(value: float) -> str:
    return "∞" if math.isinf(value) else f"{value:.2f}×"


def _verdict(value: float, target: float | None) -> str:
    if target is None:
        return "—"
    return "met" if value <= target else "**over**"


def artifact_rows(built: dict[str, Any]) -> list[tuple[str, str, str, str, str, str, str]]:
    """Rows for the Lambda zips: each function's size, and each distinct zip's handler import (or its failure)."""
    rows = []
    for name, size in built["sizes"].items():
        rows.append(
            (
                f"Lambda `{name}` zip size (arm64, as deployed)",
                f"{size['zip_mb']:.1f} MB ({size['unzipped_mb']:.0f} MB unzipped)",
                f"budget {size['target_mb']:.0f} MB",
                _ratio(size["ratio_to_target"]),
                "—",
                "≤ 1.0×",
                _verdict(size["ratio_to_target"], 1.0),
            )
        )
    for name, found in built["imports"].items():
        if "same_zip_as" in found:
            continue
        if "error" in found:
            rows.append((f"Lambda `{name}` import of `{found['handler_module']}` from its unzipped zip",
                         f"**failed**: {found['error']}", "—", "—", "—", "must import", "**failed**"))
            continue
        cold = found.get("cold_start", {})
        for mode, label in (("as_shipped", "as shipped, no bytecode"), ("with_bytecode", "with .pyc and caches")):
            if mode not in cold:
                continue
            item = cold[mode]
            rows.append(
                (
                    f"Lambda `{name}` cold start from its unzipped zip: import + first triage answer ({label})",
                    _timing(item["subject"]["wall"]),
                    "hello world from the same folder: " + _timing(item["reference"]["wall"]),
                    _ratio(item["ratio"]),
                    _ratio(item["cpu_ratio"]),
                    f"≤ {item['target']}×",
                    _verdict(item["ratio"], item["target"]),
                )
            )
        for mode, label in (("as_shipped", "as shipped, no bytecode"), ("with_bytecode", "with .pyc")):
            item = found[mode]
            rows.append(
                (
                    f"Lambda `{name}` import of `{found['handler_module']}` from its unzipped zip ({label})",
                    _timing(item["subject"]["wall"]),
                    f"{', '.join(item['reference_modules'])}: " + _timing(item["reference"]["wall"]),
                    _ratio(item["ratio"]),
                    _ratio(item["cpu_ratio"]),
                    "—",
                    "—",
                )
            )
    return rows


def table_rows(results: dict[str, Any]) -> list[tuple[str, str, str, str, str, str, str]]:
    """(measure, subject, reference, ratio, CPU ratio, target, verdict) for every figure in the run."""
    rows = []
    for key in ("alexa_warm", "alexa_cold", "sms_warm"):
        item = results[key]
        rows.append(
            (
                item["name"],
                _timing(item["subject"]["wall"]),
                _timing(item["reference"]["wall"]),
                _ratio(item["ratio"]),
                _ratio(item["cpu_ratio"]),
                f"≤ {item['target']}×",
                _verdict(item["ratio"], item["target"]),
            )
        )
    core = results["core"]
    assessment = core["assessment"]
    rows.append(
        (
            assessment["name"],
            _timing(assessment["subject"], "µs"),
            f"budget {assessment['budget_us']:.0f} µs at p99",
            _ratio(assessment["ratio"]),
            _ratio(assessment["subject_cpu"]["p99"] / assessment["budget_us"]),
            "≤ 1.0× (p99)",
            _verdict(assessment["ratio"], 1.0),
        )
    )
    imported = core["import"]
    rows.append(
        (
            imported["name"],
            _timing(imported["subject"]["wall"]),
            _timing(imported["reference"]["wall"]),
            _ratio(imported["ratio"]),
            _ratio(imported["cpu_ratio"]),
            f"≤ {imported['target']}×",
            _verdict(imported["ratio"], imported["target"]),
        )
    )
    if "artifacts" in results:
        rows += artifact_rows(results["artifacts"])
    return rows


def _swapped(results: dict[str, Any]) -> list[str]:
    imports = results["artifacts"]["imports"].values()
    found = {name for item in imports for name in item.get("swapped_for_this_machine", [])}
    return sorted(found) or ["none"]


def markdown(results: dict[str, Any]) -> str:
    """The report: one table of ratios, then how it was measured and on what."""
    box = results["machine"]
    counts = results["counts"]
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`python -m bench`); do not edit by hand. Raw numbers: `build/bench.json`.",
        f"Run {results['generated_at']} in {results['seconds']} s, on commit {results['source']['commit']} with "
        f"{results['source']['uncommitted_files']} uncommitted file(s) in the working tree (measured as they are), "
        f"on {box['cpu']}, {box['cores']} cores "
        f"({box['arch']}, {box['os']}), Python {box['python']}; load average {box['load_average_at_start']} at the "
        f"start and {box['load_average_at_end']} at the end.",
        "",
        "Every ratio is subject ÷ reference, both measured in this run, reference and subject calls alternated "
        "(A B, B A, ...) so drifting noise hits both. **Ratio** compares wall-clock medians (the latency a caller "
        "sees, including disk syncs and waiting for a CPU); **CPU ratio** compares the CPU time of the same calls, "
        "which other processes on a shared machine cannot inflate.",
        "",
        "| Measure | Subject | Reference | Ratio | CPU ratio | Target | |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in table_rows(results)]
    lines += [
        "",
        "## What each row measures",
        "",
        f"- **Alexa warm turn**: {counts['warm']} timed turns after {counts['warmup']} warm-up turns, in process. "
        "The subject is `build_skill` over a SQLite store in a temporary folder, called through `skill.app.invoke` "
        "(what `lambda_handler` calls: JSON in, envelope deserialised, handlers, response serialised). Each turn is "
        "a new-session `DescribeSymptomIntent` with all four slots resolved (eyelid, twitching, seconds, at rest: no "
        "screening question is due, so the turn ends in a verdict), from a different user whose history already "
        "holds two old episodes: the turn reads that record and writes it back with the new episode. The reference "
        "is `bench/hello_world_skill.py` answering `HelloWorldIntent` through its `lambda_handler`.",
        f"- **Alexa cold start**: {counts['cold']} fresh interpreters each (after one discarded spawn that writes "
        "the bytecode caches), wall time from spawn to exit: import `skill.lambda_function` (SQLite store) and answer "
        "the same triage envelope, vs import `bench.hello_world_skill` and answer HelloWorldIntent. Deployed, the "
        "skill uses DynamoDB instead of SQLite, so a Lambda cold start also imports boto3 and reads its SSM secret, "
        "which the hello-world skill does not.",
        f"- **SMS turn**: {counts['warm']} timed turns after {counts['warmup']} warm-up turns through Flask's test "
        "client, each a Twilio form signed by twilio's `RequestValidator` for the configured public URL. The subject "
        "is `create_app` over SQLite; every turn is a new number's first message (\"my eyelid keeps twitching...\"), "
        "so it takes the whole first-message path: the MessageSid claim, the opt-out check, the rate limit, the "
        "conversation state, the reader, triage, the verdict template and the reply stored with its claim (the store "
        "calls it makes are counted below). The reference is "
        "`bench/quickstart_sms.py`: the same signature check, then an echo.",
        f"- **Core** (bench/core.py): `shared.reader.read` + `shared.triage.assess` on one free-text message, "
        f"{counts['core']} timed calls cycling through {results['core']['assessment']['phrasings']} real phrasings, "
        "content already loaded; the ratio is p99 ÷ the 1 ms budget. The core's import (`"
        + ", ".join(results["core"]["import"]["modules"]["subject"])
        + f"`) is the `-X importtime` cumulative time in {counts['imports']} fresh interpreters, alternated with "
        "`import ask_sdk_core.skill_builder` measured the same way.",
    ]
    if "artifacts" in results:
        lines += [
            "- **Lambda zips**: `osls package` of the working tree (serverless.yml, deploy/; what `make package` "
            "builds), redone only when its inputs change. Sizes are the arm64 zips that deploy. For the import times "
            "each zip is unzipped and its aarch64 distributions are swapped for the same versions built for this "
            "machine (" + ", ".join(_swapped(results)) + "), as tests/deploy does; the rest is the zip as deployed. "
            "`python -I -S` then imports the handler module with only that folder and a boto3 stand-in for the "
            f"Lambda runtime's own on the path, {counts['artifact_imports']} runs each, alternated with the "
            "reference: what the reference app imports, from the same folder. *As shipped* runs with `-B` and no "
            "`__pycache__`, as on Lambda (the zip carries no bytecode and /var/task is read-only); *with .pyc* "
            "compiles the folder first. For the Alexa zip, the *cold start* rows time the same isolated interpreter "
            "importing the handler and answering the triage envelope (memory store: there is no DynamoDB here), "
            "against `bench/hello_world_skill.py` copied beside the folder and answering HelloWorldIntent with the "
            "zip's ask-sdk; *with .pyc and caches* lets a first discarded run write bytecode and whatever the code "
            "caches beside it, which is what shipping them in the zip would give. Python here is "
            + results["machine"]["python"] + "; Lambda runs 3.12.",
        ]
    lines += ["", "## Where the time goes", ""]
    for key, label in (("alexa_warm", "Alexa turn"), ("sms_warm", "SMS turn")):
        item = results[key]
        calls = item["store_calls_per_turn"]
        commits = item["committed_transactions_per_turn"]
        commit = item["sqlite_commit_ms"]["p50"]
        subject, reference = item["subject"]["wall"]["p50"], item["reference"]["wall"]["p50"]
        memory = item["diagnosis"]["subject_memory_store"]["wall"]["p50"]
        lines.append(
            f"- {label}: {_ms(subject)} ms vs {_ms(reference)} ms (wall p50). The same turn over the in-memory store, "
            f"timed in the same alternation: {_ms(memory)} ms, so SQLite adds {_ms(subject - memory)} ms "
            f"({', '.join(f'{count} {name}' for name, count in sorted(calls.items()))} store calls, {commits} "
            f"committed transaction(s) at {_ms(commit)} ms each, p50)."
        )
        if memory >= reference:
            lines.append(f"  Our own work over the reference, without SQLite: {_ms(memory - reference)} ms a turn.")
        else:
            lines.append(
                f"  Without SQLite the turn is {_ms(reference - memory)} ms faster than the reference: what the "
                "skill saves on reading the envelope (below) is more than its own work costs."
            )
        cold_memo = item["memos_emptied"]
        lines.append(
            f"  Every timed turn repeats one description, so after the first one its assessment and rendered reply "
            f"come from the core's bounded memos (`shared/triage.py`, `shared/render.py`: pure functions of "
            f"categorical observations, as a warm container serves any repeated combination). With both memos "
            f"emptied before every turn, timed in an alternation of its own with the reference: "
            f"{_ms(cold_memo['subject']['wall']['p50'])} ms vs {_ms(cold_memo['reference']['wall']['p50'])} ms, "
            f"{_ratio(cold_memo['ratio'])}: the first time a container meets a combination."
        )
        same_slots = item["diagnosis"].get("hello_world_same_slots")
        if same_slots is not None:
            sdk = same_slots["wall"]["p50"]
            default = item["diagnosis"]["envelope_default_serializer"]["wall"]["p50"]
            cached = item["diagnosis"]["envelope_cached_plan_serializer"]["wall"]["p50"]
            lines.append(
                f"  The hello-world skill answering an envelope that carries the same four resolved slots takes "
                f"{_ms(sdk)} ms ({_ratio(sdk / reference)} its own): ask-sdk's DefaultSerializer reads that envelope "
                f"in {_ms(default)} ms; the skill's `{item['serializer'].rsplit('.', 1)[-1]}` (the same rules, each "
                f"type's plan resolved once) reads it in {_ms(cached)} ms."
            )
    assessment = results["core"]["assessment"]
    wall_p99, cpu_p99 = assessment["subject"]["p99"], assessment["subject_cpu"]["p99"]
    lines.append(
        f"- Core read + assess: p99 {_ms(wall_p99)} µs of wall time and {_ms(cpu_p99)} µs of CPU time. Where the wall "
        "p99 is far above the CPU p99, the slow calls were waiting for a CPU (other processes; load average "
        f"{results['machine']['load_average_at_start'][0]} on {results['machine']['cores']} cores at the start), "
        "not working."
    )
    cold = results["alexa_cold"]
    floor = cold["diagnosis"]["hello_world_with_jinja2"]["wall"]["p50"]
    cold_reference = cold["reference"]["wall"]["p50"]
    lines.append(
        f"- Alexa cold start floor: hello world that also imports jinja2 before answering takes {_ms(floor)} ms, "
        f"{_ratio(floor / cold_reference)} its own cold start of {_ms(cold_reference)} ms. Every skill that renders "
        "its speech with Jinja2 (the project's fixed template engine) starts at least that slowly, before any of "
        f"its own code; the target is ≤ {cold['target']}×."
    )
    phases = cold["phases_ms"]
    for role, label in (("subject", "Cramp Check"), ("reference", "hello world")):
        found = phases[role]
        lines.append(
            f"- Alexa cold start of {label} under `-X importtime` (the median of {alexa.PHASE_RUNS} more runs): "
            f"import {_ms(found['import'])} ms, "
            f"first request {_ms(found['first_request'])} ms, second request {_ms(found['second_request'])} ms; "
            "import self time by top-level package over the whole run (lazy imports included): "
            + ", ".join(f"{package} {ms:.0f} ms" for package, ms in found["heaviest_imports_ms"].items())
            + "."
        )
    if "artifacts" in results:
        for name, found in results["artifacts"]["imports"].items():
            if "same_zip_as" in found:
                continue
            parts = results["artifacts"]["sizes"][name]["largest_parts_mb"]
            lines.append(
                f"- `{name}` zip, largest parts (compressed): "
                + ", ".join(f"{part} {mb:.1f} MB" for part, mb in parts.items())
                + "."
            )
            if "error" in found:
                continue
            shipped = found["as_shipped"]["subject"]["wall"]["p50"]
            compiled = found["with_bytecode"]["subject"]["wall"]["p50"]
            lines.append(
                f"- `{name}` zip: importing `{found['handler_module']}` takes {_ms(shipped)} ms as shipped and "
                f"{_ms(compiled)} ms once bytecode exists: compiling on every cold start costs "
                f"{_ms(shipped - compiled)} ms."
            )
            cold = found.get("cold_start")
            if cold:
                as_shipped = cold["as_shipped"]["subject"]["wall"]["p50"]
                prepared = cold["with_bytecode"]["subject"]["wall"]["p50"]
                lines.append(
                    f"- `{name}` zip cold start (import + first answer): {_ms(as_shipped)} ms as shipped, "
                    f"{_ms(prepared)} ms with bytecode and caches in place; shipping them (built by CPython 3.12 "
                    f"at packaging time) would save about {_ms(as_shipped - prepared)} ms of every cold start."
                )
    lines.append("")
    return "\n".join(lines)


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
