"""A production stage is never built with the skill manifest's placeholder privacy/terms links or without icons."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path

import pytest

from deploy.manifest_check import main, problems
from tests.deploy.conftest import OSLS, SKILL_ID, SMS_FROM, copy_project, packaging_environment

REPO = Path(__file__).resolve().parents[2]
SHIPPED = json.loads((REPO / "interaction_models" / "skill.json").read_text(encoding="utf-8"))


def ready(manifest: dict) -> dict:
    """The manifest with the clinic's own links and icons in every locale."""
    done = copy.deepcopy(manifest)
    body = done["manifest"]
    for locale, links in body["privacyAndCompliance"]["locales"].items():
        links["privacyPolicyUrl"] = f"https://nextpaincare.example-clinic.org/{locale}/privacy"
        links["termsOfUseUrl"] = f"https://nextpaincare.example-clinic.org/{locale}/terms"
    for listing in body["publishingInformation"]["locales"].values():
        listing["smallIconUri"] = "https://nextpaincare.example-clinic.org/alexa/icon-108.png"
        listing["largeIconUri"] = "https://nextpaincare.example-clinic.org/alexa/icon-512.png"
    return done


def test_shipped_manifest_has_placeholders_that_a_production_build_refuses() -> None:
    found = problems(SHIPPED)
    locales = SHIPPED["manifest"]["publishingInformation"]["locales"]
    assert len(found) == 4 * len(locales)  # two links and two icons per locale
    assert any("privacyPolicyUrl is 'https://example.com/REPLACE-privacy'" in problem for problem in found)


@pytest.mark.parametrize(
    "url",
    ["http://nextpaincare.example-clinic.org/privacy", "https://example.com/privacy", "https://www.example.com/p",
     "https://nextpaincare.example-clinic.org/REPLACE-privacy", "", None],
)
def test_a_single_bad_link_is_named(url: str | None) -> None:
    manifest = ready(SHIPPED)
    manifest["manifest"]["privacyAndCompliance"]["locales"]["en-US"]["termsOfUseUrl"] = url
    assert problems(manifest) == [
        f"en-US: privacyAndCompliance termsOfUseUrl is {url!r}, not the clinic's own https page"
    ]


def test_clinics_own_links_and_icons_pass(tmp_path: Path) -> None:
    path = tmp_path / "skill.json"
    path.write_text(json.dumps(ready(SHIPPED)), encoding="utf-8")
    assert problems(ready(SHIPPED)) == []
    assert main(["--stage", "prod", "--manifest", str(path)]) == 0


def test_only_production_stages_are_held_to_it(capsys: pytest.CaptureFixture[str]) -> None:
    manifest = str(REPO / "interaction_models" / "skill.json")
    assert main(["--stage", "dev", "--manifest", manifest]) == 0
    assert main(["--stage", "prod", "--manifest", manifest]) == 1
    assert "not ready for certification" in capsys.readouterr().err


@pytest.mark.packaging
def test_osls_package_for_prod_stops_before_building_anything(tmp_path: Path) -> None:
    copy_project(tmp_path)
    result = subprocess.run(  # noqa: S603 - fixed command line
        [str(OSLS), "package", "--stage", "prod", f"--param=alexaSkillId={SKILL_ID}",
         f"--param=smsFromNumber={SMS_FROM}"],
        cwd=tmp_path, env=packaging_environment(), capture_output=True, text=True, timeout=300,
    )
    assert result.returncode != 0
    assert "not ready for certification" in result.stdout + result.stderr
    assert not (tmp_path / ".serverless").exists() or not list((tmp_path / ".serverless").glob("*.zip"))
