"""`python -m bench.core`: the core's speed, both figures measured in this run.

- Reading + assessing one free-text message (`shared.reader.read` then `shared.triage.assess`, content
  already loaded, as in a warm Lambda), cycling through a mix of real phrasings: p50/p99 in µs against the
  1 ms p99 budget of issue 2.
- The core's share of one channel turn (`turns`): load the stored conversation, `next_step`, store it, and
  render the reply, for the SMS benchmark's first message and the Alexa benchmark's four-slot intent.
- The core's import: `python -X importtime` cumulative time of `shared.triage, shared.reader,
  shared.dialogue, shared.render` in a fresh interpreter, alternated with `ask_sdk_core.skill_builder`
  measured the same way; the ratio of the medians (target <= 1.0).
- The free-text reader alone (`shared.reader.read`, issue 13) on every line of the development corpus
  (tests/corpus/messages.jsonl: short texts, voice transcripts, long stories), cycled: p50/p99 in µs against
  the same 1 ms p99 budget.
- The lexicon's compile step (`shared.lexicon.build_lexicon` on the parsed lexicon.yaml), which runs when the
  content loads, i.e. in every Lambda cold start, alternated with the whole content load it is part of: its
  share of that load.

`run()` returns the figures as a dict (the `python -m bench` runner stores it under "core"); `main()`
prints a small table.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from bench.stats import ROOT, child_environment, ratio, spread

CORE_MODULES = ("shared.triage", "shared.reader", "shared.dialogue", "shared.render")
REFERENCE_MODULES = ("ask_sdk_core.skill_builder",)
BUDGET_US = 1000.0  # issue 2: at most 1 ms p99 to read and assess one message
READER_BUDGET_US = 1000.0  # issue 13: at most 1 ms p99 to read one message of the corpus
CORPUS = ROOT / "tests" / "corpus" / "messages.jsonl"
DEFAULT_COMPILE_RUNS = 15
IMPORT_TARGET = 1.0  # issue 2: the core imports no slower than ask-sdk-core
MIN_RUNS = 2000
DEFAULT_RUNS = 3000
DEFAULT_IMPORT_RUNS = 5

# What people text: short and long, slang, typos, durations, negations, red flags, and nothing useful.
PHRASINGS = (
    "calf locked up halfway thru my run, 2 mins now, no swelling",
    "charley horse woke me up last night",
    "my hammy seized during football",
    "quad sezed up at football",
    "eyelid keeps twitching for a week",
    "lower back spasm after lifting a heavy box, hurts to move",
    "I fell and my back is stiff",
    "calf cramp, no swelling, no redness, not warm",
    "my calf is red and hot but not swollen",
    "neck stiff all night, no fever",
    "stiff neck, fever and a bad headache",
    "pins and needles in my lips and my hands are curling",
    "my pee is dark after a marathon, legs cramping",
    "cramps after a long run in the heat, threw up twice",
    "30 weeks pregnant, calf cramps in bed every night",
    "started a new statin and my legs ache",
    "foot cramp, lasted a few seconds",
    "back has been in spasm since this morning",
    "hello",
    "ok so basically i was at the gym doing squats and my quad just totally cramped up and it was rock hard "
    "for like 5 minutes, its eased now but its still sore, no swelling or anything, is this normal? "
    "it happened last week as well after my run",
)


def _timed(call: Callable[[int], object], runs: int, before: Callable[[], None] | None = None) -> tuple[list, list]:
    """Wall and CPU µs of `runs` calls of call(index); `before` runs outside the clock ahead of each call."""
    wall_us: list[float] = []
    cpu_us: list[float] = []
    wall_clock, cpu_clock = time.perf_counter_ns, time.thread_time_ns
    gc.collect()
    for index in range(runs):
        if before is not None:
            before()
        wall_started, cpu_started = wall_clock(), cpu_clock()
        call(index)
        cpu, wall = cpu_clock() - cpu_started, wall_clock() - wall_started
        wall_us.append(wall / 1e3)
        cpu_us.append(cpu / 1e3)
    return wall_us, cpu_us


def assessment(runs: int = DEFAULT_RUNS) -> dict[str, Any]:
    """Wall and CPU µs per read + assess, over `runs` calls cycling through PHRASINGS, after a warm-up."""
    from shared.content import load_content
    from shared.reader import read
    from shared.triage import assess

    content = load_content()
    if assess(read(PHRASINGS[0], content.language(None).lexicon), content).verdict != "cramp":
        raise RuntimeError("the benchmark's first phrasing no longer reads as a cramp: the core changed under it")
    for text in PHRASINGS * 5:  # warm-up: compiled lexicon, regex caches, branch paths
        assess(read(text, content.language(None).lexicon), content)

    def read_and_assess(index: int) -> object:
        return assess(read(PHRASINGS[index % len(PHRASINGS)], content.language(None).lexicon), content)

    wall_us, cpu_us = _timed(read_and_assess, runs)
    subject = spread(wall_us)
    return {
        "name": "Core: read + assess one free-text message",
        "unit": "µs",
        "subject": subject,
        "subject_cpu": spread(cpu_us),
        "budget_us": BUDGET_US,
        "ratio": ratio(subject["p99"], BUDGET_US),
        "phrasings": len(PHRASINGS),
        "load_average": [round(value, 2) for value in os.getloadavg()],
    }


def reader(runs: int = DEFAULT_RUNS) -> dict[str, Any]:
    """Wall and CPU µs per `read` alone, over `runs` calls cycling through every corpus line, after a warm-up."""
    from shared.content import load_content
    from shared.reader import read

    lexicon = load_content().language(None).lexicon
    texts = [json.loads(line)["text"] for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    for text in texts:  # warm-up: every line once
        read(text, lexicon)

    def read_one(index: int) -> object:
        return read(texts[index % len(texts)], lexicon)

    wall_us, cpu_us = _timed(read_one, runs)
    subject = spread(wall_us)
    return {
        "name": "Reader: read one message of the development corpus",
        "unit": "µs",
        "subject": subject,
        "subject_cpu": spread(cpu_us),
        "budget_us": READER_BUDGET_US,
        "ratio": ratio(subject["p99"], READER_BUDGET_US),
        "messages": len(texts),
    }


def lexicon_compile(runs: int = DEFAULT_COMPILE_RUNS) -> dict[str, Any]:
    """ms of compiling the parsed lexicon, alternated with a whole fresh content load (which includes it)."""
    from shared.content import CONTENT_DIR, load_content, read_yaml
    from shared.lexicon import build_lexicon

    raw = read_yaml(CONTENT_DIR / "languages" / "en" / "lexicon.yaml")

    def fresh_load() -> object:
        load_content.cache_clear()
        return load_content()

    samples: dict[str, list[list[float]]] = {"subject": [[], []], "reference": [[], []]}
    calls = {"subject": lambda: build_lexicon(raw), "reference": fresh_load}
    for index in range(runs + 1):
        for role in ("subject", "reference") if index % 2 == 0 else ("reference", "subject"):
            wall, cpu = _timed(lambda _index, call=calls[role]: call(), 1)
            if index:  # the first pair warms both up
                samples[role][0].append(wall[0] / 1e3)
                samples[role][1].append(cpu[0] / 1e3)
    load_content.cache_clear()
    result: dict[str, Any] = {"name": "Lexicon compile (`build_lexicon`) vs the whole content load", "unit": "ms"}
    for role, (wall_ms, cpu_ms) in samples.items():
        result[role] = {"wall": spread(wall_ms), "cpu": spread(cpu_ms)}
    result["ratio"] = ratio(result["subject"]["wall"]["p50"], result["reference"]["wall"]["p50"])
    result["cpu_ratio"] = ratio(result["subject"]["cpu"]["p50"], result["reference"]["cpu"]["p50"])
    result["patterns"] = len(build_lexicon(raw).patterns)
    return result


# The channel benchmarks' inputs (bench/sms.py MESSAGE; bench/alexa.py TRIAGE_SLOTS as the skill reads them).
SMS_MESSAGE = "my eyelid keeps twitching for a few seconds while I sit at my desk"
ALEXA_FACTS = {"body_part": "eyelid_face", "pattern": "twitching", "duration_minutes": 0.5, "contexts": ["rest"]}


def turns(runs: int = DEFAULT_RUNS) -> dict[str, Any]:
    """µs of the core's share of one SMS first message and one Alexa four-slot turn."""
    import json

    from shared.content import load_content
    from shared.dialogue import Conversation, Event, Message, next_step
    from shared.facts import Observations
    from shared.identity import hashed_id
    from shared.render import render, sms_length

    content = load_content()
    facts = Observations.from_dict(ALEXA_FACTS)

    def sms_turn(index: int) -> str:
        hashed_id("phone", f"+1555{index:07d}", "bench-salt")
        conversation = Conversation.from_dict(None, content)
        turn = next_step(conversation, Event.DESCRIBE, Message(text=SMS_MESSAGE), content=content)
        json.dumps({"conversation": turn.conversation.to_dict()})
        text = render("sms", "verdict_with_relief", "en-US", content=content, **turn.context())
        sms_length(text)
        return text

    def alexa_turn(index: int) -> str:
        hashed_id("alexa", f"amzn1.ask.account.BENCH{index:08d}", "bench-salt")
        turn = next_step(Conversation.new(recent_episodes=1), Event.DESCRIBE, Message(facts=facts), content=content)
        turn.conversation.to_dict()
        context = turn.context()
        spoken = render("alexa", "assessment", "en-US", content=content, **context)
        spoken += " " + render("alexa", "offer_tips", "en-US", content=content)
        return spoken + render("card", "assessment", "en-US", content=content, **context)

    if "spasm" not in sms_turn(0) or "spasm" not in alexa_turn(0):
        raise RuntimeError("the channel benchmarks' inputs no longer end in a spasm verdict: the core changed under it")
    result: dict[str, Any] = {"name": "Core share of one channel turn", "unit": "µs"}
    for name, call in (("sms_first_message", sms_turn), ("alexa_four_slots", alexa_turn)):
        for index in range(200):
            call(index)
        served_wall, served_cpu = _timed(call, runs)
        result[name] = {"served": {"wall": spread(served_wall), "cpu": spread(served_cpu)}}
    return result


def cumulative_ms(importtime: str, modules: Sequence[str]) -> float:
    """Sum of the cumulative times of the top-level `-X importtime` lines that belong to `modules`' packages."""
    roots = {module.split(".")[0] for module in modules}
    total_us = 0
    for line in importtime.splitlines():
        if not line.startswith("import time:") or line.count("|") != 2:
            continue
        _self_us, cumulative, name = line[len("import time:") :].split("|")
        top_level = name.startswith(" ") and not name.startswith("  ")
        if top_level and cumulative.strip().isdigit() and name.strip().split(".")[0] in roots:
            total_us += int(cumulative)
    return total_us / 1e3


def child_import(modules: Sequence[str]) -> dict[str, float]:
    """Import `modules` in a fresh interpreter: `-X importtime` cumulative ms, and wall and CPU ms inside it."""
    code = (
        "import time\n"
        "wall, cpu = time.perf_counter(), time.process_time()\n"
        f"import {', '.join(modules)}\n"
        "print(time.perf_counter() - wall, time.process_time() - cpu)\n"
    )
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        cwd=ROOT,
        env=child_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"importing {', '.join(modules)} failed:\n{done.stderr[-3000:]}")
    wall, cpu = (float(value) for value in done.stdout.split())
    return {"importtime": cumulative_ms(done.stderr, modules), "wall": wall * 1e3, "cpu": cpu * 1e3}


def imports(runs: int = DEFAULT_IMPORT_RUNS) -> dict[str, Any]:
    """The core's import vs ask-sdk-core's: `runs` fresh interpreters each, alternated, after a discarded pair."""
    candidates = {"subject": CORE_MODULES, "reference": REFERENCE_MODULES}
    for modules in candidates.values():
        child_import(modules)  # writes any missing bytecode caches, for both alike
    samples: dict[str, list[dict[str, float]]] = {role: [] for role in candidates}
    for index in range(runs):
        for role in ("subject", "reference") if index % 2 == 0 else ("reference", "subject"):
            samples[role].append(child_import(candidates[role]))
    result: dict[str, Any] = {
        "name": "Core import (`-X importtime` cumulative) vs `import ask_sdk_core.skill_builder`",
        "unit": "ms",
        "modules": {role: list(modules) for role, modules in candidates.items()},
    }
    for role, found in samples.items():
        result[role] = {
            "wall": spread([sample["importtime"] for sample in found]),
            "cpu": spread([sample["cpu"] for sample in found]),
            "wall_inside": spread([sample["wall"] for sample in found]),
        }
    result["ratio"] = ratio(result["subject"]["wall"]["p50"], result["reference"]["wall"]["p50"])
    result["cpu_ratio"] = ratio(result["subject"]["cpu"]["p50"], result["reference"]["cpu"]["p50"])
    result["target"] = IMPORT_TARGET
    return result


def run(runs: int = DEFAULT_RUNS, import_runs: int = DEFAULT_IMPORT_RUNS,
        compile_runs: int = DEFAULT_COMPILE_RUNS) -> dict[str, Any]:
    """The core figures, as the bench runner stores them under "core"."""
    return {
        "assessment": assessment(runs),
        "reader": reader(runs),
        "compile": lexicon_compile(compile_runs),
        "turns": turns(runs),
        "import": imports(import_runs),
    }


def table(results: dict[str, Any]) -> str:
    """The figures as a small plain-text table."""
    found, imported, compiled = results["assessment"], results["import"], results["compile"]
    timing, cpu = found["subject"], found["subject_cpu"]
    read_timing, read_cpu = results["reader"]["subject"], results["reader"]["subject_cpu"]
    subject, reference = imported["subject"]["wall"], imported["reference"]["wall"]
    rows = [
        ("Measure", "p50", "p99", "Target", "Ratio"),
        (
            f"read + assess one message ({timing['runs']} runs, {found['phrasings']} phrasings)",
            f"{timing['p50']:.0f} µs",
            f"{timing['p99']:.0f} µs",
            f"p99 ≤ {BUDGET_US:.0f} µs",
            f"{found['ratio']:.2f} of budget",
        ),
        (
            "  same calls, CPU time of this thread",
            f"{cpu['p50']:.0f} µs",
            f"{cpu['p99']:.0f} µs",
            "",
            f"{ratio(cpu['p99'], BUDGET_US):.2f} of budget",
        ),
        (
            f"read one corpus message ({read_timing['runs']} runs, {results['reader']['messages']} messages)",
            f"{read_timing['p50']:.0f} µs",
            f"{read_timing['p99']:.0f} µs",
            f"p99 ≤ {READER_BUDGET_US:.0f} µs",
            f"{results['reader']['ratio']:.2f} of budget",
        ),
        (
            "  same calls, CPU time of this thread",
            f"{read_cpu['p50']:.0f} µs",
            f"{read_cpu['p99']:.0f} µs",
            "",
            f"{ratio(read_cpu['p99'], READER_BUDGET_US):.2f} of budget",
        ),
        (
            f"lexicon compile at content load ({compiled['subject']['wall']['runs']} runs)",
            f"{compiled['subject']['wall']['p50']:.1f} ms",
            f"{compiled['subject']['wall']['p99']:.1f} ms",
            f"of a {compiled['reference']['wall']['p50']:.0f} ms load",
            f"{compiled['ratio']:.2f} of the load",
        ),
        *(
            (
                f"core share of {label}{suffix}",
                f"{results['turns'][key][kind]['wall']['p50']:.0f} µs",
                f"{results['turns'][key][kind]['wall']['p99']:.0f} µs",
                "",
                "",
            )
            for key, label in (("sms_first_message", "an SMS first message"), ("alexa_four_slots", "an Alexa turn"))
            for kind, suffix in (("served", ""),)
        ),
        (
            f"core import ({subject['runs']} fresh interpreters)",
            f"{subject['p50']:.1f} ms",
            f"{subject['p99']:.1f} ms",
            f"≤ {IMPORT_TARGET:.1f}× ask-sdk-core",
            f"{imported['ratio']:.2f}× (CPU {imported['cpu_ratio']:.2f}×)",
        ),
        (
            f"ask_sdk_core.skill_builder import ({reference['runs']} fresh interpreters)",
            f"{reference['p50']:.1f} ms",
            f"{reference['p99']:.1f} ms",
            "reference",
            "1.00×",
        ),
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    # Wall-time tails on a shared machine are other processes' time slices; the CPU row shows the work itself.
    lines.append(f"load average while measuring: {', '.join(str(value) for value in found['load_average'])}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure both figures, print the table (and the raw figures with --json)."""
    parser = argparse.ArgumentParser(prog="python -m bench.core", description="The core's speed (issue 2).")
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help=f"timed read + assess calls (>= {MIN_RUNS})")
    parser.add_argument("--import-runs", type=int, default=DEFAULT_IMPORT_RUNS, help="fresh interpreters each")
    parser.add_argument("--json", action="store_true", help="also print the raw figures as JSON")
    args = parser.parse_args(argv)
    if args.runs < MIN_RUNS:
        parser.error(f"--runs must be at least {MIN_RUNS}: a p99 needs enough calls behind it")
    results = run(args.runs, args.import_runs)
    print(table(results))
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
