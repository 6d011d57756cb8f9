"""Differential tests: the durable-rules engine and the plain-Python oracle must agree.

Two levels here (the rules layer alone is in ``test_engine_compiler.py``):

1. 10,000 seeded profiles through the real pipeline (``advisor.pipeline.assess``) and the oracle:
   the same diagnoses and severities, the same actions, ranks and priorities. The count is
   ``ADVISOR_DIFFERENTIAL_N`` (default 10,000, about 25-45 s here; CI runs the default).
2. Hypothesis profiles (a different distribution: odd shares, huge counts, nullable fields).
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from hypothesis import given
from strategies import profile_dicts

from advisor.models import Assessment, CaseProfile
from advisor.pipeline import assess
from rules import oracle
from rules.lint import sample_profiles

N_PROFILES = int(os.environ.get("ADVISOR_DIFFERENTIAL_N", "10000"))
SEED = 20240118


def engine_view(a: Assessment) -> dict[str, Any]:
    """What the engine's assessment concludes, in the oracle's terms."""
    return {
        "diagnoses": sorted(d.id for d in a.diagnoses),
        "severities": {d.id: d.severity for d in a.diagnoses},
        "actions": [(x.id, x.rank) for x in a.actions],
        "priorities": {x.id: x.priority for x in a.actions},
        "rules": {
            **{d.id: sorted(d.rules) for d in a.diagnoses},
            **{x.id: sorted(x.rules) for x in a.actions},
        },
    }


def oracle_view(r: oracle.OracleResult) -> dict[str, Any]:
    """What the oracle concludes, in the same terms."""
    return {
        "diagnoses": sorted(r.diagnoses),
        "severities": dict(r.severities),
        "actions": list(r.actions),
        "priorities": dict(r.priorities),
        "rules": {k: sorted(v) for k, v in r.rules_of.items()},
    }


def disagreement(profile: CaseProfile) -> dict[str, Any] | None:
    """None when engine and oracle agree on the profile, else both views and the profile."""
    e, o = engine_view(assess(profile)), oracle_view(oracle.evaluate(profile))
    if e == o:
        return None
    diff = {k: {"engine": e[k], "oracle": o[k]} for k in e if e[k] != o[k]}
    return {"profile": profile.model_dump(mode="json"), "diff": diff}


@pytest.mark.slow
def test_engine_and_oracle_agree_on_10000_seeded_profiles() -> None:
    """On N seeded profiles (10,000 by default) both give the same diagnoses, actions and ranks."""
    profiles = sample_profiles(N_PROFILES, seed=SEED)
    bad = [d for p in profiles if (d := disagreement(p)) is not None]
    print(f"differential: {len(profiles)} profiles, {len(bad)} disagreements")
    assert not bad, f"{len(bad)} of {len(profiles)} disagree; first:\n" + json.dumps(
        bad[0], ensure_ascii=False, indent=1
    )


@given(profile_dicts())
def test_engine_and_oracle_agree_on_generated_profiles(data: dict[str, Any]) -> None:
    """On hypothesis profiles across the whole input space both give the same conclusions."""
    assert disagreement(CaseProfile.model_validate(data)) is None
