"""Structured JSON logs. Log what happened (request type, keyword, step, rule ids, timings), never who:
callers pass hashed ids only, and message bodies, phone numbers and Alexa user ids are never fields.

An unexpected exception is logged with its traceback (every frame: file, line, function and source line) and
the type of each exception in its chain, but never an exception's message: a message can quote what the person
said or their number (a parsing error quotes its input), and the code's own lines never hold either.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

# Fields that must never be logged, even by mistake: dropped by the formatter.
FORBIDDEN_FIELDS = frozenset({"body", "Body", "From", "To", "phone", "number", "user_id", "userId", "text", "envelope"})
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}

# The Lambda invocation a log line belongs to: its request id (to find every line of one request, and the platform's
# START/REPORT records) and whether it was this process's first, the cold start. Empty outside Lambda.
_INVOCATION: ContextVar[dict[str, Any] | None] = ContextVar("lambda_invocation", default=None)
_first_invocation = True
Handler = TypeVar("Handler", bound=Callable[..., Any])


def lambda_invocation(handler: Handler) -> Handler:
    """Decorate a Lambda entry point so every line it logs carries `request_id` and `cold_start`."""

    @functools.wraps(handler)
    def run(event: Any, context: Any) -> Any:
        global _first_invocation
        cold_start, _first_invocation = _first_invocation, False
        token = _INVOCATION.set({"request_id": getattr(context, "aws_request_id", None), "cold_start": cold_start})
        try:
            return handler(event, context)
        finally:
            _INVOCATION.reset(token)

    return run  # type: ignore[return-value]


def traceback_without_messages(error: BaseException) -> str:
    """The exception's traceback as Python prints it, each exception's message replaced by its type alone."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    lines: list[str] = []
    for position, exception in enumerate(reversed(chain)):
        if position:
            lines.append("\nThe above exception led to the one below.\n\n")
        lines.append("Traceback (most recent call last):\n")
        lines.extend(traceback.StackSummary.extract(traceback.walk_tb(exception.__traceback__)).format())
        kind = type(exception)
        lines.append(f"{kind.__module__}.{kind.__qualname__} (message not logged)\n")
    return "".join(lines)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the record's extra fields and any traceback."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the record as JSON, leaving out forbidden fields and exception messages."""
        out = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + "Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **(_INVOCATION.get() or {}),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in FORBIDDEN_FIELDS and not key.startswith("_"):
                out[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_info and record.exc_info[1] is not None:
            out["error_type"] = type(record.exc_info[1]).__name__
            out["traceback"] = traceback_without_messages(record.exc_info[1])
        return json.dumps(out, default=str)


def configure_logging(level: str | None = None) -> None:
    """Send JSON logs to stderr once per process (Lambda forwards stderr to CloudWatch)."""
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    for existing in list(root.handlers):
        root.removeHandler(existing)  # Lambda's default handler prints plain text
    root.addHandler(handler)
    root.setLevel(level or os.environ.get("CRAMP_LOG_LEVEL", "INFO"))
