"""Shared pytest configuration: the hypothesis settings profiles.

``ci`` is loaded by default: enough examples to search the input space, no per-example deadline
(the first assessment in a process compiles the ruleset, which would trip a deadline), and a
database-free, derandomised run so CI failures reproduce. Pick another with
``HYPOTHESIS_PROFILE=dev`` (fast, for editing) or ``HYPOTHESIS_PROFILE=thorough`` (slow, deep).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}

settings.register_profile("ci", max_examples=60, derandomize=True, database=None, **_COMMON)
settings.register_profile("dev", max_examples=30, **_COMMON)
settings.register_profile("thorough", max_examples=2000, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium under playwright, one for the whole run: playwright's sync API
    allows one running instance per thread, so every browser test (tests/e2e, tests/store)
    shares this one and opens its own contexts."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: run scripts/setup.sh --test")
    import sys

    sys.path.insert(0, str(Path(__file__).parent / "e2e"))  # as tests/e2e's own modules do
    from browser_support import CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()
