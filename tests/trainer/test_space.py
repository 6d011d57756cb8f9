"""The field space: domains read off the contract model, and changing one field safely."""

from __future__ import annotations

import pytest

from advisor.errors import ProfileError
from advisor.models import CaseProfile
from advisor.trainer.space import FIELDS, field_spec, get_value, with_value


def test_domains_come_from_the_contract_model() -> None:
    """Levels, enums, booleans and shares get their whole range from the pydantic model."""
    assert field_spec("government.control").values == (0, 1, 2, 3, 4)
    assert field_spec("knowledge.self_sufficiency").values == (0, 1, 2, 3)
    assert field_spec("government.role").values == ("director", "sponsor", "enabler")
    assert field_spec("government.acceptance_mechanism").values == (False, True)
    assert field_spec("funding.charity").values[0] == 0.0
    assert field_spec("funding.charity").values[-1] == 1.0
    assert field_spec("development_mode").values[0] is None  # null: infer it
    assert "id" not in FIELDS and "name" not in FIELDS


def test_unknown_field_is_refused_with_a_hint() -> None:
    """A misspelt path is named, with the paths that end the same way suggested."""
    with pytest.raises(ProfileError) as info:
        field_spec("govt.control")
    assert "govt.control" in str(info.value)
    assert "government.control" in str(info.value)


def test_setting_a_share_rescales_the_rest_of_its_group(case_y: CaseProfile) -> None:
    """Funding shares still sum to 1, and the others keep their proportions."""
    before = case_y.funding.model_dump()
    after = with_value(case_y, "funding.charity", 0.5).funding.model_dump()
    assert after["charity"] == 0.5
    assert abs(sum(after.values()) - 1) < 1e-6
    others = [k for k in before if k != "charity"]
    rest_before = sum(before[k] for k in others)
    if rest_before > 0:
        for k in others:  # proportional: each keeps its share of the remainder
            assert after[k] == pytest.approx(before[k] * 0.5 / rest_before, abs=2e-4)


def test_setting_a_share_to_one_zeroes_the_others(case_y: CaseProfile) -> None:
    """At 1.0 the rest of the recruitment group is zero and the profile stays valid."""
    p = with_value(case_y, "human_resources.recruited_by.self", 1.0)
    assert p.human_resources.recruited_by.self == 1.0
    assert p.human_resources.recruited_by.government == 0.0


def test_third_party_field_without_a_third_party_is_refused(case_y: CaseProfile) -> None:
    """A case with no third party cannot have its third party's capacity set."""
    no_tp = CaseProfile.model_validate({**case_y.model_dump(), "third_party": None})
    with pytest.raises(ProfileError) as info:
        with_value(no_tp, "third_party.capacity", 3)
    assert "third_party.capacity" in str(info.value)
    assert get_value(no_tp, "third_party.capacity") is None


def test_an_invalid_combination_is_refused_naming_the_field(case_y: CaseProfile) -> None:
    """More core volunteers than volunteers is refused with the contract's message."""
    p = with_value(
        with_value(case_y, "human_resources.volunteers", 40), "human_resources.core_volunteers", 10
    )
    with pytest.raises(ProfileError) as info:
        with_value(p, "human_resources.volunteers", 5)
    assert "human_resources.core_volunteers" in str(info.value)
