"""Properties of the trainer tools over generated profiles and garbage files."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import JSON_VALUES, garbage_documents, profiles

from advisor.errors import ProfileError
from advisor.models import CaseProfile
from advisor.trainer.exercise import (
    PackError,
    create_pack,
    pack_from_text,
    pack_to_text,
    score,
)
from advisor.trainer.roadmap import build_roadmap
from advisor.trainer.sensitivity import sweep
from advisor.trainer.space import FIELDS, applicable_fields

FAST = settings(max_examples=25)


@FAST
@given(profiles(), st.sampled_from(sorted(FIELDS)))
def test_any_sweep_of_any_case_is_complete_or_refused(profile: CaseProfile, path: str) -> None:
    """A sweep either covers the field's whole range (valid or explained points) or is refused
    as a whole (a third-party field where there is none); shares stay summed to 1."""
    if path not in {s.path for s in applicable_fields(profile)}:
        with pytest.raises(ProfileError):
            sweep(profile, path)
        return
    s = sweep(profile, path)
    values = [p.value for p in s.points]
    assert set(FIELDS[path].values) <= set(values)
    for p in s.points:
        assert p.valid or p.problem
        if p.valid and p.group is not None:
            assert abs(sum(p.group.values()) - 1) < 1e-6


@FAST
@given(profiles(), st.randoms(use_true_random=False))
def test_scores_are_bounded_and_shuffles_are_accepted(profile: CaseProfile, rnd) -> None:
    """Any permutation of a pack's actions scores within [-1, 1]; the pack round-trips."""
    pack = create_pack(profile)
    if len(pack.actions) < 2:
        return
    order = [a.id for a in pack.actions]
    rnd.shuffle(order)
    result = score(pack, order)
    if result.spearman is not None:
        assert -1 <= result.spearman <= 1 and -1 <= result.kendall_tau <= 1
    assert pack_from_text(pack_to_text(pack, "yaml")) == pack


@FAST
@given(profiles())
def test_roadmap_preconditions_never_point_backwards(profile: CaseProfile) -> None:
    """On any case, every precondition is planned no later than the action that needs it."""
    from advisor.pipeline import assess

    r = build_roadmap(assess(profile))
    for e in r.preconditions:
        assert r.item(e.before).planned_phase <= r.item(e.after).planned_phase


@settings(max_examples=60)
@given(st.one_of(garbage_documents(), JSON_VALUES.map(lambda v: json.dumps(v).encode())))
def test_garbage_is_refused_as_a_pack_never_a_traceback(raw: bytes) -> None:
    """Random bytes and random JSON are refused with a PackError."""
    with pytest.raises(PackError):
        pack_from_text(raw, "fuzz")
