"""The smallest-change search: cheapest feasible change sets that meet a goal."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from strategies import profiles

from advisor.errors import ProfileError
from advisor.models import CaseProfile
from advisor.trainer.smallest_change import (
    Goal,
    _flatten,
    _moves_from,
    _unflatten,
    apply_path,
    asymmetry_goal,
    diagnosis_goal,
    load_moves,
    parse_goal,
    search,
    smallest_change,
)

COST_DIR = Path(__file__).resolve().parents[2] / "knowledge_base" / "data" / "parameters"


def test_case_y_to_moderate_returns_valid_cheapest_paths(case_y: CaseProfile) -> None:
    """Each path meets the goal when replayed; the first is the cheapest; costs add up."""
    from advisor.pipeline import assess

    goal = asymmetry_goal("moderate")
    assert not goal.is_met(assess(case_y)), "case Y should start above moderate"
    paths = smallest_change(case_y, goal)
    assert 1 <= len(paths) <= 3
    costs = [p.cost for p in paths]
    assert costs == sorted(costs)
    assert paths[0].cost == min(costs)
    for p in paths:
        assert p.cost == pytest.approx(sum(s.cost for s in p.steps))
        assert p.final.goal_met
        assert p.steps[-1].outcome.goal_met
        assert not any(s.outcome.goal_met for s in p.steps[:-1]), "a shorter prefix already met it"
        gone = {d for s in p.steps for d in s.removed} - {d for s in p.steps for d in s.added}
        assert gone <= set(p.start.diagnoses) - set(p.final.diagnoses)
        final = assess(apply_path(case_y, p))
        assert goal.is_met(final)
        assert final.asymmetry.index == pytest.approx(p.final.asymmetry_index)
        assert all(
            s.actor in ("government", "third_party", "volunteers", "residents") for s in p.steps
        )


@pytest.mark.parametrize(
    ("actors", "target"),
    [(["volunteers", "residents"], "moderate"), (["government", "third_party"], "moderate")],
)
def test_no_cheaper_change_set_exists(case_y: CaseProfile, actors: list[str], target: str) -> None:
    """Brute force over every change set (neutral ones too) cheaper than the first path: none
    meets the goal. Restricted to two actors' changes to keep the enumeration small."""
    from advisor.indices import asymmetry_level, derive

    order = ("balanced", "moderate", "high", "severe")
    goal = asymmetry_goal(target)
    best = search(case_y, goal, top=1, actors=actors).paths[0]
    moves = [m for m in load_moves() if m.spec.actor in actors]
    frontier = [(_flatten(case_y.model_dump(mode="json")), 0.0)]
    seen = {frozenset(frontier[0][0].items())}
    checked = 0
    while frontier:
        nxt = []
        for flat, cost in frontier:
            for m in moves:
                for delta in _moves_from(flat, m):
                    c = cost + m.spec.cost
                    child = {**flat, **delta}
                    key = frozenset(child.items())
                    if c >= best.cost - 1e-9 or key in seen:
                        continue
                    seen.add(key)
                    checked += 1
                    p = CaseProfile.model_validate(_unflatten(child))
                    level = asymmetry_level(derive(p).asymmetry.index)
                    assert order.index(level) > order.index(target), f"cheaper at {c}: {child}"
                    nxt.append((child, c))
        frontier = nxt
    assert checked > 10, "the enumeration checked almost nothing"


def test_paths_do_not_contain_a_cheaper_found_path(case_y: CaseProfile) -> None:
    """A reported path is never a cheaper reported path plus extra changes."""
    paths = smallest_change(case_y, "asymmetry <= moderate")
    # multisets: a move applied twice is not contained in a path that applies it once
    sets = [Counter((s.move, s.target) for s in p.steps) for p in paths]
    for i, a in enumerate(sets):
        for b in sets[i + 1 :]:
            assert not a <= b


def test_remove_a_diagnosis(case_y: CaseProfile) -> None:
    """Removing one of case Y's diagnoses ends in an assessment without it."""
    from advisor.pipeline import assess

    base = assess(case_y)
    target = base.diagnoses[0].id
    result = search(case_y, parse_goal(f"remove diagnosis {target}"), max_nodes=800)
    assert result.paths, f"no way found to remove {target}"
    for p in result.paths:
        assert target not in p.final.diagnoses


def test_a_goal_already_met_needs_no_change(case_y: CaseProfile) -> None:
    """Asymmetry <= severe holds for every case: one empty path of cost 0."""
    result = search(case_y, asymmetry_goal("severe"))
    assert result.already_met
    assert result.paths[0].steps == [] and result.paths[0].cost == 0


def test_restricting_actors_restricts_the_steps(case_y: CaseProfile) -> None:
    """With only volunteers allowed, every step is the volunteers'."""
    result = search(case_y, asymmetry_goal("moderate"), actors=["volunteers"], max_nodes=600)
    for p in result.paths:
        assert {s.actor for s in p.steps} == {"volunteers"}


def test_bad_goals_are_refused_clearly() -> None:
    """An unknown level or diagnosis is named in the refusal."""
    with pytest.raises(ProfileError, match="extreme"):
        parse_goal("asymmetry <= extreme")
    with pytest.raises(ProfileError, match="no_such_dx"):
        parse_goal("remove diagnosis no_such_dx")
    assert parse_goal("moderate") == Goal(kind="asymmetry_at_most", target="moderate")


def test_every_cost_parameter_is_sourced_and_labelled() -> None:
    """Each cost.* file: one item named after its id, operationalisation with reasoning in both
    languages, and a quote found verbatim in the paper."""
    paper = re.sub(r"\s+", "", (COST_DIR.parents[1] / "paper" / "paper.zh.txt").read_text("utf-8"))
    files = sorted(COST_DIR.glob("cost.*.yaml"))
    assert len(files) >= 20
    for f in files:
        doc = yaml.safe_load(f.read_text("utf-8"))
        assert f.stem == doc["id"]
        assert doc["kind"] == "parameter"
        assert doc["provenance"]["kind"] == "operationalisation"
        assert doc["provenance"]["reasoning"]["zh"] and doc["provenance"]["reasoning"]["en"]
        for src in doc["source"]:
            assert re.sub(r"\s+", "", src["quote_zh"]) in paper, f"{f.name}: quote not verbatim"
    moves = load_moves()
    assert {m.spec.actor for m in moves} == {"government", "third_party", "volunteers", "residents"}


def test_removing_weak_professionalism_finds_exactly_the_rule_s_exits(case_y: CaseProfile) -> None:
    """dx_weak_professionalism needs < 6 training sessions a year (whoever trains) and own
    know-how <= 1. Two exits exist: bringing in a strong agency, whose sourced effect
    (effect.gov_bring_in_third_party: the agency supplies knowledge, 12 sessions a year) lifts the
    sessions, at cost 4; and know-how up twice (0 -> 2, 3 + 3), at cost 6. A third party taking
    over the training alone does not make the few sessions enough. The search is exhaustive
    within its bounds and finds exactly these."""
    result = search(case_y, diagnosis_goal("weak_professionalism"))
    assert result.exhausted
    found = sorted(sorted(s.move for s in p.steps) for p in result.paths)
    assert found == [
        ["cost.government.bring_in_third_party"],
        ["cost.volunteers.self_sufficiency", "cost.volunteers.self_sufficiency"],
    ]
    assert [p.cost for p in result.paths] == [4.0, 6.0]


def test_case_y_bring_in_agency_step_is_the_effects_data(case_y: CaseProfile) -> None:
    """On case Y (no independent third party: the community-founded M centre) the cheapest way to
    moderate asymmetry is bringing in a strong agency, and its step changes the profile exactly as
    the what-if lever and the effect item do: the agency, money and recruitment routed through it,
    and the knowledge and co-production that effect.gov_bring_in_third_party records."""
    from advisor.effects import effect
    from advisor.whatif import LEVERS

    path = smallest_change(case_y, "asymmetry <= moderate")[0]
    step = path.steps[0]
    assert step.move == "cost.government.bring_in_third_party" and len(path.steps) == 1
    assert step.before["origin"] == "community_founded" and step.after["origin"] is None
    after = apply_path(case_y, path)
    assert after == LEVERS["bring_in_strong_agency"](case_y)
    ops = effect("gov_bring_in_third_party")
    assert ops is not None
    assert after.knowledge.training_provider == ops["set"]["knowledge.training_provider"]
    for dotted, floor in ops["at_least"].items():
        group, leaf = dotted.split(".")
        assert getattr(getattr(after, group), leaf) >= floor, dotted
        assert step.effect.get(dotted, getattr(getattr(case_y, group), leaf)) >= floor
    # the sourced directions: knowledge dependence down, co-production up
    from advisor.indices import derive

    before_ix, after_ix = derive(case_y), derive(after)
    assert after_ix.dependence.knowledge < before_ix.dependence.knowledge
    assert path.final.coproduction_score > path.start.coproduction_score


def test_the_search_starts_from_the_case_itself(case_y: CaseProfile) -> None:
    """Flattening keeps every field of the third party (case Y's M centre is community-founded,
    so no independent third party): the search's own state 0 is case Y, unchanged."""
    flat = _flatten(case_y.model_dump(mode="json"))
    assert CaseProfile.model_validate(_unflatten(flat)) == case_y


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profile=profiles())
def test_every_effect_move_changes_the_profile_as_advisor_effects_does(
    profile: CaseProfile,
) -> None:
    """Property: each move of kind ``effect`` changes a profile exactly as ``advisor/effects.py``
    applies the action's effect item (through the what-if lever where the move names one), or
    does nothing where it does not apply (an independent third party already there; nothing
    left to raise)."""
    from advisor.effects import apply_effect
    from advisor.indices import independent_third_party
    from advisor.whatif import LEVERS

    flat = _flatten(profile.model_dump(mode="json"))
    moves = [m for m in load_moves() if m.spec.move == "effect"]
    assert {m.spec.action for m in moves} >= {"gov_bring_in_third_party", "gov_co_planning"}
    for m in moves:
        deltas = _moves_from(flat, m)
        if m.spec.lever is not None:
            expected = LEVERS[m.spec.lever](profile)
            assert m.spec.action in LEVERS[m.spec.lever].rests_on
        else:
            expected = apply_effect(profile, str(m.spec.action))
        blocked = m.spec.only_without_independent_third_party and independent_third_party(profile)
        if blocked or expected == profile:
            assert deltas == [], m.id
            continue
        assert len(deltas) == 1, m.id
        got = CaseProfile.model_validate(_unflatten({**flat, **deltas[0]}))
        assert got == expected, m.id
