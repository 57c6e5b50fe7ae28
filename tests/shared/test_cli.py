"""`python -m shared.triage`: the clinicians' command line, run as a real subprocess."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def triage(*args: str | bytes, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "shared.triage", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        timeout=60,
        check=False,
    )
    return subprocess.CompletedProcess(
        done.args, done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8", errors="replace")
    )


def assert_no_traceback(done: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout, done.stderr


def test_cli_phrasing_prints_a_readable_assessment() -> None:
    done = triage("calf locked up halfway thru my run, 2 mins now, no swelling")
    assert done.returncode == 0, done.stderr
    assert "Most likely a cramp." in done.stdout
    assert "- The muscle is one hard, tight knot that will not let go." in done.stdout
    # "No swelling" leaves redness and warmth to ask about, and the calf is rubbed only once they are ruled out.
    assert "Right now: Straighten the leg" in done.stdout and "Rub the calf only if it isn't swollen" in done.stdout
    assert done.stdout.count("not a diagnosis") == 1
    assert "Next question: Is that leg swollen, red or warm to touch? Reply 1 for yes, 2 for no." in done.stdout
    assert "{" not in done.stdout  # prose, not JSON


def test_cli_emergency_prints_the_emergency_number_and_no_question() -> None:
    done = triage("calf cramp and chest pain")
    assert done.returncode == 0
    assert "EMERGENCY: call 911 now." in done.stdout
    assert "Next question" not in done.stdout


def test_cli_locale_changes_the_emergency_number() -> None:
    assert "call 999 now" in triage("calf cramp and chest pain", "--locale", "en-GB").stdout


def test_cli_json_prints_one_object_with_the_documented_keys() -> None:
    done = triage("--json", "charley horse in my calf woke me up")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert isinstance(out, dict)
    assert {"verdict", "urgency", "body_part", "reasons", "next_question", "possible_signs", "experiencer"} <= set(out)
    assert out["body_part"] == "calf"
    assert out["possible_signs"] == [] and out["experiencer"] == "self"
    assert out["verdict"] in ("cramp", "spasm", "unclear")
    assert out["urgency"] == "self_care"
    assert isinstance(out["reasons"], list) and all(isinstance(reason, str) for reason in out["reasons"])
    assert isinstance(out["next_question"], str) and out["next_question"].startswith("Is that leg swollen")


def test_cli_json_names_signs_only_possible_and_who_it_is_for() -> None:
    out = json.loads(triage("--json", "my dad's calf cramped and I'm not sure if it's swollen").stdout)
    assert out["possible_signs"] == ["swelling"]
    assert out["experiencer"] == "other"


def test_cli_json_next_question_is_null_when_nothing_is_left_to_ask() -> None:
    out = json.loads(triage("--json", "my pee is dark after a marathon").stdout)
    assert out["urgency"] == "emergency"
    assert out["next_question"] is None


def test_cli_json_reasons_explain_the_verdict() -> None:
    out = json.loads(triage("--json", "my eyelid keeps twitching").stdout)
    assert out["verdict"] == "spasm"
    assert "it tightens and lets go, on and off" in out["reasons"]


def test_cli_reads_stdin_when_no_text_is_given() -> None:
    done = triage("--json", stdin=b"my hammy seized during football")
    assert json.loads(done.stdout)["body_part"] == "hamstring"


@pytest.mark.parametrize("empty", ["", "   ", "\n\t"])
def test_cli_empty_text_gets_a_clear_message(empty: str) -> None:
    done = triage(empty)
    assert done.returncode == 2
    assert "Nothing to read" in done.stderr
    assert_no_traceback(done)


def test_cli_empty_text_as_json_is_an_error_object() -> None:
    done = triage("--json", "")
    assert done.returncode == 2
    assert "Nothing to read" in json.loads(done.stdout)["error"]


def test_cli_binary_junk_on_stdin_gets_a_clear_message() -> None:
    junk = random.Random(7).randbytes(3000)
    done = triage(stdin=junk)
    assert done.returncode == 2
    assert "does not look like text" in done.stderr
    assert_no_traceback(done)


def test_cli_binary_junk_as_an_argument_gets_a_clear_message() -> None:
    junk = bytes(b for b in random.Random(11).randbytes(400) if b)  # no NUL: argv cannot carry one
    done = triage("--json", junk)
    assert done.returncode == 2
    assert "does not look like text" in json.loads(done.stdout)["error"]
    assert_no_traceback(done)


def test_cli_control_characters_get_a_clear_message() -> None:
    done = triage("\x01\x02\x03\x04\x05\x06\x07\x08")
    assert done.returncode == 2
    assert "does not look like text" in done.stderr
    assert_no_traceback(done)


def test_cli_ten_kilobytes_of_text_is_read_in_part_with_a_warning() -> None:
    long_text = ("my calf locked up during my run and it hurts a lot. " * 200)[:10_240]
    done = triage(long_text)
    assert done.returncode == 0
    assert "10240 characters; only the first 2000 are read" in done.stdout
    assert "a cramp" in done.stdout
    assert_no_traceback(done)
    out = json.loads(triage("--json", long_text).stdout)
    assert "only the first 2000" in out["warning"] and out["body_part"] == "calf"


def test_cli_help_describes_the_command() -> None:
    done = triage("--help")
    assert done.returncode == 0
    assert "--json" in done.stdout and "text" in done.stdout


def chat(lines: str, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "shared.cli", "--chat", *args],
        cwd=ROOT, input=lines, capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    return done


def test_cli_chat_holds_a_conversation_and_never_claims_a_callback_was_saved() -> None:
    done = chat("my calf locked up during my run\nno\nno\nCALL\n2\n\n")
    assert "Nothing\nyou type is sent or stored" in done.stdout
    assert "Is that leg swollen" in done.stdout and "a cramp" in done.stdout
    assert "When should NextPain Care call you back?" in done.stdout
    assert "saved" not in done.stdout
    assert "In this chat nothing is sent or stored" in done.stdout and "afternoon" in done.stdout


def test_cli_same_command_under_both_names() -> None:
    text = "my eyelid keeps twitching"
    via_cli = subprocess.run(
        [sys.executable, "-m", "shared.cli", "--json", text], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert via_cli.returncode == 0 and json.loads(via_cli.stdout) == json.loads(triage("--json", text).stdout)


def test_cli_reads_the_clinics_content_folder(tmp_path: Path) -> None:
    import os
    import shutil

    from shared.content import CONTENT_DIR

    folder = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, folder)
    clinic = folder / "clinic.yaml"
    clinic.write_text(clinic.read_text(encoding="utf-8").replace("name: NextPain Care", "name: Our Own Clinic"))
    done = subprocess.run(
        [sys.executable, "-m", "shared.triage", "calf cramp"], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "CRAMP_CONTENT_DIR": str(folder)}, check=False,
    )
    assert done.returncode == 0 and "Our Own Clinic:" in done.stdout
