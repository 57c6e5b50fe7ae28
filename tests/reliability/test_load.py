"""The short load run: many people at once against `python -m server`, no error and no lost state."""

from __future__ import annotations

from typing import Any

from reliability import load


def test_load_many_texters_and_speakers_at_once_get_every_reply_without_error(short_load: dict[str, Any]) -> None:
    sizes = load.SHORT
    expected = sizes["numbers"] * sizes["messages"] + sizes["alexa_users"] * sizes["alexa_turns"]

    assert short_load["errors"] == []
    assert short_load["figures"]["requests"] == expected


def test_load_every_conversation_ends_as_if_its_messages_came_alone(short_load: dict[str, Any]) -> None:
    assert short_load["lost_state"] == []


def test_load_state_check_catches_a_conversation_that_lost_a_message(tmp_path: Any) -> None:
    # The oracle itself must be able to fail: drop one number's last message from what "the server" received.
    numbers, messages = 2, 3
    replies, store = load.sms_reference(tmp_path, numbers, messages)
    exchanges = [load.Exchange("sms", who, body, list(replies[who][n]), 200, 0.0)
                 for who in range(numbers) for n, body in enumerate(load.sms_script(who, messages))]
    _, short_store = load.sms_reference(tmp_path, numbers, messages - 1)

    assert load.check_state(exchanges, store, tmp_path, numbers, messages, 0, 0) == []
    assert load.check_state(exchanges, short_store, tmp_path, numbers, messages, 0, 0) != []
