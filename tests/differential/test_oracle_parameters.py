"""The oracle under other parameter values: the interpreted and compiled paths agree.

The robustness analysis (``advisor/robustness.py``) evaluates each case in many sampled
parameter worlds with ``oracle.evaluate_compiled``. These tests hold that fast path to the
interpreted oracle (``oracle.evaluate`` with ``parameters``), which the engine differential
test holds to the engine; and with the shipped values both give the point estimate.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from strategies import profiles

from advisor.models import CaseProfile
from advisor.robustness import evaluate_worlds, parameter_leaves, sample_matrix
from knowledge_base.loader import load_kb, parameter_values
from rules import oracle
from rules.lint import sample_profiles


def _world_values(leaves, row) -> dict:
    from advisor.robustness import _replace

    kb = load_kb()
    by: dict[str, list] = {}
    for j, lf in enumerate(leaves):
        by.setdefault(lf.param, []).append((lf.path, int(row[j]) if lf.integer else row[j]))
    return {pid: _replace(kb.param(pid), ch) for pid, ch in by.items()}


def test_shipped_values_give_the_point_estimate() -> None:
    """Overriding every parameter with its shipped value changes nothing."""
    kb = load_kb()
    shipped = {it.id: it.value for it in kb.by_kind("parameter")}
    for p in sample_profiles(60, seed=7):
        plain = oracle.evaluate(p)
        again = oracle.evaluate(p, shipped)
        assert (again.diagnoses, again.actions, again.priorities) == (
            plain.diagnoses,
            plain.actions,
            plain.priorities,
        )
        assert oracle.evaluate_compiled(p) == (plain.diagnoses, plain.actions)


def test_compiled_equals_interpreted_in_sampled_worlds() -> None:
    """In sampled parameter worlds the compiled path concludes what the interpreted one does."""
    leaves = parameter_leaves()
    samples = sample_matrix(leaves, 15, seed=3)
    for p in sample_profiles(40, seed=11):
        worlds = evaluate_worlds(p, leaves, samples)
        for row, world in zip(samples.tolist(), worlds, strict=True):
            res = oracle.evaluate(p, _world_values(leaves, row))
            assert world.diagnoses == res.diagnoses
            assert world.ranks == dict(res.actions)


@settings(max_examples=60, deadline=None)
@given(profiles())
def test_compiled_equals_interpreted_on_hypothesis_profiles(profile: CaseProfile) -> None:
    """Odd profiles (nullable fields, extreme counts): both paths agree at the shipped values."""
    plain = oracle.evaluate(profile)
    assert oracle.evaluate_compiled(profile) == (plain.diagnoses, plain.actions)


def test_overrides_do_not_leak_out_of_their_block() -> None:
    """Parameter values given for a block are gone after it, and the ranking cache is not stale."""
    kb = load_kb()
    shipped = kb.param("priority.weights")
    with parameter_values({"priority.weights": {**shipped, "severity": 0.0}}):
        assert kb.param("priority.weights")["severity"] == 0.0
    assert kb.param("priority.weights") == shipped
    p = sample_profiles(1, seed=5)[0]
    plain = oracle.evaluate(p)
    changed = oracle.evaluate(p, {"priority.weights": {**shipped, "severity": 0.0}})
    if plain.actions:
        assert changed.priorities != plain.priorities
    assert oracle.evaluate(p).priorities == plain.priorities


@pytest.mark.parametrize("ref", ["thresholds.sole_dependence:government_funding_min"])
def test_a_threshold_override_reaches_the_rules(ref: str) -> None:
    """A sampled threshold changes what the rules conclude, exactly as a re-loaded rule would."""
    from advisor.pipeline import preset

    p = preset("case-y")
    pid, _, key = ref.partition(":")
    value = dict(load_kb().param(pid))
    assert "sole_dependence" in oracle.evaluate(p).diagnoses
    value[key] = 0.99  # above the case's government funding share: no longer sole dependence
    assert "sole_dependence" not in oracle.evaluate(p, {pid: value}).diagnoses
    assert "sole_dependence" not in oracle.evaluate_compiled(p, {pid: value})[0]
