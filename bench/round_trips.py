"""DynamoDB round trips per turn: every request the deployed store sends, counted on its boto3 client.

Against a local DynamoDB-compatible server, the turns a person waits on: an SMS first message (a new number,
a description that gets its verdict at once: the MessageSid claim, the opt-out check, the conversation with
its rate count, the episode history, the reply stored with the claim), a follow-up SMS (TIPS in that
conversation), and an Alexa verdict turn (a person whose history already holds two episodes). Each request
is an HTTP round trip to DynamoDB: in a Lambda a few milliseconds each, one after another.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from bench.alexa import OLD_EPISODES, SALT, SKILL_ID, keeping_content, triage_envelope, user_id
from bench.sms import AUTH_TOKEN, MESSAGE, PUBLIC_BASE_URL, sender, twilio_form

TARGET_SMS = 3


@contextmanager
def counted(client: Any) -> Iterator[Counter[str]]:
    """Count every request the client sends (retries included: each is a round trip) by operation name."""
    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    client.meta.events.register("before-call.dynamodb", count)
    try:
        yield calls
    finally:
        client.meta.events.unregister("before-call.dynamodb", count)


def _sms_turn(app: Any, body: str, number: str) -> str:
    from twilio.request_validator import RequestValidator

    form = twilio_form(body, number)
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_BASE_URL + "/sms", form)
    response = app.test_client().post("/sms", data=form, headers={"X-Twilio-Signature": signature})
    if response.status_code != 200:
        raise RuntimeError(f"POST /sms answered {response.status_code}")
    return response.get_data(as_text=True)


def measure(endpoint_url: str, make_tables: Callable[[Any, dict[str, str]], None]) -> dict[str, Any]:
    """Round trips of each turn against the DynamoDB-compatible server at `endpoint_url` (fresh tables)."""
    from shared.config import Settings
    from shared.identity import hashed_id
    from shared.records import COLLECTIONS
    from shared.stores.dynamodb import DynamoDBStore, make_client
    from skill.app import build_skill, invoke
    from sms.app import create_app

    run = uuid.uuid4().hex[:8]
    tables = {collection: f"bench-{run}-{collection}" for collection in COLLECTIONS}
    client = make_client(endpoint_url)
    make_tables(client, tables)
    store = DynamoDBStore(tables, client=client)
    settings = Settings(
        store="dynamodb", public_base_url=PUBLIC_BASE_URL, hash_salt=SALT, twilio_auth_token=AUTH_TOKEN,
        alexa_skill_id=SKILL_ID, table_names=tables, dynamodb_endpoint=endpoint_url,
    )
    app = create_app(settings, store)
    skill = build_skill(settings, store, content=keeping_content())
    results: dict[str, Any] = {}

    number = sender(9_000_001)
    with counted(client) as calls:
        reply = _sms_turn(app, MESSAGE, number)
    if "spasm" not in reply:
        raise RuntimeError("the SMS first message did not give its verdict")
    results["sms_first_message"] = dict(calls)
    with counted(client) as calls:
        reply = _sms_turn(app, "TIPS", number)
    results["sms_follow_up"] = dict(calls)

    person = user_id(9_000_001)
    history = {"episodes": OLD_EPISODES, "history_notice_given": True}
    store.put("attributes", hashed_id("alexa", person, SALT), history, expected_version=0)
    with counted(client) as calls:
        response = invoke(skill, triage_envelope(person))
    if "spasm" not in response["response"]["outputSpeech"]["ssml"]:
        raise RuntimeError("the Alexa turn did not give its verdict")
    results["alexa_verdict_turn"] = dict(calls)
    for table in tables.values():
        client.delete_table(TableName=table)
    return {
        "turns": {name: {"round_trips": sum(ops.values()), "requests": ops} for name, ops in results.items()},
        "target_sms": TARGET_SMS,
    }


def run() -> dict[str, Any]:
    """Start a local DynamoDB-compatible server (the tests' own), measure, and stop it."""
    from tests.dynamodb_local import DynamoDBServer, make_tables

    dummy = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}  # the local server checks none
    missing = {name: value for name, value in dummy.items() if not os.environ.get(name)}
    os.environ.update(missing)
    try:
        with DynamoDBServer() as server:
            return measure(server.endpoint_url, make_tables)
    finally:
        for name in missing:
            os.environ.pop(name, None)


if __name__ == "__main__":
    json.dump(run(), sys.stdout, indent=2)
