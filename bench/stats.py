"""Small shared helpers for the benchmarks: interleaved timing, percentiles, spread and the machine."""

from __future__ import annotations

import gc
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The project root: subprocesses run from here so `shared`, `skill`, `sms` and `bench` import as in the repo.
ROOT = Path(__file__).resolve().parents[1]


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between the closest ranks."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} outside 0-100")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def spread(values: Sequence[float]) -> dict[str, float | int]:
    """Runs, p50/p90/p99, quartiles, IQR, min and max of one series (same unit as the values)."""
    q1, q3 = percentile(values, 25), percentile(values, 75)
    return {
        "runs": len(values),
        "p50": percentile(values, 50),
        "p90": percentile(values, 90),
        "p99": percentile(values, 99),
        "q1": q1,
        "q3": q3,
        "iqr": q3 - q1,
        "min": min(values),
        "max": max(values),
    }


def ratio(subject: float, reference: float) -> float:
    """subject / reference; infinite when the reference took no measurable time."""
    return subject / reference if reference > 0 else float("inf")


def interleave(
    candidates: Mapping[str, Callable[[], Any]], runs: int, warmup: int = 0, *, rounds_per_collect: int = 50
) -> dict[str, dict[str, list[float]]]:
    """Time each candidate `runs` times in alternation (A B, then B A, ...) so drifting noise hits both.

    Returns, by name, "wall" and "cpu" seconds per call. Wall time is the latency a caller sees,
    including waits for the disk and for a CPU when other processes compete; CPU time (this thread's)
    is the work itself, which other processes cannot inflate. Warm-up calls are made in the same
    alternation and dropped. The garbage collector stays on (a real request pays for it) but is emptied
    every few rounds, outside the timed calls.
    """
    names = list(candidates)
    timings: dict[str, dict[str, list[float]]] = {name: {"wall": [], "cpu": []} for name in names}
    wall_clock, cpu_clock = time.perf_counter, time.thread_time
    for index in range(warmup + runs):
        if index % rounds_per_collect == 0:
            gc.collect()
        order = names if index % 2 == 0 else names[::-1]
        for name in order:
            call = candidates[name]
            wall_started, cpu_started = wall_clock(), cpu_clock()
            call()
            cpu, wall = cpu_clock() - cpu_started, wall_clock() - wall_started
            if index >= warmup:
                timings[name]["wall"].append(wall)
                timings[name]["cpu"].append(cpu)
    return timings


def interleave_children(
    candidates: Mapping[str, Callable[[], ChildRun]], runs: int, warmup: int = 0
) -> dict[str, dict[str, list[float]]]:
    """Like interleave, for candidates that each start a fresh interpreter: the child's own wall and CPU."""
    names = list(candidates)
    timings: dict[str, dict[str, list[float]]] = {name: {"wall": [], "cpu": []} for name in names}
    for index in range(warmup + runs):
        for name in names if index % 2 == 0 else names[::-1]:
            run = candidates[name]()
            if index >= warmup:
                timings[name]["wall"].append(run.wall)
                timings[name]["cpu"].append(run.cpu)
    return timings


def compare(timings: dict[str, dict[str, list[float]]], scale: float = 1e3) -> dict[str, Any]:
    """Spread of wall and CPU time for "reference" and "subject", and the ratios of their medians."""
    result: dict[str, Any] = {}
    for role in ("reference", "subject"):
        result[role] = {kind: spread([value * scale for value in timings[role][kind]]) for kind in ("wall", "cpu")}
    result["ratio"] = ratio(result["subject"]["wall"]["p50"], result["reference"]["wall"]["p50"])
    result["cpu_ratio"] = ratio(result["subject"]["cpu"]["p50"], result["reference"]["cpu"]["p50"])
    return result


def diagnosis(timings: dict[str, dict[str, list[float]]], names: Sequence[str], scale: float = 1e3) -> dict[str, Any]:
    """Wall and CPU spread of extra candidates timed beside a comparison (to say where a gap comes from)."""
    return {name: {kind: spread([value * scale for value in timings[name][kind]]) for kind in ("wall", "cpu")}
            for name in names}


def cpu_model() -> str:
    """The CPU model name as the kernel reports it (falls back to the platform's processor string)."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    """What ran the benchmark: CPU model, cores this process may use, load, OS and Python."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        load = [round(value, 2) for value in os.getloadavg()]
    except OSError:
        load = []
    return {
        "cpu": cpu_model(),
        "cores": cores,
        "arch": platform.machine(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "load_average_at_start": load,
    }


@dataclass(frozen=True)
class ChildRun:
    """One fresh interpreter: wall seconds from spawn to exit, its CPU seconds (user + system), its output."""

    wall: float
    cpu: float
    stdout: str


def child_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A clean environment for a timed subprocess: PATH, HOME and locale only, plus `extra`."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TZ") if key in os.environ}
    env.setdefault("LANG", "C.UTF-8")
    env.update(extra or {})
    return env


def timed_child(
    code: str,
    *,
    env: Mapping[str, str],
    args: Sequence[str] = (),
    cwd: Path = ROOT,
    python: str = sys.executable,
    flags: Sequence[str] = (),
) -> ChildRun:
    """Run `python <flags> -c code <args>` in a fresh interpreter: wall seconds from spawn to exit, CPU, stdout.

    The wall time covers the interpreter's own start, every import and the first request: what a
    cold container pays before it can answer.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    completed = subprocess.run(
        [python, *flags, "-c", code, *args], cwd=cwd, env=dict(env), capture_output=True, text=True, timeout=120
    )
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if completed.returncode != 0:
        raise RuntimeError(f"benchmark child failed ({completed.returncode}):\n{completed.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return ChildRun(wall=elapsed, cpu=cpu, stdout=completed.stdout)


class CountingStore:
    """Wraps a state store and counts its calls by method, to say how many reads and writes a turn makes.

    `commits` counts the write transactions the backend commits: each write made outside a transaction
    is its own, and a transaction (however many writes it holds) is one if it writes at all.
    """

    _WRITES = ("put", "claim", "delete")

    def __init__(self, store: Any) -> None:
        self._store = store
        self.calls: dict[str, int] = {}
        self.commits = 0
        self._atomic_depth = 0
        self._wrote = False

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._store, name)
        if name == "transaction":
            return self._transaction
        if name not in ("get", "get_many", "put", "claim", "delete", "scan") or not callable(attribute):
            return attribute

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] = self.calls.get(name, 0) + 1
            if name in self._WRITES:
                if self._atomic_depth:
                    self._wrote = True
                else:
                    self.commits += 1
            return attribute(*args, **kwargs)

        return counted

    @contextmanager
    def _transaction(self) -> Iterator[bool]:
        self.calls["transaction"] = self.calls.get("transaction", 0) + 1
        with self._store.transaction() as atomic:
            if not atomic or self._atomic_depth:
                yield atomic
                return
            self._atomic_depth, self._wrote = 1, False
            try:
                yield atomic
            finally:
                self._atomic_depth = 0
        # Only reached when the transaction committed (an exception skips this line).
        self.commits += 1 if self._wrote else 0


def commit_cost(store: Any, collection: str, runs: int = 30) -> dict[str, float | int]:
    """Wall milliseconds of one store write (a new record, so one committed transaction), as a spread."""
    clock = time.perf_counter
    timings = []
    for index in range(runs):
        started = clock()
        store.put(collection, f"bench-commit-{index}-{time.time_ns()}", {"n": index}, expected_version=0)
        timings.append((clock() - started) * 1e3)
    return spread(timings)
