"""The reliability runs issue 17 added, at CI size: STOP and DELETE while SQLite is locked or read-only, erasure
read back from every data file of the running server, and the staff inbox, simulator switch and certificate cache
attacked. Each run is also checked to be able to fail (a needle it should find, a guard it should see)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reliability import erasure_files, guards, outage_keywords, report


@pytest.fixture(scope="module")
def keywords_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """STOP, 'Stop.', DELETE and an ordinary text while the server's SQLite file is locked, then read-only."""
    return outage_keywords.run(tmp_path_factory.mktemp("keywords"))


def test_sqlite_locked_stop_is_kept_and_delete_is_asked_again(keywords_run: dict[str, Any]) -> None:
    locked = keywords_run["locked"]
    assert locked["problems"] == []
    assert locked["stops_kept"] == 2 and locked["replies_after_stop"] == 0
    assert locked["delete_again_erased"] and not locked["journal_left"]


def test_sqlite_read_only_stop_is_journalled_then_kept(keywords_run: dict[str, Any]) -> None:
    read_only = keywords_run["read_only"]
    if "skipped" in read_only:
        pytest.skip(read_only["skipped"])
    assert read_only == {"stop_confirmed": True, "journalled": True, "delete_asked_again": True,
                         "reply_after_stop": False, "stop_kept": True}


def test_erasure_running_server_keeps_no_number_or_window_in_any_data_file(tmp_path: Path) -> None:
    result = erasure_files.run(tmp_path)
    assert {"cramp-check.sqlite3", "cramp-check.sqlite3-wal", "outbox.jsonl"} <= set(result["files_read"])
    assert "number in cramp-check.sqlite3-wal" in result["found_before"]  # the search finds what is there
    assert result["found_after"] == []
    assert result["others_kept"] and result["reply"].startswith("Done: erased your conversation")


def test_erasure_file_search_finds_a_number_written_anywhere(tmp_path: Path) -> None:
    (tmp_path / "left.bin").write_bytes(b"\x00\x01" + b"15552008000" + b"\x00")
    assert erasure_files.found(tmp_path, erasure_files.needles("+15552008000")) == [
        "number without + in left.bin", "national number in left.bin"]


def test_guards_staff_simulator_and_certificate_cache_all_hold(tmp_path: Path) -> None:
    result = guards.run(tmp_path)
    for guard in ("staff", "simulator"):
        assert all(c["sent"] == c["refused"] > 0 for c in result[guard]["counts"].values()), result[guard]
    assert result["staff"]["staff_on_another_device_signed_in"]
    assert result["simulator"]["local_program_answered"]
    assert result["simulator"]["records_written_by_refused_requests"] == 0
    certificates = result["certificates"]
    assert certificates["spellings_accepted"] == certificates["spellings_sent"]
    assert certificates["downloads_for_spellings"] == 1
    assert certificates["cache_entries_at_most"] <= certificates["cache_bound"]
    assert certificates["off_bucket_refused"] == certificates["off_bucket_sent"]
    assert certificates["off_bucket_fetched"] == 0


def test_report_mutation_section_lists_survivors_and_equivalents_per_module() -> None:
    lines = report.mutation_section({
        "tool": "mutmut 3.8.1", "seconds": 12.0,
        "counts": {"sms/signature.py": {"killed": 9, "survived": 1, "equivalent": 1}},
        "survivors": [{"name": "sms.signature.x_expected_url__mutmut_3", "status": "survived", "line": "return url"}],
        "equivalent": [{"name": "sms.signature.x_expected_url__mutmut_5", "line": "x", "equivalent": "same URL"}],
    })
    assert "| sms/signature.py | 11 | 9 | 1 | 1 | 0 |" in lines
    assert "- `sms.signature.x_expected_url__mutmut_3` (survived): `return url`" in lines
    assert "- `sms.signature.x_expected_url__mutmut_5`: `x` - same URL" in lines
    assert report.mutation_section(None)[2].startswith("Not run")
