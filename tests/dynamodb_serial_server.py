"""moto's DynamoDB server answering one request at a time: `python -m tests.dynamodb_serial_server HOST PORT`.

DynamoDB applies each conditional write atomically; moto's own server runs requests on parallel threads over a
backend without locks, so two conditional writes racing for one item could both succeed there and a test of
"exactly one wins" would fail at random. Serving requests one by one gives the tests DynamoDB's guarantee.
"""

from __future__ import annotations

import sys

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple


def main(host: str, port: int) -> None:
    """Serve moto's backends on host:port, one request at a time."""
    run_simple(host, port, DomainDispatcherApplication(create_backend_app), threaded=False, use_reloader=False)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
