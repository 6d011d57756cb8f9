"""Fixtures for the engine tests: varied, valid case profiles drawn with a fixed seed."""

from __future__ import annotations

import random
from typing import Any

import pytest

from advisor.models import CaseProfile
from advisor.pipeline import _preset_doc

LEVEL4 = (0, 1, 2, 3, 4)


def _shares(rng: random.Random, keys: tuple[str, ...]) -> dict[str, float]:
    """Shares in twentieths, often concentrated on one key (as real profiles are)."""
    units = [0] * len(keys)
    favourite = rng.randrange(len(keys))
    for _ in range(20):
        units[favourite if rng.random() < 0.6 else rng.randrange(len(keys))] += 1
    return {k: u / 20 for k, u in zip(keys, units, strict=True)}


def random_profile(rng: random.Random, i: int) -> CaseProfile:
    """A valid profile with every field drawn at random (reproducible from the seed)."""
    data: dict[str, Any] = dict(_preset_doc(rng.choice(("case-h", "case-y")))["profile"])
    vols = rng.randint(0, 300)
    data.update(
        id=f"p{i}",
        name=f"Profile {i}",
        force_type=rng.choice(
            ("government_cultivated", "social_org_cultivated", "grassroots", "registered_org")
        ),
        development_mode=rng.choice((None, "top_down", "bottom_up_top_down", "bottom_up")),
        legitimacy={
            "status": rng.choice(("none", "via_government", "via_social_org", "independent"))
        },
        funding=_shares(
            rng,
            (
                "government_direct",
                "government_via_third_party",
                "third_party_own",
                "charity",
                "residents",
                "self_generated",
            ),
        ),
        human_resources={
            "volunteers": vols,
            "core_volunteers": rng.randint(0, vols),
            "recruited_by": _shares(rng, ("government", "third_party", "self")),
            "leadership": rng.choice(("cadre", "social_worker", "residents")),
            "resident_awareness": rng.choice(LEVEL4),
        },
        knowledge={
            "training_provider": rng.choice(("none", "government", "third_party", "own", "mixed")),
            "training_sessions_per_year": rng.randint(0, 60),
            "self_sufficiency": rng.randint(0, 3),
        },
        government={
            "reliance_on_force": rng.choice(LEVEL4),
            "control": rng.choice(LEVEL4),
            "role": rng.choice(("director", "sponsor", "enabler")),
            "acceptance_mechanism": rng.random() < 0.5,
            "purchases_services": rng.random() < 0.5,
            "party_leadership": rng.choice(LEVEL4),
        },
        agenda={
            "set_by": rng.choice(("government", "mixed", "volunteers")),
            "pattern": rng.choice(("regular", "holiday_campaign", "fragmented")),
        },
        management={
            "decision_participation": rng.randint(0, 3),
            "incentives": rng.choice(("none", "informal", "formal")),
            "records": rng.random() < 0.5,
        },
        third_party=None
        if rng.random() < 0.4
        else {
            "kind": rng.choice(("social_work_agency", "volunteer_org", "foundation", "other")),
            "capacity": rng.choice(LEVEL4),
            "role": rng.choice(("contractor", "facilitator", "incubator")),
            "autonomy": rng.choice(LEVEL4),
        },
        coproduction={
            k: rng.choice(LEVEL4) for k in ("planning", "design", "delivery", "evaluation")
        },
        linkage=rng.choice(("none", "three_social", "five_social")),
    )
    return CaseProfile.model_validate(data)


def random_profiles(n: int, seed: int = 20240118) -> list[CaseProfile]:
    """``n`` random valid profiles."""
    rng = random.Random(seed)
    return [random_profile(rng, i) for i in range(n)]


@pytest.fixture(scope="session")
def profiles() -> list[CaseProfile]:
    """200 varied valid profiles."""
    return random_profiles(200)
