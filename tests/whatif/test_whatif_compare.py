"""What-if on real assessments: the paper's levers move the case the way the paper says."""

from __future__ import annotations

import pytest
from test_whatif_diff import BASE

from advisor.models import CaseProfile
from advisor.pipeline import assess, preset
from advisor.report import label, render_comparison
from advisor.whatif import LEVERS, Comparison, VariantDiff, compare


@pytest.fixture(scope="module")
def case_y() -> CaseProfile:
    """The paper's case Y (strongly dependent on government)."""
    return preset("case-y")


@pytest.fixture(scope="module")
def all_levers(case_y: CaseProfile) -> Comparison:
    """Case Y against each of the four levers."""
    names = list(LEVERS)
    return compare(
        case_y,
        [LEVERS[n](case_y) for n in names],
        labels=[LEVERS[n].label for n in names],
        levers=names,
    )


def _variant(comparison: Comparison, lever: str) -> VariantDiff:
    return next(v for v in comparison.variants if v.lever == lever)


def test_bring_in_strong_agency_lowers_case_y_funding_dependence(all_levers: Comparison) -> None:
    """Routing funding and recruitment through a strong agency lowers dependence on government
    and raises it on the third party (section 6: 'shift the sole dependence on government')."""
    v = _variant(all_levers, "bring_in_strong_agency")
    funding = next(d for d in v.dependence if d.dimension == "funding")
    assert funding.government_delta < 0 and funding.third_party_delta > 0
    human = next(d for d in v.dependence if d.dimension == "human_resources")
    assert human.government_delta < 0
    assert v.asymmetry.index_delta < 0
    assert "gov_bring_in_third_party" in {a.id for a in v.actions_dropped}
    assert any(a.actor == "third_party" for a in v.actions_added)


def test_government_enabler_removes_the_control_diagnosis(all_levers: Comparison) -> None:
    """An enabling government with low control is no longer diagnosed with excessive control."""
    v = _variant(all_levers, "government_enabler")
    assert "excessive_control" in {d.id for d in v.diagnoses_removed}
    assert all(d.government_delta == 0 for d in v.dependence), "a role change, not a withdrawal"


def test_volunteers_in_decisions_raises_the_coproduction_score(all_levers: Comparison) -> None:
    """Co-planning and co-design raised to shared lift the co-production score."""
    v = _variant(all_levers, "volunteers_in_decisions")
    assert v.coproduction.score_delta > 0
    assert "volunteers_as_tools" in {d.id for d in v.diagnoses_removed}


def test_formal_incentives_removes_the_weak_incentives_diagnosis(all_levers: Comparison) -> None:
    """A formal incentive system with records ends the weak-incentives diagnosis."""
    v = _variant(all_levers, "formal_incentives")
    assert "weak_incentives" in {d.id for d in v.diagnoses_removed}
    assert [c.path for c in v.fields_changed] == ["management.incentives", "management.records"]


def test_diff_lists_agree_with_the_two_assessments(case_y: CaseProfile) -> None:
    """Added, dropped and re-ranked actions are exactly what the two assessments say."""
    variant = LEVERS["bring_in_strong_agency"](case_y)
    a, b = assess(case_y), assess(variant)
    (v,) = compare(case_y, [variant]).variants
    ids_a, ids_b = {x.id for x in a.actions}, {x.id for x in b.actions}
    assert {x.id for x in v.actions_added} == ids_b - ids_a
    assert {x.id for x in v.actions_dropped} == ids_a - ids_b
    rank_a = {x.id: (x.rank, x.priority) for x in a.actions}
    rank_b = {x.id: (x.rank, x.priority) for x in b.actions}
    moved = {i for i in ids_a & ids_b if rank_a[i] != rank_b[i]}
    assert {x.id for x in v.actions_reranked} == moved
    for x in v.actions_reranked:
        assert (x.old_rank, x.new_rank) == (rank_a[x.id][0], rank_b[x.id][0])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_comparison_markdown_names_levers_changes_and_sections(
    all_levers: Comparison, lang: str
) -> None:
    """The Markdown names each lever and shows the sections of every variant in one language."""
    md = render_comparison(all_levers, "md", lang)
    for name in LEVERS:
        assert LEVERS[name].label.get(lang) in md
    for key in ("fields", "dependence", "summary", "diagnoses", "actions"):
        assert md.count(label("whatif", key, lang)) == len(LEVERS)
    assert "`government.role`" in md and "\u2212" in md
    assert "\\+" not in md, "signs are not escaped"


def test_comparison_json_round_trips(all_levers: Comparison) -> None:
    """The JSON output validates back into the same comparison."""
    assert Comparison.model_validate_json(render_comparison(all_levers, "json")) == all_levers


def test_a_variant_with_no_change_moves_nothing() -> None:
    """Comparing a profile with itself reports no field, dependence or action change."""
    base = CaseProfile.model_validate(BASE)
    (v,) = compare(base, [base]).variants
    assert v.fields_changed == [] and v.actions_added == [] and v.actions_dropped == []
    assert v.actions_reranked == [] and v.diagnoses_added == [] and v.diagnoses_removed == []
    assert v.asymmetry.index_delta == 0
