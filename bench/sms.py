"""SMS benchmark: a full signed triage turn through POST /sms against Twilio's quickstart reply bot.

Both apps get the same Twilio form fields, signed by twilio's own RequestValidator for the same public URL,
through Flask's test client. The subject is `create_app` over a SQLite store in a temporary folder; each
turn comes from a new number with a new MessageSid, so every turn does the whole first-message path: the
MessageSid check, the opt-out check, the rate limit, the conversation state, the episode history (each read
and written in SQLite), the free-text reader, triage, the SMS template and the reply stored with its claim.
All of a turn's reads and writes run in one SQLite transaction, committed once (`store_calls_per_turn` and
`committed_transactions_per_turn` report what one turn does). The message describes an eyelid twitch, which
needs no screening question, so each turn ends in a verdict. The reference (bench/quickstart_sms.py) checks
the same signature and echoes the body.
"""

from __future__ import annotations

import json
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.stats import CountingStore, commit_cost, compare, diagnosis, interleave

AUTH_TOKEN = "bench-twilio-auth-token-8c2f51"
PUBLIC_BASE_URL = "https://cramp.clinic.example"
WEBHOOK_URL = PUBLIC_BASE_URL + "/sms"
CLINIC_NUMBER = "+15550100100"
ACCOUNT_SID = "AC" + "0" * 32
SALT = "bench-hash-salt-4f1c9a7e2b"
MESSAGE = "my eyelid keeps twitching for a few seconds while I sit at my desk"
TARGET = 2.0

Post = tuple[str, dict[str, str]]  # (url-encoded form, headers)


def new_sid() -> str:
    """A fresh MessageSid in Twilio's format."""
    return "SM" + uuid.uuid4().hex


def twilio_form(body: str, sender: str, sid: str | None = None) -> dict[str, str]:
    """The form fields Twilio posts for one inbound SMS (also used by the reliability runs)."""
    sid = sid or new_sid()
    return {
        "ToCountry": "US",
        "ToState": "NY",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "SmsSid": sid,
        "FromState": "NY",
        "SmsStatus": "received",
        "Body": body,
        "FromCountry": "US",
        "To": CLINIC_NUMBER,
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }


def twilio_post(body: str, sender: str) -> Post:
    """The form Twilio posts for one inbound SMS and its X-Twilio-Signature, ready for the test client."""
    from twilio.request_validator import RequestValidator

    params = twilio_form(body, sender)
    signature = RequestValidator(AUTH_TOKEN).compute_signature(WEBHOOK_URL, params)
    return urlencode(params), {"X-Twilio-Signature": signature}


def sender(index: int) -> str:
    """A distinct US number per turn."""
    return f"+1555{index:07d}"


def _poster(client: Any, posts: Iterator[Post]) -> Callable[[], Any]:
    """A no-argument call that sends the next prepared post and fails loudly on anything but a 200."""

    def post() -> None:
        form, headers = next(posts)
        response = client.post("/sms", data=form, headers=headers, content_type="application/x-www-form-urlencoded")
        if response.status_code != 200:
            raise RuntimeError(f"POST /sms answered {response.status_code}")

    return post


def _reply(client: Any, post: Post) -> str:
    form, headers = post
    response = client.post("/sms", data=form, headers=headers, content_type="application/x-www-form-urlencoded")
    if response.status_code != 200:
        raise RuntimeError(f"POST /sms answered {response.status_code}")
    return response.get_data(as_text=True)


def warm(runs: int = 400, warmup: int = 40) -> dict[str, Any]:
    """Median latency of a full signed triage turn over SQLite vs the quickstart reply bot."""
    from bench.quickstart_sms import create_quickstart_app
    from shared.config import Settings
    from shared.stores import store_from_settings
    from sms.app import create_app

    total = runs + warmup + 1
    with tempfile.TemporaryDirectory(prefix="bench-sms-") as folder:
        settings = Settings(
            store="sqlite",
            data_dir=Path(folder),
            public_base_url=PUBLIC_BASE_URL,
            hash_salt=SALT,
            twilio_auth_token=AUTH_TOKEN,
        )
        store = store_from_settings("sqlite", path=settings.sqlite_path)
        try:
            subject_client = create_app(settings, store).test_client()
            reference_client = create_quickstart_app(AUTH_TOKEN, WEBHOOK_URL).test_client()

            # One checked turn each, outside the timing: the subject must answer with its verdict and keep state.
            # It runs over a counting wrapper of the same store, to report the store calls one turn makes.
            counting = CountingStore(store)
            if "spasm" not in _reply(create_app(settings, counting).test_client(), twilio_post(MESSAGE, sender(0))):
                raise RuntimeError("the triage turn did not give its verdict")
            if not store.scan("conversations"):
                raise RuntimeError("the triage turn stored no conversation")
            if "You said" not in _reply(reference_client, twilio_post(MESSAGE, sender(0))):
                raise RuntimeError("the quickstart bot did not echo")

            memory_client = create_app(settings, store_from_settings("memory")).test_client()

            def posts(first: int = 1) -> Iterator[Post]:
                return iter([twilio_post(MESSAGE, sender(index)) for index in range(first, first + total - 1)])

            # A diagnostic candidate in the same alternation: the same turn over the in-memory store says how
            # much of the gap is SQLite and how much is the turn's own work.
            timings = interleave(
                {
                    "reference": _poster(reference_client, posts()),
                    "subject": _poster(subject_client, posts()),
                    "subject_memory_store": _poster(memory_client, posts()),
                },
                runs=runs,
                warmup=warmup,
            )
            commit = commit_cost(store, "callbacks", runs=max(5, runs // 10))
        finally:
            store.close()
    return {
        "name": "SMS signed triage turn (SQLite read+write) vs Twilio quickstart bot",
        "unit": "ms",
        **compare(timings),
        "target": TARGET,
        "diagnosis": diagnosis(timings, ("subject_memory_store",)),
        "store_calls_per_turn": counting.calls,
        "committed_transactions_per_turn": counting.commits,
        "sqlite_commit_ms": commit,
    }


if __name__ == "__main__":
    json.dump(warm(runs=50, warmup=5), sys.stdout, indent=2)
