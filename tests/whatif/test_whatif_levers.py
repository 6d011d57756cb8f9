"""The paper's one-click levers: pure, valid, reading their values from the knowledge base."""

from __future__ import annotations

import re

import pytest
from test_whatif_diff import BASE

from advisor.errors import ProfileError
from advisor.indices import dependence_on_government
from advisor.models import CaseProfile
from advisor.whatif import LEVERS, apply_lever, fields_changed
from knowledge_base.loader import load_kb, paper_text


@pytest.fixture
def base() -> CaseProfile:
    """A government-cultivated force with no third party."""
    return CaseProfile.model_validate(BASE)


@pytest.mark.parametrize("name", list(LEVERS))
def test_every_lever_is_pure_valid_and_idempotent(base: CaseProfile, name: str) -> None:
    """A lever returns a new valid profile, leaves its input alone, and a second pull is a no-op."""
    before = base.model_dump()
    once = LEVERS[name](base)
    assert base.model_dump() == before
    assert fields_changed(base, once), "the lever changes something on this baseline"
    assert LEVERS[name](once) == once
    assert once.id == base.id and once.name == base.name


@pytest.mark.parametrize("name", list(LEVERS))
def test_every_lever_is_labelled_sourced_and_rests_on_framework_actions(name: str) -> None:
    """Each lever has both labels, a parameter of ours with verbatim quotes, and real actions."""
    lever = LEVERS[name]
    kb = load_kb()
    assert lever.label.zh and lever.label.en and lever.label.zh != lever.label.en
    item = kb.get(lever.parameter)
    assert item.kind == "parameter" and item.provenance.kind == "operationalisation"
    paper = re.sub(r"\s+", "", paper_text())
    for src in lever.sources():
        assert re.sub(r"\s+", "", src.quote_zh) in paper
    for action_id in lever.rests_on:
        assert kb.get(action_id).kind == "action"
    assert lever.description().zh and lever.description().en


def test_bring_in_strong_agency_routes_funding_and_recruitment_through_it(
    base: CaseProfile,
) -> None:
    """The agency is a strong facilitator and half the government money and recruits pass it."""
    v = load_kb().param("lever.bring_in_strong_agency")
    out = LEVERS["bring_in_strong_agency"](base)
    assert out.third_party is not None
    assert out.third_party.kind == "social_work_agency" and out.third_party.role == "facilitator"
    assert out.third_party.capacity >= 3
    share = v["funding_routed_share"]
    assert out.funding.government_direct == pytest.approx(0.8 * (1 - share))
    assert out.funding.government_via_third_party == pytest.approx(0.8 * share)
    assert out.human_resources.recruited_by.third_party == pytest.approx(0.9 * share)
    assert out.government.purchases_services is True
    # Funding routed through an agency weighs less on government than direct funding.
    assert dependence_on_government(out).funding < dependence_on_government(base).funding


def test_bring_in_strong_agency_keeps_a_stronger_existing_agency(base: CaseProfile) -> None:
    """An agency already stronger than the lever's minimum keeps its capacity and autonomy."""
    strong = {"kind": "volunteer_org", "capacity": 4, "role": "incubator", "autonomy": 4}
    prof = CaseProfile.model_validate({**BASE, "third_party": strong})
    out = LEVERS["bring_in_strong_agency"](prof)
    assert out.third_party is not None
    assert (out.third_party.capacity, out.third_party.autonomy) == (4, 4)


def test_government_enabler_changes_role_not_funding(base: CaseProfile) -> None:
    """The government becomes an enabler with low control and an acceptance mechanism, and its
    funding stays: a change of role, never a withdrawal (section 6)."""
    out = LEVERS["government_enabler"](base)
    assert out.government.role == "enabler"
    assert out.government.control <= load_kb().param("lever.government_enabler")["control_at_most"]
    assert out.government.acceptance_mechanism is True
    assert out.funding == base.funding
    assert {c.path for c in fields_changed(base, out)} == {
        "government.role",
        "government.control",
        "government.acceptance_mechanism",
    }


def test_volunteers_in_decisions_raises_participation_and_coplanning(base: CaseProfile) -> None:
    """Decision participation, co-planning and co-design rise; higher values are kept."""
    out = LEVERS["volunteers_in_decisions"](base)
    assert out.management.decision_participation == 3
    assert (out.coproduction.planning, out.coproduction.design) == (3, 3)
    high = CaseProfile.model_validate(
        {**BASE, "coproduction": {"planning": 4, "design": 4, "delivery": 4, "evaluation": 4}}
    )
    assert LEVERS["volunteers_in_decisions"](high).coproduction.planning == 4


def test_formal_incentives_sets_incentives_and_records(base: CaseProfile) -> None:
    """The incentive system becomes formal and service records are kept."""
    out = LEVERS["formal_incentives"](base)
    assert (out.management.incentives, out.management.records) == ("formal", True)


def test_an_unknown_lever_is_refused_with_the_choices(base: CaseProfile) -> None:
    """Asking for a lever that does not exist names the ones that do."""
    with pytest.raises(ProfileError, match="bring_in_strong_agency"):
        apply_lever(base, "abolish_government")
