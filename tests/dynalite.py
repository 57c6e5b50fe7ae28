"""Run a real dynalite (DynamoDB-compatible) server for the tests and manage its tables."""

from __future__ import annotations

import select
import socket
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from shared.stores.dynamodb import create_tables, make_client

REPO_ROOT = Path(__file__).resolve().parents[1]
DYNALITE_BIN = REPO_ROOT / "node_modules" / ".bin" / "dynalite"
REGION = "us-east-1"

_START_TIMEOUT_S = 20.0
_START_ATTEMPTS = 3


def free_port() -> int:
    """Return a local TCP port that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _accepts_connections(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


class DynaliteServer:
    """A dynalite subprocess on a free port; use as a context manager or call start()/stop()."""

    def __init__(self) -> None:
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._last_output = b""

    @property
    def endpoint_url(self) -> str:
        """The http URL boto3 should use as endpoint_url."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> str:
        """Start dynalite and wait until it accepts connections; return its endpoint URL."""
        if not DYNALITE_BIN.exists():
            raise RuntimeError(f"{DYNALITE_BIN} is missing; run `make node` first")
        # Another process can take the free port before dynalite binds it, so try a new port.
        for _ in range(_START_ATTEMPTS):
            self.port = free_port()
            # createTableMs 0: tables become ACTIVE at once instead of after dynalite's default 500 ms.
            command = [str(DYNALITE_BIN), "--host", "127.0.0.1", "--port", str(self.port)]
            command += ["--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"]
            self._process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=REPO_ROOT)
            # Wait for dynalite's own "listening" line: a bare connect could reach whoever stole the port.
            if self._announced_listening() and _accepts_connections(self.port):
                return self.endpoint_url
            self.stop()
        output = self._last_output.decode(errors="replace")
        raise RuntimeError(f"dynalite did not start after {_START_ATTEMPTS} attempts:\n{output}")

    def _announced_listening(self) -> bool:
        process = self._process
        assert process is not None and process.stdout is not None
        deadline = time.monotonic() + _START_TIMEOUT_S
        while (remaining := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([process.stdout], [], [], remaining)
            if not ready:
                return False
            line = process.stdout.readline()
            if not line:
                return False
            self._last_output += line
            if b"listening at" in line:
                return True
        return False

    def stop(self) -> None:
        """Stop the server if it runs; safe to call twice."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
        try:
            output, _ = process.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate(timeout=5)
        self._last_output += output or b""

    def __enter__(self) -> DynaliteServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def dynalite_client(endpoint_url: str) -> Any:
    """A DynamoDB client for the test server, using the dummy credentials from the environment."""
    return make_client(endpoint_url, REGION)


def make_tables(client: Any, table_names: Mapping[str, str]) -> None:
    """Create the given tables (on-demand, key `pk`) on the server, as the deployed stack declares them."""
    create_tables(client, table_names)


def drop_tables(client: Any, table_names: Mapping[str, str]) -> None:
    """Delete the given tables so a long session does not accumulate them."""
    for table in table_names.values():
        client.delete_table(TableName=table)
