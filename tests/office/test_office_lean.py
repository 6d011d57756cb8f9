"""The lean compact path gives exactly the bytes of the compact record of a full assessment."""

from __future__ import annotations

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
