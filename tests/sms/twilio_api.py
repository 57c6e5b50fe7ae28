"""A local stand-in for Twilio's Messages REST endpoint, so the real twilio client is exercised over HTTP."""

from __future__ import annotations

import base64
import json
import threading
import uuid
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs


def segments(body: str) -> int:
    """GSM-7 segments Twilio bills for a body: one up to 160 characters, else 153 characters each."""
    return 1 if len(body) <= 160 else -(-len(body) // 153)


def message_resource(path: str, form: dict[str, str]) -> dict:
    """The Message resource Twilio answers a create with (fields as in its API reference)."""
    account_sid = path.split("/")[3]
    sid = "SM" + uuid.uuid4().hex
    now = formatdate(usegmt=False).replace("-0000", "+0000")
    return {
        "account_sid": account_sid, "api_version": "2010-04-01", "body": form.get("Body"), "date_created": now,
        "date_sent": None, "date_updated": now, "direction": "outbound-api", "error_code": None,
        "error_message": None, "from": form.get("From"), "messaging_service_sid": None, "num_media": "0",
        "num_segments": str(segments(form.get("Body") or "")), "price": None, "price_unit": "USD", "sid": sid,
        "status": "queued",
        "subresource_uris": {"media": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}/Media.json"},
        "to": form.get("To"), "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json",
    }


class FakeTwilioApi:
    """Accepts POST /2010-04-01/Accounts/<sid>/Messages.json and records each message; can be told to fail."""

    def __init__(self) -> None:
        self.messages: list[dict[str, str]] = []
        self.sids: list[str] = []  # the SID Twilio gave each accepted message, in order
        self.auth: list[str] = []
        # Every request as Twilio would receive it: method, path, content type, basic-auth pair and form.
        self.requests: list[dict] = []
        self.failing = False
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the name http.server dispatches to
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                user = base64.b64decode(self.headers.get("Authorization", "Basic ").split()[-1]).decode()
                api.auth.append(user.split(":")[0])
                api.requests.append({
                    "method": "POST", "path": self.path, "content_type": self.headers.get("Content-Type", ""),
                    "basic_auth": tuple(user.split(":", 1)), "form": form,
                })
                if api.failing or not self.path.endswith("/Messages.json"):
                    self._reply(500, {"code": 20500, "message": "Internal Server Error", "status": 500})
                    return
                api.messages.append(form)
                resource = message_resource(self.path, form)
                api.sids.append(resource["sid"])
                self._reply(201, resource)

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


def status_report(message: dict[str, str], sid: str, status: str, error_code: str | None = None) -> dict[str, str]:
    """The form Twilio posts to a message's StatusCallback when its status changes (fields as in its docs)."""
    form = {
        "AccountSid": message.get("AccountSid", ""),
        "ApiVersion": "2010-04-01",
        "From": message["From"],
        "MessageSid": sid,
        "MessageStatus": status,
        "SmsSid": sid,
        "SmsStatus": status,
        "To": message["To"],
    }
    if error_code:
        form["ErrorCode"] = error_code
    return form
