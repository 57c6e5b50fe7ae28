"""Load: many people text and talk to the real local server at once; nothing fails and no state is lost.

Each phone number sends its scripted conversation one message at a time (a person waits for the reply),
all numbers at once, while Alexa users run voice sessions through the local-simulator switch. Afterwards the
server's SQLite file is read and every conversation is compared with the same messages replayed one by one
through the same code over an in-memory store: the replies, the final conversation state, the callback
requests and the Alexa history must all be identical.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from reliability.harness import (
    ALEXA_SCRIPTS,
    HASH_SALT,
    SKILL_ID,
    SMS_SCRIPTS,
    AlexaSession,
    ServerProcess,
    alexa_response_problems,
    alexa_user_id,
    new_sid,
    percentile,
    phone_number,
    post_sms,
    speech,
    twilio_form,
)
from shared.config import Settings
from shared.identity import hashed_id
from shared.stores import Store, store_from_settings

LONG = {"numbers": 50, "messages": 10, "alexa_users": 10, "alexa_turns": 10}
SHORT = {"numbers": 10, "messages": 5, "alexa_users": 3, "alexa_turns": 5}


@dataclass
class Exchange:
    """One request of the run: what was sent and what came back."""

    channel: str
    who: int
    sent: Any
    reply: Any
    status: int
    seconds: float
    error: str | None = None


@dataclass
class LoadRun:
    """Everything a load run produced, for the checks and for the privacy scan."""

    exchanges: list[Exchange] = field(default_factory=list)
    wall_seconds: float = 0.0
    log_path: Path | None = None
    sqlite_path: Path | None = None


def sms_script(index: int, messages: int) -> tuple[str, ...]:
    """The messages the index-th number sends."""
    return SMS_SCRIPTS[index % len(SMS_SCRIPTS)][:messages]


def alexa_script(index: int, turns: int) -> tuple[dict[str, Any], ...]:
    """The requests the index-th Alexa user makes."""
    return ALEXA_SCRIPTS[index % len(ALEXA_SCRIPTS)][:turns]


def _texter(base_url: str, index: int, messages: int, start: threading.Barrier) -> list[Exchange]:
    sender = phone_number(index)
    out = []
    with requests.Session() as session:
        start.wait()
        for body in sms_script(index, messages):
            started = time.perf_counter()
            try:
                answer = post_sms(session, base_url, twilio_form(body, sender, new_sid()))
                out.append(Exchange("sms", index, body, answer.messages, answer.status, answer.seconds,
                                    None if answer.status == 200 else f"HTTP {answer.status}"))
            except (requests.RequestException, ValueError) as error:
                out.append(Exchange("sms", index, body, None, 0, time.perf_counter() - started,
                                    type(error).__name__))
    return out


def _talker(base_url: str, index: int, turns: int, start: threading.Barrier) -> list[Exchange]:
    device = AlexaSession(alexa_user_id(index))
    out = []
    with requests.Session() as session:
        start.wait()
        for request in alexa_script(index, turns):
            envelope = device.envelope(request)
            started = time.perf_counter()
            try:
                response = session.post(base_url + "/alexa", json=envelope, timeout=30)
                seconds = time.perf_counter() - started
                body = response.json()
                problems = alexa_response_problems(body) if response.status_code == 200 else []
                error = f"HTTP {response.status_code}" if response.status_code != 200 else "; ".join(problems) or None
                out.append(Exchange("alexa", index, request, body, response.status_code, seconds, error))
                if response.status_code == 200:
                    device.received(envelope, body)
            except (requests.RequestException, ValueError) as error:
                out.append(Exchange("alexa", index, request, None, 0, time.perf_counter() - started,
                                    type(error).__name__))
    return out


def drive(
    base_url: str, numbers: int, messages: int, alexa_users: int, alexa_turns: int
) -> tuple[list[Exchange], float]:
    """Run every conversation at once against base_url; return the exchanges and the wall time."""
    start = threading.Barrier(numbers + alexa_users + 1)
    with ThreadPoolExecutor(max_workers=numbers + alexa_users) as pool:
        futures = [pool.submit(_texter, base_url, i, messages, start) for i in range(numbers)]
        futures += [pool.submit(_talker, base_url, i, alexa_turns, start) for i in range(alexa_users)]
        start.wait()
        began = time.perf_counter()
        exchanges = [exchange for future in futures for exchange in future.result()]
        wall = time.perf_counter() - began
    return exchanges, wall


# --- the reference: the same messages one by one, in-process, over a memory store ---------------------


def reference_settings(data_dir: Path) -> Settings:
    """Settings equal to the server's where behaviour depends on them."""
    return Settings(store="memory", data_dir=data_dir, hash_salt=HASH_SALT, alexa_skill_id=SKILL_ID)


def sms_reference(data_dir: Path, numbers: int, messages: int) -> tuple[dict[int, list[tuple[str, ...]]], Store]:
    """Replies each number would get with its messages handled alone, and the store they leave."""
    from sms.app import create_app
    from sms.inbound import Inbound

    store = store_from_settings("memory")
    line = create_app(reference_settings(data_dir), store).extensions["cramp_sms"]
    replies: dict[int, list[tuple[str, ...]]] = {}
    for index in range(numbers):
        sender = phone_number(index)
        replies[index] = []
        for body in sms_script(index, messages):
            reply = line.handle(Inbound(sender=sender, body=body, sid=new_sid(), num_media=0))
            replies[index].append((reply,) if reply else ())
    return replies, store


def alexa_reference(data_dir: Path, users: int, turns: int) -> tuple[dict[int, list[str]], Store]:
    """Speech each Alexa user would hear alone, and the store it leaves."""
    from skill.app import build_skill, invoke

    store = store_from_settings("memory")
    skill = build_skill(reference_settings(data_dir), store)
    heard: dict[int, list[str]] = {}
    for index in range(users):
        device = AlexaSession(alexa_user_id(index))
        heard[index] = []
        for request in alexa_script(index, turns):
            envelope = device.envelope(request)
            response = invoke(skill, envelope)
            device.received(envelope, response)
            heard[index].append(speech(response))
    return heard, store


def _conversation(store: Store, index: int) -> dict | None:
    record = store.get("conversations", hashed_id("phone", phone_number(index), HASH_SALT))
    return record.data.get("conversation") if record else None


def _callbacks(store: Store, index: int) -> list[tuple[str, str, str]]:
    phone_hash = hashed_id("phone", phone_number(index), HASH_SALT)
    found = [r.data for r in store.scan("callbacks") if r.data.get("phone_hash") == phone_hash]
    return sorted((d["window"], d["urgency"], d["summary"]) for d in found)


def _history(store: Store, index: int) -> dict | None:
    record = store.get("attributes", hashed_id("alexa", alexa_user_id(index), HASH_SALT))
    return record.data if record else None


def check_state(
    exchanges: list[Exchange], live: Store, data_dir: Path, numbers: int, messages: int, users: int, turns: int
) -> list[str]:
    """Every way the live run differs from the one-by-one reference ([] when none)."""
    lost: list[str] = []
    sms_expected, sms_store = sms_reference(data_dir, numbers, messages)
    alexa_expected, alexa_store = alexa_reference(data_dir, users, turns)
    for index in range(numbers):
        got = [tuple(e.reply or ()) for e in exchanges if e.channel == "sms" and e.who == index]
        if got != sms_expected[index]:
            lost.append(f"sms number {index}: replies differ from the one-by-one replay")
        if _conversation(live, index) != _conversation(sms_store, index):
            lost.append(f"sms number {index}: stored conversation differs from the one-by-one replay")
        if _callbacks(live, index) != _callbacks(sms_store, index):
            lost.append(f"sms number {index}: callback requests differ from the one-by-one replay")
    for index in range(users):
        got_speech = [speech(e.reply or {}) for e in exchanges if e.channel == "alexa" and e.who == index]
        if got_speech != alexa_expected[index]:
            lost.append(f"alexa user {index}: speech differs from the one-by-one replay")
        if _history(live, index) != _history(alexa_store, index):
            lost.append(f"alexa user {index}: stored history differs from the one-by-one replay")
    return lost


def summarise(exchanges: list[Exchange], wall: float) -> dict[str, Any]:
    """Counts, throughput and latency percentiles of a run."""
    figures: dict[str, Any] = {"requests": len(exchanges), "wall_seconds": round(wall, 2),
                               "throughput_rps": round(len(exchanges) / wall, 1) if wall else 0.0}
    for channel in ("sms", "alexa", "all"):
        times = [e.seconds * 1000 for e in exchanges if channel in ("all", e.channel)]
        figures[channel] = {
            "requests": len(times),
            "p50_ms": round(percentile(times, 0.50), 1),
            "p99_ms": round(percentile(times, 0.99), 1),
            "max_ms": round(max(times, default=0.0), 1),
        }
    return figures


def run(workdir: Path, *, numbers: int, messages: int, alexa_users: int, alexa_turns: int) -> dict[str, Any]:
    """Start the server on a fresh SQLite file, drive the load, stop it, and check every conversation."""
    data_dir = workdir / "load-data"
    server = ServerProcess(data_dir=data_dir, log_path=workdir / "load-server.log")
    with server:
        exchanges, wall = drive(server.url, numbers, messages, alexa_users, alexa_turns)
    live = store_from_settings("sqlite", path=data_dir / "cramp-check.sqlite3")
    try:
        lost = check_state(exchanges, live, workdir / "reference", numbers, messages, alexa_users, alexa_turns)
    finally:
        live.close()
    errors = [f"{e.channel} {e.who}: {e.error}" for e in exchanges if e.error]
    return {
        "numbers": numbers,
        "messages_per_number": messages,
        "alexa_users": alexa_users,
        "alexa_turns": alexa_turns,
        "errors": errors,
        "lost_state": lost,
        "figures": summarise(exchanges, wall),
        "log_path": str(server.log_path),
        "sent_bodies": sorted({e.sent for e in exchanges if e.channel == "sms"}),
        "phone_numbers": [phone_number(i) for i in range(numbers)],
        "alexa_user_ids": [alexa_user_id(i) for i in range(alexa_users)],
    }


def main() -> int:
    """`python -m reliability.load [--short]`: print the load figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--short", action="store_true", help="the CI-sized run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cramp-load-") as tmp:
        result = run(Path(tmp), **(SHORT if args.short else LONG))
    print(json.dumps({k: v for k, v in result.items() if k not in ("sent_bodies", "phone_numbers", "alexa_user_ids")},
                     indent=2))
    return 0 if not result["errors"] and not result["lost_state"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
