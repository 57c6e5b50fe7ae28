"""An outside client: the npm simulator virtual-alexa drives POST /alexa on a loopback port with the
project's own en-US interaction model, for natural utterances, and every reply is checked.

virtual-alexa cannot sign requests (known-traps item 5), so the endpoint runs with the local-simulator
switch, which only skips the signature and certificate checks and only on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from ask_sdk_core.skill import CustomSkill

from server.alexa_endpoint import AlexaWebApp
from shared.config import Settings
from tests.skill.alexa_device import SKILL_ID
from tests.skill.wsgi_server import serve

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCRIPT = HERE / "virtual_alexa_replies.js"
UTTERANCES = json.loads((HERE / "virtual_alexa_utterances.json").read_text(encoding="utf-8"))["conversations"]
MIN_UTTERANCES = 25


def _plain(ssml: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", ssml))).strip()


@pytest.fixture(scope="module")
def node() -> str:
    """The node binary and the installed simulator (`make node` installs it)."""
    binary = shutil.which("node")
    if binary is None or not (ROOT / "node_modules" / "virtual-alexa").is_dir():
        pytest.fail("virtual-alexa needs node and node_modules (run `make node`)")
    return binary


@pytest.fixture
def replies(node: str, skill_settings: Settings, skill: CustomSkill, tmp_path: Path) -> list[list[dict]]:
    """Every conversation's replies, as virtual-alexa received them over HTTP."""
    settings = dataclasses.replace(skill_settings, alexa_local_simulator=True)
    app = AlexaWebApp(settings, skill)
    with serve(app) as base:
        plan = {
            "url": base + "/alexa",
            "model": str(ROOT / "interaction_models" / "en-US.json"),
            "locale": "en-US",
            "applicationId": SKILL_ID,
            "conversations": [[{k: v for k, v in step.items() if k in ("utter", "launch", "intend")}
                               for step in conversation] for conversation in UTTERANCES],
        }
        plan_path = tmp_path / "plan.json"
        plan_path.write_text(json.dumps(plan), encoding="utf-8")
        result = subprocess.run([node, str(SCRIPT), str(plan_path)], cwd=ROOT, capture_output=True, text=True,
                                timeout=180, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_virtual_alexa_plan_has_at_least_25_natural_utterances() -> None:
    utterances = [step["utter"] for conversation in UTTERANCES for step in conversation if "utter" in step]

    assert len(utterances) >= MIN_UTTERANCES
    assert len(set(utterances)) >= 20, "mostly different phrasings, not the same one repeated"


def test_virtual_alexa_every_reply_says_what_the_plan_expects(replies: list[list[dict]]) -> None:
    problems = []
    for conversation, answered in zip(UTTERANCES, replies, strict=True):
        for step, reply in zip(conversation, answered, strict=True):
            said = step.get("utter") or step.get("intend") or "launch"
            if "error" in reply:
                problems.append(f"{said!r}: {reply['error']}")
                continue
            speech = _plain(reply["speech"])
            missing = [text for text in step["expect"] if text not in speech]
            if missing:
                problems.append(f"{said!r}: missing {missing} in {speech!r}")
            if reply["endSession"] != step["end"]:
                problems.append(f"{said!r}: session end {reply['endSession']}, expected {step['end']}")
            if not step["end"] and not reply["reprompt"]:
                problems.append(f"{said!r}: open session without a reprompt")
            if "card" in step and step["card"] not in ((reply["card"] or {}).get("content") or ""):
                problems.append(f"{said!r}: card lacks {step['card']!r}")

    assert not problems, "\n".join(problems)
