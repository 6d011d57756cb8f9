"""The lean compact path gives exactly the bytes of the compact record of a full assessment."""

from __future__ import annotations

import json

from advisor.batch import _digest
from advisor.office.lean import assess_compact
from advisor.office.results import compact_record
from advisor.pipeline import PRESETS, assess, preset
from advisor.synth import generate


def test_lean_compact_equals_compact_of_full_assessment():
    """On the paper's cases and 400 generated profiles (all kinds of forces and third parties),
    the record made without building the full assessment is byte-identical to the compact
    record of the full one, and its digest agrees with the full digest except for the labels
    (which the summary then takes from the knowledge base)."""
    profiles = [preset(n) for n in PRESETS] + list(generate(400, seed=99))
    for profile in profiles:
        full = assess(profile)
        line, digest = assess_compact(profile)
        assert line == compact_record(full), profile.id
        expected = _digest(full)
        assert digest._replace(labels={}) == expected._replace(labels={}), profile.id


def test_lean_compact_equals_full_on_thousands_of_profiles():
    """Issue 17's per-row cuts (the engine without its trace, priorities without breakdowns,
    conclusions from laid-out tables, warning codes without messages) keep the bytes: 2,000
    generated profiles and 1,000 drawn uniformly over every field's domain (third parties
    absent or present at every capacity, inferred development modes, graded severities), each
    compact record equal to the compact record of the full assessment."""
    from advisor.synth import uniform_profiles

    profiles = list(generate(2_000, seed=17)) + uniform_profiles(1_000, seed=17)
    seen_warnings: set[str] = set()
    seen_capacity: set[object] = set()
    for profile in profiles:
        line = assess_compact(profile)[0]
        assert line == compact_record(assess(profile)), profile.id
        rec = json.loads(line)
        seen_warnings.update(rec["warnings"])
        tp = profile.third_party
        seen_capacity.add(None if tp is None else tp.capacity)
    # the profiles reach the branches the cuts touch
    assert {"development_mode_inferred", "third_party_missing"} <= seen_warnings
    assert None in seen_capacity and len(seen_capacity) >= 3


def test_engine_fired_ids_equals_the_trace_keys():
    """``Engine.fired_ids`` (no trace) names the same rules as ``Engine.run``'s trace."""
    from advisor import pipeline as P
    from advisor.indices import derive
    from advisor.synth import uniform_profiles
    from rules.dsl import case_fact

    engine = P._static().engine
    for profile in list(generate(300, seed=5)) + uniform_profiles(300, seed=5):
        fact = case_fact(profile, derive(profile))
        assert engine.fired_ids(fact) == set(engine.run(fact).fired), profile.id


def test_rank_values_equals_rank():
    """``priority.rank_values`` gives the ids, ranks and priorities of ``priority.rank``, with
    and without a third-party capacity, on the diagnoses of real assessments."""
    from advisor import pipeline as P
    from advisor.priority import rank, rank_values

    st = P._static()
    specs = list(st.specs.values())
    for profile in list(generate(200, seed=8)) + [preset(n) for n in PRESETS]:
        severities = {d.id: d.severity for d in assess(profile).diagnoses}
        for capacity in (None, 1, 2, 3):
            full = [
                (r.id, r.rank, r.priority) for r in rank(specs, severities, st.priority, capacity)
            ]
            assert rank_values(specs, severities, st.priority, capacity) == full
