"""Robustness of each conclusion to our parameter choices (``advisor/robustness.py``).

The properties of issue 12 that concern parameters: with nothing ranged every robustness is
exactly 1 (a share of 0 or 1); a diagnosis whose rules read no ranged parameter is robust with
exactly 1; the same seed gives the same figures; the point estimate is the engine's, unchanged.
"""

from __future__ import annotations

import functools

import pytest

from advisor.models import Assessment, CaseProfile
from advisor.pipeline import assess, preset
from advisor.robustness import (
    Settings,
    analyse,
    parameter_leaves,
    percent,
    sample_matrix,
    with_robustness,
)
from knowledge_base.loader import load_kb
from knowledge_base.ranges import ranged_leaves
from rules import dsl, oracle
from rules.lint import sample_profiles

WORLDS = 150


@functools.cache
def _case(name: str) -> tuple[CaseProfile, Assessment]:
    p = preset(name)
    return p, assess(p)


def _profiles() -> list[CaseProfile]:
    return [preset("case-h"), preset("case-y"), *sample_profiles(6, seed=99)]


def test_nothing_ranged_gives_robustness_one_everywhere() -> None:
    """No ranged parameter and no unknown: every world is the point estimate."""
    for p in _profiles():
        a = assess(p)
        rob = analyse(p, a, worlds=20, leaves=[])
        for c in [*rob.diagnoses, *rob.actions]:
            assert c.robustness == 1.0, c
            assert c.holds_share in (0.0, 1.0)
            assert c.sensitive_to == []
        assert [c.id for c in rob.diagnoses] == [d.id for d in a.diagnoses]
        assert [c.id for c in rob.actions] == [x.id for x in a.actions]
        assert rob.top_fragile is False and rob.summary is None


def _rule_refs_by_diagnosis() -> dict[str, set[str]]:
    """Diagnosis id -> every parameter id its rules (and the diagnoses they refer to) read."""
    refs: dict[str, set[str]] = {}
    deps: dict[str, set[str]] = {}
    sev = oracle._severity_refs()
    for r in dsl.load_rules():
        if r.kind != "diagnosis":
            continue
        own = {c.param.partition(":")[0] for c in dsl.walk(r.when) if getattr(c, "param", None)}
        own |= {ref.partition(":")[0] for ref in sev.get(r.id, {}).values()}
        refs.setdefault(r.concludes, set()).update(own)
        deps.setdefault(r.concludes, set()).update(dsl.diagnoses_of(r))
    changed = True
    while changed:
        changed = False
        for d, ds in deps.items():
            for x in ds:
                if not refs.get(x, set()) <= refs[d]:
                    refs[d] |= refs[x]
                    changed = True
    return refs


def test_a_diagnosis_reading_no_ranged_parameter_has_robustness_exactly_one() -> None:
    """Vary only one threshold parameter: every diagnosis whose rules do not read it holds in
    every world exactly as in the point estimate."""
    refs = _rule_refs_by_diagnosis()
    threshold_ids = sorted({pid for ids in refs.values() for pid in ids if "thresholds." in pid})
    assert threshold_ids
    kb = load_kb()
    for name in ("case-h", "case-y"):
        p, a = _case(name)
        for pid in threshold_ids[:6]:
            leaves = ranged_leaves(kb.get(pid))
            rob = analyse(p, a, worlds=60, leaves=leaves)
            for c in rob.diagnoses:
                if pid not in refs.get(c.id, set()):
                    assert c.robustness == 1.0, (pid, c.id)


def test_same_seed_same_figures_and_another_seed_may_differ() -> None:
    """The analysis is deterministic for a seed."""
    p, a = _case("case-y")
    one = analyse(p, a, worlds=WORLDS, seed=5)
    two = analyse(p, a, worlds=WORLDS, seed=5)
    assert one == two
    leaves = parameter_leaves()
    assert (sample_matrix(leaves, 10, 5) == sample_matrix(leaves, 10, 5)).all()
    assert not (sample_matrix(leaves, 10, 5) == sample_matrix(leaves, 10, 6)).all()


def test_samples_stay_within_the_plausible_ranges() -> None:
    """Every sampled number lies within its range; integers stay integers."""
    leaves = parameter_leaves()
    x = sample_matrix(leaves, 400, 1)
    for j, lf in enumerate(leaves):
        col = x[:, j]
        assert col.min() >= lf.low - 1e-9 and col.max() <= lf.high + 1e-9, lf.name
        if lf.integer:
            assert (col == col.round()).all(), lf.name


def test_point_estimate_is_unchanged() -> None:
    """Adding robustness changes nothing else of the assessment."""
    for name in ("case-h", "case-y"):
        p, a = _case(name)
        plain = a.model_dump_json()
        richer = with_robustness(p, a, worlds=30)
        assert richer.robustness is not None
        assert richer.model_copy(update={"robustness": None}).model_dump_json() == plain
        assert a.robustness is None
        assert assess(p).model_dump_json() == plain


def test_assessment_json_with_and_without_robustness_reads_back() -> None:
    """The optional part round-trips; an assessment JSON without it stays valid."""
    p, a = _case("case-h")
    richer = with_robustness(p, a, worlds=30)
    assert Assessment.model_validate_json(richer.model_dump_json()) == richer
    data = a.model_dump()
    data.pop("robustness", None)
    assert Assessment.model_validate(data).robustness is None


def test_labels_follow_the_cutoff_parameter() -> None:
    """robust / fairly robust / fragile by the cut-offs of robustness.labels."""
    s = Settings.load()
    assert s.label(s.robust) == "robust"
    assert s.label(s.robust - 0.001) == "fairly_robust"
    assert s.label(s.fairly_robust) == "fairly_robust"
    assert s.label(s.fairly_robust - 0.001) == "fragile"
    assert percent(0.898) == "89%" and percent(1.0) == "100%" and percent(0.9) == "90%"


def test_every_point_conclusion_is_reported_and_shares_are_consistent() -> None:
    """Each diagnosis and action of the assessment has a row; agreement matches the shares."""
    for name in ("case-h", "case-y"):
        p, a = _case(name)
        rob = analyse(p, a, worlds=WORLDS)
        assert {c.id for c in rob.diagnoses if c.in_point_estimate} == {d.id for d in a.diagnoses}
        assert {c.id for c in rob.actions if c.in_point_estimate} == {x.id for x in a.actions}
        for c in rob.diagnoses:
            want = c.holds_share if c.in_point_estimate else 1 - c.holds_share
            assert c.robustness == pytest.approx(want, abs=1e-4)
        for c in rob.actions:
            assert c.top_share is not None and c.top_share <= c.holds_share + 1e-9
            assert len(c.sensitive_to) <= 2
        assert rob.parameters_varied and rob.worlds == WORLDS


def test_a_fragile_top_gets_a_summary_sentence_in_both_languages() -> None:
    """When the top of the list is fragile the summary says so, in Chinese and English."""
    for name in ("case-h", "case-y"):
        p, a = _case(name)
        rob = analyse(p, a, worlds=WORLDS)
        if rob.top_fragile:
            assert rob.summary is not None
            assert "第一项建议" in rob.summary.zh and "first action" in rob.summary.en
        else:
            assert rob.summary is None
