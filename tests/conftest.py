"""Suite-wide settings (docs/testing.md): hypothesis profiles, and "loud in CI" for optional test inputs.

* Hypothesis profiles: ``ci`` (derandomized: the same examples every run, so a CI failure reproduces),
  ``dev`` (random, the local default) and ``slow`` (more examples; with ``-m slow`` it runs the slow
  variants).  ``CI`` set in the environment selects ``ci``; ``HYPOTHESIS_PROFILE`` overrides.
* A test that needs the real fixtures (``../shared/data/real``) or headless Chromium skips locally when they
  are missing, but in CI (``CI`` set to anything but ``0``/``false``) that skip is turned into a failure
  naming what is missing: CI must never pass because a check silently did not run.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from suite_policy import fail_required_skip, in_ci  # tests/rules/suite_policy.py

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None)
settings.register_profile("slow", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if in_ci() else "dev"))

REAL_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
if not REAL_DATA.is_dir():
    REAL_DATA = Path("/work/shared/data/real")


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The real market-data fixtures directory; skipped locally when absent, a failure in CI."""
    if not REAL_DATA.is_dir():
        pytest.skip(f"real fixtures {REAL_DATA} not available")
    return REAL_DATA


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    fail_required_skip(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    fail_required_skip(outcome.get_result())
