"""Erasure across channels: DELETE by text and "forget my history" by voice leave nothing about the person in any
data file the local server writes (the SQLite database, its -wal and -shm files, the outbox), and the reply says
exactly what stays. The files are read as bytes, as anyone with the disk could read them."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared import erasure
from shared.content import load_content
from shared.stores import Store, open_store
from skill.app import build_skill, invoke
from sms import notifications
from sms.app import create_app
from sms.outbound import read_outbox, send_sms
from tests.skill.alexa_device import SKILL_ID, AlexaDevice
from tests.skill.profile_api import CONSENTED, FakeProfileApi
from tests.sms.conftest import TwilioPoster, make_settings
from tests.sms.test_handover import ALEXA_KEY, MOBILE, PHONE_KEY, Channels, link, texted_calf_cramp

DESCRIPTION = "hard knot in my calf during exercise"
WINDOW = "weekday evenings after six"
CLINIC = load_content().clinic


def needles() -> dict[str, bytes]:
    """What must not survive an erasure, in every spelling a file could hold it. (The number's hash stays, as the
    key of what the reply says is kept: message ids, the rate count, an opt-out.)"""
    digits = MOBILE.lstrip("+")
    return {
        "number": MOBILE.encode(),
        "number without +": digits.encode(),
        "national number": digits[-10:].encode(),
        "callback window": WINDOW.encode(),
        "message text": DESCRIPTION.encode(),
    }


def data_files(data_dir: Path) -> dict[str, bytes]:
    """Every file the server keeps in its data folder, read whole."""
    return {path.name: path.read_bytes() for path in sorted(data_dir.rglob("*")) if path.is_file()}


def found_in_files(data_dir: Path, kinds: tuple[str, ...]) -> list[str]:
    """Which of these needles each data file still holds."""
    wanted = {kind: needle for kind, needle in needles().items() if kind in kinds}
    return [f"{kind} in {name}" for name, data in data_files(data_dir).items() for kind, needle in wanted.items()
            if needle in data]


@pytest.fixture
def sqlite_channels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Channels]:
    """Skill and SMS line on the local server's SQLite store in its data folder, texts to the local outbox."""
    settings = make_settings(tmp_path, alexa_skill_id=SKILL_ID, store="sqlite")
    store = open_store(settings)
    app = create_app(settings, store)
    now = datetime.now(UTC).replace(microsecond=0)
    app.extensions["cramp_sms"].clock = now.timestamp
    with FakeProfileApi(tmp_path) as api:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(api.cert_path))
        yield Channels(settings, store, app, api, now)
    store.close()


def callback_requested(channels: Channels) -> TwilioPoster:
    """A texted cramp, a callback request with a window typed in the person's words, and the staff text sent."""
    phone = channels.phone()
    texted_calf_cramp(phone)
    phone(DESCRIPTION)
    phone("CALL")
    assert WINDOW in phone(WINDOW).text  # the stored reply quotes it
    notifications.send_owed(channels.settings, channels.store, load_content())
    return phone


def linked_person(channels: Channels) -> tuple[AlexaDevice, TwilioPoster]:
    """Voice verdict texted to the phone with the histories linked, then a callback request by text."""
    device = channels.speaker()
    link(device)
    phone = callback_requested(channels)
    return device, phone


def everything_there(channels: Channels) -> None:
    """The state before the erasure: the test would prove nothing if the needles were never written."""
    store, settings = channels.store, channels.settings
    [callback] = store.scan("callbacks")
    assert callback.data["phone"] == MOBILE and callback.data["window"] == WINDOW
    assert any(WINDOW in (r.data.get("reply") or "") for r in store.scan("conversations"))
    assert {m["to"] for m in read_outbox(settings)} == {MOBILE, CLINIC["staff_sms_number"]}
    assert store.get("attributes", PHONE_KEY) is not None and store.get("attributes", ALEXA_KEY) is not None
    assert found_in_files(settings.data_dir, ("number", "callback window"))


def nothing_about_them_stored(store: Store) -> None:
    """No record names the number or holds anything the person said, only hashed keys with no words."""
    assert store.scan("callbacks") == []
    assert store.get("attributes", PHONE_KEY) is None and store.get("attributes", ALEXA_KEY) is None
    for record in store.scan("conversations"):
        assert record.data.get("reply") is None or WINDOW not in record.data["reply"]
        assert "conversation" not in record.data


def test_erasure_voice_forget_erases_the_linked_numbers_callback_reply_and_texts(sqlite_channels: Channels) -> None:
    linked_person(sqlite_channels)
    everything_there(sqlite_channels)

    forgotten = sqlite_channels.speaker().intent("ForgetHistoryIntent")

    assert forgotten.speech == (
        "Done. I've deleted your cramp history, and everything the text line kept for your linked number, callback "
        "requests included. What stays is coded, with none of your words: the text line's message IDs, for 30 days, "
        "your text count, for 10 minutes."
    )
    nothing_about_them_stored(sqlite_channels.store)
    assert read_outbox(sqlite_channels.settings) == []
    assert found_in_files(sqlite_channels.settings.data_dir, tuple(needles())) == []


def test_erasure_sms_delete_leaves_nothing_in_the_database_wal_shm_or_outbox(sqlite_channels: Channels) -> None:
    _, phone = linked_person(sqlite_channels)
    everything_there(sqlite_channels)

    deleted = phone("DELETE")

    assert deleted.text == (
        "Done: erased your conversation, history and callback requests, and your linked Alexa history. Kept, coded, "
        "none of your words: message IDs for 30 days so a resent text changes nothing, your message count for 10 "
        "min. Emergency: call 911."
    )
    nothing_about_them_stored(sqlite_channels.store)
    assert read_outbox(sqlite_channels.settings) == []
    files = data_files(sqlite_channels.settings.data_dir)
    assert {"cramp-check.sqlite3", "cramp-check.sqlite3-wal", "outbox.jsonl"} <= set(files)
    assert found_in_files(sqlite_channels.settings.data_dir, tuple(needles())) == []


def test_erasure_sms_delete_keeps_other_peoples_texts_in_the_outbox(sqlite_channels: Channels) -> None:
    other = "+15550002222"
    send_sms(sqlite_channels.settings, other, "a text for someone else")
    phone = callback_requested(sqlite_channels)
    send_sms(sqlite_channels.settings, other, "another text for them")

    phone("DELETE")

    assert [m["body"] for m in read_outbox(sqlite_channels.settings)] == ["a text for someone else",
                                                                          "another text for them"]


def test_erasure_delete_while_opted_out_keeps_only_the_hashed_opt_out(sqlite_channels: Channels) -> None:
    phone = callback_requested(sqlite_channels)
    phone("STOP")

    assert phone("DELETE").silent  # nothing may be texted to an opted-out number, not even this

    store = sqlite_channels.store
    [opt_out] = store.scan("optouts")
    assert opt_out.key == PHONE_KEY and set(opt_out.data) == {"opted_out_at", "keyword"}
    nothing_about_them_stored(store)
    assert found_in_files(sqlite_channels.settings.data_dir, ("number", "callback window", "message text")) == []


def test_erasure_voice_forget_of_an_opted_out_number_says_the_opt_out_stays(sqlite_channels: Channels) -> None:
    device = sqlite_channels.speaker()
    link(device)
    sqlite_channels.phone()("STOP")

    forgotten = sqlite_channels.speaker().intent("ForgetHistoryIntent")

    assert "a note that your number opted out of texts, so we never text it" in forgotten.speech
    assert sqlite_channels.store.get("optouts", PHONE_KEY) is not None


def test_erasure_voice_forget_without_a_link_says_nothing_else_stays(sqlite_channels: Channels) -> None:
    device = sqlite_channels.speaker()
    device.describe(body_part="calf", feeling="locked", context="exercise")
    device.no()
    device.no()

    forgotten = sqlite_channels.speaker().intent("ForgetHistoryIntent")

    assert forgotten.speech == "Done. I've deleted your cramp history."
    assert sqlite_channels.store.get("attributes", ALEXA_KEY) is None


def test_erasure_deployed_reply_names_the_backups_that_still_hold_callback_requests(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    store = open_store(settings)
    line = create_app(settings, store).extensions["cramp_sms"]
    deployed = create_app(settings, store).extensions["cramp_sms"]
    deployed.settings = make_settings(tmp_path, mode="deployed")
    from sms.inbound import Inbound

    for body in ("my calf locked up during my run", "no", "no", "CALL", "2"):
        line.handle(Inbound(MOBILE, body, None, 0))

    reply = deployed.handle(Inbound(MOBILE, "DELETE", None, 0))

    assert reply is not None and "the clinic's backups drop your requests within 35 days" in reply


def test_erasure_voice_skill_alone_forgets_as_the_local_server_does(sqlite_channels: Channels) -> None:
    """The skill's own entry point (no SMS app around it) erases the linked number too, even with the clinic's
    health-data switch since turned off (the default content): a link made while it was on is still erased."""
    _device, _phone = linked_person(sqlite_channels)
    skill = build_skill(sqlite_channels.settings, sqlite_channels.store,
                        send_text=functools.partial(send_sms, sqlite_channels.settings))
    device = AlexaDevice(lambda envelope: invoke(skill, envelope), api_endpoint=sqlite_channels.profile_api.endpoint,
                         api_access_token=CONSENTED, now=sqlite_channels.now)

    device.intent("ForgetHistoryIntent")

    assert sqlite_channels.store.scan("callbacks") == []


OTHER = "+15550004444"
OTHER_WINDOW = "tuesday mornings before ten"


def test_erasure_of_one_number_keeps_everyone_elses_callback_request_and_replies(sqlite_channels: Channels) -> None:
    phone = callback_requested(sqlite_channels)
    other = TwilioPoster(sqlite_channels.app.test_client(), sender=OTHER)
    texted_calf_cramp(other)
    other("CALL")
    other(OTHER_WINDOW)

    phone("DELETE")

    [kept] = sqlite_channels.store.scan("callbacks")
    assert kept.data["phone"] == OTHER and kept.data["window"] == OTHER_WINDOW
    assert any(OTHER_WINDOW in (r.data.get("reply") or "") for r in sqlite_channels.store.scan("conversations"))
    assert found_in_files(sqlite_channels.settings.data_dir, ("number", "callback window")) == []


def test_erasure_a_resent_copy_of_an_erased_message_changes_nothing(sqlite_channels: Channels) -> None:
    phone = callback_requested(sqlite_channels)
    window_message = phone.sent[-1]  # the callback window, as Twilio posted it

    phone("DELETE")
    resent = phone(window_message["Body"], sid=window_message["MessageSid"])  # Twilio's retry, days later

    assert resent.silent  # the claim is kept (ids only): not handled again, the window not written back
    assert sqlite_channels.store.scan("callbacks") == []
    assert found_in_files(sqlite_channels.settings.data_dir, ("callback window",)) == []


def test_erasure_log_says_what_went_in_counts_without_the_number(
    sqlite_channels: Channels, caplog: pytest.LogCaptureFixture
) -> None:
    phone = callback_requested(sqlite_channels)
    replies = [r for r in sqlite_channels.store.scan("conversations") if r.data.get("reply") is not None]
    texts = read_outbox(sqlite_channels.settings)
    send_sms(sqlite_channels.settings, OTHER, "someone else's text, kept")

    with caplog.at_level(logging.INFO, logger="shared.erasure"):
        phone("DELETE")

    [erased] = [r for r in caplog.records if r.getMessage() == "number erased"]
    assert (erased.callbacks_erased, erased.replies_erased, erased.texts_erased, erased.linked_erased) == (
        1, len(replies), len(texts), False)
    assert erased.phone_hash == PHONE_KEY and MOBILE not in str(erased.__dict__)


def test_erasure_voice_forget_of_a_number_that_never_texted_says_nothing_stays(sqlite_channels: Channels) -> None:
    link(sqlite_channels.speaker())  # the verdict texted to the phone; the phone never texted the line

    forgotten = sqlite_channels.speaker().intent("ForgetHistoryIntent")

    assert forgotten.speech == ("Done. I've deleted your cramp history, and everything the text line kept for your "
                                "linked number, callback requests included.")


def test_erasure_reply_gives_a_long_rate_window_in_whole_minutes_rounded_up(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, sms_rate_window_seconds=2 * 3600 + 1)
    phone = TwilioPoster(create_app(settings, open_store(settings)).test_client(), sender=MOBILE)
    phone("my calf locked up during my run")

    assert "your message count for 121 min." in phone("DELETE").text


def test_erasure_log_of_a_number_never_texted_by_the_outbox_counts_nothing_there(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(tmp_path)
    phone = TwilioPoster(create_app(settings, open_store(settings)).test_client(), sender=MOBILE)
    phone("my calf locked up during my run")  # answered in the webhook's reply: no outbox file yet

    with caplog.at_level(logging.INFO, logger="shared.erasure"):
        phone("DELETE")

    [erased] = [r for r in caplog.records if r.getMessage() == "number erased"]
    assert (erased.callbacks_erased, erased.texts_erased) == (0, 0)


def test_erasure_when_the_rate_window_has_just_ended_keeps_no_count(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    store = open_store(settings)
    app = create_app(settings, store)
    started = datetime.now(UTC).timestamp()
    app.extensions["cramp_sms"].clock = lambda: started
    TwilioPoster(app.test_client(), sender=MOBILE)("my calf locked up during my run")

    still_counting = erasure.erase_number(store, settings, PHONE_KEY, now=started + 599)
    ended = erasure.erase_number(store, settings, PHONE_KEY, now=started + settings.sms_rate_window_seconds)

    assert still_counting.rate_minutes == 10
    assert ended.rate_minutes is None  # the rate limit counts afresh from this instant too (sms/ratelimit.py)
    assert store.get("conversations", PHONE_KEY) is None


def test_erasure_of_a_number_never_seen_erases_nothing_and_keeps_nothing(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)

    erased = erasure.erase_number(open_store(settings), settings, PHONE_KEY, now=datetime.now(UTC).timestamp())

    assert erased == erasure.Erasure(callbacks=0, replies=0, texts=0, linked=False, opted_out=False, claims=False,
                                     claim_days=30, rate_minutes=None, backup_days=None)
