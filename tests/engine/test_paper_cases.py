"""The paper's two cases (section 4.2): the assessment says what the paper says."""

from __future__ import annotations

import pytest

from advisor.models import Assessment
from advisor.pipeline import assess, preset

TOP = 5  # "among the top actions"


@pytest.fixture(scope="module")
def y() -> Assessment:
    """Case Y: government-cultivated, "strongly attached to government"."""
    return assess(preset("case-y"))


@pytest.fixture(scope="module")
def h() -> Assessment:
    """Case H: agency-cultivated, "weakly attached to government, strongly to the agency"."""
    return assess(preset("case-h"))


def test_y_is_strongly_dependent_on_government(y: Assessment) -> None:
    """Y's asymmetry is severe (5.1: 极度不对称), in the force's direction; its overall
    dependence on government is above 0.7 although residents lead its teams with cadres
    assisting (4.1)."""
    assert y.asymmetry.level == "severe"
    assert y.asymmetry.direction == "force_depends_more"
    assert y.asymmetry.force_on_government > 0.7


def test_y_is_an_administrative_assistant_and_solely_dependent(y: Assessment) -> None:
    """Y gets the administrative-assistant and sole-dependence diagnoses (5.1)."""
    ids = {d.id for d in y.diagnoses}
    assert {"administrative_assistant", "sole_dependence", "asymmetric_dependence"} <= ids


def test_y_top_actions_shift_government_role_and_bring_in_a_third_party(y: Assessment) -> None:
    """Among Y's top actions are a government role shift and bringing in or strengthening a
    third party (the abstract's recommendation)."""
    top = {a.id for a in y.actions if a.rank <= TOP}
    assert top & {"gov_auxiliary_role", "gov_support_without_control"}
    assert top & {"gov_bring_in_third_party", "gov_strengthen_third_party"}


def test_y_government_advice_is_a_role_change_not_withdrawal(y: Assessment) -> None:
    """Where government steps back, it keeps supporting: both actions come together (section 6)."""
    ids = {a.id for a in y.actions}
    assert {"gov_auxiliary_role", "gov_support_without_control"} <= ids
    assert not any("withdraw" in a.id for a in y.actions)


def test_h_is_far_less_dependent_on_government_than_y(h: Assessment, y: Assessment) -> None:
    """H depends on government far less than Y (4.2: weakly attached to government)."""
    assert h.asymmetry.force_on_government < y.asymmetry.force_on_government / 2
    assert h.asymmetry.level in ("balanced", "moderate")
    for dim in ("legitimacy", "funding", "human_resources", "knowledge"):
        assert getattr(h.dependence, dim) < getattr(y.dependence, dim)
    assert not {"administrative_assistant", "sole_dependence"} & {d.id for d in h.diagnoses}


def test_h_strong_attachment_to_its_agency_is_no_pathology(h: Assessment) -> None:
    """H's "strong attachment to the agency" (4.2) describes the paper's positive example
    (5.2: 大大降低了对政府的强依赖性); with volunteers in decisions and weekly training it is not
    over-dependence, and the agency that trains weekly is not told to train more. Its residual
    risk, the agency's own dependence on government purchase, leads."""
    assert "over_dependence_on_third_party" not in {d.id for d in h.diagnoses}
    assert h.third_party_dependence.legitimacy == 1.0
    rank = {a.id: a.rank for a in h.actions}
    assert "tp_train_volunteers" not in rank
    assert rank["tp_negotiate_assessment_terms"] <= 2


def test_h_agency_has_little_autonomy_under_purchasing(h: Assessment) -> None:
    """H's agency "autonomy is rather poor" under strict assessment (5.2): diagnosed."""
    assert "third_party_low_autonomy" in {d.id for d in h.diagnoses}


def test_both_cases_cite_the_paper(h: Assessment, y: Assessment) -> None:
    """Every diagnosis and action of both cases cites at least one passage of the paper."""
    for a in (h, y):
        for d in a.diagnoses:
            assert d.sources, d.id
        for x in a.actions:
            assert x.sources, x.id
