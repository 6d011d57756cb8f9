"""The field catalogue (advisor/fields.py) describes the profile model, and the one uniform
generator (advisor.synth.uniform_data) covers it."""

from __future__ import annotations

import random

import pytest

from advisor import fields
from advisor.models import CaseProfile
from advisor.synth import RandomSource, generate_data, uniform_data, uniform_profiles
from knowledge_base.fields import load_fields


def test_every_field_of_the_model_is_in_the_catalogue_once() -> None:
    """Paths follow the model's nesting and order; groups precede their fields."""
    paths = list(fields.FIELDS)
    assert len(paths) == len(set(paths))
    assert paths[:3] == ["schema_version", "id", "name"]
    for spec in fields.FIELDS.values():
        if spec.parent:
            assert fields.FIELDS[spec.parent].kind == "group", spec.path
            assert paths.index(spec.parent) < paths.index(spec.path)


def test_kinds_agree_with_the_field_documentation() -> None:
    """fields.yaml names every group, enum, level, share and bool as the catalogue does."""
    docs = load_fields()
    for spec in fields.FIELDS.values():
        if spec.kind in ("group", "enum", "level", "share", "bool"):
            assert docs[spec.path].type == spec.kind, spec.path
        if spec.kind == "level":
            assert set(docs[spec.path].levels or {}) == set(spec.levels), spec.path


def test_a_level_is_a_small_closed_integer_scale() -> None:
    """Levels are 0-3 or 0-4 today; counts (volunteers, sessions, associations) are not levels,
    and an optional level (community resources) is still a level."""
    levels = {s.path for s in fields.LEAVES if s.is_level}
    assert "community.non_government_resources" in levels
    assert fields.spec("knowledge.self_sufficiency").levels == (0, 1, 2, 3)
    for path in (
        "human_resources.volunteers",
        "knowledge.training_sessions_per_year",
        "community.resident_associations",
    ):
        assert fields.spec(path).kind == "count"


def test_share_groups_and_optional_groups() -> None:
    """Funding and recruitment are the share groups; third party and community may be null."""
    assert fields.SHARE_GROUPS == {
        "funding": fields.FUNDING_KEYS,
        "human_resources.recruited_by": fields.RECRUIT_KEYS,
    }
    assert fields.spec("third_party.government_purchase_share").share_group is None
    assert fields.OPTIONAL_GROUPS == ("third_party", "community")


@pytest.mark.parametrize("data", list(generate_data(40, seed=11)))
def test_flatten_unflatten_round_trip(data: dict) -> None:
    """A profile flattened to {path: value} and back is the same profile."""
    profile = CaseProfile.model_validate(data)
    dumped = profile.model_dump(mode="json")
    again = CaseProfile.model_validate(fields.unflatten(fields.flatten(dumped)))
    assert again == profile


def test_get_set_and_unknown_paths() -> None:
    """get reads through absent groups as None; set_path makes groups; unknown prefixes named."""
    data: dict = {"third_party": None}
    assert fields.get(data, "third_party.capacity") is None
    fields.set_path(data, "third_party.capacity", 3)
    assert data == {"third_party": {"capacity": 3}}
    assert fields.first_unknown("government.control") is None
    assert fields.first_unknown("government.controll.x") == "government.controll"
    assert fields.first_unknown("basis") is None


def test_uniform_generator_is_valid_and_covers_every_value() -> None:
    """Seeded uniform profiles validate, repeat for a seed, and reach every enum value, both
    booleans and both ends of every level."""
    profiles = uniform_profiles(400, seed=5)
    assert [p.model_dump() for p in uniform_profiles(5, seed=5)] == [
        p.model_dump() for p in profiles[:5]
    ]
    seen: dict[str, set] = {}
    for p in profiles:
        for path, value in fields.flatten(p.model_dump(mode="json")).items():
            seen.setdefault(path, set()).add(value)
    for spec in fields.LEAVES:
        if spec.kind == "enum":
            assert set(spec.values) <= seen[spec.path], spec.path
        elif spec.kind == "bool":
            assert {True, False} <= seen[spec.path], spec.path
        elif spec.kind == "level":
            assert {spec.levels[0], spec.levels[-1]} <= seen[spec.path], spec.path
    assert None in seen["third_party.kind"] and None in seen["development_mode"]


def test_uniform_generator_can_force_a_group() -> None:
    """force={"third_party": True} always gives a third party; False never."""
    rng = random.Random(1)
    for i in range(30):
        assert uniform_data(RandomSource(rng, i), {"third_party": True})["third_party"]
        assert uniform_data(RandomSource(rng, i), {"third_party": False}).get("third_party") is None
