"""Unknowns and ranges: the properties of issue 12.

- every version 1 test profile reads as version 2 with the same assessment;
- three-valued evaluation on point facts is the two-valued oracle;
- the fact bounds contain every sampled world, and a decided conclusion is decided alike in
  every sampled world (concluded: holds in all; dropped: holds in none);
- widening a range never turns an undecided conclusion into a decided one;
- with parameters fixed, a concluded diagnosis holds in every sampled world (robustness 1).
"""

from __future__ import annotations

import json
import random

import pytest
from uncertain_helpers import uncertain, uncertain_doc, widen

from advisor.pipeline import assess, preset
from advisor.robustness import analyse
from advisor.uncertain import MISSING, Interval, OneOf, fact_bounds, read_profile, to_v2
from advisor.uncertain_assess import assess_profile, decide
from rules import dsl, oracle
from rules.lint import sample_profiles


def _profiles(n: int, seed: int = 31) -> list:
    return [preset("case-h"), preset("case-y"), *sample_profiles(n, seed=seed)]


def test_every_v1_profile_reads_as_v2_with_the_same_assessment() -> None:
    """Migration: the version 2 form of a version 1 profile gives a byte-identical assessment."""
    for p in _profiles(60):
        v1 = json.loads(p.model_dump_json())
        up = read_profile(to_v2(v1))
        assert up.is_certain()
        assert assess_profile(up).model_dump_json() == assess(p).model_dump_json()
        assert read_profile(v1).central() == p


def test_three_valued_on_points_is_the_two_valued_oracle() -> None:
    """With nothing uncertain every conclusion is decided exactly as the oracle decides it."""
    for p in _profiles(80, seed=5):
        fact = fact_bounds(read_profile(json.loads(p.model_dump_json()))).fact
        d = oracle.evaluate3(fact)
        r = oracle.evaluate(p)
        assert set(d.diagnoses) == r.diagnoses and all(v is True for v in d.diagnoses.values())
        assert set(d.actions) == {a for a, _ in r.actions}
        assert all(v is True for v in d.actions.values()) and not d.needs
        for rule in dsl.load_rules():
            assert oracle.holds3(rule.when, fact, dict.fromkeys(r.diagnoses, True)) == (
                oracle.holds(rule.when, fact, r.diagnoses)
            )


def _within(value: object, bound: object) -> bool:
    if isinstance(bound, Interval):
        if value == MISSING:
            return bound.missing
        return isinstance(value, int | float) and bound.contains(float(value))
    if isinstance(bound, OneOf):
        return value in bound.values
    return value == bound


def test_bounds_contain_every_sampled_world_and_decisions_hold_there() -> None:
    """Soundness: each sampled world's facts lie within the bounds; what is concluded holds
    in every sampled world and what is dropped in none."""
    rng = random.Random(17)
    for i, p in enumerate(_profiles(40, seed=9)):
        up = uncertain(p, rng, k=1 + i % 5)
        fb = fact_bounds(up)
        d = oracle.evaluate3(fb.fact)
        wrng = random.Random(i)
        for _ in range(25):
            world = up.sample(wrng)
            from advisor.indices import derive

            fact = dsl.case_fact(world, derive(world))
            for key in set(fact) | set(fb.fact):
                assert _within(fact.get(key, MISSING), fb.fact.get(key, MISSING)), (key, i)
            r = oracle.evaluate(world)
            for dx, v in d.diagnoses.items():
                if v is True:
                    assert dx in r.diagnoses, (dx, i)
            assert {x for x in r.diagnoses if x not in d.diagnoses} == set(), i
            acts = {a for a, _ in r.actions}
            assert {a for a, v in d.actions.items() if v is True} <= acts, i
            assert acts <= set(d.actions), i


def test_widening_never_decides_an_undecided_conclusion() -> None:
    """A wider range, a larger set or an unknown keeps every undecided conclusion undecided,
    and changes no decided one into the opposite."""
    rng = random.Random(23)
    checked = 0
    for i, p in enumerate(_profiles(50, seed=13)):
        doc = uncertain_doc(p, rng, k=1 + i % 4)
        narrow, _ = decide(read_profile(doc))
        for _ in range(3):
            wide_doc = widen(doc, rng)
            try:
                wide, _ = decide(read_profile(wide_doc))
            except Exception:
                continue
            for table_n, table_w in (
                (narrow.diagnoses, wide.diagnoses),
                (narrow.actions, wide.actions),
            ):
                for cid in set(table_n) | set(table_w):
                    before, after = table_n.get(cid, False), table_w.get(cid, False)
                    if before is None:
                        assert after is None, (cid, i)
                    elif after is not None:
                        assert after == before, (cid, i)
            checked += 1
            doc = wide_doc
    assert checked > 50


def test_concluded_diagnoses_have_robustness_one_with_parameters_fixed() -> None:
    """With parameters fixed, the worlds vary only the unknown inputs: every concluded
    diagnosis holds in all of them, every action certainly recommended is recommended in all."""
    rng = random.Random(3)
    for i, p in enumerate(_profiles(8, seed=21)):
        up = uncertain(p, rng, k=2 + i % 3)
        a = assess_profile(up, ask=False)
        rob = analyse(up, a, worlds=60, leaves=[])
        for c in rob.diagnoses:
            if c.in_point_estimate:
                assert c.robustness == 1.0, (c.id, i)
        for c in rob.actions:
            if c.in_point_estimate:
                assert c.holds_share == 1.0, (c.id, i)


def test_same_seed_same_figures_with_unknowns() -> None:
    """Sampling inputs is seeded too."""
    up = uncertain(preset("case-y"), random.Random(8), k=4)
    a = assess_profile(up, ask=False)
    assert analyse(up, a, worlds=80, seed=2) == analyse(up, a, worlds=80, seed=2)


@pytest.mark.parametrize(
    ("patch", "field", "phrase"),
    [
        ({"funding": {"charity": {"low": 0.5}}}, "funding.charity", "exactly 'low' and 'high'"),
        ({"funding": {"charity": {"low": 0.5, "high": 0.2}}}, "funding.charity", "is above"),
        ({"funding": {"charity": {"low": 0.5, "high": 1.2}}}, "funding.charity", "within 0..1"),
        ({"government": {"control": [1, 9]}}, "government.control", "not one of"),
        ({"government": {"control": []}}, "government.control", "empty"),
        ({"agenda": {"pattern": {"low": 0, "high": 1}}}, "agenda.pattern", "only for numbers"),
        (
            {"funding": {"government_direct": 0.9, "charity": {"low": 0.5, "high": 0.6}}},
            "funding",
            "cannot sum to 1",
        ),
    ],
)
def test_bad_unknowns_and_ranges_are_refused_naming_the_field(
    patch: dict, field: str, phrase: str
) -> None:
    """A malformed range or set is refused with the field and a plain reason, in both languages."""
    from advisor.errors import ProfileError

    doc = to_v2(json.loads(preset("case-y").model_dump_json()))
    for group, values in patch.items():
        doc[group].update(values)
    with pytest.raises(ProfileError) as exc:
        read_profile(doc)
    probs = {pr.path: pr for pr in exc.value.problems}
    assert field in probs and phrase in probs[field].message
    assert probs[field].zh


def test_a_conclusion_reading_no_uncertain_input_has_robustness_exactly_one() -> None:
    """With parameters fixed, a diagnosis whose rules (and the diagnoses they refer to) read
    no fact that an uncertain input moves agrees with the assessment in every world."""
    rules = [r for r in dsl.load_rules() if r.kind == "diagnosis"]
    rng = random.Random(41)
    checked = 0
    for i, p in enumerate(_profiles(10, seed=61)):
        up = uncertain(p, rng, k=2 + i % 3)
        fb = fact_bounds(up)
        moved = set().union(*fb.moves.values()) if fb.moves else set()
        reads: dict[str, set[str]] = {}
        refs: dict[str, set[str]] = {}
        for r in rules:
            reads.setdefault(r.concludes, set()).update(dsl.fact_keys_of(r))
            refs.setdefault(r.concludes, set()).update(dsl.diagnoses_of(r))
        for _ in range(len(reads)):  # close over references
            for d, ds in refs.items():
                for x in ds:
                    reads[d] |= reads.get(x, set())
        a = assess_profile(up, ask=False)
        rob = analyse(up, a, worlds=50, leaves=[])
        for c in rob.diagnoses:
            if not reads.get(c.id, set()) & moved:
                assert c.robustness == 1.0, (c.id, i)
                checked += 1
    assert checked > 20
