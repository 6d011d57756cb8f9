"""Fixtures for report tests: the sample profile and hand-built assessment of report_samples."""

from __future__ import annotations

import pytest
from report_samples import ASSESSMENT, PROFILE

from advisor.models import Assessment, CaseProfile


@pytest.fixture
def profile() -> CaseProfile:
    """A case-Y-like profile."""
    return CaseProfile.model_validate(PROFILE)


@pytest.fixture
def assessment() -> Assessment:
    """A hand-built assessment of that profile covering every part of the model."""
    return Assessment.model_validate(ASSESSMENT)
