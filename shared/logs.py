"""Structured JSON logs. Log what happened (request type, keyword, step, rule ids, timings), never who:
callers pass hashed ids only, and message bodies, phone numbers and Alexa user ids are never fields."""

from __future__ import annotations

import json
import logging
import os
import sys
import time

# Fields that must never be logged, even by mistake: dropped by the formatter.
FORBIDDEN_FIELDS = frozenset({"body", "Body", "From", "To", "phone", "number", "user_id", "userId", "text", "envelope"})
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the record as JSON, leaving out forbidden fields."""
        out = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + "Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in FORBIDDEN_FIELDS and not key.startswith("_"):
                out[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_info and record.exc_info[0] is not None:
            out["error_type"] = record.exc_info[0].__name__
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
