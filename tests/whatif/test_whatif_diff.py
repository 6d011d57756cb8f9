"""The what-if diff: fields changed, deltas, and actions added, dropped and re-ranked."""

from __future__ import annotations

from typing import Any

import pytest

from advisor.errors import ProfileError
from advisor.models import Assessment, CaseProfile
from advisor.whatif import MAX_VARIANTS, apply_change, compare, diff, fields_changed

BASE: dict[str, Any] = {
    "id": "base",
    "name": "Base",
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
        "volunteers": 50,
        "core_volunteers": 5,
        "recruited_by": {"government": 0.9, "third_party": 0.0, "self": 0.1},
        "leadership": "cadre",
        "resident_awareness": 1,
    },
    "knowledge": {
        "training_provider": "government",
        "training_sessions_per_year": 2,
        "self_sufficiency": 0,
    },
    "government": {
        "reliance_on_force": 2,
        "control": 4,
        "role": "director",
        "acceptance_mechanism": False,
        "purchases_services": False,
        "party_leadership": 4,
    },
    "agenda": {"set_by": "government", "pattern": "holiday_campaign"},
    "management": {"decision_participation": 0, "incentives": "none", "records": False},
    "third_party": None,
    "coproduction": {"planning": 0, "design": 0, "delivery": 1, "evaluation": 0},
    "linkage": "none",
}


def _assessment(
    actions: list[tuple[str, int, float]],
    diagnoses: list[tuple[str, float]],
    funding: float = 0.8,
    index: float = 0.5,
    level: str = "high",
    score: int = 1,
) -> Assessment:
    """A minimal hand-built assessment with the given actions (id, rank, priority)."""
    dep = {"legitimacy": 0.9, "funding": funding, "human_resources": 0.8, "knowledge": 0.7}
    return Assessment.model_validate(
        {
            "profile_id": "base",
            "engine_version": "t",
            "knowledge_base_version": "k",
            "dependence": dep,
            "third_party_dependence": dict.fromkeys(dep, 0.0),
            "asymmetry": {
                "force_on_government": 0.8,
                "government_on_force": 0.3,
                "index": index,
                "level": level,
            },
            "coproduction": {"score": score, "stage": "dependence"},
            "diagnoses": [
                {
                    "id": d,
                    "label": {"zh": d, "en": d},
                    "severity": s,
                    "because": [],
                    "rules": [],
                    "sources": [],
                }
                for d, s in diagnoses
            ],
            "actions": [
                {
                    "id": a,
                    "rank": r,
                    "priority": p,
                    "actor": "government",
                    "phase": 1,
                    "stage": "foundation",
                    "addresses": [],
                    "dimensions": [],
                    "label": {"zh": a, "en": a},
                    "rationale": {"zh": a, "en": a},
                    "priority_breakdown": [],
                    "rules": [],
                    "sources": [],
                    "provenance": "paper",
                }
                for a, r, p in actions
            ],
        }
    )


@pytest.fixture
def base() -> CaseProfile:
    """A government-cultivated force with no third party."""
    return CaseProfile.model_validate(BASE)


def test_actions_added_dropped_and_reranked_are_told_apart(base: CaseProfile) -> None:
    """An action only in the variant is added, only in the baseline dropped, in both re-ranked."""
    before = _assessment([("a", 1, 90.0), ("b", 2, 70.0), ("c", 3, 50.0), ("d", 4, 40.0)], [])
    after = _assessment([("c", 1, 80.0), ("a", 2, 75.5), ("e", 3, 60.0), ("d", 4, 40.0)], [])
    out = diff(base, before, base, after)
    assert [x.id for x in out.actions_added] == ["e"]
    assert [x.id for x in out.actions_dropped] == ["b"]
    moved = {x.id: (x.old_rank, x.new_rank, x.priority_delta) for x in out.actions_reranked}
    assert moved == {"c": (3, 1, 30.0), "a": (1, 2, -14.5)}  # d kept rank 4 and priority 40
    assert out.top_action_before is not None and out.top_action_after is not None
    assert (out.top_action_before.id, out.top_action_after.id) == ("a", "c")


def test_a_priority_change_without_a_rank_change_counts_as_reranked(base: CaseProfile) -> None:
    """An action that keeps its rank but whose priority moves is listed with its delta."""
    before = _assessment([("a", 1, 90.0)], [])
    after = _assessment([("a", 1, 85.25)], [])
    (only,) = diff(base, before, base, after).actions_reranked
    assert (only.old_rank, only.new_rank, only.priority_delta) == (1, 1, -4.75)


def test_diagnoses_added_removed_and_severity_moves(base: CaseProfile) -> None:
    """Diagnoses are compared by id; one in both with another severity is a change."""
    before = _assessment([], [("x", 0.9), ("y", 0.5)])
    after = _assessment([], [("y", 0.25), ("z", 0.4)])
    out = diff(base, before, base, after)
    assert [d.id for d in out.diagnoses_added] == ["z"]
    assert [d.id for d in out.diagnoses_removed] == ["x"]
    (changed,) = out.diagnoses_changed
    assert (changed.id, changed.severity_delta) == ("y", -0.25)


def test_dependence_asymmetry_and_coproduction_deltas(base: CaseProfile) -> None:
    """Deltas are after minus before, per dimension and for the asymmetry and co-production."""
    before = _assessment([], [], funding=0.8, index=0.5, level="high", score=1)
    after = _assessment([], [], funding=0.45, index=0.2, level="moderate", score=7)
    out = diff(base, before, base, after)
    funding = next(d for d in out.dependence if d.dimension == "funding")
    assert (funding.government_before, funding.government_after) == (0.8, 0.45)
    assert funding.government_delta == -0.35
    assert all(d.government_delta == 0 for d in out.dependence if d.dimension != "funding")
    assert out.asymmetry.index_delta == -0.3
    assert (out.asymmetry.level_before, out.asymmetry.level_after) == ("high", "moderate")
    assert out.coproduction.score_delta == 6


def test_fields_changed_lists_dotted_paths_with_old_and_new(base: CaseProfile) -> None:
    """Only the changed leaves are listed; a third party appearing lists each of its fields."""
    data = {
        **BASE,
        "government": {**BASE["government"], "control": 1},
        "third_party": {
            "kind": "social_work_agency",
            "capacity": 3,
            "role": "facilitator",
            "autonomy": 2,
        },
    }
    variant = CaseProfile.model_validate(data)
    changes = {c.path: (c.old, c.new) for c in fields_changed(base, variant)}
    assert changes == {
        "government.control": (4, 1),
        "third_party.kind": (None, "social_work_agency"),
        "third_party.capacity": (None, 3),
        "third_party.role": (None, "facilitator"),
        "third_party.autonomy": (None, 2),
    }
    back = {c.path: (c.old, c.new) for c in fields_changed(variant, base)}
    assert back["third_party.capacity"] == (3, None) and len(back) == 5


def test_identical_profiles_change_nothing(base: CaseProfile) -> None:
    """A variant equal to the baseline has no field changes, deltas or action moves."""
    same = _assessment([("a", 1, 90.0)], [("x", 0.5)])
    out = diff(base, same, base, same)
    assert out.fields_changed == [] and out.actions_reranked == [] and out.diagnoses_changed == []
    assert all(d.government_delta == 0 and d.third_party_delta == 0 for d in out.dependence)


def test_compare_refuses_more_than_four_variants_or_none(base: CaseProfile) -> None:
    """At most four variants, at least one; the refusal names the limit."""
    calls: list[str] = []

    def fake_assess(profile: CaseProfile) -> Assessment:
        calls.append(profile.id)
        return _assessment([], [])

    with pytest.raises(ProfileError, match="at most 4"):
        compare(base, [base] * (MAX_VARIANTS + 1), assess=fake_assess)
    with pytest.raises(ProfileError, match="at least one"):
        compare(base, [], assess=fake_assess)
    assert calls == []
    out = compare(base, [base] * MAX_VARIANTS, assess=fake_assess)
    assert len(out.variants) == MAX_VARIANTS
    assert [v.label.en for v in out.variants] == [f"Variant {i}" for i in range(1, 5)]
    assert out.variants[0].label.zh == "情景 1"


def test_apply_change_sets_a_field_and_validates(base: CaseProfile) -> None:
    """A valid change returns a new profile and leaves the original untouched."""
    changed = apply_change(base, "government.control", 1)
    assert changed.government.control == 1 and base.government.control == 4
    tp = {"kind": "volunteer_org", "capacity": 1, "role": "contractor", "autonomy": 0}
    assert apply_change(base, "third_party", tp).third_party is not None
    assert apply_change(changed, "third_party", None).third_party is None


@pytest.mark.parametrize(
    ("path", "value", "field", "needle"),
    [
        ("government.control", 9, "government.control", "less than or equal to 4"),
        ("funding.charity", 0.5, "funding", "shares sum to 1.40"),
        ("government.colour", 1, "government.colour", "unknown field"),
        ("nothing", 1, "nothing", "unknown field"),
        ("third_party.capacity", 3, "third_party", "set it as a whole"),
        ("agenda.set_by", "mayor", "agenda.set_by", "unknown value 'mayor'"),
        ("funding.charity.x", 1, "funding.charity.x", "unknown field"),
        ("", 1, "(empty)", "not a field path"),
    ],
)
def test_apply_change_refuses_bad_changes_naming_the_field(
    base: CaseProfile, path: str, value: Any, field: str, needle: str
) -> None:
    """A change that is unknown or leaves the profile invalid raises ProfileError for that field."""
    with pytest.raises(ProfileError) as info:
        apply_change(base, path, value)
    problems = info.value.problems
    assert any(p.path == field and needle in p.message for p in problems), problems
