"""The content's version: a short hash of every content file and template, so a callback request or a log line can
say which content gave which advice, and the clinic can see whether what it signed off is what runs.

clinic.yaml records the last sign-off (`sign_off`: who, when, which version); that block is left out of the hash, so
recording a sign-off does not change the version it records.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

# The first 12 hex digits of a SHA-256: short enough to read out or type, long enough never to collide in practice.
VERSION_LENGTH = 12
SIGN_OFF = "sign_off"
CONTENT_SUFFIXES = (".yaml", ".yml")
TEMPLATE_SUFFIX = ".j2"


def _files(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file() and path.name.endswith(suffixes))


def version_of(content_dir: Path, template_dirs: Iterable[Path], clinic: dict[str, Any]) -> str:
    """The version of the content in `content_dir` with these template folders (most specific first)."""
    digest = hashlib.sha256()
    for path in _files(content_dir, CONTENT_SUFFIXES):
        name = path.relative_to(content_dir).as_posix()
        if name == "clinic.yaml":
            # The parsed profile without its sign-off block (keys sorted, so key order does not matter).
            data = json.dumps({k: v for k, v in clinic.items() if k != SIGN_OFF}, sort_keys=True, default=str)
            _add(digest, f"content/{name}", data.encode())
        elif not name.startswith("templates/"):
            _add(digest, f"content/{name}", path.read_bytes())
    for index, folder in enumerate(template_dirs):
        for path in _files(folder, (TEMPLATE_SUFFIX,)):
            _add(digest, f"templates{index}/{path.relative_to(folder).as_posix()}", path.read_bytes())
    return digest.hexdigest()[:VERSION_LENGTH]


def _add(digest: Any, name: str, data: bytes) -> None:
    # Each file as its name, its length and its bytes: moving text from one file to another changes the version.
    digest.update(f"{name}\0{len(data)}\0".encode())
    digest.update(data)


def sign_off_of(clinic: dict[str, Any]) -> dict[str, str]:
    """The last clinical sign-off clinic.yaml records: by, date and version ("" for each when none)."""
    block = clinic.get(SIGN_OFF)
    block = block if isinstance(block, dict) else {}
    return {key: str(block.get(key) or "") for key in ("by", "date", "version")}


def sign_off_warning(version: str, clinic: dict[str, Any]) -> str | None:
    """A clear warning when the content differs from the version a clinician last signed off, else None."""
    signed = sign_off_of(clinic)
    if signed.get("version") == version:
        return None
    if not signed.get("version"):
        return (
            f"WARNING: no clinician has signed off this content (version {version}). Run `make review`, have a "
            "clinician review docs/clinical-review.html, then record sign_off (by, date, version) in clinic.yaml."
        )
    return (
        f"WARNING: the content changed since the last clinical sign-off (signed: version {signed.get('version')} "
        f"by {signed.get('by') or 'unknown'} on {signed.get('date') or 'unknown date'}; running: version {version}). "
        "Run `make review` and have a clinician review docs/clinical-review.html before this goes to patients."
    )


def main() -> int:
    """`python -m shared.version`: print the content's version and where its clinical sign-off stands."""
    from shared.content import load_content

    content = load_content()
    warning = sign_off_warning(content.version, content.clinic)
    print(warning or f"Content version {content.version}: signed off.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
