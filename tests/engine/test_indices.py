"""Derived indices (advisor/indices.py): dependence, asymmetry, co-production, development mode."""

from __future__ import annotations

from typing import Any

import pytest

from advisor.indices import asymmetry_level, derive
from advisor.pipeline import preset
from knowledge_base.loader import load_kb


def test_case_y_dependence_arithmetic() -> None:
    """Y: standing borrowed from the community-founded M centre counts as standing granted through
    government's own centre (via_own_centre 0.8), funding 0.92, human resources 0.7 * 0.85 + 0.3 *
    0 (residents lead, 4.1) = 0.595, knowledge 0.5 * 1 + 0.5 * 1 = 1.0 (shown, weight 0); mean of
    the paper's three dimensions 2.315 / 3 = 0.7717. Alternatives: identity 0, funds 0.08, people
    0.7 * 0.15 + 0.3 = 0.405; mean 0.1617. Government's reliance 3 (disputes, 5.1) -> 0.75 counts
    only as 0.75 * 0.1617 ** 2 = 0.0196: index 0.7521, severe, the force depends more."""
    ix = derive(preset("case-y"))
    d = ix.dependence
    assert (d.legitimacy, d.funding, d.human_resources, d.knowledge) == (0.8, 0.92, 0.595, 1.0)
    assert ix.asymmetry.force_on_government == pytest.approx(0.7717, abs=1e-4)
    assert ix.asymmetry.government_on_force == 0.75
    assert ix.asymmetry.alternatives == pytest.approx(0.1617, abs=1e-4)
    assert ix.asymmetry.index == pytest.approx(0.7717 - 0.75 * 0.1617**2, abs=1e-4)
    assert ix.asymmetry.level == "severe"
    assert ix.asymmetry.direction == "force_depends_more"
    assert ix.third_party_dependence_mean == 0.0


def test_case_h_dependence_arithmetic() -> None:
    """H: its agency has little autonomy under strict assessment (5.2), a partial pass-through:
    0.75 of the purchased money counts as government's and half of it no longer as the agency's.
    On government 0.3 + (0.05 + 0.75 * 0.7) + 0.7 * 0.05 = 0.91, / 3 = 0.3033 (knowledge 0.1 is
    shown, weight 0); on the agency 1.0 + (0.5 * 0.7 + 0.15) + (0.7 * 0.8 + 0.3) = 2.36, / 3 =
    0.7867. Alternatives: identity 0.7, funds 0.25 + 0.25 * 0.7 = 0.425, people 0.965; mean
    0.6967; government's reliance 1 -> 0.25 * 0.6967 ** 2 = 0.1213: index 0.182, moderate."""
    ix = derive(preset("case-h"))
    d, t = ix.dependence, ix.third_party_dependence
    assert (d.legitimacy, d.funding, d.human_resources, d.knowledge) == (0.3, 0.575, 0.035, 0.1)
    assert (t.legitimacy, t.funding, t.human_resources, t.knowledge) == (1.0, 0.5, 0.86, 0.9)
    assert ix.asymmetry.force_on_government == pytest.approx(0.3033, abs=1e-4)
    assert ix.asymmetry.alternatives == pytest.approx(0.6967, abs=1e-4)
    assert ix.asymmetry.index == pytest.approx(0.3033 - 0.25 * 0.6967**2, abs=1e-4)
    assert ix.asymmetry.level == "moderate"
    assert ix.asymmetry.direction == "force_depends_more"
    assert ix.third_party_dependence_mean == pytest.approx(0.7867, abs=1e-4)


@pytest.mark.parametrize(
    ("index", "level"),
    [
        (0.0, "balanced"),
        (0.1499, "balanced"),
        (0.15, "moderate"),  # asymmetry.levels: moderate 0.15
        (0.3499, "moderate"),
        (0.35, "high"),  # high 0.35
        (0.5499, "high"),
        (0.55, "severe"),  # severe 0.55
        (-0.55, "severe"),  # the level is banded on |index|
        (-0.1499, "balanced"),
    ],
)
def test_asymmetry_levels_just_inside_and_outside(index: float, level: str) -> None:
    """Each cut point of asymmetry.levels starts its level exactly there."""
    assert asymmetry_level(index) == level


@pytest.mark.parametrize(
    ("steps", "score", "stage"),
    [
        ((0, 0, 0, 0), 0, "dependence"),
        ((1, 1, 1, 0), 3, "dependence"),
        ((1, 1, 1, 1), 4, "consultation"),
        ((2, 2, 2, 1), 7, "consultation"),
        ((2, 2, 2, 2), 8, "partnership"),
        ((3, 3, 3, 2), 11, "partnership"),
        ((3, 3, 3, 3), 12, "co_production"),
        ((4, 4, 4, 4), 16, "co_production"),
    ],
)
def test_coproduction_score_and_stage(steps: tuple[int, ...], score: int, stage: str) -> None:
    """The score is the sum of the four steps; the stage bands end at 3, 7, 11 and 16."""
    p = preset("case-h").model_copy(deep=True)
    c = p.coproduction
    c.planning, c.design, c.delivery, c.evaluation = steps
    cop = derive(p).coproduction
    assert (cop.score, cop.stage) == (score, stage)


@pytest.mark.parametrize(
    ("force_type", "mode"),
    [
        ("government_cultivated", "top_down"),
        ("social_org_cultivated", "bottom_up_top_down"),
        ("grassroots", "bottom_up"),
        ("registered_org", "bottom_up"),
    ],
)
def test_development_mode_inferred_from_force_type(force_type: str, mode: str) -> None:
    """An empty development mode is inferred from who cultivated the force."""
    p = preset("case-y").model_copy(deep=True)
    p.force_type = force_type  # type: ignore[assignment]
    dm = derive(p).development_mode
    assert (dm.value, dm.inferred) == (mode, True)


def test_a_given_development_mode_is_kept() -> None:
    """A development mode given in the profile is used as is."""
    p = preset("case-y").model_copy(deep=True)
    p.development_mode = "bottom_up"
    dm = derive(p).development_mode
    assert (dm.value, dm.inferred) == ("bottom_up", False)


def test_weights_are_read_from_the_knowledge_base(monkeypatch: Any) -> None:
    """Changing the dimension-weights parameter changes the overall dependence accordingly."""
    kb = load_kb()
    item = kb.items["dependence.dimension_weights"]
    weights = {"legitimacy": 0.0, "funding": 1.0, "human_resources": 0.0, "knowledge": 0.0}
    monkeypatch.setitem(kb.items, item.id, item.model_copy(update={"value": weights}))
    assert derive(preset("case-y")).asymmetry.force_on_government == 0.92


def test_every_index_parameter_is_an_operationalisation() -> None:
    """The parameters the indices read exist and are labelled operationalisation."""
    from advisor.indices import PARAMETER_IDS

    kb = load_kb()
    for pid in PARAMETER_IDS:
        item = kb.get(pid)
        assert item.kind == "parameter" and item.provenance.kind == "operationalisation"
        assert item.provenance.reasoning is not None
