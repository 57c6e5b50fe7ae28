"""The packaged content, loaded and checked once at packaging and saved whole, so a Lambda cold start reads it back
instead of parsing the YAML, checking every id and compiling the lexicon again.

deploy/prebuild.py calls `write_snapshot` inside each Lambda zip's own files; `load_content()` (the packaged folder
only) calls `read_snapshot` first. A snapshot is used only while the digest of its sources (shared/'s code, the
content files and the templates: everything `load_content` reads or runs) is the one it was written with, so an
edited file is read from its source, never served stale.

It is a pickle, and unpickling runs the code a pickle names: this file is written at packaging into the read-only
zip, beside the very code it names, and is trusted as that code is. Nothing else is ever read as a snapshot.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.content import Content

SHARED_DIR = Path(__file__).parent
SNAPSHOT = SHARED_DIR / "content.pickle"
# What load_content reads or runs; the bytecode, the compiled templates and the snapshot itself are made from them.
SOURCE_SUFFIXES = (".py", ".yaml", ".yml", ".j2")
MADE_FROM_SOURCES = frozenset({"__pycache__", "compiled_templates"})


def sources_digest(root: Path = SHARED_DIR) -> str:
    """The SHA-256 of every source file under `root`, each with its path and length."""
    digest = hashlib.sha256()
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if name not in MADE_FROM_SOURCES)
        for name in sorted(files):
            if name.endswith(SOURCE_SUFFIXES):
                path = os.path.join(folder, name)
                with open(path, "rb") as file:
                    data = file.read()
                digest.update(f"{os.path.relpath(path, root)}\0{len(data)}\0".encode())
                digest.update(data)
    return digest.hexdigest()


def write_snapshot(content: Content, snapshot: Path = SNAPSHOT) -> None:
    """Save the packaged folder's loaded content with the digest of its sources (packaging only)."""
    digest = sources_digest(snapshot.parent).encode()
    snapshot.write_bytes(digest + b"\n" + pickle.dumps(content, protocol=pickle.HIGHEST_PROTOCOL))


def read_snapshot(snapshot: Path = SNAPSHOT) -> Content | None:
    """The content saved at packaging, or None when there is none or its sources have changed since."""
    try:
        data = snapshot.read_bytes()
    except FileNotFoundError:
        return None
    digest, _, saved = data.partition(b"\n")
    if digest.decode("ascii", "replace") != sources_digest(snapshot.parent):
        return None
    return pickle.loads(saved)  # noqa: S301 - written at packaging into the read-only zip (see above)
