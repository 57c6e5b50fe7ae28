"""Refusals on both channels, nothing sent after STOP, and no personal data in the logs of the load run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reliability import privacy


@pytest.fixture(scope="module")
def privacy_run(tmp_path_factory: pytest.TempPathFactory, short_load: dict[str, Any]) -> dict[str, Any]:
    """The privacy run, scanning the short load run's log as well as its own."""
    return privacy.run(tmp_path_factory.mktemp("privacy"), short_load)


def test_sms_tampered_forged_and_replayed_webhooks_all_refused(privacy_run: dict[str, Any]) -> None:
    counts = privacy_run["sms"]["counts"]

    assert sum(c["sent"] for c in counts.values()) >= 70
    assert {kind: c["refused"] for kind, c in counts.items()} == {kind: c["sent"] for kind, c in counts.items()}
    assert privacy_run["sms"]["records_written_by_refused_requests"] == 0


def test_alexa_tampered_forged_stale_and_late_replays_all_refused(privacy_run: dict[str, Any]) -> None:
    counts = {k: c for k, c in privacy_run["alexa"]["counts"].items() if "Amazon's scheme accepts it" not in k}

    assert {kind: c["refused"] for kind, c in counts.items()} == {kind: c["sent"] for kind, c in counts.items()}
    assert privacy_run["alexa"]["genuine_accepted"] == privacy_run["alexa"]["genuine_sent"]
    assert privacy_run["alexa"]["records_written_by_refused_requests"] == 0


def test_alexa_signed_request_replayed_inside_the_150_s_window_is_refused(privacy_run: dict[str, Any]) -> None:
    # Amazon's scheme accepts such a copy; the web endpoint refuses a request id it has already answered.
    counts = privacy_run["alexa"]["counts"]
    inside = [c for kind, c in counts.items() if "Amazon's scheme accepts it" in kind]

    assert len(inside) == 1
    assert inside[0]["sent"] == 10
    assert inside[0]["refused"] == inside[0]["sent"]


def test_stop_nothing_is_sent_to_the_number_afterwards(privacy_run: dict[str, Any]) -> None:
    stop = privacy_run["stop"]

    assert stop["messages_after_stop"] > 0
    assert stop["replies_after_stop"] == 0
    assert stop["outbox_messages_to_stopped_numbers"] == 0
    assert stop["callbacks_after_stop"] == 0


def test_logs_of_the_load_run_hold_no_phone_number_user_id_or_message_body(privacy_run: dict[str, Any]) -> None:
    logs = privacy_run["logs"]

    assert logs["files"] == 2
    assert logs["lines_scanned"] > 50
    assert logs["hits"] == {}, logs["examples"]


def test_log_scan_finds_a_phone_number_written_in_clear(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_text('{"message": "sms handled", "phone_hash": "phone_ab"}\n{"message": "from 5552000001"}\n')

    found = privacy.scan_logs([log], ["+15552000001"], ["my calf cramped"], [])

    assert found["hits"] == {"phone number": 1}


def test_sms_webhook_replayed_within_the_claim_retention_is_refused(tmp_path: Path) -> None:
    stale = privacy.sms_stale_replays(tmp_path)

    assert stale["refused"] == stale["sent"]


def test_sms_webhook_replayed_after_the_claim_retention_is_handled_again_as_documented(tmp_path: Path) -> None:
    # Twilio signs URL + parameters with HMAC-SHA1 and no timestamp: once the claim is gone, nothing in the
    # request tells a replay from a first delivery (the residual limit stated in sms/idempotency.py).
    stale = privacy.sms_stale_replays(tmp_path)

    assert stale["after_retention_handled"] == stale["after_retention_sent"]
