"""The skill manifest: published only where the clinic serves (clinic.yaml `countries`), every English locale's
listing kept ready for a clinic elsewhere, and the store and certification requirements on each listing."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from deploy.skill_manifest import MANIFEST, SOURCE, build_manifest, main
from shared.content import CONTENT_DIR, load_content
from tests.skill.test_interaction_models import LOCALES, MODELS_DIR, intents_matching, normalise

DISCLAIMER_PHRASES = (
    "information only",
    "not medical advice",
    "diagnosis",
    "not a substitute for professional advice",
    "emergency number",
)
EXAMPLE_PHRASE = re.compile(r"^alexa (?:open|ask|tell|launch|start) cramp check(?: (?P<request>.+))?$")
CONNECTING_WORDS = ("to", "about", "for", "that", "if", "whether")


def load(path: Path) -> dict[str, Any]:
    """A manifest file's `manifest` object."""
    return json.loads(path.read_text(encoding="utf-8"))["manifest"]


def all_locales() -> dict[str, Any]:
    """The manifest with every locale's listing ready (the source skill.json is cut from)."""
    return json.loads(SOURCE.read_text(encoding="utf-8"))


@pytest.fixture
def clinic_content(tmp_path: Path):
    """Make a copy of the packaged content whose clinic.yaml has the given fields changed, and load it."""
    def make(**clinic: Any):
        folder = tmp_path / f"content{len(list(tmp_path.iterdir()))}"
        shutil.copytree(CONTENT_DIR, folder)
        settings = yaml.safe_load((folder / "clinic.yaml").read_text(encoding="utf-8"))
        for key, value in clinic.items():
            if value is None:
                settings.pop(key, None)
            else:
                settings[key] = value
        (folder / "clinic.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
        return folder

    return make


# ------------------------------------------------------------------------------------------- distribution


def test_manifest_committed_is_current_with_clinic_yaml() -> None:
    # The build's own check: editing clinic.yaml's countries without `make manifest` fails here.
    assert main(["--content", str(CONTENT_DIR), "--check"]) == 0


def test_manifest_publishes_only_in_the_clinics_countries_and_their_locales() -> None:
    content = load_content()
    countries = content.clinic["countries"]
    published = load(MANIFEST)

    assert published["publishingInformation"]["isAvailableWorldwide"] is False
    assert published["publishingInformation"]["distributionCountries"] == countries
    served = {code for code, block in content.locales.items() if block["country"] in countries}
    assert set(published["publishingInformation"]["locales"]) == served
    assert set(published["privacyAndCompliance"]["locales"]) == served
    assert served < set(LOCALES), "the packaged clinic serves one country, not every English locale"


@pytest.mark.parametrize(
    ("countries", "locales"),
    [(["GB"], {"en-GB"}), (["US", "CA"], {"en-US", "en-CA"}), (["IN"], {"en-IN"}), (["AU", "GB"], {"en-AU", "en-GB"})],
)
def test_manifest_for_a_clinic_elsewhere_publishes_its_countries_in_their_locales(
    clinic_content, countries: list[str], locales: set[str]
) -> None:
    manifest = build_manifest(all_locales(), load_content(clinic_content(countries=countries)))["manifest"]

    assert manifest["publishingInformation"]["distributionCountries"] == countries
    assert set(manifest["publishingInformation"]["locales"]) == locales
    assert set(manifest["privacyAndCompliance"]["locales"]) == locales


def test_manifest_without_countries_publishes_in_the_clinics_own_country(clinic_content) -> None:
    manifest = build_manifest(all_locales(), load_content(clinic_content(countries=None, country="CA")))["manifest"]

    assert manifest["publishingInformation"]["distributionCountries"] == ["CA"]
    assert set(manifest["publishingInformation"]["locales"]) == {"en-CA"}


@pytest.mark.parametrize(("countries", "said"), [(["FR"], "no locale in locales.yaml serves FR"),
                                                 (["usa"], "usa are not two-letter country codes"),
                                                 ("US", "must be a list of country codes")])
def test_manifest_build_refuses_countries_it_cannot_publish_with_a_clear_reason(
    clinic_content, tmp_path: Path, capsys: pytest.CaptureFixture[str], countries: Any, said: str
) -> None:
    out = tmp_path / "skill.json"

    assert main(["--content", str(clinic_content(countries=countries)), "--out", str(out)]) == 2
    assert said in capsys.readouterr().err
    assert not out.exists()


def test_manifest_check_fails_when_the_file_is_out_of_date(clinic_content, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "skill.json"
    shutil.copy(MANIFEST, out)

    assert main(["--content", str(clinic_content(countries=["GB"])), "--out", str(out), "--check"]) == 1
    assert "make manifest" in capsys.readouterr().err
    assert main(["--content", str(clinic_content(countries=["GB"])), "--out", str(out)]) == 0
    assert load(out)["publishingInformation"]["distributionCountries"] == ["GB"]


def test_manifest_endpoint_option_writes_the_lambda_arn(tmp_path: Path) -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:function:cramp-check-prod-alexa"
    out = tmp_path / "skill.json"

    assert main(["--content", str(CONTENT_DIR), "--endpoint", arn, "--out", str(out)]) == 0
    assert load(out)["apis"]["custom"]["endpoint"]["uri"] == arn


def test_manifest_every_english_locale_stays_ready_with_a_model_and_a_listing() -> None:
    source = all_locales()["manifest"]

    assert set(source["publishingInformation"]["locales"]) == set(LOCALES)
    assert set(source["privacyAndCompliance"]["locales"]) == set(LOCALES)
    assert {path.stem for path in MODELS_DIR.glob("*.json")} - {"skill", "skill.all-locales"} == set(LOCALES)
    assert set(load_content().locales) == set(LOCALES)


# ------------------------------------------------------------------------------------------- every listing


def test_manifest_requests_only_the_mobile_number_permission() -> None:
    assert load(MANIFEST)["permissions"] == [{"name": "alexa::profile:mobile_number:read"}]


def test_manifest_declares_no_interface_the_skill_does_not_use() -> None:
    # Screens show the skill's card (Amazon: cards display on a device with a screen when the skill sends no
    # APL); an APL interface would be certified on every viewport for nothing.
    assert "interfaces" not in load(MANIFEST)["apis"]["custom"]


def test_manifest_category_is_health_and_fitness() -> None:
    assert load(MANIFEST)["publishingInformation"]["category"] == "HEALTH_AND_FITNESS"


def test_manifest_privacy_flags_declare_personal_info_and_no_ads_or_purchases() -> None:
    privacy = all_locales()["manifest"]["privacyAndCompliance"]

    assert privacy["usesPersonalInfo"] is True
    assert privacy["containsAds"] is False
    assert privacy["allowsPurchases"] is False
    assert privacy["isChildDirected"] is False
    assert privacy["isExportCompliant"] is True
    for locale in LOCALES:
        urls = privacy["locales"][locale]
        assert urls["privacyPolicyUrl"].startswith("https://"), locale
        assert urls["termsOfUseUrl"].startswith("https://"), locale


def test_manifest_endpoint_is_a_lambda_arn() -> None:
    assert load(MANIFEST)["apis"]["custom"]["endpoint"]["uri"].startswith("arn:aws:lambda:")


@pytest.mark.parametrize("locale", LOCALES)
def test_manifest_store_listing_carries_the_health_disclaimer(locale: str) -> None:
    listing = all_locales()["manifest"]["publishingInformation"]["locales"][locale]
    description = normalise(listing["description"])

    assert listing["name"] == "Cramp Check"
    for phrase in DISCLAIMER_PHRASES:
        assert phrase in description, phrase
    assert "not medical advice" in normalise(listing["summary"])
    # The store rejects a summary over 160 characters.
    assert len(listing["summary"]) <= 160


@pytest.mark.parametrize("locale", LOCALES)
def test_manifest_store_listing_names_the_locales_emergency_number(locale: str) -> None:
    listing = all_locales()["manifest"]["publishingInformation"]["locales"][locale]

    assert f"({load_content().locale(locale)['emergency_number']})" in listing["description"]


@pytest.mark.parametrize("locale", LOCALES)
def test_manifest_example_phrases_open_the_skill_and_match_samples(locale: str) -> None:
    phrases = all_locales()["manifest"]["publishingInformation"]["locales"][locale]["examplePhrases"]

    assert 1 <= len(phrases) <= 3
    assert normalise(phrases[0]) == "alexa, open cramp check"
    for phrase in phrases[1:]:
        parsed = EXAMPLE_PHRASE.match(normalise(re.sub(r"[^A-Za-z' ]", " ", phrase)))
        assert parsed and parsed.group("request"), phrase
        request = parsed.group("request")
        candidates = [request] + [
            request.removeprefix(f"{word} ") for word in CONNECTING_WORDS if request.startswith(f"{word} ")
        ]
        assert any(intents_matching(locale, candidate) for candidate in candidates), phrase
