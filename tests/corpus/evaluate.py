"""`make eval`: how well the free-text reader understands the development corpus, field by field.

Prints per-field precision and recall, red-flag sign recall per sign, over- and under-escalation, urgency and
verdict agreement, and writes docs/understanding.md (generated, never edited by hand) with every miss listed.

It lives beside the corpus, not in shared/: it reads the corpus and the taxonomy's urgency table, which are test
data, and shared/ is what ships in the Lambda zips.

Two urgencies are measured. *Table on the reader's fields* applies the taxonomy's urgency table
(tests/corpus/taxonomy.py) to what the reader found: it measures the reader alone. *Product* is what
shared.triage.assess gives with the packaged red_flags.yaml and rules.yaml, i.e. what a person would be told.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from shared.content import Content, load_content
from shared.facts import Observations
from shared.reader import read
from shared.triage import assess
from tests.corpus.build import MESSAGES_PATH
from tests.corpus.taxonomy import SIGNS, URGENCIES, table_urgency

ROOT = Path(__file__).resolve().parents[2]
REPORT_PATH = ROOT / "docs" / "understanding.md"
# The corpus is labelled as if read on a Thursday at 14:00 (README: weekday names resolve against it).
CORPUS_NOW = datetime(2026, 12, 3, 14, 0)

SINGLE_FIELDS = (
    "body_part", "pattern", "duration_minutes", "onset_minutes_ago", "recurrence", "severity", "experiencer",
    "age_band", "called_it", "scope",
)
SET_FIELDS = ("contexts", "signs", "possible_signs", "denied")
FIELDS = SINGLE_FIELDS + SET_FIELDS
# A field's value that means "nothing said" and is not scored as a finding (experiencer and scope have no null).
UNSCORED = {"experiencer": "self", "scope": "in"}
# Two amounts of time agree when within this fraction of each other ("a few seconds" is 0.5 whether 0.4 or 0.6).
TIME_TOLERANCE = 0.1


@dataclass
class Score:
    """Counts for one field: right, found but wrong or not there, and there but not found."""

    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0

    @property
    def precision(self) -> float:
        """Of what the reader found, the share that the label has."""
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 1.0

    @property
    def recall(self) -> float:
        """Of what the label has, the share that the reader found."""
        there = self.true_positive + self.false_negative
        return self.true_positive / there if there else 1.0


@dataclass
class Report:
    """Everything `make eval` measures, and the misses behind each number."""

    lines: int = 0
    fields: dict[str, Score] = field(default_factory=lambda: {name: Score() for name in FIELDS})
    field_misses: dict[str, list[tuple[str, str, Any, Any]]] = field(default_factory=lambda: defaultdict(list))
    sign_recall: dict[str, list[int]] = field(default_factory=dict)  # sign -> [caught, expected]
    sign_misses: list[tuple[str, str, str, str]] = field(default_factory=list)  # id, level, sign, text
    table_levels: Counter = field(default_factory=Counter)  # (expected, read) urgency pairs, table on reader fields
    product_levels: Counter = field(default_factory=Counter)  # (expected, product) urgency pairs
    urgency_misses: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    verdicts_agreeing: int = 0
    verdict_misses: list[tuple[str, str, str, str]] = field(default_factory=list)

    def agreement(self, levels: Counter) -> float:
        """Share of lines whose urgency is the expected one."""
        return sum(count for (expected, got), count in levels.items() if expected == got) / self.lines

    def over_escalated(self, levels: Counter) -> int:
        """Lines given a more urgent level than expected."""
        return sum(count for (expected, got), count in levels.items() if _rank(got) > _rank(expected))

    def under_escalated(self, levels: Counter) -> int:
        """Lines given a less urgent level than expected."""
        return sum(count for (expected, got), count in levels.items() if _rank(got) < _rank(expected))

    @property
    def verdict_agreement(self) -> float:
        """Share of lines whose cramp/spasm/unclear verdict is the expected one."""
        return self.verdicts_agreeing / self.lines

    def flag_sign_recall(self) -> tuple[int, int]:
        """Caught and expected red-flag signs on emergency and urgent lines, over all signs."""
        return sum(caught for caught, _ in self.sign_recall.values()), sum(n for _, n in self.sign_recall.values())


def _rank(level: str) -> int:
    return URGENCIES.index(level)


def load_records(path: Path = MESSAGES_PATH) -> list[dict]:
    """The corpus lines."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def reader_labels(observations: Observations) -> dict[str, Any]:
    """What the reader found, in the shape of a corpus line's gold labels."""
    found = observations.to_dict()
    return {name: found[name] for name in FIELDS}


def _same_time(gold: float | None, read_value: float | None) -> bool:
    if gold is None or read_value is None:
        return gold is read_value
    return abs(gold - read_value) <= TIME_TOLERANCE * max(gold, read_value)


def _score_single(report: Report, name: str, record_id: str, gold: Any, got: Any) -> None:
    score, nothing = report.fields[name], UNSCORED.get(name)
    gold_value = None if gold == nothing else gold
    got_value = None if got == nothing else got
    agree = _same_time(gold_value, got_value) if name.endswith("minutes") or name.endswith("ago") else (
        gold_value == got_value
    )
    if agree:
        score.true_positive += gold_value is not None
        return
    score.false_positive += got_value is not None
    score.false_negative += gold_value is not None
    report.field_misses[name].append((record_id, "", gold, got))


def _score_set(report: Report, name: str, record_id: str, gold: list[str], got: list[str]) -> None:
    score = report.fields[name]
    gold_set, got_set = set(gold), set(got)
    score.true_positive += len(gold_set & got_set)
    score.false_positive += len(got_set - gold_set)
    score.false_negative += len(gold_set - got_set)
    if gold_set != got_set:
        report.field_misses[name].append((record_id, "", sorted(gold_set), sorted(got_set)))


def evaluate(records: list[dict], content: Content) -> Report:
    """Read every line and score what the reader found against its labels."""
    lexicon = content.language(None).lexicon
    report = Report(lines=len(records))
    for record in records:
        observations = read(record["text"], lexicon, now=CORPUS_NOW)
        got, gold, expect = reader_labels(observations), record["gold"], record["expect"]
        for name in SINGLE_FIELDS:
            _score_single(report, name, record["id"], gold[name], got[name])
        for name in SET_FIELDS:
            _score_set(report, name, record["id"], gold[name], got[name])

        if expect["urgency"] in ("emergency", "urgent"):
            for sign in (reason for reason in expect["red_flag_signs"] if reason in SIGNS):
                counts = report.sign_recall.setdefault(sign, [0, 0])
                counts[1] += 1
                if sign in observations.signs:
                    counts[0] += 1
                else:
                    report.sign_misses.append((record["id"], expect["urgency"], sign, record["text"]))

        table_level, _ = table_urgency(got)
        assessment = assess(observations, content)
        report.table_levels[(expect["urgency"], table_level)] += 1
        report.product_levels[(expect["urgency"], assessment.urgency)] += 1
        if table_level != expect["urgency"]:
            report.urgency_misses.append(
                (record["id"], expect["urgency"], table_level, assessment.urgency, record["text"])
            )
        if assessment.verdict == expect["verdict"]:
            report.verdicts_agreeing += 1
        else:
            report.verdict_misses.append((record["id"], expect["verdict"], assessment.verdict, record["text"]))
    texts = {record["id"]: record["text"] for record in records}
    for misses in report.field_misses.values():
        misses[:] = [(record_id, texts[record_id], gold, got) for record_id, _, gold, got in misses]
    return report


# --- Output ------------------------------------------------------------------------------------------------


def _percent(value: float) -> str:
    return f"{100 * value:.1f}%"


def summary(report: Report) -> str:
    """The headline numbers as plain text, for the terminal."""
    lines = [f"Reader on the development corpus ({report.lines} lines)", "", "field               precision  recall"]
    for name, score in report.fields.items():
        lines.append(f"{name:<20}{_percent(score.precision):>9}  {_percent(score.recall):>6}")
    caught, expected = report.flag_sign_recall()
    lines += ["", f"red-flag sign recall on emergency and urgent lines: {caught}/{expected}"]
    for sign, (hit, total) in sorted(report.sign_recall.items()):
        lines.append(f"  {sign:<20}{hit}/{total}" + ("" if hit == total else "   <- missed"))
    for label, levels in (("table on the reader's fields", report.table_levels), ("product", report.product_levels)):
        lines.append(
            f"urgency ({label}): agreement {_percent(report.agreement(levels))}, "
            f"over-escalated {report.over_escalated(levels)}, under-escalated {report.under_escalated(levels)}"
        )
    lines.append(f"verdict agreement (product): {_percent(report.verdict_agreement)}")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text.replace("|", "\\|").replace("\n", " ")


def _levels_table(levels: Counter) -> str:
    header = "| expected \\ given | " + " | ".join(URGENCIES) + " |\n|---|" + "---|" * len(URGENCIES) + "\n"
    rows = "".join(
        f"| {expected} | " + " | ".join(str(levels[(expected, got)]) for got in URGENCIES) + " |\n"
        for expected in URGENCIES
    )
    return header + rows


def markdown(report: Report) -> str:
    """docs/understanding.md: the numbers and every miss."""
    caught, expected = report.flag_sign_recall()
    out = [
        "# How well the reader understands people (generated by `make eval`; do not edit by hand)\n",
        f"The free-text reader (`shared/reader.py` with `shared/content/languages/en/lexicon.yaml`) on the "
        f"development corpus (`tests/corpus/messages.jsonl`, {report.lines} hand-labelled lines; conventions in "
        "`tests/corpus/README.md`). The product owner also checks it on messages the team never sees, so these "
        "numbers are a floor to keep, not a target to fit.\n",
        "## Fields\n",
        "Precision: of what the reader found, the share the label has. Recall: of what the label has, the share "
        "the reader found. Single-valued fields count a finding when not null (experiencer `other`, scope `out`); "
        f"times agree within {int(TIME_TOLERANCE * 100)}%; set fields count each id.\n",
        "| field | precision | recall | right | found, not labelled | labelled, not found |",
        "|---|---|---|---|---|---|",
    ]
    for name, score in report.fields.items():
        out.append(
            f"| {name} | {_percent(score.precision)} | {_percent(score.recall)} | {score.true_positive} | "
            f"{score.false_positive} | {score.false_negative} |"
        )
    out += [
        "\n## Red-flag signs\n",
        f"Each sign an emergency or urgent line's urgency rests on (`expect.red_flag_signs`) must be among the signs "
        f"the reader asserts. Caught {caught} of {expected}.\n",
        "| sign | caught | expected |",
        "|---|---|---|",
    ]
    out += [f"| {sign} | {hit} | {total} |" for sign, (hit, total) in sorted(report.sign_recall.items())]
    out += [
        "\n## Urgency\n",
        "*Table on the reader's fields*: the taxonomy's urgency table applied to what the reader found (the reader "
        "alone). *Product*: `shared.triage.assess` with the packaged red flags (what the person is told).\n",
        f"- Table on the reader's fields: agreement {_percent(report.agreement(report.table_levels))}, "
        f"over-escalated {report.over_escalated(report.table_levels)}, "
        f"under-escalated {report.under_escalated(report.table_levels)}.",
        f"- Product: agreement {_percent(report.agreement(report.product_levels))}, "
        f"over-escalated {report.over_escalated(report.product_levels)}, "
        f"under-escalated {report.under_escalated(report.product_levels)}.\n",
        "Table on the reader's fields:\n",
        _levels_table(report.table_levels),
        "Product:\n",
        _levels_table(report.product_levels),
        "## Verdict\n",
        f"Product verdict (cramp / spasm / unclear) agrees on {_percent(report.verdict_agreement)} of lines.\n",
        "## Misses\n",
        "### Red-flag signs not caught\n",
    ]
    if report.sign_misses:
        out += ["| line | level | sign | text |", "|---|---|---|---|"]
        out += [f"| {rid} | {level} | {sign} | {_cell(text)} |" for rid, level, sign, text in report.sign_misses]
    else:
        out.append("None.")
    out += ["\n### Urgency (table on the reader's fields) not the expected one\n"]
    out += ["| line | expected | table on reader | product | text |", "|---|---|---|---|---|"]
    out += [f"| {rid} | {exp} | {table} | {product} | {_cell(text)} |"
            for rid, exp, table, product, text in report.urgency_misses]
    for name in FIELDS:
        misses = report.field_misses.get(name)
        if not misses:
            continue
        out += [f"\n### {name}\n", "| line | labelled | read | text |", "|---|---|---|---|"]
        out += [f"| {rid} | {_cell(gold)} | {_cell(got)} | {_cell(text)} |" for rid, text, gold, got in misses]
    out += ["\n### Verdict\n", "| line | expected | product | text |", "|---|---|---|---|"]
    out += [f"| {rid} | {exp} | {got} | {_cell(text)} |" for rid, exp, got, text in report.verdict_misses]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Evaluate, print the summary and write the report."""
    parser = argparse.ArgumentParser(prog="python -m tests.corpus.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, default=REPORT_PATH, help="where to write the Markdown report")
    parser.add_argument("--misses", metavar="FIELD", help="also print the misses of one field")
    args = parser.parse_args(argv)
    report = evaluate(load_records(), load_content())
    print(summary(report))
    if args.misses:
        for record_id, text, gold, got in report.field_misses.get(args.misses, []):
            print(f"{record_id}: labelled {gold!r}, read {got!r}: {text}")
    args.report.write_text(markdown(report), encoding="utf-8")
    print(f"\nwrote {args.report.relative_to(ROOT) if args.report.is_relative_to(ROOT) else args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
