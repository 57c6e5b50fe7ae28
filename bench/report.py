"""The benchmarks report: the table of ratios and docs/benchmarks.md, from the results `python -m bench` measured.

`table_rows` is also what the reliability report shows of the benchmarks (reliability/report.py).
"""

from __future__ import annotations

import math
from typing import Any

Row = tuple[str, str, str, str, str, str, str]


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


def _compared(name: str, item: dict[str, Any], reference: str = "", target: float | None = None) -> Row:
    """A row for a subject timed against a reference in one alternation."""
    return (
        name,
        _timing(item["subject"]["wall"]),
        reference + _timing(item["reference"]["wall"]),
        _ratio(item["ratio"]),
        _ratio(item["cpu_ratio"]),
        f"≤ {target}×" if target is not None else "—",
        _verdict(item["ratio"], target),
    )


def cold_start_rows(built: dict[str, Any]) -> list[Row]:
    """The headline: the Alexa zip's cold start as shipped, then as packaged before (without the prebuilt content
    and templates; without bytecode), then the Jinja2 floor."""
    rows = []
    for name, found in built["imports"].items():
        cold = found.get("cold_start")
        if not cold:
            continue
        shipped = cold["as_shipped"]
        rows.append(_compared(f"**Alexa cold start as shipped**: import + first triage answer from the unzipped "
                              f"`{name}` zip, with its bytecode", shipped, "hello world from the same folder, "
                              "with bytecode: ", shipped["target"]))
        floor = shipped["diagnosis"]["hello_world_with_jinja2"]["wall"]
        reference = shipped["reference"]["wall"]
        before = shipped["diagnosis"].get("subject_without_prebuilt")
        if before is not None:
            rows.append((
                f"Alexa cold start from the `{name}` zip with its bytecode, without deploy/prebuild.py's saved "
                "content and compiled templates (YAML parsed and checked, lexicon compiled, templates compiled)",
                _timing(before["wall"]),
                "hello world from the same folder, with bytecode: " + _timing(reference),
                _ratio(before["wall"]["p50"] / reference["p50"]),
                _ratio(before["cpu"]["p50"] / shipped["reference"]["cpu"]["p50"]),
                "—",
                "—",
            ))
        rows.append(_compared(f"Alexa cold start from the `{name}` zip without bytecode (as packaged before that)",
                              cold["without_bytecode"], "hello world from the same folder, without bytecode: "))
        rows.append((
            "Jinja2 floor: hello world importing jinja2 too, from the same folder, with bytecode",
            _timing(floor),
            "hello world: " + _timing(reference),
            _ratio(floor["p50"] / reference["p50"]),
            "—",
            "—",
            "—",
        ))
    return rows


def round_trip_rows(trips: dict[str, Any]) -> list[Row]:
    """DynamoDB requests per turn, against the budget an SMS turn must keep."""
    rows = []
    labels = {
        "sms_first_message": "SMS first message (verdict)",
        "sms_follow_up": "SMS follow-up (TIPS)",
        "alexa_verdict_turn": "Alexa verdict turn",
    }
    budget = trips["target_sms"]
    for name, turn in trips["turns"].items():
        requests = ", ".join(f"{operation} {count}" for operation, count in sorted(turn["requests"].items()))
        count = turn["round_trips"]
        rows.append((
            f"DynamoDB round trips: {labels.get(name, name)}",
            f"{count} ({requests})",
            f"budget {budget}",
            _ratio(count / budget),
            "—",
            "≤ 1.0×",
            _verdict(count / budget, 1.0),
        ))
    return rows


def artifact_rows(built: dict[str, Any]) -> list[Row]:
    """Rows for the Lambda zips: each function's size, and each distinct zip's handler import (or its failure)."""
    rows = []
    for name, size in built["sizes"].items():
        rows.append(
            (
                f"Lambda `{name}` zip size (arm64, as deployed, with bytecode)",
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
        for mode, label in (("as_shipped", "as shipped, with bytecode"), ("without_bytecode", "without bytecode")):
            item = found[mode]
            rows.append(_compared(f"Lambda `{name}` import of `{found['handler_module']}` from its unzipped zip "
                                  f"({label})", item, f"{', '.join(item['reference_modules'])}: "))
    return rows


def table_rows(results: dict[str, Any]) -> list[Row]:
    """(measure, subject, reference, ratio, CPU ratio, target, verdict) for every figure in the run."""
    rows = cold_start_rows(results["artifacts"]) if "artifacts" in results else []
    for key in ("alexa_warm", "sms_warm"):
        item = results[key]
        rows.append(_compared(item["name"], item, target=item["target"]))
    if "round_trips" in results:
        rows += round_trip_rows(results["round_trips"])
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
    found = core.get("reader")
    if found is not None:
        rows.append(
            (
                f"{found['name']} ({found['messages']} messages)",
                _timing(found["subject"], "µs"),
                f"budget {found['budget_us']:.0f} µs at p99",
                _ratio(found["ratio"]),
                _ratio(found["subject_cpu"]["p99"] / found["budget_us"]),
                "≤ 1.0× (p99)",
                _verdict(found["ratio"], 1.0),
            )
        )
    compiled = core.get("compile")
    if compiled is not None:
        rows.append(_compared(compiled["name"], compiled, "`load_content()` from the YAML files: "))
    imported = core["import"]
    rows.append(_compared(imported["name"], imported, target=imported["target"]))
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
    lines += ["", "## What each row measures", ""]
    if "artifacts" in results:
        lines += [
            "- **Lambda zips**: `osls package` of the working tree (serverless.yml, deploy/; what `make package` "
            "builds, CPython 3.12 bytecode included), redone only when its inputs change. Sizes are the arm64 zips "
            "that deploy. Each zip is unzipped and its aarch64 distributions are swapped for the same versions "
            "built for this machine (" + ", ".join(_swapped(results)) + "), as tests/deploy does; the rest is the "
            "zip as deployed. `python -I -S -B` (nothing written: /var/task is read-only) then sees only that "
            "folder, the standard library and a boto3 stand-in for the Lambda runtime's own, "
            f"{counts['artifact_imports']} runs each, alternated with the reference. **Cold start as shipped**: "
            "importing `skill.lambda_function` and answering a `DescribeSymptomIntent` with all four slots "
            "(memory store: there is no DynamoDB here; deployed, the first request also reads SSM and opens "
            "DynamoDB) against `bench/hello_world_skill.py` beside the folder (compiled as ours are) answering "
            "HelloWorldIntent with the zip's ask-sdk. *Without deploy/prebuild.py's saved content and compiled "
            "templates* runs the same cold start from a copy of the folder without them (content parsed by PyYAML "
            "and checked, the lexicon compiled, templates compiled by the first answer). *Without bytecode* "
            "removes every `__pycache__` from both sides: the zips as they shipped before they carried bytecode. "
            "The *import* rows time the handler module against what the reference app imports, from the same "
            "folder. Python here is "
            + box["python"] + "; Lambda runs 3.12, and the shipped bytecode is read only by 3.12.",
        ]
    lines += [
        f"- **Alexa warm turn**: {counts['warm']} timed turns after {counts['warmup']} warm-up turns, in process. "
        "The subject is `build_skill` over a SQLite store in a temporary folder, called through `skill.app.invoke` "
        "(what `lambda_handler` calls: JSON in, envelope deserialised by ask-sdk's own serializer, handlers, "
        "response serialised). Each turn is a new-session `DescribeSymptomIntent` with all four slots resolved "
        "(eyelid, twitching, seconds, at rest: no screening question is due, so the turn ends in a verdict), from "
        "a different user whose history already holds two old episodes: the turn reads that record and writes it "
        "back with the new episode. The reference is `bench/hello_world_skill.py` answering a `HelloWorldIntent` "
        "that carries the same four resolved slots through its `lambda_handler`: both read an envelope of the same "
        "size with ask-sdk's serializer.",
        f"- **SMS turn**: {counts['warm']} timed turns after {counts['warmup']} warm-up turns through Flask's test "
        "client, each a Twilio form signed by twilio's `RequestValidator` for the configured public URL. The subject "
        "is `create_app` over SQLite; every turn is a new number's first message (\"my eyelid keeps twitching...\"), "
        "so it takes the whole first-message path: the MessageSid claim, the opt-out check, the rate limit, the "
        "conversation state, the reader, triage, the verdict template and the reply stored with its claim. The "
        "reference is `bench/quickstart_sms.py`: the same signature check, then an echo.",
    ]
    if "round_trips" in results:
        lines.append(
            "- **DynamoDB round trips** (bench/round_trips.py): every request the deployed store's boto3 client "
            "sends during one turn, counted on the client, against a local DynamoDB-compatible server (moto's) "
            "with fresh tables: an SMS first message from a new number that gets its verdict at once, a TIPS "
            "reply in that conversation, and an Alexa verdict turn of a person whose history holds two episodes. "
            "In a Lambda each is a network round trip the person waits for, one after another."
        )
    lines.append(
        f"- **Core** (bench/core.py): `shared.reader.read` + `shared.triage.assess` on one free-text message, "
        f"{counts['core']} timed calls cycling through {results['core']['assessment']['phrasings']} real phrasings, "
        "content already loaded; the ratio is p99 ÷ the 1 ms budget. The core's import (`"
        + ", ".join(results["core"]["import"]["modules"]["subject"])
        + f"`) is the `-X importtime` cumulative time in {counts['imports']} fresh interpreters, alternated with "
        "`import ask_sdk_core.skill_builder` measured the same way."
    )
    if "reader" in results["core"]:
        lines.append(
            f"- **Reader** (bench/core.py): `shared.reader.read` alone on every line of the development corpus "
            f"(tests/corpus/messages.jsonl, {results['core']['reader']['messages']} messages: texts, voice "
            f"transcripts, long stories), {counts['core']} timed calls cycling through them; the ratio is p99 ÷ "
            "issue 13's 1 ms budget. **Lexicon compile**: `shared.lexicon.build_lexicon` on the parsed "
            "lexicon.yaml (term classes, patterns, the word trie, the typo index), the step every content load "
            "and so every Lambda cold start runs, alternated with a whole fresh `load_content()` (YAML, checks, "
            "compile); the ratio is its share of that load."
        )
    lines += ["", "## Where the time goes", ""]
    lines += _where_the_time_goes(results)
    lines.append("")
    return "\n".join(lines)


def _where_the_time_goes(results: dict[str, Any]) -> list[str]:
    lines = []
    for name, found in results.get("artifacts", {}).get("imports", {}).items():
        cold = found.get("cold_start")
        if cold:
            shipped = cold["as_shipped"]["subject"]["wall"]["p50"]
            before = cold["without_bytecode"]["subject"]["wall"]["p50"]
            floor = cold["as_shipped"]["diagnosis"]["hello_world_with_jinja2"]["wall"]["p50"]
            reference = cold["as_shipped"]["reference"]["wall"]["p50"]
            unprebuilt = cold["as_shipped"]["diagnosis"].get("subject_without_prebuilt")
            prebuilt = (
                f"; without the saved content and compiled templates deploy/prebuild.py adds, "
                f"{_ms(unprebuilt['wall']['p50'])} ms: they save {_ms(unprebuilt['wall']['p50'] - shipped)} ms"
                if unprebuilt is not None else ""
            )
            lines.append(
                f"- `{name}` cold start (import + first answer, p50): {_ms(before)} ms without bytecode, "
                f"{_ms(shipped)} ms as the zip now ships{prebuilt}. Hello world from the same folder: "
                f"{_ms(reference)} ms; importing jinja2 as well (the floor of any skill that renders with Jinja2, "
                f"before any code of its own): {_ms(floor)} ms, {_ratio(floor / reference)}."
            )
            steps = cold["as_shipped"].get("steps")
            if steps is not None:
                timed = ", ".join(f"{step} {_ms(ms)} ms" for step, ms in steps["ms"].items())
                lines.append(
                    f"  Its steps, timed one by one in the same alternation (p50 each): {timed}; PyYAML "
                    f"{'imported' if steps['yaml_imported'] else 'not imported'}, templates "
                    f"{'loaded compiled' if steps['compiled_templates_loaded'] else 'compiled from their sources'}."
                )
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
        slotless = item["diagnosis"].get("hello_world_without_slots")
        if slotless is not None:
            plain = slotless["wall"]["p50"]
            lines.append(
                f"  The reference carries the turn's four resolved slots; without them hello world answers in "
                f"{_ms(plain)} ms: ask-sdk's own serializer spends {_ms(reference - plain)} ms reading them, on "
                f"either side ({_ratio(subject / plain)} against the slotless hello world)."
            )
    assessment = results["core"]["assessment"]
    wall_p99, cpu_p99 = assessment["subject"]["p99"], assessment["subject_cpu"]["p99"]
    lines.append(
        f"- Core read + assess: p99 {_ms(wall_p99)} µs of wall time and {_ms(cpu_p99)} µs of CPU time. Where the wall "
        "p99 is far above the CPU p99, the slow calls were waiting for a CPU (other processes; load average "
        f"{results['machine']['load_average_at_start'][0]} on {results['machine']['cores']} cores at the start), "
        "not working."
    )
    for name, found in results.get("artifacts", {}).get("imports", {}).items():
        if "same_zip_as" in found:
            continue
        parts = results["artifacts"]["sizes"][name]["largest_parts_mb"]
        lines.append(
            f"- `{name}` zip, largest parts (compressed, bytecode included): "
            + ", ".join(f"{part} {mb:.1f} MB" for part, mb in parts.items())
            + "."
        )
        if "error" in found:
            continue
        shipped = found["as_shipped"]["subject"]["wall"]["p50"]
        before = found["without_bytecode"]["subject"]["wall"]["p50"]
        lines.append(
            f"- `{name}` zip: importing `{found['handler_module']}` takes {_ms(shipped)} ms with the "
            f"{found['bytecode_shipped']} .pyc files it ships, {_ms(before)} ms when it has to compile them."
        )
    return lines
