"""Action effects (knowledge_base/data/effects/): every effect moves the profile the way its
source says, on any profile, and what-if's strong-agency lever carries the agency's effect.

Abstract: 如何通过推动合作生产降低了志愿服务力量对政府非对称性依赖 (the third party lowers the
asymmetric dependence by promoting co-production); section 6: 社工机构能够为其补充知识资源 (agencies
supply knowledge resources).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from strategies import profile_dicts

from advisor.effects import apply_effect, effect, effect_ids
from advisor.indices import derive
from advisor.models import CaseProfile
from advisor.pipeline import preset
from advisor.whatif import apply_lever
from knowledge_base.loader import load_kb


def _figure(profile: CaseProfile, name: str) -> float:
    ix = derive(profile)
    if name == "coproduction.score":
        return ix.coproduction.score
    if name.startswith("dependence."):
        return getattr(ix.dependence, name.split(".", 1)[1])
    if name == "asymmetry.index":
        return ix.asymmetry.index
    raise AssertionError(f"unknown figure {name}")


def test_every_effect_belongs_to_an_action_and_declares_its_direction() -> None:
    """Each effect item names an action of the knowledge base and at least one direction."""
    kb = load_kb()
    assert "gov_bring_in_third_party" in effect_ids()
    for a in effect_ids():
        assert kb.get(a).kind == "action"
        assert effect(a)["moves"], a


@pytest.mark.parametrize("action_id", effect_ids())
@settings(max_examples=40, deadline=None)
@given(data=profile_dicts())
def test_each_effect_moves_the_profile_the_way_its_source_says(action_id: str, data: dict) -> None:
    """Applied to any profile, an effect never moves a figure against its declared direction."""
    before = CaseProfile.model_validate(data)
    after = apply_effect(before, action_id)
    for name, way in effect(action_id)["moves"].items():
        b, a = _figure(before, name), _figure(after, name)
        assert (a >= b) if way == "up" else (a <= b), (action_id, name, b, a)


def test_bringing_in_a_strong_agency_raises_coproduction_and_lowers_knowledge_dependence() -> None:
    """Case Y with the strong-agency lever: co-production rises above 4 and knowledge dependence
    falls below 1 (section 6; the effect item effect.gov_bring_in_third_party)."""
    y = preset("case-y")
    after = apply_lever(y, "bring_in_strong_agency")
    assert derive(after).coproduction.score > derive(y).coproduction.score
    assert derive(after).dependence.knowledge < derive(y).dependence.knowledge
