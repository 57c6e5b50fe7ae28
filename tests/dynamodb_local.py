"""Run a local DynamoDB-compatible server (moto's, in its own process) for the tests and manage its tables.

moto's server answers the DynamoDB API over HTTP as AWS does, with what the store needs and dynalite lacks:
BatchGetItem with consistent reads and TransactWriteItems with per-item conditions and cancellation reasons.
It does not check IAM permissions (tests/deploy checks the template's grants instead), and it is served one request
at a time (tests/dynamodb_serial_server.py) so conditional writes are as atomic as DynamoDB's.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from shared.stores.dynamodb import create_tables, make_client

REPO_ROOT = Path(__file__).resolve().parents[1]
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


class DynamoDBServer:
    """A moto DynamoDB server subprocess on a free port; use as a context manager or call start()/stop()."""

    def __init__(self) -> None:
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._log: Any = None
        self._last_output = b""

    @property
    def endpoint_url(self) -> str:
        """The http URL boto3 should use as endpoint_url."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> str:
        """Start the server and wait until it accepts connections; return its endpoint URL."""
        # Another process can take the free port before the server binds it, so try a new port.
        for _ in range(_START_ATTEMPTS):
            self.port = free_port()
            command = [sys.executable, "-m", "tests.dynamodb_serial_server", "127.0.0.1", str(self.port)]
            # Output to a file, read only to explain a failed start: a pipe nobody reads could fill and block it.
            self._log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
            self._process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT, cwd=REPO_ROOT)
            # Our process must still run when the port answers: otherwise whoever stole the port answered.
            if self._answers() and self._process.poll() is None:
                return self.endpoint_url
            self.stop()
        output = self._last_output.decode(errors="replace")
        raise RuntimeError(f"the DynamoDB server did not start after {_START_ATTEMPTS} attempts:\n{output}")

    def _answers(self) -> bool:
        """True once the server process answers on its port (False if it died or never did in time)."""
        process = self._process
        assert process is not None
        deadline = time.monotonic() + _START_TIMEOUT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return False
            if _accepts_connections(self.port):
                return True
            time.sleep(0.05)
        return False

    def stop(self) -> None:
        """Stop the server if it runs; safe to call twice."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        if self._log is not None:
            self._log.seek(0)
            self._last_output += self._log.read()
            self._log.close()
            self._log = None

    def __enter__(self) -> DynamoDBServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def dynamodb_client(endpoint_url: str) -> Any:
    """A DynamoDB client for the test server, using the dummy credentials from the environment."""
    return make_client(endpoint_url, REGION)


def make_tables(client: Any, table_names: Mapping[str, str]) -> None:
    """Create the given tables (on-demand, key `pk`) on the server, as the deployed stack declares them."""
    create_tables(client, table_names)


def drop_tables(client: Any, table_names: Mapping[str, str]) -> None:
    """Delete the given tables so a long session does not accumulate them."""
    for table in table_names.values():
        client.delete_table(TableName=table)
