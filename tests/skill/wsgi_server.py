"""Serve a WSGI app on a loopback port in a background thread, for tests that need a real HTTP client."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class QuietHandler(WSGIRequestHandler):
    """The stdlib handler without its per-request line on stderr."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's parameter name
        """Say nothing."""


@contextmanager
def serve(app: Callable[..., Any]) -> Iterator[str]:
    """Run `app` on 127.0.0.1 on a free port; yield its base URL; stop it afterwards."""
    server: WSGIServer = make_server("127.0.0.1", 0, app, handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
