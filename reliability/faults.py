"""Faults: the server killed mid-load, the DynamoDB-compatible store gone, and the staff SMS API failing.

- crash: texters run their conversations while the server is killed with SIGKILL and restarted on the same
  SQLite file. A request that got no answer is sent again with the same MessageSid, as Twilio does. Then every
  conversation must equal the one-by-one replay of its messages (a message cut off by the crash applied once
  or not at all), every callback confirmation a person received must have its stored request, and every stored
  record must read back whole.
- store_outage: the local DynamoDB server is frozen (SIGSTOP: connections hang) while people text and talk.
  Each gets a 200 with the relief step and the emergency advice; the failure is logged; an opt-out sent meanwhile
  is confirmed and kept once the store is back (sms/optouts.py's journal), DELETE is asked for again; after the
  store comes back nothing is half-written, and Twilio's redelivery of the same message is answered normally.
- notify_retry: the Twilio REST API fails; callback requests are stored anyway, and the staff notifier's
  rounds (sms/notifications.py, the staff_notify function's schedule) send the staff texts again, after
  their growing waits, until Twilio has accepted every one.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import requests

from reliability.harness import (
    ACCOUNT_SID,
    HASH_SALT,
    SMS_SCRIPTS,
    AlexaSession,
    ServerProcess,
    alexa_response_problems,
    alexa_user_id,
    describe,
    json_log_records,
    launch,
    new_sid,
    phone_number,
    post_sms,
    twilio_form,
)
from reliability.load import reference_settings
from shared.content import load_content
from shared.dialogue import Conversation
from shared.identity import hashed_id
from shared.stores import COLLECTIONS, Store, store_from_settings

CALLBACK_FIELDS = ("id", "created_at", "phone", "phone_hash", "window", "summary", "urgency", "status", "notified",
                   "notify_attempts")
CONFIRMED_MARK = "callback request is saved"
RETRY_DEADLINE_S = 60.0


# --- crash and restart ---------------------------------------------------------------------------------


@dataclass
class Delivery:
    """One message and how it got through: its reply, and whether a first attempt was cut off."""

    body: str
    sid: str
    reply: tuple[str, ...] = ()
    attempts: int = 0
    delivered: bool = False


def _texter_through_crash(base_url: str, index: int, done: list[int], lock: threading.Lock) -> list[Delivery]:
    sender = phone_number(index)
    out = []
    with requests.Session() as session:
        for body in SMS_SCRIPTS[index % len(SMS_SCRIPTS)]:
            delivery = Delivery(body, new_sid())
            form = twilio_form(body, sender, delivery.sid)
            deadline = time.monotonic() + RETRY_DEADLINE_S
            while time.monotonic() < deadline and not delivery.delivered:
                delivery.attempts += 1
                try:
                    answer = post_sms(session, base_url, form, timeout=20)
                except requests.RequestException:
                    session.close()
                    time.sleep(0.2)
                    continue
                if answer.status == 200:
                    delivery.reply, delivery.delivered = answer.messages, True
                else:
                    time.sleep(0.2)
            out.append(delivery)
            with lock:
                done[0] += 1
    return out


def _replay(index: int, bodies: list[str], data_dir: Path) -> tuple[dict | None, list[tuple[str, str, str]]]:
    """The conversation and callbacks one number's messages leave when handled alone, in order."""
    from sms.app import create_app
    from sms.inbound import Inbound

    store = store_from_settings("memory")
    line = create_app(reference_settings(data_dir), store).extensions["cramp_sms"]
    for body in bodies:
        line.handle(Inbound(sender=phone_number(index), body=body, sid=new_sid(), num_media=0))
    return _state(store, index)


def _state(store: Store, index: int) -> tuple[dict | None, list[tuple[str, str, str]]]:
    phone_hash = hashed_id("phone", phone_number(index), HASH_SALT)
    record = store.get("conversations", phone_hash)
    callbacks = sorted((r.data["window"], r.data["urgency"], r.data["summary"])
                       for r in store.scan("callbacks") if r.data.get("phone_hash") == phone_hash)
    return (record.data.get("conversation") if record else None), callbacks


def orphaned_claims(store: Store) -> int:
    """MessageSid claims left 'processing' with no lease: nothing would ever let a redelivery of that message
    take them over, so it would get the safe reply until the claim's retention ends. A claim whose lease
    runs out (idempotency.CLAIM_LEASE_SECONDS after it was taken) is not orphaned: a redelivery takes it over."""
    return sum(
        1
        for r in store.scan("conversations")
        if r.key.startswith("sid:") and r.data.get("state") == "processing" and "lease_until" not in r.data
    )



def whole_records(store: Store) -> list[str]:
    """Records that do not read back whole: a conversation that would be reset, a callback missing a field."""
    problems = []
    content = load_content()
    for collection in COLLECTIONS:
        for record in store.scan(collection):
            data = record.data
            conversation = data.get("conversation") if collection == "conversations" else None
            restored = Conversation.from_dict(conversation, content) if conversation is not None else None
            if restored is not None and restored.to_dict() != conversation:
                problems.append(f"conversation {record.key[:14]}... does not read back whole")
            if collection == "callbacks" and any(name not in data for name in CALLBACK_FIELDS):
                problems.append(f"callback {record.key} is missing fields")
    return problems


def crash(workdir: Path, numbers: int) -> dict[str, Any]:
    """Kill the server with SIGKILL a third of the way through the load, restart it, check everything."""
    data_dir = workdir / "crash-data"
    server = ServerProcess(data_dir=data_dir, log_path=workdir / "crash-server.log")
    total = numbers * len(SMS_SCRIPTS[0])
    done, lock = [0], threading.Lock()
    killed_at = {"done": 0}
    server.start()
    try:
        with ThreadPoolExecutor(max_workers=numbers) as pool:
            futures = [pool.submit(_texter_through_crash, server.url, i, done, lock) for i in range(numbers)]
            while done[0] < total // 3:
                time.sleep(0.01)
            server.kill()
            killed_at["done"] = done[0]
            time.sleep(0.5)
            server.start()
            deliveries = {i: f.result() for i, f in enumerate(futures)}
    finally:
        server.stop()

    store = store_from_settings("sqlite", path=data_dir / "cramp-check.sqlite3")
    try:
        undelivered = [f"number {i}: '{d.body}' never answered" for i, ds in deliveries.items() for d in ds
                       if not d.delivered]
        corrupted = whole_records(store)
        orphans = orphaned_claims(store)
        diverged, lost_callbacks, cut_off = [], [], 0
        for index, ds in deliveries.items():
            stored = _state(store, index)
            # A message whose first attempt was cut off by the crash was applied once or not at all.
            uncertain = [n for n, d in enumerate(ds) if d.attempts > 1]
            cut_off += len(uncertain)
            candidates = []
            for dropped in itertools.chain.from_iterable(
                itertools.combinations(uncertain, k) for k in range(len(uncertain) + 1)
            ):
                candidates.append(_replay(index, [d.body for n, d in enumerate(ds) if n not in dropped],
                                          workdir / "reference"))
            if stored not in candidates:
                diverged.append(f"number {index}: stored state matches no replay of its messages")
            confirmed = sum(1 for d in ds for text in d.reply if CONFIRMED_MARK in text)
            if len(stored[1]) < confirmed:
                lost_callbacks.append(f"number {index}: {confirmed} confirmed, {len(stored[1])} stored")
        callbacks = len(store.scan("callbacks"))
    finally:
        store.close()
    return {
        "numbers": numbers,
        "messages": total,
        "killed_after_messages": killed_at["done"],
        "server_starts": server.starts,
        "messages_cut_off_and_resent": cut_off,
        "undelivered": undelivered,
        "corrupted_records": corrupted,
        "orphaned_claims": orphans,
        "diverged_conversations": diverged,
        "lost_callbacks": lost_callbacks,
        "callbacks_stored": callbacks,
    }


# --- the DynamoDB-compatible store unavailable ----------------------------------------------------------


@contextmanager
def _dynamodb_server(table_prefix: str) -> Iterator[tuple[Any, dict[str, str]]]:
    from tests.dynamodb_local import DynamoDBServer, dynamodb_client, make_tables

    tables = {c: f"{table_prefix}-{c}" for c in COLLECTIONS}
    with DynamoDBServer() as server:
        make_tables(dynamodb_client(server.endpoint_url), tables)
        yield server, tables


def store_outage(workdir: Path) -> dict[str, Any]:
    """Freeze the DynamoDB server while people text and talk; check replies, logs, and that nothing was half-written."""
    from shared.content import load_content
    from sms.conversation import SmsLine
    from sms.inbound import Inbound

    content = load_content()
    safe_line = SmsLine(reference_settings(workdir / "reference"), store_from_settings("memory"), content)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    result: dict[str, Any] = {"outage_requests": 0, "safe_replies": 0, "not_safe": [], "alexa_answered": 0}
    with _dynamodb_server(f"outage-{uuid.uuid4().hex[:8]}") as (dynamodb, tables):
        env = {"CRAMP_STORE": "dynamodb", "CRAMP_DYNAMODB_ENDPOINT": dynamodb.endpoint_url,
               "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"}
        env.update({f"CRAMP_TABLE_{c.upper()}": name for c, name in tables.items()})
        log_path = workdir / "outage-server.log"
        server = ServerProcess(data_dir=workdir / "outage-data", log_path=log_path, env_extra=env)
        with server, requests.Session() as session:
            before = ["my calf cramped up hard while running", "no"]
            during = [("no", 0), ("my thigh is cramping and I have chest pain", 1), ("hand cramp", 2)]
            for body in before:
                post_sms(session, server.url, twilio_form(body, phone_number(0)))
                post_sms(session, server.url, twilio_form(body, phone_number(4)))
            process = dynamodb._process
            assert process is not None
            process.send_signal(signal.SIGSTOP)
            outage_forms = []
            try:
                for body, who in during:
                    form = twilio_form(body, phone_number(who))
                    outage_forms.append((form, who))
                    answer = post_sms(session, server.url, form, timeout=30)
                    result["outage_requests"] += 1
                    expected = safe_line.safe_reply(Inbound(phone_number(who), body, None, 0))
                    emergency = content.locale(None)["emergency_number"]
                    if answer.status == 200 and answer.messages == (expected,) and emergency in expected:
                        result["safe_replies"] += 1
                    else:
                        result["not_safe"].append(f"'{body}': HTTP {answer.status} {answer.messages!r}")
                # An opt-out Twilio did not answer ("Stop.") must be kept; DELETE must be asked for again.
                stop = post_sms(session, server.url, twilio_form("Stop.", phone_number(3)), timeout=30)
                delete = post_sms(session, server.url, twilio_form("DELETE", phone_number(4)), timeout=30)
                result["stop_confirmed"] = stop.status == 200 and any(
                    m.startswith("You are unsubscribed") for m in stop.messages)
                result["delete_asked_again"] = delete.status == 200 and any(
                    "Please text DELETE again" in m for m in delete.messages)
                device = AlexaSession(alexa_user_id(0))
                for request in (launch(), describe("calf", "locked")):
                    envelope = device.envelope(request)
                    response = session.post(server.url + "/alexa", json=envelope, timeout=30)
                    result["outage_requests"] += 1
                    body = response.json()
                    if response.status_code == 200 and not alexa_response_problems(body) and body["response"].get(
                        "outputSpeech"
                    ):
                        result["alexa_answered"] += 1
                        device.received(envelope, body)
            finally:
                process.send_signal(signal.SIGCONT)
            # Requests the frozen server had buffered are processed now; give them a moment to land.
            time.sleep(1.0)
            live = store_from_settings("dynamodb", table_names=tables, endpoint_url=dynamodb.endpoint_url)
            result["half_written"] = whole_records(live)
            result["late_claims"] = orphaned_claims(live)
            expected_state = _replay(0, before, workdir / "reference")
            if _state(live, 0) != expected_state:
                result["half_written"].append("number 0: an outage message changed the stored conversation")
            for who in (1, 2):
                if _state(live, who) != (None, []):
                    result["half_written"].append(f"number {who}: state stored for an outage message")
            if _state(live, 4) != expected_state:
                result["half_written"].append("number 4: DELETE during the outage changed the stored conversation")
            after_stop = post_sms(session, server.url, twilio_form("my calf cramped again", phone_number(3)))
            result["reply_after_stop"] = bool(after_stop.messages)
            result["stop_kept"] = live.get("optouts", hashed_id("phone", phone_number(3), HASH_SALT)) is not None
            redelivered = post_sms(session, server.url, outage_forms[0][0])
            expected_after = _replay(0, [*before, "no"], workdir / "reference")
            result["redelivery_processed"] = _state(live, 0) == expected_after and redelivered.status == 200
        records = json_log_records(log_path)
        result["failures_logged"] = sum(
            1 for r in records if r.get("level") in ("WARNING", "ERROR") and "unavailable" in str(r.get("message"))
        )
    return result


# --- staff notifications retried ------------------------------------------------------------------------


@dataclass
class FlakyTwilioApi:
    """Twilio's Messages endpoint on loopback that fails while `failing` is set, and records what it accepts."""

    failing: bool = True
    accepted: list[dict[str, str]] = field(default_factory=list)
    refused: int = 0

    def __post_init__(self) -> None:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the name http.server dispatches to
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"]))
                                                      .decode()).items()}
                if api.failing:
                    api.refused += 1
                    self._send(500, {"code": 20500, "message": "Internal Server Error", "status": 500})
                    return
                api.accepted.append(form)
                self._send(201, {"sid": "SM" + uuid.uuid4().hex, "status": "queued"})

            def _send(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def base_url(self) -> str:
        """Where the server should send its REST calls."""
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()


def notify_retry(workdir: Path, requests_made: int) -> dict[str, Any]:
    """Callback requests while the SMS API fails, then the scheduled retry until every one is delivered."""
    api = FlakyTwilioApi()
    data_dir = workdir / "notify-data"
    env = {"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "CRAMP_SMS_FROM": "+15550100999", "CRAMP_TWILIO_API_BASE": api.base_url}
    server = ServerProcess(data_dir=data_dir, log_path=workdir / "notify-server.log", env_extra=env)
    confirmed = 0
    rounds: list[dict[str, int]] = []
    try:
        with server, requests.Session() as session:
            for index in range(requests_made):
                for body in ("my calf cramped up hard while running", "CALL", "1"):
                    answer = post_sms(session, server.url, twilio_form(body, phone_number(500 + index)))
                confirmed += sum(CONFIRMED_MARK in text for text in answer.messages)
            refused_inline = api.refused
            # The scheduled function's rounds: its settings from the same environment as the server, and its clock
            # moved on by the longest wait between attempts each round (the server's own notifier thread sends too;
            # each due attempt is taken by one of them only).
            saved = dict(os.environ)
            os.environ.update(server.env())
            try:
                from sms import lambda_function, notifications

                lambda_function.notifier.cache_clear()
                settings, store, content = lambda_function.notifier()
                now = time.time() + notifications.RETRY_CAP_SECONDS
                rounds.append(notifications.send_owed(settings, store, content, now).as_dict())  # API still fails
                api.failing = False
                for _ in range(5):
                    now += notifications.RETRY_CAP_SECONDS
                    counts = notifications.send_owed(settings, store, content, now).as_dict()
                    rounds.append(counts)
                    if counts["sent"] == 0:
                        break
                callbacks = [r.data for r in store.scan("callbacks")]
                lambda_function.notifier.cache_clear()
                store.close()
            finally:
                os.environ.clear()
                os.environ.update(saved)
    finally:
        api.close()
    delivered_ids = {cid for message in api.accepted for cid in [c["id"] for c in callbacks] if cid in message["Body"]}
    return {
        "callback_requests_confirmed": confirmed,
        "callbacks_stored": len(callbacks),
        "failed_sends_while_down": refused_inline + rounds[0]["failed"],
        "retry_rounds": rounds,
        "delivered": len(delivered_ids),
        # Accepted by Twilio; "notified" waits for Twilio's delivery report, which a local server cannot receive.
        "undelivered": sorted(c["id"] for c in callbacks if c["id"] not in delivered_ids),
    }


SHORT = {"numbers": 8, "notify_requests": 3}
LONG = {"numbers": 30, "notify_requests": 10}


def run(workdir: Path, *, numbers: int, notify_requests: int) -> dict[str, Any]:
    """All three fault runs."""
    return {
        "crash": crash(workdir, numbers),
        "store_outage": store_outage(workdir),
        "notify_retry": notify_retry(workdir, notify_requests),
    }


def main() -> int:
    """`python -m reliability.faults [--short]`: print the results as JSON."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--short", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cramp-faults-") as tmp:
        result = run(Path(tmp), **(SHORT if args.short else LONG))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
