"""A deployed function zip made runnable on this machine, for the Lambda emulation tests and the benchmarks.

The zips hold arm64 wheels that an x86-64 machine cannot load. `unzip` extracts a zip as Lambda does into
/var/task; `swap_compiled_distributions` reinstalls only the platform-specific distributions at the same
versions for this machine, so every other file stays the one that deploys.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path


def unzip(artifact: Path, destination: Path) -> Path:
    """Extract a function zip the way Lambda does into /var/task, keeping file modes."""
    with zipfile.ZipFile(artifact) as archive:
        for member in archive.infolist():
            archive.extract(member, destination)
            mode = member.external_attr >> 16
            if mode:
                (destination / member.filename).chmod(mode & 0o777)
    return destination


def swap_compiled_distributions(folder: Path) -> tuple[str, ...]:
    """Reinstall each platform-specific distribution in `folder` at the same version for this machine.

    pip compiles what it installs, as the deployed zip's own modules come compiled (deploy/bytecode.py).
    """
    root = folder.resolve()
    swapped = []
    emptied = set()
    for wheel in sorted(root.glob("*.dist-info/WHEEL")):
        if "Root-Is-Purelib: false" not in wheel.read_text(encoding="utf-8"):
            continue
        dist_info = wheel.parent
        metadata = Parser().parsestr((dist_info / "METADATA").read_text(encoding="utf-8"))
        with (dist_info / "RECORD").open(encoding="utf-8", newline="") as record:
            listed = [(root / row[0]).resolve() for row in csv.reader(record) if row]
        for path in listed:
            # RECORD also names console scripts pip put in ../../bin: outside the zip, never touched.
            if path.is_relative_to(root):
                path.unlink(missing_ok=True)
                if path.suffix == ".py":
                    # Its shipped bytecode too (deploy/bytecode.py adds it after the wheel's RECORD was written).
                    Path(importlib.util.cache_from_source(str(path))).unlink(missing_ok=True)
                emptied.add(root / path.relative_to(root).parts[0])
        swapped.append(f"{metadata['Name']}=={metadata['Version']}")
    # pip --target skips a package whose folder exists, even empty: remove emptied folders, deepest first.
    for top in emptied:
        for current, _folders, _files in os.walk(top, topdown=False):
            if not os.listdir(current):
                os.rmdir(current)
    if swapped:
        subprocess.run(  # noqa: S603 - fixed command line
            [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps"]
            + ["--only-binary=:all:", "--target", str(root), *swapped],
            check=True,
            capture_output=True,
            timeout=600,
        )
    return tuple(swapped)
