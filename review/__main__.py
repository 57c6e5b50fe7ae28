"""`python -m review` (`make review`): write docs/clinical-review.html, the sheet a clinician reads and signs off.

It says which content version it shows and whether that version is the one clinic.yaml records as signed off.
--check exits 1 when the committed sheet is not what the content gives now (CI runs it).
"""

from __future__ import annotations

import argparse
import html as html_module
import re
import sys
from pathlib import Path

from review.sheet import ROOT, build
from shared.content import CONTENT_DIR, load_content
from shared.version import sign_off_warning

SHEET_PATH = ROOT / "docs" / "clinical-review.html"
TEMPLATES = Path(__file__).resolve().parent / "templates"


def html(content_dir: Path = CONTENT_DIR) -> str:
    """The review sheet of the content in `content_dir`, as one printable HTML page."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    content = load_content(content_dir)
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["spoken"] = spoken
    return env.get_template("clinical-review.html.j2").render(sheet=build(content, Path(content_dir)))


def spoken(ssml: str) -> str:
    """What Alexa says for this SSML: the words, without the markup."""
    return html_module.unescape(" ".join(re.sub(r"<[^>]+>", " ", ssml).split()))


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, compare) the sheet and say where the sign-off stands."""
    parser = argparse.ArgumentParser(prog="python -m review", description=__doc__.splitlines()[0])
    parser.add_argument("--content-dir", type=Path, default=CONTENT_DIR, help="the content folder to review")
    parser.add_argument("--out", type=Path, default=SHEET_PATH, help="where to write the sheet")
    parser.add_argument("--check", action="store_true", help="fail if the written sheet is out of date")
    args = parser.parse_args(argv)
    page = html(args.content_dir)
    content = load_content(args.content_dir)
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != page:
            print(f"{args.out} is out of date with the content: run `make review` and commit it.", file=sys.stderr)
            return 1
        print(f"{args.out} is current (content version {content.version}).")
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(page, encoding="utf-8")
        print(f"Wrote {args.out} (content version {content.version}).")
    warning = sign_off_warning(content.version, content.clinic)
    print(warning or f"Signed off: version {content.version}.", file=sys.stderr if warning else sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
