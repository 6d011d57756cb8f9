"""Synthetic case profiles: a district's worth of plausible community volunteer forces.

The generator is a mixture model. Each profile first draws a *force type* (who cultivated the
force), then every other field from distributions conditioned on that type, so that the fields
are correlated the way the paper describes them. It exists for demos, tests and benchmarks; it is
not data, and its weights are this tool's **operationalisation**, not findings of the paper.

What the paper says and how the weights encode it:

- Government-cultivated forces (section 5.1, case Y) get "almost all resources from government",
  so funding is mostly ``government_direct`` and volunteers are mostly recruited through
  government influence and publicity; they are led by cadres, the agenda is set by government
  (the "administrative assistant"), residents' awareness is low, campaigns cluster on holidays
  (节日化) or are fragmented (碎片化), and they "rarely link up with third parties" (a third party
  is present in only 35 % of them, typically through 三社联动).
- Social-work-agency-cultivated forces (section 5.2, case H) get their legal standing through the
  agency, funding flows through it (government purchase of services, 政府购买服务, plus the agency's
  own money), recruitment and training are by the agency, social workers lead, the agenda is
  mixed, the agency's autonomy under strict government contracts is low.
- Grassroots forces (bottom-up, Deng Guosheng's third mode, section 2.1) have no formal standing,
  small budgets from residents and their own earnings, resident leaders and their own agenda.
- Registered volunteer organisations have independent standing and diversified funding.

Mixture weights (operationalisation):

==========================  ======  ===============================================
force type                  weight  third party present (kind weights)
==========================  ======  ===============================================
``government_cultivated``   0.45    0.35 (agency .6, volunteer org .2, other .2)
``social_org_cultivated``   0.30    1.00 (agency .75, volunteer org .15, foundation .05,
                                    other .05)
``grassroots``              0.15    0.30 (volunteer org .5, agency .3, other .2)
``registered_org``          0.10    0.50 (foundation .5, volunteer org .3, other .2)
==========================  ======  ===============================================

Funding shares are a Dirichlet draw whose concentration per source is set by type
(``_FUNDING_ALPHA``), recruitment shares likewise (``_RECRUIT_ALPHA``); categorical fields use the
weights in ``_ARCHETYPES``; ordinal 0-4 scales are a clamped normal around a type mean; volunteer
numbers are log-normal (1 % of forces have none), core volunteers 5-35 % of them. A further
``EXPLORE_SHARE`` (10 %) of profiles ignore the archetypes: force type, every categorical field
and the third party's presence are drawn uniformly and the shares from a flat Dirichlet (the
ordinal scales keep their archetype's means), so every enum value of the contract occurs and
off-archetype combinations (for example a grassroots force whose agenda government sets) are
covered. A quarter of profiles leave ``development_mode`` null, to be inferred.

Every profile is valid by construction: shares are integers in thousandths distributed by the
largest-remainder method so they sum to exactly 1; core volunteers never exceed volunteers; a
share routed through a third party is zero when there is none. Profile ``i`` of seed ``s`` is a
pure function of ``(s, i)`` (its own ``random.Random`` seeded by the string ``"s:i"``), so output
is deterministic, and any prefix of a larger run equals a smaller run.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import math
import os
import random
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, Protocol, TextIO

from advisor import fields as catalogue
from advisor.errors import os_error_text
from advisor.fields import FieldSpec
from advisor.models import CaseProfile
from advisor.safefile import OutputError, check_output
from advisor.textsafe import csv_row

EXPLORE_SHARE = 0.10

FORCE_TYPE_WEIGHTS: dict[str, float] = {
    "government_cultivated": 0.45,
    "social_org_cultivated": 0.30,
    "grassroots": 0.15,
    "registered_org": 0.10,
}

FUNDING_KEYS = catalogue.FUNDING_KEYS
RECRUIT_KEYS = catalogue.RECRUIT_KEYS

# Dirichlet concentrations per funding source, by force type (order of FUNDING_KEYS).
_FUNDING_ALPHA: dict[str, tuple[float, ...]] = {
    "government_cultivated": (8.0, 0.6, 0.3, 0.5, 0.6, 0.3),
    "social_org_cultivated": (0.6, 6.0, 2.0, 1.0, 0.5, 0.4),
    "grassroots": (0.4, 0.3, 0.3, 1.0, 3.0, 2.0),
    "registered_org": (1.0, 1.2, 0.6, 2.5, 1.5, 1.5),
}
# Dirichlet concentrations per recruitment channel (government, third party, self).
_RECRUIT_ALPHA: dict[str, tuple[float, ...]] = {
    "government_cultivated": (7.0, 0.5, 1.5),
    "social_org_cultivated": (0.6, 6.0, 1.5),
    "grassroots": (0.4, 0.5, 6.0),
    "registered_org": (0.8, 1.0, 4.0),
}

# Categorical weights and ordinal means per force type.
_ARCHETYPES: dict[str, dict[str, Any]] = {
    "government_cultivated": {
        "third_party_p": 0.35,
        "third_party_kind": {"social_work_agency": 0.6, "volunteer_org": 0.2, "other": 0.2},
        "development_mode": {"top_down": 0.85, "bottom_up_top_down": 0.15},
        "legitimacy": {"via_government": 0.85, "none": 0.1, "independent": 0.05},
        "leadership": {"cadre": 0.8, "residents": 0.15, "social_worker": 0.05},
        "set_by": {"government": 0.75, "mixed": 0.2, "volunteers": 0.05},
        "pattern": {"holiday_campaign": 0.5, "fragmented": 0.25, "regular": 0.25},
        "gov_role": {"director": 0.6, "sponsor": 0.35, "enabler": 0.05},
        "training_provider": {"government": 0.55, "none": 0.3, "mixed": 0.1, "own": 0.05},
        "incentives": {"informal": 0.6, "none": 0.3, "formal": 0.1},
        "linkage": {"none": 0.5, "three_social": 0.4, "five_social": 0.1},
        "volunteers_mu": 3.3,  # log-normal mean: about 27 volunteers
        "awareness": 1.0,
        "control": 3.2,
        "reliance": 2.4,
        "party": 3.2,
        "self_sufficiency": 0.4,
        "participation": 0.6,
        "coproduction": 0.9,
        "purchases_p": 0.3,
        "acceptance_p": 0.35,
        "records_p": 0.55,
    },
    "social_org_cultivated": {
        "third_party_p": 1.0,
        "third_party_kind": {
            "social_work_agency": 0.75,
            "volunteer_org": 0.15,
            "foundation": 0.05,
            "other": 0.05,
        },
        "development_mode": {"bottom_up_top_down": 0.75, "bottom_up": 0.2, "top_down": 0.05},
        "legitimacy": {"via_social_org": 0.85, "independent": 0.1, "none": 0.05},
        "leadership": {"social_worker": 0.75, "residents": 0.2, "cadre": 0.05},
        "set_by": {"mixed": 0.6, "volunteers": 0.2, "government": 0.2},
        "pattern": {"regular": 0.6, "fragmented": 0.2, "holiday_campaign": 0.2},
        "gov_role": {"sponsor": 0.65, "enabler": 0.25, "director": 0.1},
        "training_provider": {"third_party": 0.7, "mixed": 0.2, "own": 0.1},
        "incentives": {"formal": 0.45, "informal": 0.45, "none": 0.1},
        "linkage": {"three_social": 0.55, "five_social": 0.3, "none": 0.15},
        "volunteers_mu": 3.4,
        "awareness": 2.2,
        "control": 1.8,
        "reliance": 2.0,
        "party": 1.8,
        "self_sufficiency": 1.2,
        "participation": 1.6,
        "coproduction": 1.8,
        "purchases_p": 0.9,
        "acceptance_p": 0.6,
        "records_p": 0.85,
    },
    "grassroots": {
        "third_party_p": 0.3,
        "third_party_kind": {"volunteer_org": 0.5, "social_work_agency": 0.3, "other": 0.2},
        "development_mode": {"bottom_up": 0.85, "bottom_up_top_down": 0.15},
        "legitimacy": {"none": 0.7, "via_social_org": 0.15, "via_government": 0.15},
        "leadership": {"residents": 0.85, "cadre": 0.1, "social_worker": 0.05},
        "set_by": {"volunteers": 0.7, "mixed": 0.25, "government": 0.05},
        "pattern": {"regular": 0.45, "fragmented": 0.4, "holiday_campaign": 0.15},
        "gov_role": {"enabler": 0.6, "sponsor": 0.3, "director": 0.1},
        "training_provider": {"none": 0.5, "own": 0.35, "mixed": 0.15},
        "incentives": {"none": 0.45, "informal": 0.5, "formal": 0.05},
        "linkage": {"none": 0.75, "three_social": 0.2, "five_social": 0.05},
        "volunteers_mu": 2.6,  # about 13
        "awareness": 2.8,
        "control": 0.8,
        "reliance": 1.2,
        "party": 1.0,
        "self_sufficiency": 1.6,
        "participation": 2.3,
        "coproduction": 2.2,
        "purchases_p": 0.1,
        "acceptance_p": 0.3,
        "records_p": 0.35,
    },
    "registered_org": {
        "third_party_p": 0.5,
        "third_party_kind": {"foundation": 0.5, "volunteer_org": 0.3, "other": 0.2},
        "development_mode": {"bottom_up": 0.6, "bottom_up_top_down": 0.4},
        "legitimacy": {"independent": 0.9, "via_social_org": 0.1},
        "leadership": {"residents": 0.5, "social_worker": 0.45, "cadre": 0.05},
        "set_by": {"volunteers": 0.55, "mixed": 0.4, "government": 0.05},
        "pattern": {"regular": 0.75, "fragmented": 0.15, "holiday_campaign": 0.1},
        "gov_role": {"enabler": 0.55, "sponsor": 0.4, "director": 0.05},
        "training_provider": {"own": 0.55, "mixed": 0.3, "third_party": 0.15},
        "incentives": {"formal": 0.6, "informal": 0.35, "none": 0.05},
        "linkage": {"three_social": 0.4, "five_social": 0.35, "none": 0.25},
        "volunteers_mu": 3.8,  # about 45
        "awareness": 2.8,
        "control": 1.0,
        "reliance": 2.2,
        "party": 1.4,
        "self_sufficiency": 2.4,
        "participation": 2.4,
        "coproduction": 2.6,
        "purchases_p": 0.5,
        "acceptance_p": 0.7,
        "records_p": 0.9,
    },
}

# Uniform draws for the exploration share: every value of the contract (from the catalogue).
_ALL_VALUES: dict[str, tuple[str, ...]] = {
    name: catalogue.values(path)
    for name, path in {
        "third_party_kind": "third_party.kind",
        "development_mode": "development_mode",
        "legitimacy": "legitimacy.status",
        "leadership": "human_resources.leadership",
        "set_by": "agenda.set_by",
        "pattern": "agenda.pattern",
        "gov_role": "government.role",
        "training_provider": "knowledge.training_provider",
        "incentives": "management.incentives",
        "linkage": "linkage",
        "tp_role": "third_party.role",
    }.items()
}

_DISTRICTS = ("J区", "Y区", "B区", "H区", "M区", "N区", "S区", "W区")
_COMMUNITIES = ("和平", "幸福", "民安", "新华", "东风", "建设", "光明", "阳光", "锦江", "金桥")
_TEAMS = ("民情", "民乐", "民安", "民康", "民和", "民富", "民福", "民议", "助老", "环保", "邻里")
DEV_MODE_NULL_P = 0.25  # share of profiles that leave the development mode to inference


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _level(rng: random.Random, mean: float, top: int, sd: float = 0.9) -> int:
    return max(0, min(top, round(rng.gauss(mean, sd))))


def _thousandths(rng: random.Random, alpha: Sequence[float], zero: Sequence[bool]) -> list[float]:
    """A Dirichlet draw as shares in thousandths summing to exactly 1 (largest remainder)."""
    draws = [0.0 if z else rng.gammavariate(a, 1.0) for a, z in zip(alpha, zero, strict=True)]
    total = sum(draws)
    if total <= 0:  # every allowed source drew ~0: give it all to the first allowed one
        draws = [0.0 if z else 1.0 for z in zero]
        first = draws.index(1.0)
        draws = [1.0 if i == first else 0.0 for i in range(len(draws))]
        total = 1.0
    raw = [d / total * 1000 for d in draws]
    floors = [math.floor(r) for r in raw]
    rest = 1000 - sum(floors)
    order = sorted(range(len(raw)), key=lambda i: (floors[i] - raw[i], i))
    for i in order[:rest]:
        floors[i] += 1
    return [f / 1000 for f in floors]


def profile_data(index: int, seed: int = 0) -> dict[str, Any]:
    """Return profile ``index`` of ``seed`` as plain contract data (valid by construction)."""
    rng = random.Random(f"{seed}:{index}")
    explore = rng.random() < EXPLORE_SHARE
    force_type = _pick(rng, FORCE_TYPE_WEIGHTS)
    arch = _ARCHETYPES[force_type]

    def cat(name: str) -> str:
        if explore:
            return rng.choice(_ALL_VALUES[name])
        return _pick(rng, arch[name])

    if explore:
        force_type = rng.choice(tuple(FORCE_TYPE_WEIGHTS))
    has_tp = rng.random() < (0.5 if explore else arch["third_party_p"])
    third_party: dict[str, Any] | None = None
    if has_tp:
        kind = cat("third_party_kind")
        capacity = _level(rng, 2.6 if kind == "social_work_agency" else 2.0, 4, 1.1)
        # Contractors under government purchase have little room to decide (section 5.2).
        role = (
            rng.choice(_ALL_VALUES["tp_role"])
            if explore
            else _pick(rng, {"contractor": 0.5, "facilitator": 0.35, "incubator": 0.15})
        )
        autonomy = _level(rng, 1.2 if role == "contractor" else 2.5, 4)
        third_party = {"kind": kind, "capacity": capacity, "role": role, "autonomy": autonomy}

    funding_alpha = _FUNDING_ALPHA[force_type] if not explore else (1.0,) * 6
    funding = _thousandths(rng, funding_alpha, (False, not has_tp, not has_tp, False, False, False))
    recruit_alpha = _RECRUIT_ALPHA[force_type] if not explore else (1.0,) * 3
    recruited = _thousandths(rng, recruit_alpha, (False, not has_tp, False))

    volunteers = (
        0 if rng.random() < 0.01 else max(1, round(rng.lognormvariate(arch["volunteers_mu"], 0.7)))
    )
    core = min(volunteers, round(volunteers * rng.uniform(0.05, 0.35)))

    set_by = cat("set_by")
    if set_by == "third_party" and not has_tp:
        set_by = "mixed"
    training_provider = cat("training_provider")
    if training_provider == "third_party" and not has_tp:
        training_provider = "mixed"
    sessions = 0 if training_provider == "none" else rng.randint(1, 24)
    dev_mode = None if rng.random() < DEV_MODE_NULL_P else cat("development_mode")
    purchases = rng.random() < (0.5 if explore else arch["purchases_p"])
    if funding[1] > 0:  # government money routed through a third party is a purchase
        purchases = True
    co_mean = arch["coproduction"]

    district = rng.choice(_DISTRICTS)
    community = rng.choice(_COMMUNITIES)
    team = rng.choice(_TEAMS)
    as_of = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(3 * 365))
    slug_seed = str(seed).replace("-", "m")
    data = {
        "schema_version": 1,
        "id": f"synth-{slug_seed}-{index:07d}",
        "name": f"{district}{community}社区{team}志愿服务队（{index + 1}号）",
        "region": district,
        "as_of": as_of.isoformat(),
        "force_type": force_type,
        "development_mode": dev_mode,
        "legitimacy": {"status": cat("legitimacy")},
        "funding": dict(zip(FUNDING_KEYS, funding, strict=True)),
        "human_resources": {
            "volunteers": volunteers,
            "core_volunteers": core,
            "recruited_by": dict(zip(RECRUIT_KEYS, recruited, strict=True)),
            "leadership": cat("leadership"),
            "resident_awareness": _level(rng, arch["awareness"], 4),
        },
        "knowledge": {
            "training_provider": training_provider,
            "training_sessions_per_year": sessions,
            "self_sufficiency": _level(rng, arch["self_sufficiency"], 3, 0.8),
        },
        "government": {
            "reliance_on_force": _level(rng, arch["reliance"], 4),
            "control": _level(rng, arch["control"], 4),
            "role": cat("gov_role"),
            "acceptance_mechanism": rng.random() < (0.5 if explore else arch["acceptance_p"]),
            "purchases_services": purchases,
            "party_leadership": _level(rng, arch["party"], 4),
        },
        "agenda": {"set_by": set_by, "pattern": cat("pattern")},
        "management": {
            "decision_participation": _level(rng, arch["participation"], 3, 0.8),
            "incentives": cat("incentives"),
            "records": rng.random() < (0.5 if explore else arch["records_p"]),
        },
        "third_party": third_party,
        "coproduction": {
            "planning": _level(rng, co_mean, 4),
            "design": _level(rng, co_mean, 4),
            "delivery": _level(rng, co_mean + 0.6, 4),
            "evaluation": _level(rng, co_mean - 0.3, 4),
        },
        "linkage": cat("linkage"),
    }
    _add_optional_fields(data, random.Random(f"{seed}:{index}:optional"))
    return data


def _add_optional_fields(data: dict[str, Any], rng: random.Random) -> None:
    """Fill the optional fields added after the first release from their own random stream.

    A separate stream keeps every field of the first release identical for a given seed.
    Each optional field is left out (unknown) in about a third of the profiles.
    """
    tp = data["third_party"]
    if tp is not None:
        if rng.random() < 0.67:
            tp["origin"] = _pick(
                rng, {"independent": 0.6, "community_founded": 0.3, "government_founded": 0.1}
            )
        if rng.random() < 0.67:
            tp["government_purchase_share"] = round(rng.random(), 2)
        if rng.random() < 0.67:
            tp["strict_assessment"] = rng.random() < 0.5
    if rng.random() < 0.67:
        community: dict[str, Any] = {}
        if rng.random() < 0.8:
            community["non_government_resources"] = rng.randint(0, 4)
        if rng.random() < 0.8:
            community["resident_associations"] = rng.randint(0, 10)
        if rng.random() < 0.8:
            community["staff_overloaded"] = rng.random() < 0.5
        if community:
            data["community"] = community


# --------------------------------------------------------------------------- uniform profiles
#
# The archetype model above draws plausible districts. The uniform generator below draws the whole
# input space instead: every enum value, every level, null and absent optional fields, shares from
# a single source to an even spread. It walks the field catalogue, so a field added to the
# contract is generated without editing it, and takes its randomness from a ``Source``: a seeded
# ``random.Random`` here (``RandomSource``), hypothesis's ``draw`` in ``tests/strategies.py``, so
# the property tests and the seeded samples are one generator.

#: Counts: (a typical upper end, the largest value drawn); either range is drawn half the time.
COUNT_RANGES: dict[str, tuple[int, int]] = {
    "human_resources.volunteers": (12, 5000),
    "knowledge.training_sessions_per_year": (24, 10_000),
    "community.resident_associations": (12, 12),
}
#: Counts bounded by another field (a model validator, not a bound of the field itself).
AT_MOST: dict[str, str] = {"human_resources.core_volunteers": "human_resources.volunteers"}


class Source(Protocol):
    """Where the uniform generator takes its choices from."""

    def choice(self, options: Sequence[Any]) -> Any: ...
    def integer(self, low: int, high: int) -> int: ...
    def count(self, low: int, typical: int, high: int) -> int: ...
    def boolean(self) -> bool: ...
    def weights(self, n: int) -> list[int]: ...
    def fraction(self) -> float: ...
    def text(self, spec: FieldSpec) -> str: ...
    def date(self) -> str: ...
    def presence(self, spec: FieldSpec) -> Literal["set", "null", "absent"]: ...


class RandomSource:
    """A ``Source`` over a seeded ``random.Random``; profile ``index`` is ``sample-<index>``."""

    def __init__(self, rng: random.Random, index: int = 0) -> None:
        self.rng = rng
        self.index = index

    def choice(self, options: Sequence[Any]) -> Any:
        return self.rng.choice(options)

    def integer(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def count(self, low: int, typical: int, high: int) -> int:
        return self.rng.randint(low, typical if self.rng.random() < 0.5 else high)

    def boolean(self) -> bool:
        return self.rng.random() < 0.5

    def weights(self, n: int) -> list[int]:
        out = [self.rng.choice((0, self.rng.randint(0, 20))) for _ in range(n)]
        if not any(out):
            out[self.rng.randrange(n)] = 1
        return out

    def fraction(self) -> float:
        return round(self.rng.random(), 2)

    def text(self, spec: FieldSpec) -> str:
        return f"sample-{self.index}" if spec.path == "id" else f"sample {self.index}"

    def date(self) -> str:
        return (dt.date(2023, 1, 1) + dt.timedelta(days=self.rng.randrange(3 * 365))).isoformat()

    def presence(self, spec: FieldSpec) -> Literal["set", "null", "absent"]:
        return self.rng.choice(("set", "set", "null", "absent"))


def _shares(src: Source, keys: Sequence[str]) -> dict[str, float]:
    w = src.weights(len(keys))
    return {k: wi / sum(w) for k, wi in zip(keys, w, strict=True)}


def _uniform_value(src: Source, spec: FieldSpec, data: dict[str, Any]) -> Any:
    if spec.kind in ("enum", "const"):
        return src.choice(spec.values)
    if spec.kind == "bool":
        return src.boolean()
    if spec.kind == "level":
        return src.integer(int(spec.low or 0), int(spec.high or 0))
    if spec.kind == "count":
        if spec.path in AT_MOST:
            return src.integer(int(spec.low or 0), int(catalogue.get(data, AT_MOST[spec.path])))
        typical, high = COUNT_RANGES.get(spec.path, (12, int(spec.high or 1000)))
        return src.count(int(spec.low or 0), typical, high)
    if spec.kind == "share":
        return src.fraction()
    if spec.kind == "date":
        return src.date()
    return src.text(spec)


def _uniform_group(
    src: Source, prefix: str, data: dict[str, Any], force: Mapping[str, bool]
) -> dict[str, Any]:
    node: dict[str, Any] = data
    if prefix:
        node = {}
        catalogue.set_path(data, prefix, node)  # visible to AT_MOST look-ups below it
    for spec in catalogue.FIELDS.values():
        if spec.parent != prefix or spec.kind == "map":
            continue
        if spec.nullable:
            presence = src.presence(spec)
            if spec.path in force:
                presence = "set" if force[spec.path] else src.choice(("null", "absent"))
            if presence != "set":
                if presence == "null":
                    node[spec.name] = None
                continue
        if spec.kind == "group" and spec.path in catalogue.SHARE_GROUPS:
            node[spec.name] = _shares(src, catalogue.SHARE_GROUPS[spec.path])
        elif spec.kind == "group":
            node[spec.name] = _uniform_group(src, spec.path, data, force)
        else:
            node[spec.name] = _uniform_value(src, spec, data)
    return node


def uniform_data(src: Source, force: Mapping[str, bool] | None = None) -> dict[str, Any]:
    """One valid profile as plain data, every field drawn uniformly over its catalogue domain.

    ``force`` makes optional groups present (True) or absent (False), e.g.
    ``{"third_party": True}``; otherwise each optional field or group is set, null or left out
    as ``src.presence`` decides.
    """
    data: dict[str, Any] = {}
    _uniform_group(src, "", data, force or {})
    return data


def uniform_profiles(n: int, seed: int = 0) -> list[CaseProfile]:
    """``n`` validated uniform profiles of ``seed`` (the same list for the same seed)."""
    rng = random.Random(seed)
    return [CaseProfile.model_validate(uniform_data(RandomSource(rng, i))) for i in range(n)]


def generate_data(n: int, seed: int = 0, start: int = 0) -> Iterator[dict[str, Any]]:
    """Yield profiles ``start .. start+n-1`` of ``seed`` as plain data."""
    for i in range(start, start + n):
        yield profile_data(i, seed)


def generate(n: int, seed: int = 0) -> Iterator[CaseProfile]:
    """Yield ``n`` validated synthetic profiles for ``seed``."""
    for data in generate_data(n, seed):
        yield CaseProfile.model_validate(data)


def write(n: int, seed: int, out: TextIO, fmt: str = "jsonl") -> int:
    """Write ``n`` profiles to ``out`` as ``jsonl`` or ``csv``; return the count written."""
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([spec.path for spec in catalogue.LEAVES])  # the batch CSV's columns
        for data in generate_data(n, seed):
            writer.writerow(csv_row(_cells(data)))  # no cell a spreadsheet would run
    else:
        for data in generate_data(n, seed):
            out.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
    return n


def _cells(data: dict[str, Any]) -> list[str]:
    """One profile as CSV cells in the catalogue's order (null is an empty cell)."""
    out: list[str] = []
    for value in catalogue.flatten(data).values():
        if value is None:
            out.append("")
        elif isinstance(value, bool):
            out.append("true" if value else "false")
        else:
            out.append(str(value))
    return out


def write_file(n: int, seed: int, path: str | Path) -> int:
    """Write ``n`` profiles to ``path`` (``-`` for stdout); CSV when it ends in ``.csv``."""
    fmt = "csv" if str(path).lower().endswith(".csv") else "jsonl"
    if str(path) == "-":
        return write(n, seed, sys.stdout, fmt)

    check_output(path)  # a new name or a regular file: never through a link, FIFO or device
    target = Path(path)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        with open(fd, "w", encoding="utf-8", newline="") as fh:
            count = write(n, seed, fh, fmt)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)  # whole or not at all
        tmp = None
        return count
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {os_error_text(exc)}") from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
