"""The roadmap: phases and preconditions, deferred actions, movement over time."""

from __future__ import annotations

from pathlib import Path

import pytest
from markupsafe import escape

from advisor.models import STAGES, CaseProfile
from advisor.trainer.roadmap import build_roadmap, render_roadmap, trajectory
from advisor.trainer.space import with_value


def _roadmaps(case_y: CaseProfile, case_h: CaseProfile):
    from advisor.pipeline import assess

    variants = [case_y, case_h]
    # a weak third party (the guard rail case) and a force far along
    if case_h.third_party is not None:
        weak = case_h.model_copy(
            update={"third_party": case_h.third_party.model_copy(update={"capacity": 0})}
        )
        variants.append(weak)
    return [build_roadmap(assess(p)) for p in variants]


def test_phases_respect_preconditions(case_y: CaseProfile, case_h: CaseProfile) -> None:
    """For every precondition, the first action is planned no later, and earlier in order."""
    for r in _roadmaps(case_y, case_h):
        assert r.items
        for e in r.preconditions:
            a, b = r.item(e.before), r.item(e.after)
            assert a.planned_phase <= b.planned_phase, e
            if a.planned_phase == b.planned_phase and a.actor == b.actor:
                assert a.order < b.order, e
            assert e.before in b.after


def test_each_rule_holds_on_its_pairs(case_y: CaseProfile, case_h: CaseProfile) -> None:
    """stage_order edges go foundation -> co-production; the cycle goes forward."""
    for r in _roadmaps(case_y, case_h):
        for e in r.preconditions:
            a, b = r.item(e.before), r.item(e.after)
            if e.rule == "stage_order":
                assert a.stage == "foundation" and b.stage != "foundation"
                assert a.actor == b.actor
            elif e.rule == "coproduction_cycle":
                assert STAGES.index(a.stage) < STAGES.index(b.stage)
            else:
                assert b.deferred and not a.deferred


def test_recognition_comes_before_co_planning(case_y: CaseProfile) -> None:
    """When both are planned, the government recognises the force before co-planning with it."""
    r = _roadmaps(case_y, case_y)[0]
    ids = {i.id for i in r.items}
    if {"gov_recognise_and_accept", "gov_co_planning"} <= ids:
        assert "gov_recognise_and_accept" in r.item("gov_co_planning").after
    else:
        pytest.skip("case Y's plan does not hold both actions")


def test_weak_third_party_defers_more_responsibility(case_h: CaseProfile) -> None:
    """With capacity 0, more-responsibility actions are deferred after capacity-building."""
    from advisor.pipeline import assess

    assert case_h.third_party is not None
    weak = case_h.model_copy(
        update={"third_party": case_h.third_party.model_copy(update={"capacity": 0})}
    )
    r = build_roadmap(assess(weak))
    deferred = {i.id: i for i in r.items if i.deferred}
    # guard_weak_third_party_capacity_first overrules exactly these two (rules/definitions)
    assert set(deferred) == {"tp_five_social_linkage", "tp_joint_negotiation"}
    for i in deferred.values():
        assert i.planned_phase == 3
        assert i.rank is None
        assert i.after == ["tp_build_own_capacity"]
    assert not r.item("tp_build_own_capacity").deferred


def test_nothing_is_deferred_when_no_guard_holds_anything_back(case_y: CaseProfile) -> None:
    """Case Y without its M centre: the not-recommended actions fail their own rules; none is
    put on the plan."""
    from advisor.pipeline import assess

    a = assess(case_y.model_copy(update={"third_party": None}))
    r = build_roadmap(a)
    assert not [i for i in r.items if i.deferred]
    assert {i.id for i in r.items} == {x.id for x in a.actions}


def test_a_weak_centre_defers_more_responsibility_until_it_has_built_capacity(
    case_y: CaseProfile,
) -> None:
    """Case Y's M centre is weak (capacity 1): the guard defers its part in five-society linkage
    and joint negotiation until after it has built its own capacity (section 6)."""
    from advisor.pipeline import assess

    r = build_roadmap(assess(case_y))
    deferred = {i.id: i for i in r.items if i.deferred}
    assert deferred
    assert set(deferred) <= {"tp_five_social_linkage", "tp_joint_negotiation"}
    for item in deferred.values():
        assert "tp_build_own_capacity" in item.after


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_render_both_formats(case_y: CaseProfile, lang: str) -> None:
    """Markdown and HTML show each planned action and the rules' explanations."""
    from advisor.pipeline import assess

    r = build_roadmap(assess(case_y))
    for fmt in ("md", "html"):
        text = render_roadmap(r, fmt, lang)
        show = (lambda x: str(escape(x))) if fmt == "html" else (lambda x: x)
        for i in r.items:
            assert show(i.label.get(lang)) in text
        assert show(r.rules["stage_order"].get(lang)) in text


def test_trajectory_from_the_case_library(case_y: CaseProfile, tmp_path: Path) -> None:
    """Three assessments over time in a real SQLite library give three points, oldest first."""
    from advisor.pipeline import assess
    from advisor.store import CaseStore

    store = CaseStore(tmp_path / "cases.sqlite3")
    store.save(case_y)
    lower = case_y.funding.government_direct / 2
    versions = [case_y, with_value(case_y, "funding.government_direct", lower)]
    for p in versions:
        store.record_assessment(case_y.id, assess(p))
    store.record_assessment(case_y.id, assess(versions[-1]))
    points = trajectory(store.history(case_y.id))
    assert len(points) == 3
    assert [p.at for p in points] == sorted(p.at for p in points)
    assert points[1].asymmetry_index < points[0].asymmetry_index
    text = render_roadmap(build_roadmap(assess(case_y)), "md", "en", points)
    assert "Movement over time" in text


def test_roadmap_items_carry_the_effect_the_knowledge_base_models(case_y: CaseProfile) -> None:
    """Each planned action with an effect item (knowledge_base/data/effects/) shows what it is
    expected to change, the same data what-if's levers apply; the others show none."""
    from advisor.effects import effect_ids
    from advisor.pipeline import assess

    r = build_roadmap(assess(case_y))
    with_effect = [i for i in r.items if i.id in effect_ids()]
    assert with_effect, "case Y plans at least one action with a modelled effect"
    for i in r.items:
        assert (i.expected_effect is not None) == (i.id in effect_ids()), i.id
