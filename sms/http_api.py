"""Run an API Gateway HTTP API (payload 2.0) event through a WSGI app and return the Lambda response.

Payload 2.0: lower-case headers (repeated ones joined by commas), cookies in their own list, rawPath
(with the stage prefix unless a custom domain maps it away) and rawQueryString, and a body that is
base64-encoded when isBase64Encoded is true (platform b-2, [T6][T7][T9]).
"""

from __future__ import annotations

import base64
from typing import Any

from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder, run_wsgi_app


def _split_stage(raw_path: str, stage: str | None) -> tuple[str, str]:
    """(script_root, path): the stage prefix, if the path carries one, and the rest."""
    if stage and stage != "$default":
        prefix = f"/{stage}"
        if raw_path == prefix or raw_path.startswith(prefix + "/"):
            return prefix, raw_path[len(prefix) :] or "/"
    return "", raw_path or "/"


def event_body(event: dict[str, Any]) -> bytes:
    """The request body as bytes, decoding base64 when the event says so."""
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        return base64.b64decode(body)
    return body.encode("utf-8")


def call_wsgi(app: Any, event: dict[str, Any]) -> dict[str, Any]:
    """Call the WSGI app with the request the event describes and build the HTTP API response."""
    context = event.get("requestContext") or {}
    http = context.get("http") or {}
    script_root, path = _split_stage(event.get("rawPath") or http.get("path") or "/", context.get("stage"))
    headers = Headers()
    for name, value in (event.get("headers") or {}).items():
        headers.add(name, value)
    if event.get("cookies"):
        headers.set("cookie", "; ".join(event["cookies"]))
    host = headers.get("host") or context.get("domainName") or "localhost"
    scheme = headers.get("x-forwarded-proto") or "https"
    builder = EnvironBuilder(
        path=path,
        base_url=f"{scheme}://{host}{script_root}",
        method=http.get("method", "GET"),
        headers=headers,
        data=event_body(event),
        query_string=event.get("rawQueryString") or "",
        environ_overrides={"REMOTE_ADDR": http.get("sourceIp", "")},
    )
    try:
        app_iter, status, response_headers = run_wsgi_app(app, builder.get_environ(), buffered=True)
        body = b"".join(app_iter)
    finally:
        builder.close()
    out_headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in response_headers.items():
        if name.lower() == "set-cookie":
            cookies.append(value)
        elif name.lower() in out_headers:
            out_headers[name.lower()] += "," + value
        else:
            out_headers[name.lower()] = value
    response: dict[str, Any] = {
        "statusCode": int(status.split(" ", 1)[0]),
        "headers": out_headers,
        "body": body.decode("utf-8"),
        "isBase64Encoded": False,
    }
    if cookies:
        response["cookies"] = cookies
    return response
