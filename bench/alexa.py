"""Alexa benchmarks: a full triage turn and a cold start, each against the ask-sdk-core hello-world skill.

- warm: one DescribeSymptomIntent carrying every slot (eyelid twitching for seconds at rest: no screening
  question is due, so the turn ends in a verdict), through the same `invoke` the Lambda handler uses: the
  parsed event read into ask-sdk model objects by skill.serializer.CachedPlanSerializer (ask-sdk's
  DefaultSerializer rules, with each type's plan resolved once), the person's history read from SQLite once,
  triage, SSML rendered, the new episode written back in one version-checked write, the response serialised
  by the same serializer. Each turn is a different person whose history already holds two old
  episodes, so every measured turn reads a real record and rewrites it, and none of them trips the
  "third episode this week" rule. The reference answers HelloWorldIntent through its own lambda_handler,
  which reads the event with ask-sdk's DefaultSerializer (from JSON text, as ask-sdk's lambda_handler does).
  Two diagnostic candidates time reading the triage envelope alone with each serializer.
- cold: a fresh interpreter imports the Lambda module and answers its first request (wall time from spawn
  to exit), for `skill.lambda_function` over SQLite and for the hello-world module.
"""

from __future__ import annotations

import itertools
import json
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.stats import (
    ChildRun,
    CountingStore,
    child_environment,
    commit_cost,
    compare,
    compare_with_memos_emptied,
    diagnosis,
    interleave,
    interleave_children,
    profiled_child,
    timed_child,
)

SKILL_ID = "amzn1.ask.skill.00000000-bench-4c7e-b5f6-0a1b2c3d4e5f"
SALT = "bench-hash-salt-4f1c9a7e2b"
WARM_TARGET = 1.3
PHASE_RUNS = 5
COLD_TARGET = 1.2
# Slot value ids (interaction_models/) for a one-shot description that needs no screening question.
TRIAGE_SLOTS = {
    "body_part": ("my eyelid", "eyelid_face", "BODY_PART"),
    "feeling": ("twitching", "twitching", "PATTERN"),
    "duration": ("a few seconds", "seconds", "DURATION"),
    "context": ("sitting at my desk", "rest", "CONTEXT"),
}
OLD_EPISODES = [
    {"date": "2026-09-01", "body_part": "calf", "verdict": "cramp"},
    {"date": "2026-09-20", "body_part": "eyelid_face", "verdict": "spasm"},
]

CHILD_SUBJECT = """
import json, sys
from skill.lambda_function import lambda_handler
sys.stdout.write(json.dumps(lambda_handler(json.loads(sys.argv[1]), None)))
"""
CHILD_REFERENCE = """
import json, sys
from bench.hello_world_skill import lambda_handler
sys.stdout.write(json.dumps(lambda_handler(json.loads(sys.argv[1]), None)))
"""
# The floor for any skill that renders its speech with Jinja2 (the project's fixed template engine): hello
# world that also imports jinja2 before it answers. Cramp Check's first answer cannot come sooner than this.
CHILD_REFERENCE_WITH_JINJA2 = """
import json, sys
import jinja2
from bench.hello_world_skill import lambda_handler
sys.stdout.write(json.dumps(lambda_handler(json.loads(sys.argv[1]), None)))
"""
# One more cold start of each, split into phases: import, first request, and a second (warm) request.
CHILD_PHASES = """
import json, sys, time
started = time.perf_counter()
from {module} import lambda_handler
imported = time.perf_counter()
lambda_handler(json.loads(sys.argv[1]), None)
first = time.perf_counter()
lambda_handler(json.loads(sys.argv[2]), None)
second = time.perf_counter()
print(json.dumps({{"import": imported - started, "first_request": first - imported, "second_request": second - first}}))
"""


def _slot(name: str, spoken: str, value_id: str, slot_type: str) -> dict[str, Any]:
    """A slot as Alexa sends it once entity resolution matched a value of the skill's own type."""
    authority = f"amzn1.er-authority.echo-sdk.{SKILL_ID}.{slot_type}"
    return {
        "name": name,
        "value": spoken,
        "confirmationStatus": "NONE",
        "source": "USER",
        "resolutions": {
            "resolutionsPerAuthority": [
                {
                    "authority": authority,
                    "status": {"code": "ER_SUCCESS_MATCH"},
                    "values": [{"value": {"name": spoken, "id": value_id}}],
                }
            ]
        },
    }


def intent_envelope(intent: str, user_id: str, slots: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """A new-session IntentRequest envelope in the shape an Echo sends, stamped now."""
    application = {"applicationId": SKILL_ID}
    user = {"userId": user_id}
    return {
        "version": "1.0",
        "session": {
            "new": True,
            "sessionId": f"amzn1.echo-api.session.{uuid.uuid4()}",
            "application": application,
            "attributes": {},
            "user": user,
        },
        "context": {
            "System": {
                "application": application,
                "user": user,
                "device": {"deviceId": "amzn1.ask.device.BENCHDEVICE", "supportedInterfaces": {}},
                "apiEndpoint": "https://api.amazonalexa.com",
                "apiAccessToken": "bench.token",
            }
        },
        "request": {
            "type": "IntentRequest",
            "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
            "locale": "en-US",
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "dialogState": "STARTED",
            "intent": {"name": intent, "confirmationStatus": "NONE", "slots": slots or {}},
        },
    }


def triage_envelope(user_id: str) -> dict[str, Any]:
    """DescribeSymptomIntent with all four slots resolved."""
    slots = {name: _slot(name, *values) for name, values in TRIAGE_SLOTS.items()}
    return intent_envelope("DescribeSymptomIntent", user_id, slots)


def hello_envelope(user_id: str, *, with_slots: bool = False) -> dict[str, Any]:
    """The hello-world skill's own intent; with_slots adds the triage turn's four resolved slots, so the SDK
    deserialises an envelope as large as the subject's."""
    slots = {name: _slot(name, *values) for name, values in TRIAGE_SLOTS.items()} if with_slots else None
    return intent_envelope("HelloWorldIntent", user_id, slots)


def user_id(index: int) -> str:
    """A distinct Alexa user id per turn."""
    return f"amzn1.ask.account.BENCH{index:08d}"


def _speech(response: dict[str, Any]) -> str:
    return response["response"]["outputSpeech"]["ssml"]


def _calls(handler: Callable[[dict[str, Any]], dict[str, Any]], events: Iterator[dict[str, Any]]) -> Callable[[], Any]:
    """A no-argument call that answers the next prepared event (event building stays out of the timing)."""
    return lambda: handler(next(events))


def warm(runs: int = 400, warmup: int = 40) -> dict[str, Any]:
    """Warm latency of a full triage turn over SQLite vs the hello-world skill's HelloWorldIntent."""
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope

    from bench.hello_world_skill import lambda_handler as hello_handler
    from shared.config import Settings
    from shared.identity import hashed_id
    from shared.stores import store_from_settings
    from skill.app import SERIALIZER, build_skill, invoke

    total = runs + warmup + 2
    with tempfile.TemporaryDirectory(prefix="bench-alexa-") as folder:
        settings = Settings(store="sqlite", data_dir=Path(folder), alexa_skill_id=SKILL_ID, hash_salt=SALT)
        store = store_from_settings("sqlite", path=settings.sqlite_path)
        memory = store_from_settings("memory")
        try:
            # People 1 to total for the main alternation, total to 2 * total for the one with the memos emptied.
            for index in range(2 * total):
                history = {"episodes": OLD_EPISODES, "history_notice_given": True}
                for backend in (store, memory):
                    backend.put("attributes", hashed_id("alexa", user_id(index), SALT), history, expected_version=0)
            skill = build_skill(settings, store)
            memory_skill = build_skill(settings, memory)

            # One checked turn each, outside the timing: the subject must give a verdict and save the episode.
            # It runs over a counting wrapper of the same store, to report the store calls one turn makes.
            counting = CountingStore(store)
            first = invoke(build_skill(settings, counting), triage_envelope(user_id(0)))
            saved = store.get("attributes", hashed_id("alexa", user_id(0), SALT))
            if "spasm" not in _speech(first) or saved is None or len(saved.data.get("episodes", [])) != 3:
                raise RuntimeError("the triage turn did not give a verdict and save the episode")
            if "<speak>" not in _speech(hello_handler(hello_envelope(user_id(0), with_slots=True), None)):
                raise RuntimeError("the hello-world skill did not answer")

            people = range(1, total)
            cold_people = range(total, 2 * total)
            default_serializer = DefaultSerializer()
            # Two diagnostic candidates, timed in the same alternation: they split the gap into what the SDK
            # spends on the larger envelope, what SQLite adds, and what the turn's own work costs.
            timings = interleave(
                {
                    "reference": _calls(
                        lambda event: hello_handler(event, None), iter([hello_envelope(user_id(i)) for i in people])
                    ),
                    "subject": _calls(
                        lambda event: invoke(skill, event), iter([triage_envelope(user_id(i)) for i in people])
                    ),
                    "hello_world_same_slots": _calls(
                        lambda event: hello_handler(event, None),
                        iter([hello_envelope(user_id(i), with_slots=True) for i in people]),
                    ),
                    "subject_memory_store": _calls(
                        lambda event: invoke(memory_skill, event), iter([triage_envelope(user_id(i)) for i in people])
                    ),
                    # Reading the triage envelope alone: ask-sdk's way (JSON text) and the skill's (parsed event).
                    "envelope_default_serializer": _calls(
                        lambda event: default_serializer.deserialize(json.dumps(event), RequestEnvelope),
                        iter([triage_envelope(user_id(i)) for i in people]),
                    ),
                    "envelope_cached_plan_serializer": _calls(
                        lambda event: SERIALIZER.deserialize_data(event, RequestEnvelope),
                        iter([triage_envelope(user_id(i)) for i in people]),
                    ),
                },
                runs=runs,
                warmup=warmup,
            )
            # The same turn as for a description no earlier one matched: the memos emptied first.
            memos_emptied = compare_with_memos_emptied(
                _calls(lambda event: hello_handler(event, None), iter([hello_envelope(user_id(i)) for i in people])),
                _calls(lambda event: invoke(skill, event), iter([triage_envelope(user_id(i)) for i in cold_people])),
                runs,
                warmup,
            )
            commit = commit_cost(store, "callbacks", runs=max(5, runs // 10))
        finally:
            store.close()
    return {
        "name": "Alexa warm turn (DescribeSymptomIntent, SQLite read+write) vs hello world",
        "unit": "ms",
        **compare(timings),
        "target": WARM_TARGET,
        "diagnosis": diagnosis(
            timings,
            (
                "hello_world_same_slots",
                "subject_memory_store",
                "envelope_default_serializer",
                "envelope_cached_plan_serializer",
            ),
        ),
        "memos_emptied": memos_emptied,
        "serializer": f"{type(SERIALIZER).__module__}.{type(SERIALIZER).__name__}",
        "store_calls_per_turn": counting.calls,
        "committed_transactions_per_turn": counting.commits,
        "sqlite_commit_ms": commit,
    }


def _cold_environment(data_dir: Path) -> dict[str, str]:
    return child_environment(
        {
            "CRAMP_MODE": "local",
            "CRAMP_STORE": "sqlite",
            "CRAMP_DATA_DIR": str(data_dir),
            "CRAMP_ALEXA_SKILL_ID": SKILL_ID,
            "CRAMP_HASH_SALT": SALT,
        }
    )


def cold(runs: int = 7) -> dict[str, Any]:
    """Fresh interpreter to first response: skill.lambda_function (SQLite) vs the hello-world module."""
    if runs < 1:
        raise ValueError("cold needs at least one run")
    with tempfile.TemporaryDirectory(prefix="bench-alexa-cold-") as folder:
        env = _cold_environment(Path(folder))
        # A new person each run, so no run sees the episodes the earlier ones saved.
        people = itertools.count()
        reference_event = json.dumps(hello_envelope(user_id(0)))

        def subject() -> ChildRun:
            run = timed_child(CHILD_SUBJECT, env=env, args=[json.dumps(triage_envelope(user_id(next(people))))])
            if "spasm" not in _speech(json.loads(run.stdout)):
                raise RuntimeError("the cold skill did not give its verdict")
            return run

        def hello_world(child: str) -> Callable[[], ChildRun]:
            def run_child() -> ChildRun:
                run = timed_child(child, env=env, args=[reference_event])
                if "<speak>" not in _speech(json.loads(run.stdout)):
                    raise RuntimeError("the cold hello-world skill did not answer")
                return run

            return run_child

        # The first spawn of each writes the bytecode caches (and the SQLite file): not a cold start to count.
        timings = interleave_children(
            {
                "reference": hello_world(CHILD_REFERENCE),
                "subject": subject,
                "hello_world_with_jinja2": hello_world(CHILD_REFERENCE_WITH_JINJA2),
            },
            runs=runs,
            warmup=1,
        )
        phases = {}
        for role, module, make in (
            ("subject", "skill.lambda_function", triage_envelope),
            ("reference", "bench.hello_world_skill", hello_envelope),
        ):
            profiled = []
            for _ in range(PHASE_RUNS):
                events = [json.dumps(make(user_id(next(people)))) for _ in range(2)]
                out, imports = profiled_child(CHILD_PHASES.format(module=module), env=env, args=events)
                seconds = json.loads(out)
                profiled.append((sum(seconds.values()), seconds, imports))
            # The run with the median total: one noisy spawn on a shared machine says little on its own.
            _, seconds, imports = sorted(profiled, key=lambda run: run[0])[len(profiled) // 2]
            phases[role] = {phase: round(value * 1e3, 1) for phase, value in seconds.items()}
            phases[role]["heaviest_imports_ms"] = imports
    return {
        "name": "Alexa cold start (fresh interpreter -> first response) vs hello world",
        "unit": "ms",
        **compare(timings),
        "target": COLD_TARGET,
        "diagnosis": diagnosis(timings, ("hello_world_with_jinja2",)),
        "phases_ms": phases,
    }


if __name__ == "__main__":
    json.dump({"warm": warm(runs=50, warmup=5), "cold": cold(runs=3)}, sys.stdout, indent=2)
