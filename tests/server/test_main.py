"""`python -m server`, the command behind `make run`, as a newcomer runs it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.server.conftest import REPO


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
        process.wait(timeout=10)


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
