"""Smoke tests for the benchmarks: each runs with tiny run counts and returns well-formed ratios.

No timing is asserted (this machine's load decides those); what is asserted is that every benchmark really
runs its subject and its reference, and that the report shows every figure the command measured.
"""

from __future__ import annotations

import json
import math
import zipfile
from pathlib import Path

import pytest

from bench import __main__ as runner
from bench import artifacts, report
from bench.stats import interleave, machine, percentile, spread


def assert_ratio(value: float) -> None:
    """A ratio of two real timings: finite and above zero."""
    assert isinstance(value, float)
    assert math.isfinite(value) and value > 0


def assert_comparison(item: dict, runs: int) -> None:
    """Subject and reference each timed `runs` times, in wall and CPU time, with their ratios."""
    for role in ("reference", "subject"):
        for kind in ("wall", "cpu"):
            stats = item[role][kind]
            assert stats["runs"] == runs
            assert 0 <= stats["min"] <= stats["p50"] <= stats["p90"] <= stats["p99"] <= stats["max"]
    assert item["reference"]["wall"]["p50"] > 0 and item["subject"]["wall"]["p50"] > 0
    assert_ratio(item["ratio"])
    assert_ratio(item["cpu_ratio"])


def test_percentile_of_known_series_interpolates_between_ranks() -> None:
    values = list(range(1, 102))  # 1..101: the p-th percentile is p + 1
    assert percentile(values, 50) == 51
    assert percentile(values, 99) == 100
    assert percentile([10.0, 20.0], 50) == 15.0
    assert spread(values)["iqr"] == 50


def test_percentile_of_empty_series_is_refused() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)


def test_interleave_alternates_which_candidate_goes_first() -> None:
    calls: list[str] = []
    timings = interleave({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, runs=3, warmup=1)
    assert calls == ["a", "b", "b", "a", "a", "b", "b", "a"]
    assert [len(timings[name]["wall"]) for name in ("a", "b")] == [3, 3]


def test_machine_names_cpu_cores_and_python() -> None:
    box = machine()
    assert box["cpu"] and box["cores"] >= 1 and box["python"].count(".") == 2


def test_bench_command_quick_run_writes_json_and_one_table_row_per_figure(tmp_path: Path) -> None:
    json_path, markdown_path = tmp_path / "bench.json", tmp_path / "benchmarks.md"
    assert runner.main(["--quick", "--skip-artifacts", "--json", str(json_path), "--markdown", str(markdown_path)]) == 0

    results = json.loads(json_path.read_text())
    quick = runner.QUICK
    assert_comparison(results["alexa_warm"], quick["warm"])
    assert results["alexa_warm"]["committed_transactions_per_turn"] == 1
    assert_comparison(results["sms_warm"], quick["warm"])
    trips = results["round_trips"]["turns"]
    assert set(trips) == {"sms_first_message", "sms_follow_up", "alexa_verdict_turn"}
    for turn in trips.values():
        assert turn["round_trips"] == sum(turn["requests"].values()) > 0
    assert_comparison(results["core"]["import"], quick["imports"])
    assessment = results["core"]["assessment"]
    assert assessment["subject"]["runs"] == quick["core"]
    assert_ratio(assessment["ratio"])
    reader = results["core"]["reader"]
    assert reader["subject"]["runs"] == quick["core"] and reader["messages"] > 700
    assert_ratio(reader["ratio"])
    assert_comparison(results["core"]["compile"], quick["compile"])
    assert results["machine"]["cpu"] and results["machine"]["python"]

    report = markdown_path.read_text()
    table = [line for line in report.splitlines() if line.startswith("| ") and "---" not in line]
    # header + Alexa warm, SMS, three round-trip rows, core assessment, reader, lexicon compile, core import
    assert len(table) == 1 + 9
    for line in table[1:]:
        assert "×" in line
    assert results["machine"]["cpu"] in report


def _zip_of(folder: Path, files: dict[str, str]) -> Path:
    archive = folder / "function.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for name, text in files.items():
            out.writestr(name, text)
    return archive


def test_artifact_import_runs_only_from_the_unzipped_folder(tmp_path: Path) -> None:
    zipped = _zip_of(tmp_path, {"handler/__init__.py": "", "handler/main.py": "import json\nVALUE = 1\n"})
    task = artifacts.unzip(zipped, tmp_path / "task")
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    run = artifacts._import_child(("handler.main",), [task, runtime])
    assert run.wall > 0 and run.cpu > 0
    assert not (task / "handler" / "__pycache__").exists(), "as shipped, nothing may be compiled into the task"


def test_artifact_import_of_a_module_not_in_the_zip_fails(tmp_path: Path) -> None:
    # flask is installed in this virtualenv but not in the zip: the isolated child must not find it.
    zipped = _zip_of(tmp_path, {"handler/__init__.py": "", "handler/main.py": "import flask\n"})
    task = artifacts.unzip(zipped, tmp_path / "task")
    with pytest.raises(artifacts.ImportFailed, match="ModuleNotFoundError"):
        artifacts._import_child(("handler.main",), [task, tmp_path])


def test_measure_zip_whose_handler_cannot_import_reports_failure_and_size(tmp_path: Path) -> None:
    # A function zip that forgot a package its handler imports, as a Lambda would receive it.
    root = tmp_path / "service"
    (root / ".serverless").mkdir(parents=True)
    zipped = _zip_of(root, {"sms/__init__.py": "", "sms/lambda_function.py": "import notshipped\n"})
    state = {"service": {"functions": {"sms": {"handler": "sms/lambda_function.handler",
                                                "package": {"artifact": str(zipped.relative_to(root))}}}}}
    (root / ".serverless" / "serverless-state.json").write_text(json.dumps(state))

    measured = artifacts.measure(artifacts.Build(root), runs=1, cache=tmp_path / "tasks")

    assert measured["sizes"]["sms"]["zip_mb"] == round(zipped.stat().st_size / 1e6, 2)
    assert set(measured["sizes"]["sms"]["largest_parts_mb"]) == {"sms"}
    assert measured["imports"]["sms"]["handler_module"] == "sms.lambda_function"
    assert "ModuleNotFoundError" in measured["imports"]["sms"]["error"]
    rows = report.artifact_rows(measured)
    assert any("**failed**" in row[1] and "sms.lambda_function" in row[0] for row in rows)


def test_round_trips_sms_turns_keep_within_the_dynamodb_budget() -> None:
    from bench import round_trips

    measured = round_trips.run()

    for name in ("sms_first_message", "sms_follow_up"):
        turn = measured["turns"][name]
        assert turn["round_trips"] <= measured["target_sms"], turn
    assert measured["turns"]["sms_first_message"]["requests"] == {"BatchGetItem": 1, "TransactWriteItems": 1}


def test_sms_bench_reports_one_committed_transaction_per_first_message() -> None:
    from bench import sms

    result = sms.warm(runs=2, warmup=0)

    assert_comparison(result, 2)
    assert result["committed_transactions_per_turn"] == 1
    assert result["store_calls_per_turn"]["transaction"] == 1
    assert result["store_calls_per_turn"]["get_many"] == 1  # the claim, opt-out, conversation and history at once
    assert result["store_calls_per_turn"]["put"] >= 3  # conversation with its rate count, episode, the reply's claim


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_counting_store_counts_a_transaction_of_writes_as_one_commit_and_lone_writes_each(
    tmp_path: Path, kind: str
) -> None:
    from bench.stats import CountingStore
    from shared.stores import store_from_settings

    inner = store_from_settings(kind, path=tmp_path / "cramp.sqlite3")
    counting = CountingStore(inner)
    with counting.transaction():
        counting.put("callbacks", "cb-1", {"n": 1}, expected_version=0)
        counting.put("callbacks", "cb-1", {"n": 2}, expected_version=1)
    with counting.transaction():
        counting.get("callbacks", "cb-1")
    counting.put("callbacks", "cb-2", {"n": 1}, expected_version=0)
    counting.delete("callbacks", "cb-2")

    assert counting.commits == 3
    assert counting.calls == {"transaction": 2, "put": 3, "get": 1, "delete": 1}
    assert inner.get("callbacks", "cb-1").data == {"n": 2}


def test_without_prebuilt_copies_the_folder_but_the_loaded_content_and_compiled_templates(tmp_path: Path) -> None:
    task = tmp_path / "task"
    files = {
        "shared/content/rules.yaml": "rules: []\n",
        "shared/content.pickle": "",
        "shared/content/languages/en/content.pickle": "",
        "shared/compiled_templates/tmpl_1.py": "",
        "shared/compiled_templates/__pycache__/tmpl_1.cpython-312.pyc": "",
        "shared/__pycache__/render.cpython-312.pyc": "",
        "skill/compiled_templates/kept.txt": "",
    }
    for name, text in files.items():
        (task / name).parent.mkdir(parents=True, exist_ok=True)
        (task / name).write_text(text)

    before = artifacts.without_prebuilt(task, tmp_path / "before")

    kept = sorted(path.relative_to(before).as_posix() for path in before.rglob("*") if path.is_file())
    assert kept == ["shared/__pycache__/render.cpython-312.pyc", "shared/content/languages/en/content.pickle",
                    "shared/content/rules.yaml",
                    "skill/compiled_templates/kept.txt"]
