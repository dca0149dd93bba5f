"""The suite's "loud in CI" policy, used by tests/conftest.py hooks (and tested in test_suite_policy.py)."""
from __future__ import annotations

import os
import re

# Skip reasons that mean "a required test input is missing": turned into failures in CI.
REQUIRED_IN_CI = re.compile("|".join([
    r"shared real data not available",
    r"real fixtures .* not available",
    r"headless Chromium not installed",
    r"the HTML report embeds plotly\.js",
    r"empyrical-reloaded is the independent reference",
]))


def in_ci() -> bool:
    """True when the ``CI`` environment variable is set (and not ``0``/``false``/``no``/empty)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def skip_reason(report) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


def fail_required_skip(report) -> None:
    """In CI, turn a skip whose reason names a required test input into a failure naming it."""
    if report.skipped and in_ci() and not hasattr(report, "wasxfail"):
        reason = skip_reason(report)
        if REQUIRED_IN_CI.search(reason):
            report.outcome = "failed"
            report.longrepr = f"required in CI but missing ({reason}); install it or fix the path"
