"""Seeded uncertain profiles for the tests: a complete profile with some fields made unknown,
ranged or set-valued around their true value (so the complete profile is one of its worlds)."""

from __future__ import annotations

import json
import random
from typing import Any

from advisor.models import CaseProfile
from advisor.uncertain import BY_PATH, LEAVES, UncertainProfile, read_profile, to_v2

KINDS = ("share", "level", "count", "enum", "bool")


def _get(d: dict[str, Any], path: str) -> Any:
    for part in path.split("."):
        d = d[part]
    return d


def _set(d: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for part in parents:
        d = d[part]
    d[leaf] = value


def candidates(doc: dict[str, Any]) -> list[str]:
    """Fields of this document that may be made uncertain."""
    out = []
    for lf in LEAVES:
        if lf.optional or lf.kind not in KINDS:
            continue
        try:
            _get(doc, lf.path)
        except (KeyError, TypeError):
            continue
        out.append(lf.path)
    return out


def loosen(rng: random.Random, path: str, value: Any) -> Any:
    """An unknown, a range or a set containing ``value``."""
    lf = BY_PATH[path]
    roll = rng.random()
    if roll < 0.3:
        return None
    if lf.kind == "share":
        lo = max(0.0, round(value - rng.uniform(0, 0.3), 2))
        hi = min(1.0, round(value + rng.uniform(0, 0.3), 2))
        return {"low": min(lo, value), "high": max(hi, value)}
    if lf.kind == "count":
        return {"low": max(0, value - rng.randint(0, 20)), "high": value + rng.randint(0, 20)}
    if lf.kind == "level" and roll < 0.6:
        lo = max(int(lf.low or 0), value - rng.randint(0, 1))
        hi = min(int(lf.high or 4), value + rng.randint(0, 1))
        return {"low": lo, "high": hi}
    others = [v for v in lf.values if v != value]
    return [value, *rng.sample(others, k=min(len(others), rng.randint(0, 2)))]


def uncertain_doc(profile: CaseProfile, rng: random.Random, k: int) -> dict[str, Any]:
    """A version 2 document of ``profile`` with ``k`` fields loosened."""
    doc = to_v2(json.loads(profile.model_dump_json()))
    paths = candidates(doc)
    for path in rng.sample(paths, k=min(k, len(paths))):
        _set(doc, path, loosen(rng, path, _get(doc, path)))
    return doc


def uncertain(profile: CaseProfile, rng: random.Random, k: int) -> UncertainProfile:
    return read_profile(uncertain_doc(profile, rng, k))


def widen(doc: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A copy of the document with one field wider: a range extended, a set grown, a known
    value or a range made unknown."""
    out = json.loads(json.dumps(doc))
    paths = candidates(out)
    path = rng.choice(paths)
    lf = BY_PATH[path]
    v = _get(out, path)
    if v is None:
        return out  # already unknown: nothing wider
    if isinstance(v, dict):
        step = 0.1 if lf.kind == "share" else 1
        hi_cap = 1.0 if lf.kind == "share" else (lf.high if lf.high is not None else 10**6)
        new = {
            "low": max(lf.low or 0, v["low"] - step),
            "high": min(hi_cap, v["high"] + step),
        }
        if lf.kind == "share":
            new = {"low": round(new["low"], 4), "high": round(new["high"], 4)}
        _set(out, path, new if rng.random() < 0.7 else None)
    elif isinstance(v, list):
        rest = [x for x in lf.values if x not in v]
        _set(out, path, [*v, rest[0]] if rest and rng.random() < 0.7 else None)
    else:
        _set(out, path, None if rng.random() < 0.5 else loosen(rng, path, v))
    return out
