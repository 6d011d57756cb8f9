"""Shared pytest configuration: the hypothesis settings profiles.

``ci`` is loaded by default: enough examples to search the input space, no per-example deadline
(the first assessment in a process compiles the ruleset, which would trip a deadline), and a
database-free, derandomised run so CI failures reproduce. Pick another with
``HYPOTHESIS_PROFILE=dev`` (fast, for editing) or ``HYPOTHESIS_PROFILE=thorough`` (slow, deep).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}

settings.register_profile("ci", max_examples=60, derandomize=True, database=None, **_COMMON)
settings.register_profile("dev", max_examples=30, **_COMMON)
settings.register_profile("thorough", max_examples=2000, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
