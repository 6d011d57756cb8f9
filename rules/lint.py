"""Rule-base coverage lint (``advisor kb lint``): rules that never fire, conclusions nobody
uses, knowledge items no rule reaches, actions with no route to them.

The dynamic part evaluates the rules over a large seeded sample of generated profiles (the
whole input space: every enum value, concentrated and spread shares, with and without a third
party), with the plain-Python oracle of ``rules/oracle.py`` by default (the differential test
keeps it equal to the engine) or the durable-rules engine with ``--engine``. The static part
reads the rule definitions and the knowledge base. Any finding makes the exit code non-zero.
"""

from __future__ import annotations

import random
from typing import Any, Literal, get_args, get_origin

from advisor import models

# --------------------------------------------------------------------------- the sample

FUNDING_KEYS = (
    "government_direct",
    "government_via_third_party",
    "third_party_own",
    "charity",
    "residents",
    "self_generated",
)
RECRUIT_KEYS = ("government", "third_party", "self")


def _enum(model: type, field: str) -> tuple[str, ...]:
    """The allowed values of a Literal field of a contract model (None excluded)."""
    ann = model.model_fields[field].annotation
    out: list[str] = []
    stack = [ann]
    while stack:
        t = stack.pop()
        if get_origin(t) is Literal:
            out.extend(a for a in get_args(t) if a is not None)
        else:
            stack.extend(get_args(t))
    return tuple(out)


def _shares(rng: random.Random, keys: tuple[str, ...]) -> dict[str, float]:
    """Shares summing to 1, often concentrated: one source, two sources or a spread."""
    shape = rng.random()
    if shape < 0.25:  # one source only (the sole-dependence corner)
        weights = [0] * len(keys)
        weights[rng.randrange(len(keys))] = 1
    elif shape < 0.5:  # two sources
        weights = [0] * len(keys)
        a, b = rng.sample(range(len(keys)), 2)
        weights[a], weights[b] = rng.randint(1, 20), rng.randint(0, 20)
    else:
        weights = [rng.choice((0, 0, rng.randint(1, 20))) for _ in keys]
        if not any(weights):
            weights[rng.randrange(len(keys))] = 1
    total = sum(weights)
    return {k: w / total for k, w in zip(keys, weights, strict=True)}


def random_profile_data(rng: random.Random, index: int = 0) -> dict[str, Any]:
    """One valid case profile as plain data, drawn uniformly over every enum and level.

    Shares are concentrated often enough to reach the corners (all from government, none
    from government); a third party is present in about 60% of profiles; nullable fields are
    null about half the time.
    """
    m = models
    volunteers = rng.choice((0, 1, 5, 12, 40, 200, rng.randint(0, 5000)))
    tp = None
    if rng.random() < 0.6:
        tp = {
            "kind": rng.choice(_enum(m.ThirdParty, "kind")),
            "capacity": rng.randint(0, 4),
            "role": rng.choice(_enum(m.ThirdParty, "role")),
            "autonomy": rng.randint(0, 4),
        }
    return {
        "schema_version": 1,
        "id": f"sample-{index}",
        "name": f"sample {index}",
        "region": rng.choice((None, "region")),
        "as_of": rng.choice((None, "2024-01-01")),
        "force_type": rng.choice(_enum(m.CaseProfile, "force_type")),
        "development_mode": rng.choice((None, *_enum(m.CaseProfile, "development_mode"))),
        "legitimacy": {"status": rng.choice(_enum(m.Legitimacy, "status"))},
        "funding": _shares(rng, FUNDING_KEYS),
        "human_resources": {
            "volunteers": volunteers,
            "core_volunteers": rng.randint(0, volunteers),
            "recruited_by": _shares(rng, RECRUIT_KEYS),
            "leadership": rng.choice(_enum(m.HumanResources, "leadership")),
            "resident_awareness": rng.randint(0, 4),
        },
        "knowledge": {
            "training_provider": rng.choice(_enum(m.Knowledge, "training_provider")),
            "training_sessions_per_year": rng.choice((0, 1, 2, 4, 6, 12, 24, rng.randint(0, 60))),
            "self_sufficiency": rng.randint(0, 3),
        },
        "government": {
            "reliance_on_force": rng.randint(0, 4),
            "control": rng.randint(0, 4),
            "role": rng.choice(_enum(m.Government, "role")),
            "acceptance_mechanism": rng.random() < 0.5,
            "purchases_services": rng.random() < 0.5,
            "party_leadership": rng.randint(0, 4),
        },
        "agenda": {
            "set_by": rng.choice(_enum(m.Agenda, "set_by")),
            "pattern": rng.choice(_enum(m.Agenda, "pattern")),
        },
        "management": {
            "decision_participation": rng.randint(0, 3),
            "incentives": rng.choice(_enum(m.Management, "incentives")),
            "records": rng.random() < 0.5,
        },
        "third_party": tp,
        "coproduction": {
            s: rng.randint(0, 4) for s in ("planning", "design", "delivery", "evaluation")
        },
        "linkage": rng.choice(_enum(m.CaseProfile, "linkage")),
    }


def sample_profiles(n: int, seed: int = 20240118) -> list[models.CaseProfile]:
    """``n`` valid profiles from a seeded generator: the same list for the same seed."""
    rng = random.Random(seed)
    return [models.CaseProfile.model_validate(random_profile_data(rng, i)) for i in range(n)]
