"""Refuse to build a production stage whose skill manifest still has placeholder links or no icons.

Amazon's certification needs a privacy policy and terms of use for a skill that uses personal information (the
mobile number for "text me that") and icons for the store listing (platform b-1, [A1][A18]). The repository ships
`https://example.com/REPLACE-...` placeholders: fine for a test stage, never for the clinic's live one.
`python -m deploy.manifest_check --stage prod` exits non-zero naming every problem; the local serverless plugin
(deploy/stage-functions.js) runs it before packaging or deploying a production stage.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

MANIFEST = Path("interaction_models") / "skill.json"
# Stages that face the public: the clinic's live stack.
PRODUCTION_STAGES = frozenset({"prod", "production"})
PLACEHOLDER_HOSTS = ("example.com", "example.org", "example.net", "localhost")
PLACEHOLDER_WORDS = ("replace", "placeholder", "todo", "changeme")
LINKS = ("privacyPolicyUrl", "termsOfUseUrl")
ICONS = ("smallIconUri", "largeIconUri")


def is_placeholder(url: object) -> bool:
    """True for a missing, non-https, example or REPLACE-me address."""
    if not isinstance(url, str) or not url.strip():
        return True
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not host:
        return True
    if any(host == bad or host.endswith("." + bad) for bad in PLACEHOLDER_HOSTS):
        return True
    return any(word in url.lower() for word in PLACEHOLDER_WORDS)


def problems(manifest: dict) -> list[str]:
    """Every placeholder link or missing icon in the manifest, one sentence each."""
    found = []
    body = manifest.get("manifest", {})
    privacy = body.get("privacyAndCompliance", {}).get("locales", {})
    listings = body.get("publishingInformation", {}).get("locales", {})
    for locale in sorted(set(privacy) | set(listings)):
        for field in LINKS:
            value = privacy.get(locale, {}).get(field)
            if is_placeholder(value):
                found.append(f"{locale}: privacyAndCompliance {field} is {value!r}, not the clinic's own https page")
        for field in ICONS:
            value = listings.get(locale, {}).get(field)
            if is_placeholder(value):
                found.append(f"{locale}: publishingInformation {field} is {value!r}, not an https image")
    if not listings:
        found.append("the manifest lists no locale")
    return found


def main(argv: list[str] | None = None) -> int:
    """Check the manifest for the given stage; 0 when it may be built."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", required=True)
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    args = parser.parse_args(argv)
    if args.stage not in PRODUCTION_STAGES:
        return 0
    manifest = json.loads(args.manifest.read_text(encoding="utf-8"))
    found = problems(manifest)
    if found:
        print(f"Stage {args.stage!r} is a production stage, and {args.manifest} is not ready for certification:",
              file=sys.stderr)
        for problem in found:
            print(f"  - {problem}", file=sys.stderr)
        print("Put the clinic's privacy policy, terms of use and icons in it (docs/deploying.md, 'The skill's "
              "listing'), or build a test stage (--stage dev).", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
