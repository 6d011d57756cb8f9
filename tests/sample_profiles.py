"""Shared test data: a valid, government-cultivated case profile as plain data."""

from __future__ import annotations


def profile_data(case_id: str = "case-a", name: str = "Case A", volunteers: int = 10) -> dict:
    """A valid profile as plain data."""
    return {
        "schema_version": 1,
        "id": case_id,
        "name": name,
        "force_type": "government_cultivated",
        "legitimacy": {"status": "via_government"},
        "funding": {
            "government_direct": 0.8,
            "government_via_third_party": 0.0,
            "third_party_own": 0.0,
            "charity": 0.1,
            "residents": 0.1,
            "self_generated": 0.0,
        },
        "human_resources": {
            "volunteers": volunteers,
            "core_volunteers": 0,
            "recruited_by": {"government": 1.0, "third_party": 0.0, "self": 0.0},
            "leadership": "cadre",
            "resident_awareness": 1,
        },
        "knowledge": {
            "training_provider": "government",
            "training_sessions_per_year": 2,
            "self_sufficiency": 0,
        },
        "government": {
            "reliance_on_force": 1,
            "control": 3,
            "role": "director",
            "acceptance_mechanism": False,
            "purchases_services": False,
            "party_leadership": 3,
        },
        "agenda": {"set_by": "government", "pattern": "holiday_campaign"},
        "management": {"decision_participation": 0, "incentives": "none", "records": False},
        "third_party": None,
        "coproduction": {"planning": 0, "design": 0, "delivery": 1, "evaluation": 0},
        "linkage": "none",
    }
