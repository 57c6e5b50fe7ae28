"""Conversation state: concurrent texts lose nothing on every store, state expires, SQLite survives restarts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from shared.records import Index
from shared.stores import Store, StoreUnavailable, store_from_settings
from sms.app import create_app
from tests.sms.conftest import SENDER, TwilioPoster, make_settings, phone_key
from tests.sms.helpers import conversation_erased

REPO_ROOT = Path(__file__).resolve().parents[2]
# Each adds a different fact and none is a red flag, so every one must show up in the final state.
BURST = ("my calf", "during my run", "it is a hard knot", "for 2 minutes", "it was a hot day", "in bed")


def test_state_concurrent_texts_from_one_number_lose_no_update(make_poster: Callable, store: Store) -> None:
    # The limit is the burst's size: the next message gets the notice only if every one of them was counted.
    posters = [make_poster(store, sms_rate_limit=len(BURST))[0] for _ in BURST]
    barrier = threading.Barrier(len(BURST))
    replies: list = [None] * len(BURST)

    def send(index: int) -> None:
        barrier.wait()
        replies[index] = posters[index](BURST[index])

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(BURST))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(reply.status == 200 and len(reply.messages) == 1 for reply in replies)
    assert not any("our text line has a problem" in reply.text for reply in replies)
    record = store.get("conversations", phone_key())
    assert record is not None
    conversation = record.data["conversation"]
    observations = conversation["observations"]
    assert conversation["turns"] == len(BURST)
    assert observations["body_part"] == "calf" and observations["pattern"] == "locked"
    assert observations["duration_minutes"] == 2
    assert {"exercise", "heat", "sleep"} <= set(observations["contexts"])
    assert "pause replies" in posters[0]("HELP").text


def test_state_conversation_expires_after_the_silence_limit(make_poster: Callable, memory_store: Store) -> None:
    post, _ = make_poster(memory_store, conversation_ttl_seconds=1)
    assert "swollen" in post("calf cramp").text
    time.sleep(1.1)
    fresh = post("yes").text  # a fresh conversation: "yes" answers nothing, and the general relief step comes first
    assert fresh.startswith("Right now: Stop and gently stretch") and "Which muscle is it?" in fresh


def test_state_opt_out_does_not_expire_with_the_conversation(make_poster: Callable, memory_store: Store) -> None:
    post, _ = make_poster(memory_store, conversation_ttl_seconds=1)
    post("STOP")
    time.sleep(1.1)
    assert post("hi").silent
    (record,) = memory_store.scan("optouts")
    assert record.expires_at is None


_FIRST_PROCESS = """
import json, sys
from pathlib import Path
from tests.sms.conftest import TwilioPoster, make_settings
from sms.app import create_app
app = create_app(make_settings(Path(sys.argv[1]), store="sqlite"))
post = TwilioPoster(app.test_client())
replies = [post(body).text for body in ("my calf locked up during my run", "CALL", "2")]
post("NEW")
post("my calf locked up during my run")
post("STOP", "+15550100444")
print(json.dumps(replies))
"""


def test_state_sqlite_survives_a_process_restart(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_PROCESS, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=60,
        check=True,
    )
    first_replies = json.loads(done.stdout.strip().splitlines()[-1])
    assert "callback request is saved" in first_replies[2]
    settings = make_settings(tmp_path, store="sqlite")
    assert settings.sqlite_path.exists()
    store = store_from_settings("sqlite", path=settings.sqlite_path)
    post = TwilioPoster(create_app(settings, store).test_client())
    # "no" answers the leg-swelling question asked before the restart, so the next one comes.
    assert post("no").text.startswith("Any chest pain, trouble breathing")
    (callback,) = [record.data for record in store.scan("callbacks")]
    assert callback["phone"] == SENDER and callback["window"] == "afternoon"
    assert post("hi", "+15550100444").silent
    store.close()


class OtherWriterDuringScans:
    """A real SQLite store that, whenever a scan runs, has a second connection (another process) write."""

    def __init__(self, inner: Store, path: Path) -> None:
        self.inner = inner
        self.path = path
        self.other_writes: list[bool] = []

    def query(self, index: Index, value: str, **options: object) -> list:
        other = store_from_settings("sqlite", path=self.path)
        try:
            other.put("attributes", f"probe-{len(self.other_writes)}", {"probe": True}, expected_version=0)
            self.other_writes.append(True)
        except StoreUnavailable:
            self.other_writes.append(False)
        finally:
            other.close()
        return self.inner.query(index, value, **options)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


def test_state_delete_looks_up_claims_and_callbacks_without_holding_the_sqlite_write_lock(
    make_poster: Callable, tmp_path: Path
) -> None:
    path = tmp_path / "state" / "cramp.sqlite3"
    inner = store_from_settings("sqlite", path=path)
    probing = OtherWriterDuringScans(inner, path)
    post, _ = make_poster(probing)
    post("my calf locked up")

    assert post("DELETE").text.startswith("Done: erased your conversation")

    # Erasing looks up the number's claims and callbacks (on SQLite by reading the collection); other messages must
    # be able to write meanwhile.
    assert probing.other_writes and all(probing.other_writes)
    assert conversation_erased(inner, phone_key())
    inner.close()
