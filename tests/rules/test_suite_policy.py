"""The CI policy of tests/conftest.py: missing required inputs fail in CI, skip locally; hypothesis is seeded."""
from __future__ import annotations

import types

import pytest
from hypothesis import settings

from suite_policy import fail_required_skip, in_ci


def _report(reason):
    return types.SimpleNamespace(skipped=True, outcome="skipped", longrepr=("x.py", 3, f"Skipped: {reason}"))


@pytest.mark.parametrize("ci, outcome", [("true", "failed"), ("1", "failed"), ("", "skipped"), ("false", "skipped")])
def test_missing_real_data_fails_only_in_ci(monkeypatch, ci, outcome):
    monkeypatch.setenv("CI", ci)
    r = _report("shared real data not available")
    fail_required_skip(r)
    assert r.outcome == outcome
    if outcome == "failed":
        assert r.longrepr == "required in CI but missing (Skipped: shared real data not available); " \
                             "install it or fix the path"


@pytest.mark.parametrize("reason", ["headless Chromium not installed (apt-get install -y chromium)",
                                    "the HTML report embeds plotly.js",
                                    "real fixtures /x/shared/data/real not available"])
def test_chromium_plotly_and_fixtures_are_required_in_ci(monkeypatch, reason):
    monkeypatch.setenv("CI", "true")
    r = _report(reason)
    fail_required_skip(r)
    assert r.outcome == "failed"


def test_an_optional_extra_still_skips_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    r = _report("could not import 'talib'")
    fail_required_skip(r)
    assert r.outcome == "skipped"


def test_in_ci_reads_the_environment(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    assert in_ci() is False
    monkeypatch.setenv("CI", "yes")
    assert in_ci() is True


def test_hypothesis_profiles_are_registered():
    ci = settings.get_profile("ci")
    assert ci.derandomize is True and ci.deadline is None
    assert settings.get_profile("slow").max_examples == 2000
