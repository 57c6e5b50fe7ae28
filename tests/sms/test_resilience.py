"""When the state store fails, the person still gets a safe reply (200), and the failure is logged."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from shared.stores import Store, StoreUnavailable, store_from_settings
from sms.app import create_app
from tests.sms.conftest import TwilioPoster, make_settings
from tests.sms.helpers import assert_sms_text


@pytest.fixture
def broken_poster(tmp_path: Path) -> TwilioPoster:
    """A poster whose app's SQLite store points at a directory, which SQLite cannot open."""
    unopenable = tmp_path / "not-a-database"
    unopenable.mkdir()
    store = store_from_settings("sqlite", path=unopenable)
    with pytest.raises(StoreUnavailable):
        store.get("conversations", "probe")
    return TwilioPoster(create_app(make_settings(tmp_path, store="sqlite"), store).test_client())


def test_store_unavailable_gives_relief_and_emergency_advice(
    broken_poster: TwilioPoster, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        reply = broken_poster("my calf locked up during my run")
    assert reply.status == 200
    assert_sms_text(reply.text)
    assert "Straighten the leg and pull your toes toward your nose" in reply.text
    assert "call 911 now" in reply.text.lower() and "+1 555 0100" in reply.text
    assert any(record.getMessage() == "sms store unavailable, safe reply sent" for record in caplog.records)


def test_store_unavailable_emergency_text_still_gets_the_emergency_reply(broken_poster: TwilioPoster) -> None:
    text = broken_poster("cramp and crushing chest pain, cannot breathe").text
    assert text.startswith("Call 911 now.")


@pytest.mark.parametrize("body", ["help!", "", "\U0001f62d", "CALL", "Start."])
def test_store_unavailable_any_message_still_gets_a_valid_answer(broken_poster: TwilioPoster, body: str) -> None:
    reply = broken_poster(body)
    assert reply.status == 200
    assert_sms_text(reply.text)


@pytest.mark.parametrize("body", ["HELP", "START", "unstop"])
def test_store_unavailable_keyword_twilio_answered_gets_no_second_reply(broken_poster: TwilioPoster, body: str) -> None:
    assert broken_poster(body).silent


@pytest.mark.parametrize("body", ["STOP", "unsubscribe"])
def test_store_unavailable_opt_out_twilio_answered_gets_no_second_reply(broken_poster: TwilioPoster, body: str) -> None:
    assert broken_poster(body).silent


def test_store_unavailable_opt_out_twilio_did_not_answer_is_confirmed_once_kept(broken_poster: TwilioPoster) -> None:
    # Kept in the opt-out journal (tests/sms/test_outage_keywords.py), so it is confirmed as on any day.
    assert broken_poster("Stop.").text.startswith("You are unsubscribed from Cramp Check")


class CallbacksDown:
    """A real store whose callbacks collection fails, as one DynamoDB table can."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner

    def transaction(self):
        return self.inner.transaction()

    def __getattr__(self, name: str):
        operation = getattr(self.inner, name)

        def call(collection: str, *args, **kwargs):
            if collection == "callbacks":
                raise StoreUnavailable("callbacks table unreachable")
            return operation(collection, *args, **kwargs)

        return call


def test_store_unavailable_for_callbacks_never_confirms_a_callback(
    tmp_path: Path, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    post = TwilioPoster(create_app(make_settings(tmp_path), CallbacksDown(store)).test_client())
    post("my calf locked up")
    post("CALL")
    with caplog.at_level(logging.WARNING):
        text = post("2").text
    assert "saved" not in text and "Sorry" in text and "+1 555 0100" in text
    # The callbacks store failed (a store error), not the code (an unexpected error).
    assert [r.getMessage() for r in caplog.records if r.name == "sms.webhook"] == []
    assert any(r.getMessage() == "sms store unavailable, safe reply sent" for r in caplog.records)


def test_store_unavailable_claim_is_released_so_a_retry_can_succeed(
    tmp_path: Path, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.sms.conftest import twilio_params

    params = twilio_params("calf cramp")
    broken = TwilioPoster(create_app(make_settings(tmp_path), FailingAfterClaim(store)).test_client())
    with caplog.at_level(logging.WARNING):
        assert "Sorry, our text line has a problem" in broken("", params=params).text
    assert [r.getMessage() for r in caplog.records if r.name == "sms.webhook"] == []
    assert any(r.getMessage() == "sms store unavailable, safe reply sent" for r in caplog.records)
    healthy = TwilioPoster(create_app(make_settings(tmp_path), store).test_client())
    assert healthy("", params=params).text.startswith("Right now:")


class FailingAfterClaim:
    """A real store that lets the MessageSid claim through and then is unreachable for everything but claims.

    Inside a transaction the claim is taken by reading the absent claim record (in the turn's batch read); DELETE
    takes it with `claim`: the store goes away after the first call that touches a claim key.
    """

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.claimed = False

    def transaction(self):
        return self.inner.transaction()

    def get_many(self, items):
        if self.claimed:
            raise StoreUnavailable("gone")
        self.claimed = any(key.startswith("sid:") for _, key in items)
        return self.inner.get_many(items)

    def __getattr__(self, name: str):
        def call(collection: str, key: str = "", *args, **kwargs):
            if key.startswith("sid:"):
                self.claimed = True
            elif self.claimed:
                raise StoreUnavailable("gone")
            return getattr(self.inner, name)(collection, key, *args, **kwargs)

        return call


class Broken:
    """A store with a bug: every call raises an error that is not a store failure."""

    def __getattr__(self, name: str):
        def call(*args, **kwargs):
            raise KeyError("unexpected")

        return call


def test_unexpected_error_still_answers_200_with_the_safe_reply(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    post = TwilioPoster(create_app(make_settings(tmp_path), Broken()).test_client())
    with caplog.at_level(logging.ERROR):
        reply = post("my calf locked up")
    assert reply.status == 200 and "Straighten the leg" in reply.text
    (record,) = [r for r in caplog.records if r.getMessage() == "sms handling failed"]
    assert record.exc_info[0] is KeyError  # logged with its traceback (shared/logs.py keeps the message out)
    assert post("STOP").silent
