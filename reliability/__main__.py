"""`python -m reliability [--short]`: fuzzing, load, faults, security and privacy, mutation testing, then
docs/reliability.md.

The long run (`make reliability`) uses 10,000 fuzz cases per target, 50 numbers x 10 messages three times,
the full fault runs and the mutation run over the safety-critical code; `--short` is the CI size, without the
mutation run. The raw results go to build/reliability.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reliability import erasure_files, faults, fuzz, guards, load, mutation, outage_keywords, privacy, report
from reliability.harness import machine

RESULTS = report.REPO / "build" / "reliability.json"
LOAD_RUNS = {"long": 3, "short": 1}


def findings(results: dict[str, Any]) -> list[str]:
    """What this run found that a reader must know, each with the figure behind it."""
    found = []
    for target in results["fuzz"]:
        for outcome, count in target["outcomes"].items():
            if outcome.startswith("known failure: "):
                found.append(f"fuzz `{target['target']}`: {outcome.removeprefix('known failure: ')} "
                             f"({count} of {target['cases_run']:,} cases).")
    crash, outage = results["faults"]["crash"], results["faults"]["store_outage"]
    if crash["orphaned_claims"]:
        found.append(f"After SIGKILL, {crash['orphaned_claims']} MessageSid claims stayed 'processing' with no lease: "
                     "a redelivery of that message is answered with the safe reply instead of being handled until "
                     "the claim's retention ends.")
    if outage["late_claims"]:
        found.append(f"With the store frozen, {outage['late_claims']} claim writes that had timed out were applied "
                     "when it came back with no lease, so Twilio's redelivery of them is not handled.")
    if not outage["redelivery_processed"]:
        found.append("After the store outage, Twilio's redelivery of a message answered with the safe reply was not "
                     "handled.")
    stale = results["privacy"]["stale_sms"]
    if stale["refused"] < stale["sent"]:
        found.append(f"SMS: a captured, validly signed webhook replayed inside the 30-day claim retention is handled "
                     f"again ({stale['sent'] - stale['refused']} of {stale['sent']}).")
    if stale["after_retention_handled"]:
        found.append(f"SMS (platform limit, documented in sms/idempotency.py): a captured webhook replayed after the "
                     f"30-day claim retention is handled again ({stale['after_retention_handled']} of "
                     f"{stale['after_retention_sent']}): Twilio signatures carry no timestamp.")
    for survivor in (results.get("mutation") or {}).get("survivors", []):
        found.append(f"Mutation: `{survivor['name']}` ({survivor['module']}) {survivor['status']}: "
                     f"`{survivor['line']}`.")
    alexa = results["privacy"]["alexa"]["counts"]
    for kind, count in alexa.items():
        if "Amazon's scheme accepts it" in kind and count["refused"] < count["sent"]:
            accepted = count["sent"] - count["refused"]
            found.append(f"Alexa: a signed request replayed within 150 s is answered again ({accepted} of "
                         f"{count['sent']}); Amazon's checklist has no request-id check, and the skill keeps none.")
    return found


def main() -> int:
    """Run everything and write the report; exit 1 when a promise was not kept."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--short", action="store_true", help="the CI-sized run")
    parser.add_argument("--seed", type=int, default=fuzz.DEFAULT_SEED, help="the fuzz seed")
    parser.add_argument("--report", type=Path, default=report.REPORT, help="where to write the Markdown report")
    args = parser.parse_args()
    size = "short" if args.short else "long"
    started = time.perf_counter()
    results: dict[str, Any] = {"short": args.short, "machine": machine()}
    with tempfile.TemporaryDirectory(prefix="cramp-reliability-") as tmp:
        workdir = Path(tmp)
        print("fuzzing ...", file=sys.stderr)
        results["fuzz"] = fuzz.run(fuzz.SHORT_EXAMPLES if args.short else fuzz.LONG_EXAMPLES, args.seed)
        print("load ...", file=sys.stderr)
        sizes = load.SHORT if args.short else load.LONG
        results["load"] = [load.run(workdir / f"load-{n}", **sizes) for n in range(LOAD_RUNS[size])]
        print("faults ...", file=sys.stderr)
        results["faults"] = faults.run(workdir, **(faults.SHORT if args.short else faults.LONG))
        results["outage_keywords"] = outage_keywords.run(workdir)
        print("security and privacy ...", file=sys.stderr)
        results["privacy"] = privacy.run(workdir, results["load"][0])
        results["erasure"] = erasure_files.run(workdir)
        results["guards"] = guards.run(workdir)
    if not args.short:
        print("mutation testing ...", file=sys.stderr)
        results["mutation"] = mutation.run()
    results["seconds"] = time.perf_counter() - started
    results["finished"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    results["findings"] = findings(results)
    for run in results["load"]:
        # The numbers and bodies were needed for the log scan; they stay out of the saved results.
        for key in ("sent_bodies", "phone_numbers", "alexa_user_ids", "log_path"):
            run.pop(key, None)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2), encoding="utf-8")
    path = report.write(results, args.report)
    kept = report.verdict(results)
    for name, ok in kept:
        print(f"{'ok  ' if ok else 'FAIL'} {name}", file=sys.stderr)
    print(f"report: {path}", file=sys.stderr)
    return 0 if all(ok for _, ok in kept) else 1


if __name__ == "__main__":
    raise SystemExit(main())
