"""JSON logs keep what a maintainer needs to diagnose an error (every frame) and never an exception's message."""

from __future__ import annotations

import json
import logging
import sys

from shared.logs import JsonFormatter

PRIVATE = "+15550100123 says my calf hurts"


def _raise_from_inside() -> None:
    try:
        {}["missing"]
    except KeyError as error:
        raise ValueError(f"could not read {PRIVATE}") from error


def _record(message: str = "it failed", **extra: object) -> logging.LogRecord:
    try:
        _raise_from_inside()
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("test", logging.ERROR, __file__, 1, message, None, exc_info)
    record.__dict__.update(extra)
    return record


def test_logs_exception_keeps_every_frame_and_the_chain_of_types_but_no_message() -> None:
    logged = json.loads(JsonFormatter().format(_record()))

    assert logged["error_type"] == "ValueError"
    trace = logged["traceback"]
    assert trace.startswith("Traceback (most recent call last):")
    assert "in _raise_from_inside" in trace and "in _record" in trace and 'raise ValueError(f"could not' in trace
    # The cause first, then the error it led to, each named by its type only.
    assert trace.index("builtins.KeyError (message not logged)") < trace.index("builtins.ValueError (message not")
    assert "+15550100123" not in json.dumps(logged) and "calf hurts" not in json.dumps(logged)
    assert "missing" not in trace.replace('{}["missing"]', "")  # the KeyError's message ('missing') is not logged


def test_logs_forbidden_fields_are_dropped_and_others_kept() -> None:
    record = _record(phone="+15550100123", body="my calf", From="+15550100123", phone_hash="phone_abc", step="asking")
    logged = json.loads(JsonFormatter().format(record))

    assert {"phone", "body", "From"}.isdisjoint(logged)
    assert logged["phone_hash"] == "phone_abc" and logged["step"] == "asking"
