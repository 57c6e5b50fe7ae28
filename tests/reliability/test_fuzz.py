"""The fuzz targets with a modest budget: the same strategies and checks `make fuzz` runs 10,000 times each."""

from __future__ import annotations

import pytest

from reliability.fuzz import SHORT_EXAMPLES, TARGETS, run_target


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_fuzz_target_short_budget_finds_no_new_failure(name: str) -> None:
    result = run_target(name, SHORT_EXAMPLES, seed_value=20261125)

    assert result["failures"] == []
    assert result["cases_run"] >= SHORT_EXAMPLES


def test_fuzz_alexa_web_tampered_bodies_are_all_refused() -> None:
    result = run_target("alexa_web", SHORT_EXAMPLES, seed_value=7)

    assert result["failures"] == []
    assert result["outcomes"].get("400 tampered", 0) > 0
    assert result["outcomes"].get("200 answered", 0) > 0


def test_fuzz_sms_signed_posts_get_replies_not_errors() -> None:
    result = run_target("sms", SHORT_EXAMPLES, seed_value=7)

    assert result["failures"] == []
    assert result["outcomes"].get("200 reply", 0) > 0
