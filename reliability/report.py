"""Write docs/reliability.md from the results of one `python -m reliability` run (never edited by hand)."""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
REPORT = REPO / "docs" / "reliability.md"
BENCH = REPO / "build" / "bench.json"


def _ok(passed: bool) -> str:
    return "yes" if passed else "**NO**"


def _spread(values: list[float]) -> str:
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0]:g}"
    return f"{statistics.median(values):g} (min {min(values):g}, max {max(values):g})"


def fuzz_section(fuzz: list[dict[str, Any]]) -> list[str]:
    """The fuzz table: cases per target, what they led to, failures."""
    lines = ["## Fuzzing", "",
             "Hypothesis, one seed per run, the targets in parallel processes (one per CPU); a case is one generated "
             "input (an SMS case posts one to three messages).",
             "", "| target | cases run | outcomes | new failures | seconds |", "|---|---:|---|---:|---:|"]
    for result in fuzz:
        outcomes = "; ".join(f"{name}: {count}" for name, count in result["outcomes"].items())
        lines.append(f"| {result['target']} | {result['cases_run']:,} | {outcomes} | {len(result['failures'])} "
                     f"| {result['seconds']} |")
    known = sorted({name.removeprefix("known failure: ") for r in fuzz for name in r["outcomes"]
                    if name.startswith("known failure: ")})
    lines += ["", f"Seed {fuzz[0]['seed'] if fuzz else '-'}.", ""]
    if known:
        lines += ["Failures found by fuzzing (each kept as a strict-xfail regression test in "
                  "`tests/reliability/test_regressions.py` until fixed; the counts above are the cases that hit them):",
                  ""]
        lines += [f"- {name}" for name in known]
        lines.append("")
    for result in fuzz:
        for failure in result["failures"]:
            lines += [f"New failure in `{result['target']}`:", "", "```", failure, "```", ""]
    return lines


def load_section(load_runs: list[dict[str, Any]]) -> list[str]:
    """The load table: per run and the spread across runs."""
    first = load_runs[0]
    lines = ["## Load", "",
             f"`python -m server` as a subprocess on 127.0.0.1 (waitress, SQLite): {first['numbers']} phone numbers x "
             f"{first['messages_per_number']} messages, each number one message at a time, all numbers at once, plus "
             f"{first['alexa_users']} Alexa users x {first['alexa_turns']} turns through the local-simulator switch. "
             "Lost state = any reply, stored conversation, callback request or Alexa history that differs from the "
             "same messages replayed one by one through the same code over an in-memory store.", "",
             "| run | requests | errors | lost state | throughput (req/s) | SMS p50 / p99 (ms) | "
             "Alexa p50 / p99 (ms) | all p99 (ms) |", "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for number, run in enumerate(load_runs, 1):
        fig = run["figures"]
        lines.append(f"| {number} | {fig['requests']} | {len(run['errors'])} | {len(run['lost_state'])} | "
                     f"{fig['throughput_rps']} | {fig['sms']['p50_ms']} / {fig['sms']['p99_ms']} | "
                     f"{fig['alexa']['p50_ms']} / {fig['alexa']['p99_ms']} | {fig['all']['p99_ms']} |")
    throughput = [r["figures"]["throughput_rps"] for r in load_runs]
    p99 = [r["figures"]["all"]["p99_ms"] for r in load_runs]
    lines += ["", f"Over {len(load_runs)} run(s): throughput {_spread(throughput)} req/s; p99 {_spread(p99)} ms "
              "(median, min, max).", ""]
    problems = [p for r in load_runs for p in r["errors"] + r["lost_state"]]
    if problems:
        lines += ["Problems:", ""] + [f"- {p}" for p in problems[:20]] + [""]
    return lines


def faults_section(faults: dict[str, Any], keywords: dict[str, Any]) -> list[str]:
    """Crash and restart, store outage, notification retry, STOP and DELETE in every outage."""
    crash, outage, notify = faults["crash"], faults["store_outage"], faults["notify_retry"]
    rounds = ", ".join(f"{r['sent']}/{r['sent'] + r['failed']}" for r in notify["retry_rounds"])
    return [
        "## Faults", "", "One run of each, on the same machine, after the load runs.", "",
        "| fault | check | result |", "|---|---|---|",
        f"| SIGKILL mid-load, restart on the same SQLite file | {crash['numbers']} numbers x 10 messages; killed after "
        f"{crash['killed_after_messages']} of {crash['messages']} answered; {crash['messages_cut_off_and_resent']} "
        "messages cut off and resent with the same MessageSid | "
        f"never answered: {len(crash['undelivered'])}; conversations matching no replay: "
        f"{len(crash['diverged_conversations'])}; confirmed callbacks lost: {len(crash['lost_callbacks'])}; "
        f"records not reading back whole: {len(crash['corrupted_records'])}; callbacks stored: "
        f"{crash['callbacks_stored']} |",
        f"| DynamoDB-compatible store frozen (SIGSTOP) | {outage['outage_requests']} requests during the "
        "outage (3 SMS, 2 Alexa) | "
        f"SMS 200 with relief step + emergency number: {outage['safe_replies']}/3; Alexa answered: "
        f"{outage['alexa_answered']}/2; failures logged: {outage['failures_logged']}; half-written conversation or "
        f"callback records: {len(outage['half_written'])}; Twilio redelivery handled after recovery: "
        f"{_ok(outage['redelivery_processed'])} |",
        f"| Twilio REST API failing for staff notifications | {notify['callback_requests_confirmed']} callback "
        f"requests confirmed while it failed ({notify['failed_sends_while_down']} failed sends) | "
        f"stored: {notify['callbacks_stored']}; notifier rounds (sent/tried): {rounds}; accepted by Twilio: "
        f"{notify['delivered']}; undelivered: {len(notify['undelivered'])} |",
        "",
        "",
        *keywords_rows(faults, keywords),
        "",
        f"Message claims left 'processing' with no lease by the crash: {crash['orphaned_claims']}; by claim writes the "
        f"frozen store applied late: {outage['late_claims']}. A claim left 'processing' by a dead attempt carries a "
        "20 s lease; a Twilio redelivery after it runs out takes the claim over and handles the message.",
        "",
    ]


def keywords_rows(faults: dict[str, Any], keywords: dict[str, Any]) -> list[str]:
    """STOP and DELETE while each store cannot be written (reliability/outage_keywords.py, faults.store_outage)."""
    locked, read_only, frozen = keywords["locked"], keywords["read_only"], faults["store_outage"]
    lines = ["STOP and DELETE during an outage (an opt-out is journalled in the data folder and replayed when the "
             "store answers; DELETE is asked for again):", "",
             "| outage | sent | result |", "|---|---|---|",
             f"| SQLite write-locked by another process (real server) | exact STOP, 'Stop.', DELETE and a question's "
             f"answer while locked; each opted-out number texts again after | problems: "
             f"{'; '.join(locked['problems']) or 'none'}; opt-outs kept: {locked['stops_kept']}/2; replies after STOP: "
             f"{locked['replies_after_stop']}; DELETE sent again erased: {_ok(locked['delete_again_erased'])}; "
             f"journal left: {_ok(not locked['journal_left'])} |"]
    if "skipped" in read_only:
        lines.append(f"| SQLite file mounted read-only | not run | {read_only['skipped']} |")
    else:
        lines.append(
            f"| SQLite file mounted read-only (the SMS line in-process: the server refuses to start on one) | "
            f"'Stop.' and DELETE, then a text after the mount goes | STOP confirmed: "
            f"{_ok(read_only['stop_confirmed'])}; journalled: {_ok(read_only['journalled'])}; DELETE asked again: "
            f"{_ok(read_only['delete_asked_again'])};"
            f" kept once writable: {_ok(read_only['stop_kept'])}; reply after STOP: "
            f"{_ok(not read_only['reply_after_stop'])} (none) |")
    lines.append(
        f"| DynamoDB-compatible store frozen (SIGSTOP, real server) | 'Stop.' and DELETE during the freeze, a text "
        f"after | STOP confirmed: {_ok(frozen['stop_confirmed'])}; kept after recovery: {_ok(frozen['stop_kept'])}; "
        f"reply after STOP: {_ok(not frozen['reply_after_stop'])} (none); DELETE asked again: "
        f"{_ok(frozen['delete_asked_again'])} |")
    return lines


def erasure_section(erasure: dict[str, Any], guards: dict[str, Any]) -> list[str]:
    """DELETE checked on disk, and the edge guards (staff inbox, simulator switch, certificate cache)."""
    certificates = guards["certificates"]
    refusals = {**guards["staff"]["counts"], **guards["simulator"]["counts"]}
    lines = ["## Erasure on disk", "",
             f"The real server took a conversation, a callback request with a window in the person's words and the "
             f"staff text about it, with other people texting meanwhile; then the person texted DELETE. Files read as "
             f"bytes: {', '.join(erasure['files_read'])}. Before DELETE the search for the number (three spellings), "
             f"the window and the description found: {'; '.join(erasure['found_before']) or 'nothing'}. After it: "
             f"{'; '.join(erasure['found_after']) or 'nothing'}. Other people's conversations went on: "
             f"{_ok(erasure['others_kept'])}. The reply: \"{erasure['reply']}\"", "",
             "## Edge guards", "", "| guard | request | sent | refused |", "|---|---|---:|---:|"]
    for kind, count in refusals.items():
        guard, _, request = kind.partition(": ")
        lines.append(f"| {guard} | {request} | {count['sent']} | {count['refused']} |")
    lines += ["",
              f"Staff on another device signed in while a guesser was locked out: "
              f"{_ok(guards['staff']['staff_on_another_device_signed_in'])}. A local program's envelope with the "
              f"simulator switch on was answered: {_ok(guards['simulator']['local_program_answered'])}; records "
              f"written by refused envelopes: {guards['simulator']['records_written_by_refused_requests']}.", "",
              f"Certificate cache: {certificates['spellings_sent']} spellings of Amazon's chain URL (?v=N, a fragment, "
              f"upper case) accepted {certificates['spellings_accepted']}, downloaded "
              f"{certificates['downloads_for_spellings']} time(s); after {certificates['distinct_urls_sent']} distinct "
              f"valid-looking URLs the cache held {certificates['cache_entries_at_most']} chains (bound "
              f"{certificates['cache_bound']}); URLs off Amazon's bucket refused {certificates['off_bucket_refused']} "
              f"of {certificates['off_bucket_sent']}, fetched {certificates['off_bucket_fetched']}.", ""]
    return lines


def mutation_section(mutation: dict[str, Any] | None) -> list[str]:
    """Killed, survived and equivalent mutants per module, every survivor and every equivalent with its reason."""
    title = ["## Mutation testing", ""]
    if not mutation:
        return [*title, "Not run (`--short`); `make reliability` runs it.", ""]
    lines = [*title,
             f"{mutation['tool']} over the safety-critical functions (reliability/mutation.py names them), each mutant "
             f"against the tests that reach its function; {mutation['seconds']:.0f} s. A survivor is a change no test "
             "notices; an equivalent one changes nothing a person or a caller could notice, and "
             "reliability/mutants_equivalent.yaml says why.", "",
             "| module | mutants | killed | survived | equivalent | other |", "|---|---:|---:|---:|---:|---:|"]
    for module, counts in mutation["counts"].items():
        total = sum(counts.values())
        other = total - counts.get("killed", 0) - counts.get("survived", 0) - counts.get("equivalent", 0)
        lines.append(f"| {module} | {total} | {counts.get('killed', 0)} | {counts.get('survived', 0)} | "
                     f"{counts.get('equivalent', 0)} | {other} |")
    lines.append("")
    if mutation["survivors"]:
        lines += ["Survivors (each a guard no test holds yet):", ""]
        lines += [f"- `{m['name']}` ({m['status']}): `{m['line']}`" for m in mutation["survivors"]]
    else:
        lines.append("No survivor.")
    lines.append("")
    if mutation["equivalent"]:
        lines += ["Equivalent mutants:", ""]
        lines += [f"- `{m['name']}`: `{m['line']}` - {m['equivalent']}" for m in mutation["equivalent"]]
        lines.append("")
    return lines


def privacy_section(privacy: dict[str, Any]) -> list[str]:
    """Refusal counts, stale SMS replays, STOP, and the log scan."""
    lines = ["## Security and privacy", "", "| channel | request | sent | refused |", "|---|---|---:|---:|"]
    totals = {"sent": 0, "refused": 0}
    for channel in ("sms", "alexa"):
        for kind, count in privacy[channel]["counts"].items():
            lines.append(f"| {channel} | {kind} | {count['sent']} | {count['refused']} |")
            if "Amazon's scheme accepts it" not in kind:
                totals["sent"] += count["sent"]
                totals["refused"] += count["refused"]
    stale = privacy["stale_sms"]
    lines.append(f"| sms | stale: replayed 29 days later, inside the 30-day claim retention | {stale['sent']} | "
                 f"{stale['refused']} |")
    lines.append(f"| sms | stale: replayed after the 30-day claim retention (Twilio's scheme accepts it) | "
                 f"{stale['after_retention_sent']} | "
                 f"{stale['after_retention_sent'] - stale['after_retention_handled']} |")
    stop, logs = privacy["stop"], privacy["logs"]
    written = privacy["sms"]["records_written_by_refused_requests"]
    written += privacy["alexa"]["records_written_by_refused_requests"]
    lines += [
        "",
        f"Tampered, forged, stale and replayed requests refused (both channels, excluding the two rows Twilio's and "
        f"Amazon's schemes cannot refuse: SMS replays after the 30-day claim retention, Alexa replays inside 150 s): "
        f"{totals['refused']} of {totals['sent']}. Records written by refused requests: "
        f"{written}. Genuine signed Alexa requests accepted: {privacy['alexa']['genuine_accepted']} of "
        f"{privacy['alexa']['genuine_sent']}.",
        "",
        f"STOP: {stop['numbers_stopped']} numbers texted STOP mid-conversation and then {stop['messages_after_stop']} "
        f"more messages; replies sent after STOP: {stop['replies_after_stop']}; outbox messages to them: "
        f"{stop['outbox_messages_to_stopped_numbers']}; callback requests after STOP: {stop['callbacks_after_stop']}.",
        "",
        f"Logs: {logs['lines_scanned']:,} lines from {logs['files']} server logs (the load run's and this run's) "
        f"searched for {logs['needles']} strings (the runs' phone numbers in three spellings each, Alexa user ids, "
        f"and every message body of two words or more) and for anything shaped like a phone number: "
        f"{sum(logs['hits'].values())} hits{' ' + json.dumps(logs['hits']) if logs['hits'] else ''}.",
        "",
    ]
    lines += [f"- {example}" for example in logs["examples"]]
    return lines


def bench_section() -> list[str]:
    """The benchmarks table from build/bench.json, rendered by the benchmark module's own table code."""
    title = ["## Benchmarks", ""]
    if not BENCH.exists():
        return [*title, "build/bench.json was not there when this report was generated; run `make bench`, then "
                "this command again.", ""]
    try:
        from bench.report import table_rows

        results = json.loads(BENCH.read_text(encoding="utf-8"))
        rows = table_rows(results)
        box = results["machine"]
        measured = (f"Measured by `make bench` at {results['generated_at']} on {box['cpu']}, {box['cores']} cores, "
                    f"Python {box['python']}; how each row is measured: docs/benchmarks.md.")
    except Exception as error:  # a report must still be written when the other run's format moves on
        return [*title, f"build/bench.json could not be rendered ({type(error).__name__}); see docs/benchmarks.md.",
                ""]
    lines = [*title, measured, "", "| Measure | Subject | Reference | Ratio | CPU ratio | Target | |",
             "|---|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def verdict(results: dict[str, Any]) -> list[tuple[str, bool]]:
    """Each promise of the issue, and whether this run kept it."""
    fuzz, loads, faults, privacy = results["fuzz"], results["load"], results["faults"], results["privacy"]
    keywords, erasure, guards = results["outage_keywords"], results["erasure"], results["guards"]
    crash, outage, notify = faults["crash"], faults["store_outage"], faults["notify_retry"]
    refusals = [c for ch in ("sms", "alexa") for k, c in privacy[ch]["counts"].items()
                if "Amazon's scheme accepts it" not in k]
    return [
        ("fuzzing: no new failure", all(not r["failures"] for r in fuzz)),
        ("fuzzing: no known failure hit", not any(k.startswith("known failure") for r in fuzz for k in r["outcomes"])),
        ("load: 0 errors", all(not r["errors"] for r in loads)),
        ("load: 0 lost state", all(not r["lost_state"] for r in loads)),
        ("crash: every message answered, no conversation corrupted, no confirmed callback lost",
         not (crash["undelivered"] or crash["diverged_conversations"] or crash["lost_callbacks"]
              or crash["corrupted_records"])),
        ("store outage: safe reply and 200 for every SMS, Alexa answered, failure logged, nothing half-written",
         outage["safe_replies"] == 3 and outage["alexa_answered"] == 2 and outage["failures_logged"] > 0
         and not outage["half_written"]),
        ("store outage: Twilio's redelivery handled after recovery", bool(outage["redelivery_processed"])),
        ("staff notifications retried until delivered", not notify["undelivered"] and notify["delivered"] > 0),
        ("tampered, forged, stale and replayed requests all refused", all(c["sent"] == c["refused"] for c in refusals)),
        ("SMS replay inside the 30-day claim retention refused",
         privacy["stale_sms"]["refused"] == privacy["stale_sms"]["sent"]),
        ("no phone number, user id or message body in the logs", not privacy["logs"]["hits"]),
        ("STOP during an outage kept (SQLite locked, read-only; DynamoDB frozen), nothing sent after it",
         not keywords["locked"]["problems"] and keywords["locked"]["stops_kept"] == 2
         and keywords["locked"]["replies_after_stop"] == 0 and not keywords["locked"]["journal_left"]
         and (keywords["read_only"].get("stop_kept", False) or "skipped" in keywords["read_only"])
         and not keywords["read_only"].get("reply_after_stop", False)
         and outage["stop_confirmed"] and outage["stop_kept"] and not outage["reply_after_stop"]),
        ("DELETE during an outage asked for again, and erases once sent again",
         keywords["locked"]["delete_again_erased"] and outage["delete_asked_again"]
         and keywords["read_only"].get("delete_asked_again", "skipped" in keywords["read_only"])),
        ("DELETE leaves the number and the person's words in no data file (database, -wal, -shm, outbox)",
         bool(erasure["found_before"]) and not erasure["found_after"] and erasure["others_kept"]),
        ("staff inbox, simulator switch and certificate cache hold",
         all(c["sent"] == c["refused"] for g in ("staff", "simulator") for c in guards[g]["counts"].values())
         and guards["staff"]["staff_on_another_device_signed_in"] and guards["simulator"]["local_program_answered"]
         and guards["simulator"]["records_written_by_refused_requests"] == 0
         and guards["certificates"]["downloads_for_spellings"] == 1
         and guards["certificates"]["cache_entries_at_most"] <= guards["certificates"]["cache_bound"]
         and guards["certificates"]["off_bucket_fetched"] == 0),
        ("mutation testing: no survivor in the safety-critical code",
         results.get("mutation") is None or not results["mutation"]["survivors"]),
        ("nothing sent after STOP", privacy["stop"]["replies_after_stop"] == 0
         and privacy["stop"]["outbox_messages_to_stopped_numbers"] == 0
         and privacy["stop"]["callbacks_after_stop"] == 0),
    ]


def render(results: dict[str, Any]) -> str:
    """The whole report as Markdown."""
    machine = results["machine"]
    lines = [
        "# Cramp Check reliability report", "",
        f"Generated by `python -m reliability{' --short' if results['short'] else ''}` on {results['finished']} "
        f"in {results['seconds']:.0f} s. Do not edit: run the command again.", "",
        f"Machine: {machine['cpu']}, {machine['cpus']} CPUs, {machine['platform']}, Python {machine['python']}.",
        "", "## Summary", "", "| promise | kept |", "|---|---|",
    ]
    lines += [f"| {name} | {_ok(kept)} |" for name, kept in verdict(results)]
    lines.append("")
    lines += fuzz_section(results["fuzz"])
    lines += load_section(results["load"])
    lines += faults_section(results["faults"], results["outage_keywords"])
    lines += privacy_section(results["privacy"])
    lines += erasure_section(results["erasure"], results["guards"])
    lines += mutation_section(results.get("mutation"))
    lines += bench_section()
    lines += ["## Findings", ""] + [f"- {finding}" for finding in results.get("findings", [])] + [""]
    return "\n".join(lines)


def write(results: dict[str, Any], path: Path = REPORT) -> Path:
    """Render and write the report; return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(results), encoding="utf-8")
    return path
