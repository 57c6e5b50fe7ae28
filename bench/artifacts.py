"""Deployed artifacts: each Lambda function's zip size, and its cold start and import time from the unzipped zip.

The working tree is packaged by the real tool (`osls package`, as serverless.yml and deploy/ define it, like
`make package`) in a copy under build/bench/package/, so a stale .serverless/ is never measured. The build is
reused while the packaged inputs (code, content, pyproject, serverless.yml, deploy/, the node lock file) hash
the same; only a change repackages (a few minutes, mostly pip).

Import time: the zips hold aarch64 / CPython 3.12 extension modules, which cannot load on this machine. As
tests/deploy/test_lambda_emulation.py does, each unzipped folder has its platform-specific distributions
(`Root-Is-Purelib: false`) swapped for the same versions built for this machine; our code, the pure-Python
dependencies and the layout stay as deployed. A fresh `python -I -S` then sees only the standard library,
that folder (Lambda's /var/task) and a stand-in for the runtime's own boto3 (/var/runtime). The handler
module is timed against what its reference imports, from the same folder: ask-sdk-core's skill builder (the
hello-world skill) for the Alexa zip, Flask plus twilio's validator and TwiML (the quickstart bot) for the
SMS zip. Both run with `-B`, as on Lambda's read-only /var/task. It is timed twice: as shipped (with the
CPython 3.12 bytecode deploy/bytecode.py puts in the zip; the hello-world module beside it is compiled the same
way), and without any bytecode (every `__pycache__` removed: what every cold start compiled before the zips
carried it). For the Alexa zip the headline is the cold start, import + first triage answer, against the
hello-world skill answering from the same folder, with the Jinja2 floor (hello world that imports jinja2 too),
the same cold start without what deploy/prebuild.py adds (the content parsed from YAML, the templates compiled
by the first answer), and its steps timed one by one, all in one alternation.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import py_compile
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.stats import (
    ROOT,
    ChildRun,
    child_environment,
    compare,
    diagnosis,
    interleave_children,
    ratio,
    spread,
    timed_child,
)
from deploy.local_task import swap_compiled_distributions, unzip

CACHE = ROOT / "build" / "bench" / "package"
OSLS = ROOT / "node_modules" / ".bin" / "osls"
# The project's zip budget (tests/deploy): well inside Lambda's 50 MB, with the bytecode that saves compiling.
SIZE_TARGET_MB = 25.0
PACKAGE_TIMEOUT_S = 900
SKILL_ID = "amzn1.ask.skill.00000000-bench-4c7e-b5f6-0a1b2c3d4e5f"
SMS_FROM = "+15550100100"
# What the Lambda Python runtime itself provides (/var/runtime); serverless.yml deliberately does not ship them.
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")
# Everything osls reads to build the zips; a change in any of them means the cached build is stale.
PACKAGED_INPUTS = (
    "shared",
    "skill",
    "sms",
    "deploy",
    "pyproject.toml",
    "serverless.yml",
    "package.json",
    "package-lock.json",
)
# Per handler module: what the reference app imports (from the same unzipped folder).
REFERENCE_IMPORTS = {
    "skill.lambda_function": ("ask_sdk_core.skill_builder",),
    "sms.lambda_function": ("flask", "twilio.request_validator", "twilio.twiml.messaging_response"),
    # The staff inbox: the least a Flask app behind the HTTP API needs (the framework and its event adapter).
    "staff.lambda_function": ("flask", "apig_wsgi"),
}


class ImportFailed(RuntimeError):
    """A module could not be imported from the unzipped zip alone, as Lambda would have to."""


@dataclass(frozen=True)
class Build:
    """One packaging of the working tree: its folder and the serverless state that names the zips."""

    root: Path

    def state(self) -> dict[str, Any]:
        """serverless-state.json: every function's handler and artifact."""
        return json.loads((self.root / ".serverless" / "serverless-state.json").read_text(encoding="utf-8"))

    def functions(self) -> dict[str, tuple[str, Path]]:
        """Function name -> (handler module, zip path)."""
        found = {}
        for name, function in self.state()["service"]["functions"].items():
            module = function["handler"].rsplit(".", 1)[0].replace("/", ".")
            found[name] = (module, self.root / function["package"]["artifact"])
        return found


def packaged_files() -> list[str]:
    """The files a fresh clone would hold (tracked, or new and not ignored), relative to the root."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    return sorted(path for path in listed.split("\0") if path and (ROOT / path).is_file())


def inputs_digest(files: list[str]) -> str:
    """SHA-256 over the path and content of every packaged input."""
    digest = hashlib.sha256()
    for relative in files:
        if relative.split("/", 1)[0] in PACKAGED_INPUTS or relative in PACKAGED_INPUTS:
            digest.update(relative.encode() + b"\0" + (ROOT / relative).read_bytes() + b"\0")
    return digest.hexdigest()


def _start_package(files: list[str], digest: str) -> subprocess.Popen | None:
    """Start `osls package` in a fresh copy of the tree, unless the cached build matches the digest."""
    folder = CACHE / "lambda"
    stamp = folder / "inputs.sha256"
    if stamp.is_file() and stamp.read_text().strip() == digest and (folder / ".serverless").is_dir():
        return None
    if not OSLS.exists():
        raise RuntimeError("node_modules/.bin/osls is missing: run `make node`")
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for relative in files:
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / relative, target)
    (folder / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "CRAMP_"))}
    env.update(
        AWS_ACCESS_KEY_ID="x",
        AWS_SECRET_ACCESS_KEY="y",  # a dummy: osls only checks that some credentials exist
        SLS_TELEMETRY_DISABLED="1",
        SLS_NOTIFICATIONS_MODE="off",
    )
    command = [
        str(OSLS),
        "package",
        "--stage",
        "dev",
        "--region",
        "us-east-1",
        f"--param=alexaSkillId={SKILL_ID}",
        f"--param=smsFromNumber={SMS_FROM}",
    ]
    with (CACHE / "lambda.log").open("wb") as log:
        return subprocess.Popen(command, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)


def package() -> Build:
    """Package the working tree as it deploys, reusing the last build while its inputs are unchanged."""
    files = packaged_files()
    digest = inputs_digest(files)
    CACHE.mkdir(parents=True, exist_ok=True)
    process = _start_package(files, digest)
    if process is not None:
        print("bench: packaging the working tree with osls (only after a change; a few minutes)", flush=True)
        try:
            code = process.wait(timeout=PACKAGE_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            raise RuntimeError(f"osls package took over {PACKAGE_TIMEOUT_S} s") from None
        if code != 0:
            tail = (CACHE / "lambda.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"osls package exited {code}:\n{tail}")
        (CACHE / "lambda" / "inputs.sha256").write_text(digest + "\n")
    return Build(CACHE / "lambda")


def loadable_task(artifact: Path, cache: Path) -> tuple[Path, tuple[str, ...]]:
    """The zip unzipped with its compiled distributions swapped for this machine, cached by the zip's hash."""
    digest = hashlib.sha256(artifact.read_bytes()).hexdigest()[:16]
    folder = cache / digest
    stamp = folder / ".swapped"
    if stamp.is_file():
        return folder / "task", tuple(filter(None, stamp.read_text().splitlines()))
    if folder.exists():
        shutil.rmtree(folder)
    task = unzip(artifact, folder / "task")
    swapped = swap_compiled_distributions(task)
    stamp.write_text("\n".join(swapped) + "\n")
    return task, swapped


def shipped_bytecode(artifact: Path) -> int:
    """How many CPython 3.12 .pyc files the zip carries."""
    with zipfile.ZipFile(artifact) as archive:
        return sum(name.endswith(".cpython-312.pyc") for name in archive.namelist())


def runtime_stand_in(folder: Path) -> Path:
    """Lambda's /var/runtime stand-in: boto3 and its dependencies, linked from this virtualenv."""
    for name in RUNTIME_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.origin:
            raise RuntimeError(f"{name} is not installed here; the Lambda runtime would provide it")
        origin = Path(spec.origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        (folder / source.name).symlink_to(source, target_is_directory=source.is_dir())
    return folder


def _import_child(
    modules: tuple[str, ...],
    paths: list[Path],
    *,
    event: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
) -> ChildRun:
    """Time importing `modules` in `python -I -S` over only `paths` (+ the standard library).

    With an event, the timing also covers the last module's `lambda_handler` answering it (a cold start);
    the answer is the child's third output line.
    """
    request = "answer = lambda_handler(json.loads(sys.argv[1]), None)\n" if event is not None else ""
    handler = f"from {modules[-1]} import lambda_handler\n" if event is not None else ""
    code = (
        "import json, sys, time\n"
        f"paths = {[str(path) for path in paths]!r}\n"
        "sys.path[:0] = paths\n"
        "started, cpu_started = time.perf_counter(), time.process_time()\n"
        + "".join(f"import {module}\n" for module in modules)
        + handler
        + request
        + "cpu, elapsed = time.process_time() - cpu_started, time.perf_counter() - started\n"
        "import sysconfig\n"
        "allowed = tuple(paths) + (sysconfig.get_paths()['stdlib'], sysconfig.get_paths()['platstdlib'])\n"
        "outside = {n.split('.')[0] for n, m in list(sys.modules.items())\n"
        "           if getattr(m, '__file__', None) and not m.__file__.startswith(allowed)}\n"
        "print(elapsed, cpu)\n"
        "print(','.join(sorted(outside)))\n"
        + ("print(json.dumps(answer))\n" if event is not None else "")
    )
    # -B: /var/task is read-only, so nothing compiled at one cold start helps the next.
    flags = ["-I", "-S", "-B"]
    environment = child_environment({"AWS_DEFAULT_REGION": "us-east-1", **(env or {})})
    args = [json.dumps(event)] if event is not None else []
    try:
        run = timed_child(code, env=environment, args=args, cwd=paths[0], flags=flags)
    except RuntimeError as failure:
        last = str(failure).strip().splitlines()[-1]
        raise ImportFailed(f"importing {', '.join(modules)} from the unzipped zip failed: {last}") from failure
    lines = run.stdout.splitlines()
    if len(lines) != (3 if event is not None else 2) or lines[1]:
        raise ImportFailed(f"importing {', '.join(modules)} loaded modules from outside the zip: {lines[1:2]}")
    # Both measured inside the child (interpreter start-up left out).
    wall, cpu = (float(value) for value in lines[0].split())
    return ChildRun(wall=wall, cpu=cpu, stdout=run.stdout)


def _import_times(task: Path, runtime: Path, module: str, runs: int) -> dict[str, Any]:
    reference = REFERENCE_IMPORTS[module]
    timings = interleave_children(
        {
            "reference": lambda: _import_child(reference, [task, runtime]),
            "subject": lambda: _import_child((module,), [task, runtime]),
        },
        runs=runs,
        warmup=1,
    )
    return {"reference_modules": list(reference), **compare(timings)}


def hello_world_beside(task: Path) -> Path:
    """The ask-sdk hello-world skill deployed from the same folder: its module beside it, compiled as ours are."""
    hello = task.parent / "hello-world"
    hello.mkdir(exist_ok=True)
    module = shutil.copy2(ROOT / "bench" / "hello_world_skill.py", hello / "hello_world_skill.py")
    py_compile.compile(str(module), invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH, doraise=True)
    return hello


def strip_bytecode(*folders: Path) -> None:
    """Remove every __pycache__ folder: the folders as a zip without bytecode would unzip."""
    for folder in folders:
        for cache in sorted(folder.rglob("__pycache__"), reverse=True):
            shutil.rmtree(cache)


def without_prebuilt(task: Path, destination: Path) -> Path:
    """A copy of the unzipped folder without what deploy/prebuild.py adds (the loaded content saved whole and
    the compiled templates): the zip as it shipped before, its bytecode kept."""

    def prebuilt(folder: str, names: list[str]) -> list[str]:
        in_shared = Path(folder).name == "shared"
        return [name for name in names if in_shared and name in ("content.pickle", "compiled_templates")]

    return Path(shutil.copytree(task, destination, symlinks=True, ignore=prebuilt))


# The same cold start, each step timed (its steps follow skill/lambda_function.py; importing jinja2 and building the
# skill first only moves that work out of the first answer, so the total is the same work).
STEPS_CHILD = """
import json, sys, time
sys.path[:0] = json.loads(sys.argv[2])
clock, cpu_started = time.perf_counter, time.process_time()
marks = [clock()]
import skill.lambda_function as entry
marks.append(clock())
import jinja2
marks.append(clock())
entry.cold_start_skill()
marks.append(clock())
answer = entry.lambda_handler(json.loads(sys.argv[1]), None)
marks.append(clock())
print(json.dumps({"seconds": [b - a for a, b in zip(marks, marks[1:])], "cpu": time.process_time() - cpu_started,
                  "yaml": "yaml" in sys.modules,
                  "compiled_templates": any(name.startswith("_jinja2_module_templates_") for name in sys.modules)}))
"""
STEPS = ("import skill.lambda_function", "import jinja2", "settings, store and content (cold_start_skill)",
         "first answer")


def _alexa_env() -> dict[str, str]:
    from bench import alexa

    # No DynamoDB here: the memory store stands in (the deployed store would add the boto3 import).
    return {"CRAMP_STORE": "memory", "CRAMP_ALEXA_SKILL_ID": alexa.SKILL_ID, "CRAMP_HASH_SALT": alexa.SALT}


def _cold_starts(
    task: Path, hello: Path, runtime: Path, runs: int, before_prebuild: Path | None = None
) -> dict[str, Any]:
    """The Alexa zip's handler importing and answering its first triage request, vs the hello-world skill from
    the same folder answering HelloWorldIntent, and hello world importing jinja2 too (the floor for any skill
    that renders its speech with Jinja2). With `before_prebuild`, in the same alternation, the same cold start
    from that folder, and from the task with each of its steps timed ("steps": the p50 of each, in ms)."""
    from bench import alexa

    env = _alexa_env()
    steps: list[dict[str, Any]] = []

    def in_steps() -> ChildRun:
        event = json.dumps(alexa.triage_envelope(alexa.user_id(0)))
        run = timed_child(STEPS_CHILD, env=child_environment({"AWS_DEFAULT_REGION": "us-east-1", **env}),
                          args=[event, json.dumps([str(task), str(runtime)])], cwd=task, flags=["-I", "-S", "-B"])
        found = json.loads(run.stdout.splitlines()[-1])
        steps.append(found)
        return ChildRun(wall=sum(found["seconds"]), cpu=found["cpu"], stdout=run.stdout)

    def answering_from(folder: Path) -> Callable[[], ChildRun]:
        def subject() -> ChildRun:
            event = alexa.triage_envelope(alexa.user_id(0))
            run = _import_child(("skill.lambda_function",), [folder, runtime], event=event, env=env)
            if "spasm" not in run.stdout.splitlines()[2]:
                raise ImportFailed("the Alexa zip's first triage answer gave no verdict")
            return run

        return subject

    subject = answering_from(task)

    def hello_world(modules: tuple[str, ...]) -> Callable[[], ChildRun]:
        def reference() -> ChildRun:
            event = alexa.hello_envelope(alexa.user_id(0))
            run = _import_child(modules, [task, hello, runtime], event=event, env=env)
            if "Hello World" not in run.stdout.splitlines()[2]:
                raise ImportFailed("the hello-world skill from the Alexa zip did not answer")
            return run

        return reference

    candidates = {
        "reference": hello_world(("hello_world_skill",)),
        "subject": subject,
        "hello_world_with_jinja2": hello_world(("jinja2", "hello_world_skill")),
    }
    if before_prebuild is not None:
        candidates["subject_without_prebuilt"] = answering_from(before_prebuild)
        candidates["subject_in_steps"] = in_steps
    timings = interleave_children(candidates, runs=runs, warmup=1)
    extra = diagnosis(timings, [name for name in candidates if name not in ("reference", "subject")])
    result = {**compare(timings), "target": alexa.COLD_TARGET, "diagnosis": extra}
    if steps:
        measured = steps[1:]  # the first run is the warm-up
        result["steps"] = {
            "ms": {step: spread([run["seconds"][index] * 1e3 for run in measured])["p50"]
                   for index, step in enumerate(STEPS)},
            "yaml_imported": any(run["yaml"] for run in measured),
            "compiled_templates_loaded": all(run["compiled_templates"] for run in measured),
        }
    return result


def measure(build: Build, runs: int = 5, cache: Path = CACHE / "tasks") -> dict[str, Any]:
    """Each function's zip size, and its handler module's import time from the unzipped zip.

    Unzipped, swapped folders are kept under `cache` for the next run; those of older zips are removed.
    """
    functions = build.functions()
    sizes = {}
    for name, (module, artifact) in functions.items():
        parts: dict[str, int] = {}
        with zipfile.ZipFile(artifact) as archive:
            unzipped = sum(member.file_size for member in archive.infolist())
            for member in archive.infolist():
                top = member.filename.split("/")[0]
                top = "*.dist-info" if top.endswith(".dist-info") else top
                parts[top] = parts.get(top, 0) + member.compress_size
        size_mb = artifact.stat().st_size / 1e6
        largest = sorted(parts.items(), key=lambda item: item[1], reverse=True)[:6]
        sizes[name] = {
            "handler_module": module,
            "zip_mb": round(size_mb, 2),
            "unzipped_mb": round(unzipped / 1e6, 2),
            "ratio_to_target": ratio(size_mb, SIZE_TARGET_MB),
            "target_mb": SIZE_TARGET_MB,
            "largest_parts_mb": {name: round(size / 1e6, 2) for name, size in largest},
        }
    imports: dict[str, Any] = {}
    seen: dict[str, str] = {}
    used: set[Path] = set()
    with tempfile.TemporaryDirectory(prefix="bench-artifacts-") as scratch:
        runtime = Path(scratch) / "var-runtime"
        runtime.mkdir()
        runtime_stand_in(runtime)
        for name, (module, artifact) in functions.items():
            digest = hashlib.sha256(artifact.read_bytes()).hexdigest()
            if digest in seen:
                imports[name] = {"same_zip_as": seen[digest]}
                continue
            seen[digest] = name
            cached, swapped = loadable_task(artifact, cache)
            used.add(cached.parent)
            # A scratch copy: the second timing removes the bytecode, which the cached folder keeps for next time.
            task = Path(scratch) / name
            shutil.copytree(cached, task, symlinks=True)
            alexa = module == "skill.lambda_function"
            hello = hello_world_beside(task) if alexa else None
            try:
                shipped = _import_times(task, runtime, module, runs)
            except ImportFailed as failure:
                # A zip whose handler cannot be imported would fail every request: report it, keep measuring.
                imports[name] = {"handler_module": module, "error": str(failure)}
                continue
            cold = None
            if hello is not None:
                before = without_prebuilt(task, Path(scratch) / f"{name}-before-prebuild")
                cold = {"as_shipped": _cold_starts(task, hello, runtime, runs, before_prebuild=before)}
                shutil.rmtree(before)
            strip_bytecode(task, *([hello] if hello is not None else []))
            imports[name] = {
                "handler_module": module,
                "swapped_for_this_machine": list(swapped),
                "bytecode_shipped": shipped_bytecode(artifact),
                "as_shipped": shipped,
                "without_bytecode": _import_times(task, runtime, module, runs),
            }
            if cold is not None:
                cold["without_bytecode"] = _cold_starts(task, hello, runtime, runs)
                imports[name]["cold_start"] = cold
    for stale in set(cache.iterdir()) - used if cache.is_dir() else ():
        shutil.rmtree(stale)
    return {"sizes": sizes, "imports": imports}


def run(runs: int = 5) -> dict[str, Any]:
    """Package (or reuse the cached package) and measure."""
    return measure(package(), runs=runs)


if __name__ == "__main__":
    json.dump(run(runs=2), sys.stdout, indent=2)
