"""Work the planning pages hand to a separate process (no Streamlit here, so it imports fast).

``robustness_json`` is ``advisor.robustness.analyse`` of a profile's engine assessment, as JSON.
What-if starts it for every scenario before it draws the comparison, so the sampling of 1,000
plausible worlds runs on the other core while the page is drawn (``ui.services``).
"""

from __future__ import annotations


def robustness_json(profile_json: str) -> str:
    """The robustness of the profile's conclusions (``advisor.models.Robustness``) as JSON."""
    from advisor import robustness
    from advisor.models import CaseProfile
    from advisor.pipeline import assess

    profile = CaseProfile.model_validate_json(profile_json)
    return robustness.analyse(profile, assess(profile)).model_dump_json()
