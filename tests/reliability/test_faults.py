"""The fault runs at CI size: a SIGKILL mid-load, a frozen DynamoDB-compatible store, a failing SMS API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reliability import faults


@pytest.fixture(scope="module")
def crash_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Eight texters; the server is killed a third of the way through and restarted on the same file."""
    return faults.crash(tmp_path_factory.mktemp("crash"), faults.SHORT["numbers"])


@pytest.fixture(scope="module")
def outage_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Texts and Alexa turns while the DynamoDB server is frozen, then the store comes back."""
    return faults.store_outage(tmp_path_factory.mktemp("outage"))


def test_crash_server_killed_mid_load_every_message_still_answered(crash_run: dict[str, Any]) -> None:
    assert crash_run["server_starts"] == 2
    assert crash_run["killed_after_messages"] < crash_run["messages"]
    assert crash_run["undelivered"] == []


def test_crash_server_killed_mid_load_no_conversation_corrupted(crash_run: dict[str, Any]) -> None:
    assert crash_run["corrupted_records"] == []
    assert crash_run["diverged_conversations"] == []


def test_crash_server_killed_mid_load_no_confirmed_callback_lost(crash_run: dict[str, Any]) -> None:
    assert crash_run["lost_callbacks"] == []
    assert crash_run["callbacks_stored"] > 0


def test_store_outage_every_person_gets_a_safe_reply_and_a_200(outage_run: dict[str, Any]) -> None:
    assert outage_run["not_safe"] == []
    assert outage_run["safe_replies"] == 3
    assert outage_run["alexa_answered"] == 2


def test_store_outage_the_failure_is_logged(outage_run: dict[str, Any]) -> None:
    assert outage_run["failures_logged"] > 0


def test_store_outage_no_conversation_or_callback_half_written(outage_run: dict[str, Any]) -> None:
    assert outage_run["half_written"] == []


def test_store_outage_stop_is_confirmed_kept_after_recovery_and_nothing_follows(outage_run: dict[str, Any]) -> None:
    assert outage_run["stop_confirmed"] and outage_run["stop_kept"]
    assert not outage_run["reply_after_stop"]


def test_store_outage_delete_is_asked_for_again_and_erases_nothing_half_way(outage_run: dict[str, Any]) -> None:
    assert outage_run["delete_asked_again"]
    assert outage_run["half_written"] == []


def test_store_outage_twilio_redelivery_after_recovery_is_handled(outage_run: dict[str, Any]) -> None:
    assert outage_run["late_claims"] == 0
    assert outage_run["redelivery_processed"]


def test_notify_retry_staff_notifications_retried_until_delivered(tmp_path: Path) -> None:
    result = faults.notify_retry(tmp_path, faults.SHORT["notify_requests"])

    assert result["callback_requests_confirmed"] == faults.SHORT["notify_requests"]
    assert result["callbacks_stored"] == result["callback_requests_confirmed"]
    assert result["failed_sends_while_down"] > 0
    assert result["undelivered"] == []
    assert result["delivered"] == result["callbacks_stored"]
