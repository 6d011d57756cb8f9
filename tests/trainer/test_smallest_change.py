"""The smallest-change search: cheapest feasible change sets that meet a goal."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

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
    know-how <= 1. No change raises the sessions, and a third party taking over the training
    does not by itself make the few sessions enough, so the only exit is know-how up twice
    (0 -> 2, 3 + 3). The search is exhaustive within its bounds and finds it, at cost 6."""
    result = search(case_y, diagnosis_goal("weak_professionalism"))
    assert result.exhausted
    found = sorted(sorted(s.move for s in p.steps) for p in result.paths)
    assert found == [
        ["cost.volunteers.self_sufficiency", "cost.volunteers.self_sufficiency"],
    ]
    assert [p.cost for p in result.paths] == [6.0]
