"""A local stand-in for Twilio's Messages REST endpoint, so the real twilio client is exercised over HTTP."""

from __future__ import annotations

import base64
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs


class FakeTwilioApi:
    """Accepts POST /2010-04-01/Accounts/<sid>/Messages.json and records each message; can be told to fail."""

    def __init__(self) -> None:
        self.messages: list[dict[str, str]] = []
        self.auth: list[str] = []
        self.failing = False
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the name http.server dispatches to
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                user = base64.b64decode(self.headers.get("Authorization", "Basic ").split()[-1]).decode()
                api.auth.append(user.split(":")[0])
                if api.failing or not self.path.endswith("/Messages.json"):
                    self._reply(500, {"code": 20500, "message": "Internal Server Error", "status": 500})
                    return
                api.messages.append(form)
                sid = "SM" + uuid.uuid4().hex
                self._reply(201, {"sid": sid, "status": "queued", "to": form.get("To"), "body": form.get("Body")})

            def _reply(self, status: int, payload: dict) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """The base URL to give as Settings.twilio_api_base."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeTwilioApi:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
