"""The loaded content saved at packaging (shared/snapshot.py, written by deploy/prebuild.py): a cold start reads
back the very content the YAML gives, without PyYAML, and never once a source it was made from has changed."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from shared.content import load_content
from shared.snapshot import read_snapshot, write_snapshot

REPO = Path(__file__).resolve().parents[2]
# Run over a copied shared/ alone: what a Lambda's first answer reads, as it would say it.
CHILD = """
import json, sys
sys.path.insert(0, sys.argv[1])
import shared
from shared.content import load_content
assert shared.__file__.startswith(sys.argv[1]), shared.__file__
content = load_content()
print(json.dumps({"clinic": content.clinic["name"], "version": content.version, "yaml": "yaml" in sys.modules,
                  "templates": [str(folder) for folder in content.template_dirs],
                  "calf": content.languages["en"].words["relief"]["calf"]}))
"""


def copied_shared(tmp_path: Path) -> Path:
    """A copy of shared/ as a zip would carry it (no bytecode), in a folder of its own."""
    root = tmp_path / "task"
    shutil.copytree(REPO / "shared", root / "shared", ignore=shutil.ignore_patterns("__pycache__", "*.pickle"))
    return root


def snapshot_in(root: Path) -> Path:
    """Write the snapshot as packaging does: the copy's own code loading the copy's own content."""
    code = "import sys; sys.path.insert(0, sys.argv[1]); from shared.content import load_content; " \
           "from shared.snapshot import write_snapshot; write_snapshot(load_content())"
    subprocess.run([sys.executable, "-B", "-c", code, str(root)], check=True, timeout=120, cwd=root)
    return root / "shared" / "content.pickle"


def first_load(root: Path) -> dict:
    """What load_content() gives in a fresh interpreter over the folder alone."""
    run = subprocess.run([sys.executable, "-B", "-c", CHILD, str(root)], capture_output=True, text=True,
                         check=True, timeout=120, cwd=root)
    return json.loads(run.stdout)


def edit(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_snapshot_gives_the_content_the_yaml_gives_without_pyyaml(tmp_path: Path) -> None:
    root = copied_shared(tmp_path)
    from_yaml = first_load(root)

    snapshot_in(root)
    from_snapshot = first_load(root)

    assert from_yaml["yaml"] is True and from_snapshot["yaml"] is False
    assert from_snapshot == {**from_yaml, "yaml": False}
    # Its templates are found where the folder is now, not where it was packaged.
    assert from_snapshot["templates"] == [str(root / "shared" / "templates")]


def test_snapshot_reads_back_equal_to_the_loaded_content(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    content = load_content()
    write_snapshot(content, shared / "content.pickle")

    assert read_snapshot(shared / "content.pickle") == content


@pytest.mark.parametrize(
    ("path", "old", "new"),
    [
        ("shared/content/clinic.yaml", "name:", "name: Edited Clinic #"),
        ("shared/content/languages/en/wording.yaml", "calf:", "calf: Edited step. #"),
    ],
    ids=["clinic", "wording"],
)
def test_snapshot_is_not_used_once_a_content_file_changed_since(tmp_path: Path, path: str, old: str, new: str) -> None:
    root = copied_shared(tmp_path)
    snapshot_in(root)
    before = first_load(root)

    edit(root / path, old, new)
    after = first_load(root)

    assert after["yaml"] is True  # read from its source again
    assert after["version"] != before["version"]
    assert "Edited" in after["clinic"] + str(after["calf"])


def test_snapshot_is_not_used_once_the_code_that_built_it_changed(tmp_path: Path) -> None:
    root = copied_shared(tmp_path)
    snapshot = snapshot_in(root)
    assert read_snapshot(snapshot) is not None

    with (root / "shared" / "lexicon.py").open("a", encoding="utf-8") as file:
        file.write("\n# a later edit\n")

    assert read_snapshot(snapshot) is None


def test_no_snapshot_means_the_yaml_is_read(tmp_path: Path) -> None:
    assert read_snapshot(tmp_path / "content.pickle") is None
