"""Logs name what happened, never who: no phone number and no message text, only the salted hash."""

from __future__ import annotations

import json
import logging

import pytest

from shared.logs import JsonFormatter
from tests.sms.conftest import SENDER, TwilioPoster, phone_key

SECRET_WORDS = "zanzibar quokka"


def test_logging_full_conversation_never_logs_number_or_words(
    twilio_post: TwilioPoster, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        for body in (
            f"my calf locked up during my run {SECRET_WORDS}",
            "no",
            "no",
            "TIPS",
            "CALL",
            f"after 3pm {SECRET_WORDS}",
            "HELP",
            "Stop.",
            "START",
            "DELETE",
            f"chest pain {SECRET_WORDS}",
        ):
            twilio_post(body)
        twilio_post("hi", signature="forged")
    formatter = JsonFormatter()
    assert caplog.records
    digits = SENDER.lstrip("+")
    for record in caplog.records:
        line = formatter.format(record) + repr(record.__dict__)
        assert digits not in line and digits[1:] not in line, line
        for word in SECRET_WORDS.split():
            assert word not in line, line
    handled = [r for r in caplog.records if r.getMessage() == "sms handled"]
    assert len(handled) == 11
    assert all(r.phone_hash == phone_key() for r in handled)
    assert {r.outcome for r in handled} >= {"question", "assessment", "tips", "callback_confirmed", "help", "erased"}
    assert any(r.getMessage() == "sms signature rejected" for r in caplog.records)


def test_logging_unexpected_failure_keeps_its_traceback_but_not_the_number_or_words(
    twilio_post: TwilioPoster, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        # A message that quotes its input, as a parsing error's does.
        raise ValueError(f"could not apply {SECRET_WORDS!r} from {SENDER}")

    monkeypatch.setattr("sms.state.count_and_advance", broken)
    with caplog.at_level(logging.INFO):
        reply = twilio_post(f"my calf locked up {SECRET_WORDS}")

    assert reply.text  # the safe reply, never silence
    failures = [r for r in caplog.records if r.getMessage() == "sms handling failed"]
    assert len(failures) == 1
    logged = json.loads(JsonFormatter().format(failures[0]))
    assert logged["error_type"] == "ValueError"
    assert "in broken" in logged["traceback"] and "in _converse" in logged["traceback"]
    assert "builtins.ValueError (message not logged)" in logged["traceback"]
    digits = SENDER.lstrip("+")
    for record in caplog.records:
        line = JsonFormatter().format(record)
        assert digits not in line and digits[1:] not in line, line
        assert all(word not in line for word in SECRET_WORDS.split()), line
