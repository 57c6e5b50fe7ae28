"""`python -m server`, the command behind `make run`, as a newcomer runs it."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from shared.callbacks import owed_fields
from sms.outbound import read_outbox
from tests.server.conftest import REPO, local_settings, open_test_store
from tests.server.test_staff import store_callback_record


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_server(tmp_path: Path, port: int, **env: str) -> subprocess.Popen:
    """Start `python -m server` from the repository with a private data directory."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("CRAMP_", "TWILIO_"))}
    environ.update({"PORT": str(port), "CRAMP_DATA_DIR": str(tmp_path / "data"), **env})
    return subprocess.Popen([sys.executable, "-m", "server"], cwd=REPO, env=environ,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_main_module_serves_page_inbox_and_health_on_waitress(tmp_path: Path) -> None:
    port = free_port()
    process = run_server(tmp_path, port)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                health = requests.get(base + "/healthz", timeout=1)
                break
            except requests.ConnectionError:
                assert process.poll() is None, process.communicate()[1]
                assert time.monotonic() < deadline, "the server did not start within 20 s"
                time.sleep(0.2)
        assert health.json() == {"status": "ok", "store": "sqlite", "mode": "local", "try_it": True}
        # waitress, not a development server, answers.
        assert health.headers["Server"] == "cramp-check"
        page = requests.get(base + "/", timeout=5)
        assert "Guidance, not a diagnosis." in page.text and 'id="voice-form"' in page.text
        assert requests.get(base + "/staff", timeout=5).status_code == 401
        assert (tmp_path / "data" / "cramp-check.sqlite3").exists()
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=10)
    # The packaged content has no clinical sign-off yet: whoever starts the server is told, clearly (issue 14).
    assert "WARNING: no clinician has signed off this content" in stderr


def test_main_module_port_taken_exits_with_a_message_not_a_traceback(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        process = run_server(tmp_path, holder.getsockname()[1])
        _, err = process.communicate(timeout=30)
    assert process.returncode == 1
    assert "cannot listen" in err and "Traceback" not in err


def test_main_module_deployed_without_secrets_refuses_to_start(tmp_path: Path) -> None:
    process = run_server(tmp_path, free_port(), CRAMP_MODE="deployed", CRAMP_STORE="sqlite")
    _, err = process.communicate(timeout=30)
    assert process.returncode == 2
    assert "CRAMP_HASH_SALT" in err and "Traceback" not in err


def test_main_module_all_interfaces_with_local_defaults_refuses_to_start_and_says_what_to_set(tmp_path: Path) -> None:
    # Anyone on the network could read the inbox with the printed password and forge texts with the public token.
    process = run_server(tmp_path, free_port(), CRAMP_HOST="0.0.0.0")  # noqa: S104 - the setting under test
    _, err = process.communicate(timeout=30)
    assert process.returncode == 2
    assert "bound to 0.0.0.0 needs real secrets" in err and "Traceback" not in err
    for variable in ("CRAMP_HASH_SALT", "TWILIO_AUTH_TOKEN", "CRAMP_STAFF_PASSWORD"):
        assert variable in err


def refused_start(tmp_path: Path, data_dir: Path) -> str:
    """Start `python -m server` on `data_dir`; assert it exits 2 without a traceback and return what it said."""
    process = run_server(tmp_path, free_port(), CRAMP_DATA_DIR=str(data_dir))
    _, err = process.communicate(timeout=30)
    assert process.returncode == 2, err
    assert "Traceback" not in err
    return err


def test_main_module_data_dir_that_is_a_file_exits_with_a_message(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.write_text("not a folder")
    assert "is a file, not a folder; set CRAMP_DATA_DIR" in refused_start(tmp_path, data)


def test_main_module_damaged_sqlite_shared_memory_file_exits_with_a_message(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "cramp-check.sqlite3-shm").mkdir()  # SQLite cannot map it; it must not be reached at all
    err = refused_start(tmp_path, data)
    assert "cannot write" in err and "cramp-check.sqlite3-shm" in err


@contextlib.contextmanager
def read_only_folder(folder: Path) -> Iterator[None]:
    """Make `folder` read-only for this process: a read-only tmpfs as root (which ignores modes), else chmod."""
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(folder)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"root without the right to mount a read-only folder: {mounted.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_main_module_read_only_data_dir_exits_with_a_message(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with read_only_folder(data):
        err = refused_start(tmp_path, data)
    assert f"cannot write in the data folder {data}" in err and "CRAMP_DATA_DIR" in err


def test_main_module_sends_a_staff_text_left_pending_before_it_started(tmp_path: Path) -> None:
    settings = local_settings(tmp_path)
    store = open_test_store(settings)
    store_callback_record(store, "cb_left_pending", 30, **{**owed_fields(time.time()), "notify_attempts": 2})
    store.close()
    process = run_server(tmp_path, free_port())
    try:
        deadline = time.monotonic() + 20
        while not read_outbox(settings):
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline, "no staff text was sent again within 20 s"
            time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(timeout=10)
    [sent] = read_outbox(settings)
    assert "cb_left_pending" in sent["body"]
