"""Build tests/corpus/messages.jsonl from the hand-written theme files in tests/corpus/parts/.

The parts use short keys and leave out empty labels so a person can read and write a line on one screen; this
script expands each line to the full schema (README.md) and writes the single file the reader is measured on.
Run: .venv/bin/python -m tests.corpus.build  (add --counts to print the coverage tables README.md quotes)
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parent
PARTS_DIR = CORPUS_DIR / "parts"
MESSAGES_PATH = CORPUS_DIR / "messages.jsonl"

# Short key in a part line -> field in the gold labels, and its value when the line leaves it out.
GOLD_KEYS = {
    "bp": ("body_part", None),
    "pat": ("pattern", None),
    "dur": ("duration_minutes", None),
    "on": ("onset_minutes_ago", None),
    "rec": ("recurrence", None),
    "sev": ("severity", None),
    "ctx": ("contexts", []),
    "s": ("signs", []),
    "ps": ("possible_signs", []),
    "d": ("denied", []),
    "who": ("experiencer", "self"),
    "age": ("age_band", None),
    "call": ("called_it", None),
    "scope": ("scope", "in"),
}
REQUIRED_KEYS = {"id", "t", "r", "u", "v"}
OTHER_KEYS = {"ch", "rf", "traps", "note"}


class PartError(ValueError):
    """A part line that cannot be expanded: says which file and line."""


def expand(short: dict, where: str) -> dict:
    """One part line (short keys, empty labels left out) as a full corpus record."""
    unknown = set(short) - REQUIRED_KEYS - OTHER_KEYS - set(GOLD_KEYS)
    missing = REQUIRED_KEYS - set(short)
    if unknown or missing:
        raise PartError(f"{where}: unknown keys {sorted(unknown)}, missing keys {sorted(missing)}")
    gold = {field: short.get(key, default) for key, (field, default) in GOLD_KEYS.items()}
    record = {
        "id": short["id"],
        "text": short["t"],
        "register": short["r"],
        "channel": short.get("ch", "sms"),
        "gold": gold,
        "expect": {"urgency": short["u"], "red_flag_signs": short.get("rf", []), "verdict": short["v"]},
        "traps": short.get("traps", []),
    }
    if "note" in short:
        record["note"] = short["note"]
    return record


def build() -> list[dict]:
    """Every part line, expanded, in file-name then line order."""
    records = []
    for path in sorted(PARTS_DIR.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{path.name}:{number}"
            try:
                short = json.loads(line)
            except json.JSONDecodeError as error:
                raise PartError(f"{where}: {error}") from error
            records.append(expand(short, where))
    return records


def render(records: list[dict]) -> str:
    """The records as JSON Lines, one object a line, non-ASCII kept readable."""
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)


def coverage(records: list[dict]) -> str:
    """The coverage tables README.md quotes, as Markdown: how many lines carry each label, register and trap."""

    def table(title: str, counts: Counter, columns: tuple[str, ...] = ("lines",)) -> str:
        header = f"| {title} | " + " | ".join(columns) + " |\n|---|" + "---|" * len(columns) + "\n"
        rows = "".join(f"| {key} | {value} |\n" for key, value in sorted(counts.items(), key=lambda item: -item[1]))
        return header + rows

    def count(values) -> Counter:
        return Counter(value for value in values if value is not None)

    gold = [record["gold"] for record in records]
    signs = {sign for labels in gold for field in ("signs", "possible_signs", "denied") for sign in labels[field]}
    sign_rows = "| sign | asserted | possible | denied |\n|---|---|---|---|\n" + "".join(
        f"| {sign} | " + " | ".join(str(sum(sign in labels[field] for labels in gold))
                                    for field in ("signs", "possible_signs", "denied")) + " |\n"
        for sign in sorted(signs)
    )
    sections = [
        f"Total lines: {len(records)}\n",
        table("urgency", count(record["expect"]["urgency"] for record in records)),
        table("verdict", count(record["expect"]["verdict"] for record in records)),
        sign_rows,
        table("context", count(context for labels in gold for context in labels["contexts"])),
        table("body part", count(labels["body_part"] for labels in gold)),
        table("pattern", count(labels["pattern"] for labels in gold)),
        table("recurrence", count(labels["recurrence"] for labels in gold)),
        table("age band", count(labels["age_band"] for labels in gold)),
        table("experiencer / scope / channel", count(
            [labels["experiencer"] for labels in gold] + [f"scope {labels['scope']}" for labels in gold]
            + [f"channel {record['channel']}" for record in records])),
        table("register", count(tag for record in records for tag in record["register"])),
        table("trap class", count(trap for record in records for trap in record["traps"])),
    ]
    return "\n".join(sections)


def main() -> None:
    """Write messages.jsonl from the parts and say how many lines it has (with --counts, print the coverage)."""
    records = build()
    MESSAGES_PATH.write_text(render(records), encoding="utf-8")
    print(f"{MESSAGES_PATH.relative_to(CORPUS_DIR.parent.parent)}: {len(records)} lines")
    if "--counts" in sys.argv:
        print(coverage(records))


if __name__ == "__main__":
    main()
