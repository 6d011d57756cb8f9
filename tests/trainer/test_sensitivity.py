"""Sensitivity sweeps and the tornado over the paper's cases."""

from __future__ import annotations

import itertools

import pytest

from advisor.errors import ProfileError
from advisor.models import CaseProfile
from advisor.trainer.sensitivity import sweep, tornado


def _monotone(xs: list[float]) -> bool:
    up = all(b >= a - 1e-9 for a, b in itertools.pairwise(xs))
    down = all(b <= a + 1e-9 for a, b in itertools.pairwise(xs))
    return up or down


def test_sweeping_government_control_moves_asymmetry_monotonically(case_y: CaseProfile) -> None:
    """For case Y the asymmetry never turns back as control goes 0..4, and the sweep is complete."""
    s = sweep(case_y, "government.control")
    assert [p.value for p in s.points] == [0, 1, 2, 3, 4]
    assert all(p.valid for p in s.points)
    assert _monotone([p.asymmetry_index for p in s.points])
    assert sum(p.is_baseline for p in s.points) == 1
    assert next(p for p in s.points if p.is_baseline).value == case_y.government.control


def test_control_changes_what_the_engine_advises(case_y: CaseProfile) -> None:
    """Control is a lever on the advice: the diagnoses at control 0 and 4 differ."""
    s = sweep(case_y, "government.control")
    low, high = s.points[0], s.points[-1]
    assert set(low.diagnoses) != set(high.diagnoses) or low.priorities != high.priorities


def test_direct_government_funding_raises_asymmetry_strictly(case_y: CaseProfile) -> None:
    """More of the budget straight from government: the force leans harder on it."""
    s = sweep(case_y, "funding.government_direct")
    idx = [p.asymmetry_index for p in s.valid_points()]
    assert len(idx) == 12  # 0.0, 0.1 .. 1.0 and case Y's own 0.92
    assert [p.value for p in s.points if p.is_baseline] == [case_y.funding.government_direct]
    assert all(b > a for a, b in itertools.pairwise(idx))
    assert s.rebalanced_group == "funding"
    assert s.note is not None and "proportion" in s.note.en and "比例" in s.note.zh
    for p in s.valid_points():  # each point's funding still sums to 1
        assert p.group is not None
        assert abs(sum(p.group.values()) - 1) < 1e-6


def test_tracked_actions_include_the_baseline_top_three(case_y: CaseProfile) -> None:
    """The chart follows the baseline's top actions, with a priority at every value."""
    from advisor.pipeline import assess

    top = [a.id for a in sorted(assess(case_y).actions, key=lambda a: a.rank)[:3]]
    s = sweep(case_y, "government.role")
    assert s.tracked_actions[: len(top)] == top
    for p in s.valid_points():
        assert set(p.priorities) == set(s.tracked_actions)
        assert all(0 <= v <= 100 for v in p.priorities.values())


def test_explicit_values_and_impossible_points(case_y: CaseProfile) -> None:
    """Values outside the contract are kept as invalid points with the reason, not dropped."""
    s = sweep(case_y, "government.control", [1, 9])
    assert [p.valid for p in s.points] == [True, False]
    assert "government.control" in (s.points[1].problem or "")


def test_sweeping_an_unknown_field_is_refused(case_y: CaseProfile) -> None:
    """A path that is not a field names itself in the refusal."""
    with pytest.raises(ProfileError, match=r"government\.kontrol"):
        sweep(case_y, "government.kontrol")


def test_tornado_is_sorted_and_consistent_with_sweeps(case_y: CaseProfile) -> None:
    """Bars come largest swing first, each swing is high - low, and one bar matches its sweep."""
    bars = tornado(case_y)
    assert bars, "no field moved anything"
    swings = [b.swing for b in bars]
    assert swings == sorted(swings, reverse=True)
    for b in bars:
        assert b.swing == pytest.approx(b.high - b.low)
    by_path = {b.path: b for b in bars}
    s = sweep(case_y, "funding.government_direct")
    idx = [p.asymmetry_index for p in s.valid_points()]
    assert by_path["funding.government_direct"].low == pytest.approx(min(idx))
    assert by_path["funding.government_direct"].high == pytest.approx(max(idx))
    # fields that do not enter the asymmetry formula have no swing
    assert by_path["human_resources.volunteers"].swing == 0
