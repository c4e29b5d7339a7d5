"""Headless Chromium for the report tests: skipped locally when absent, required in CI."""

from __future__ import annotations

import os

import pytest

CHROMIUM = "/usr/bin/chromium"


def require_chromium() -> None:
    """Skip (locally) or fail (``CI=true``) when Debian's chromium is not installed."""
    if os.path.exists(CHROMIUM):
        return
    why = f"{CHROMIUM} is absent (Debian package 'chromium'; .ci/run installs it)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{why}: CI must render the report in a browser", pytrace=False)
    pytest.skip(why)
