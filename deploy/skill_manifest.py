"""Write the Alexa skill manifest for the countries the clinic serves.

interaction_models/skill.all-locales.json is the manifest with a store listing ready for every English locale.
`python -m deploy.skill_manifest` cuts it to the clinic's countries (clinic.yaml `countries`, each served by the
locales.yaml locales of that country) and writes interaction_models/skill.json: those countries as the
distribution, those locales' listings and privacy links, nothing else. A clinic in the UK sets `countries: [GB]`
and publishes in en-GB only; a skill published in every English locale would put one US clinic's number in
front of people in India. `--check` fails when skill.json no longer matches clinic.yaml (a test runs it on the
committed file).
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from pathlib import Path
from typing import Any

from shared.config import content_dir_from_env
from shared.content import Content, load_content

MODELS_DIR = Path(__file__).resolve().parent.parent / "interaction_models"
SOURCE = MODELS_DIR / "skill.all-locales.json"
MANIFEST = MODELS_DIR / "skill.json"
# Alexa's distributionCountries are ISO 3166-1 alpha-2 codes.
COUNTRY_CODE = re.compile(r"[A-Z]{2}")


class ManifestError(Exception):
    """The clinic's countries cannot be published with the locales and listings at hand."""


def served_countries(content: Content) -> list[str]:
    """The countries clinic.yaml says the clinic serves (`countries`, else its own `country`)."""
    countries = content.clinic.get("countries") or [content.clinic["country"]]
    if not isinstance(countries, list) or not all(isinstance(code, str) for code in countries):
        raise ManifestError(f"clinic.yaml countries must be a list of country codes, like [US], not {countries!r}")
    wrong = [code for code in countries if not COUNTRY_CODE.fullmatch(code)]
    if wrong:
        raise ManifestError(f"clinic.yaml countries: {', '.join(wrong)} are not two-letter country codes like US or GB")
    return list(dict.fromkeys(countries))


def published_locales(content: Content, countries: list[str]) -> list[str]:
    """The locales (locales.yaml order) whose country the clinic serves; every served country needs one."""
    locales = [code for code, block in content.locales.items() if block["country"] in countries]
    covered = {content.locales[code]["country"] for code in locales}
    missing = [code for code in countries if code not in covered]
    if missing:
        known = ", ".join(f"{code} ({block['country']})" for code, block in content.locales.items())
        raise ManifestError(f"clinic.yaml countries: no locale in locales.yaml serves {', '.join(missing)}; "
                            f"the locales are {known}")
    return locales


def build_manifest(source: dict[str, Any], content: Content, endpoint: str | None = None) -> dict[str, Any]:
    """The manifest published in the clinic's countries only, in their locales only."""
    countries = served_countries(content)
    locales = published_locales(content, countries)
    manifest = copy.deepcopy(source)
    body = manifest["manifest"]
    publishing, privacy = body["publishingInformation"], body["privacyAndCompliance"]
    for section, name in ((publishing, "store listing"), (privacy, "privacy links")):
        absent = [code for code in locales if code not in section["locales"]]
        if absent:
            raise ManifestError(f"{SOURCE.name} has no {name} for {', '.join(absent)}")
        section["locales"] = {code: section["locales"][code] for code in locales}
    without_model = [code for code in locales if not (MODELS_DIR / f"{code}.json").is_file()]
    if without_model:
        raise ManifestError(f"no interaction model for {', '.join(without_model)} in {MODELS_DIR}")
    publishing["isAvailableWorldwide"] = False
    publishing["distributionCountries"] = countries
    if endpoint:
        body["apis"]["custom"]["endpoint"]["uri"] = endpoint
    return manifest


def as_text(manifest: dict[str, Any]) -> str:
    """The manifest as the committed file holds it."""
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, compare) the manifest for the clinic's countries."""
    parser = argparse.ArgumentParser(prog="python -m deploy.skill_manifest", description=__doc__.split("\n")[0])
    parser.add_argument("--content", default=content_dir_from_env(),
                        help="the clinic's content folder (default: CRAMP_CONTENT_DIR, else the packaged one)")
    parser.add_argument("--endpoint", help="the skill's Lambda ARN, written to apis.custom.endpoint.uri")
    parser.add_argument("--out", type=Path, default=MANIFEST, help=f"where to write (default: {MANIFEST})")
    parser.add_argument("--check", action="store_true", help="only say whether --out is current; exit 1 if not")
    args = parser.parse_args(argv)
    try:
        manifest = build_manifest(json.loads(SOURCE.read_text(encoding="utf-8")), load_content(args.content),
                                  args.endpoint)
    except ManifestError as error:
        print(f"skill manifest: {error}", file=sys.stderr)
        return 2
    text = as_text(manifest)
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.is_file() else ""
        if current != text:
            print(f"{args.out} does not match clinic.yaml's countries and {SOURCE.name}: run `make manifest`.",
                  file=sys.stderr)
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    countries = manifest["manifest"]["publishingInformation"]["distributionCountries"]
    locales = list(manifest["manifest"]["publishingInformation"]["locales"])
    print(f"{args.out}: published in {', '.join(countries)} ({', '.join(locales)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
