"""Run the real `osls package` once per session, on a copy of the working tree, and hand out what it built.

The copy holds what a fresh clone would (tracked and new files, nothing ignored), so a developer's
.serverless/ and build/ are never touched and two test runs at once cannot collide.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
OSLS = REPO / "node_modules" / ".bin" / "osls"
CFN_LINT = Path(sys.executable).parent / "cfn-lint"
STAGE = "dev"
REGION = "us-east-1"
SKILL_ID = json.loads((REPO / "tests/fixtures/alexa/launch_request.json").read_text())["session"]["application"][
    "applicationId"
]
SMS_FROM = "+15550100100"
# Secret values put into the packaging environment under the names the app reads them from. serverless.yml
# must never copy them into the template or a zip; the tests scan every built file for them.
PLANTED_SECRETS = {
    "TWILIO_AUTH_TOKEN": "planted-twilio-token-7f3a9c2e51d04b68",
    "TWILIO_ACCOUNT_SID": "AC5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e",
    "CRAMP_HASH_SALT": "planted-hash-salt-0b5e8d1c94a27f36",
    "CRAMP_STAFF_PASSWORD": "planted-staff-password-92c4e7",
}
PACKAGE_TIMEOUT_S = 540


@dataclass
class Build:
    """One `osls package` run in its own copy of the project."""

    name: str
    root: Path
    process: subprocess.Popen
    log: Path
    done: bool = field(default=False)

    def wait(self) -> Build:
        """Wait for the packaging to end; fail the test with the log's tail if it did not succeed."""
        if not self.done:
            try:
                code = self.process.wait(timeout=PACKAGE_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                pytest.fail(f"osls package ({self.name}) took over {PACKAGE_TIMEOUT_S} s")
            if code != 0:
                tail = self.log.read_text(errors="replace")[-4000:]
                pytest.fail(f"osls package ({self.name}) exited {code}:\n{tail}")
            self.done = True
        return self

    @property
    def serverless_dir(self) -> Path:
        """The .serverless output folder."""
        return self.root / ".serverless"

    def template(self) -> dict[str, Any]:
        """The CloudFormation template `osls deploy` would send."""
        return json.loads((self.serverless_dir / "cloudformation-template-update-stack.json").read_text())

    def artifact(self, function: str) -> Path:
        """The zip that deploys as the given function (after serverless-python-requirements rewrote it)."""
        state = json.loads((self.serverless_dir / "serverless-state.json").read_text())
        return self.root / state["service"]["functions"][function]["package"]["artifact"]


def copy_project(destination: Path) -> None:
    """Copy what a fresh clone would hold (tracked and new, not ignored files); link the installed node tools."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for relative in filter(None, listed.split("\0")):
        source = REPO / relative
        if source.is_file():
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    (destination / "node_modules").symlink_to(REPO / "node_modules", target_is_directory=True)


def packaging_environment() -> dict[str, str]:
    """The caller's environment with dummy AWS credentials and the planted secrets."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="x",
        AWS_SECRET_ACCESS_KEY="y",  # noqa: S105 - a dummy: osls only checks that some credentials exist
        SLS_TELEMETRY_DISABLED="1",
        SLS_NOTIFICATIONS_MODE="off",
    )
    env.update(PLANTED_SECRETS)
    return env


def start_package(name: str, base: Path) -> Build:
    """Copy the project under base/name and start `osls package` there (returns at once)."""
    root = base / name
    root.mkdir(parents=True)
    copy_project(root)
    log = base / f"{name}.log"
    command = [
        str(OSLS),
        "package",
        "--verbose",
        "--stage",
        STAGE,
        "--region",
        REGION,
        f"--param=alexaSkillId={SKILL_ID}",
        f"--param=smsFromNumber={SMS_FROM}",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - fixed command line
            command, cwd=root, env=packaging_environment(), stdout=out, stderr=subprocess.STDOUT
        )
    return Build(name=name, root=root, process=process, log=log)


@pytest.fixture(scope="session")
def lambda_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Build]:
    """The deployable package: arm64 wheels for CPython 3.12, built by `osls package`."""
    if not OSLS.exists():
        pytest.fail("node_modules/.bin/osls is missing: run `make node` (npm install)")
    build = start_package("lambda", tmp_path_factory.mktemp("packaging"))
    yield build.wait()
    if build.process.poll() is None:
        build.process.kill()
        build.process.wait()


@pytest.fixture(scope="session")
def template(lambda_build: Build) -> dict[str, Any]:
    """The generated CloudFormation template."""
    return lambda_build.template()
