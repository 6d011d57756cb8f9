"""How robust each conclusion is: the same case under every plausible choice of our parameters.

The paper is qualitative: every threshold, weight and scale of this tool is our
operationalisation, and each declares a plausible range (``knowledge_base/ranges.py``). This
module samples *plausible worlds* (every ranged number the assessment reads drawn within its
range, triangular with its peak at our value, integers rounded; seeded, so the same seed gives
the same figures), evaluates the case in each world with the plain-Python oracle
(``rules/oracle.py``, which the differential test holds to the engine), and reports for every
diagnosis and action of the point estimate:

- ``robustness``: the share of worlds agreeing with the point estimate (a diagnosis still
  concluded; an action ranked within the top ``top_n`` still there, one ranked lower still
  recommended; a conclusion absent from the point estimate still absent);
- a label, robust / fairly robust / fragile, by the cut-offs of ``robustness.labels``;
- the one or two numbers it moves with most (``sensitive_to``): the correlation across the
  worlds between a sampled number and the conclusion holding, when at least ``min_strength``.

The point estimate stays the engine's: this module adds an optional ``robustness`` part to an
assessment and changes nothing else. Worlds in which every number sits at our value are the
point estimate itself, so with nothing to vary every robustness is exactly 1.

Which parameters are sampled is found, not listed: the ones the indices and the ranking read
while the oracle evaluates the case (``recording_parameter_reads``) and the ones the rule
definitions refer to. New parameters therefore take part as soon as they declare a range.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from advisor.io import preset
from advisor.models import (
    Assessment,
    BiText,
    CaseProfile,
    ConclusionRobustness,
    Robustness,
    SensitiveTo,
)
from advisor.report import field_label
from advisor.uncertain import BY_PATH, Interval, UncertainProfile
from knowledge_base.loader import load_kb, recording_parameter_reads
from knowledge_base.ranges import RangedLeaf, ranged_leaves
from rules import dsl, oracle

P_LABELS = "robustness.labels"


@dataclass(frozen=True)
class Settings:
    """The analysis's own settings (parameter ``robustness.labels``)."""

    robust: float
    fairly_robust: float
    top_n: int
    worlds: int
    seed: int
    min_strength: float

    @classmethod
    def load(cls, **overrides: Any) -> Settings:
        v = dict(load_kb().param(P_LABELS))
        v.update({k: x for k, x in overrides.items() if x is not None})
        return cls(
            robust=float(v["robust"]),
            fairly_robust=float(v["fairly_robust"]),
            top_n=int(v["top_n"]),
            worlds=int(v["worlds"]),
            seed=int(v["seed"]),
            min_strength=float(v["min_strength"]),
        )

    def label(self, share: float) -> str:
        """robust, fairly_robust or fragile for a share of agreeing worlds."""
        if share >= self.robust:
            return "robust"
        if share >= self.fairly_robust:
            return "fairly_robust"
        return "fragile"


# --------------------------------------------------------------------------- what may move


def _rule_refs() -> set[str]:
    refs = {
        c.param
        for r in dsl.load_rules()
        for c in dsl.walk(r.when)
        if isinstance(c, dsl.Compare) and c.param
    }
    refs |= {ref for parts in oracle._severity_refs().values() for ref in parts.values()}
    return refs


@lru_cache(maxsize=1)
def _assessment_parameter_ids() -> frozenset[str]:
    """Every parameter id the assessment reads: the rules' references, and what the indices
    and the ranking read while the oracle evaluates a case (they read every parameter they use
    whatever the case, so one preset suffices)."""

    with recording_parameter_reads() as reads:
        oracle.evaluate(preset("case-y"))
    return frozenset(reads | {ref.partition(":")[0] for ref in _rule_refs()})


def parameter_leaves(ids: Sequence[str] | None = None) -> list[RangedLeaf]:
    """The ranged numbers of the parameters the assessment reads (or of ``ids``), in id order."""
    kb = load_kb()
    wanted = sorted(_assessment_parameter_ids() if ids is None else ids)
    return [leaf for pid in wanted for leaf in ranged_leaves(kb.get(pid))]


def _leaf_label(leaf: RangedLeaf) -> BiText:
    item = load_kb().get(leaf.param)
    key = leaf.name.partition(":")[2]
    tail = f" · {key}" if key else ""
    return BiText(zh=item.label.zh + tail, en=item.label.en + tail)


# --------------------------------------------------------------------------- worlds


def _replace(value: Any, changes: list[tuple[tuple[Any, ...], Any]]) -> Any:
    """A copy of ``value`` with the numbers at these paths replaced, copying only the
    containers on the way (the rest is shared, never mutated)."""
    if len(changes) == 1 and not changes[0][0]:
        return changes[0][1]
    out: Any = dict(value) if isinstance(value, dict) else list(value)
    deeper: dict[Any, list[tuple[tuple[Any, ...], Any]]] = {}
    for path, new in changes:
        if len(path) == 1:
            out[path[0]] = new
        else:
            deeper.setdefault(path[0], []).append((path[1:], new))
    for key, sub in deeper.items():
        out[key] = _replace(value[key], sub)
    return out


def sample_matrix(leaves: Sequence[RangedLeaf], worlds: int, seed: int) -> np.ndarray:
    """``worlds`` x ``len(leaves)`` sampled values: triangular within [low, high] peaking at
    our value, integers rounded, others rounded to 4 decimals. Deterministic for a seed."""
    rng = np.random.Generator(np.random.PCG64(seed))
    if not leaves:
        return np.zeros((worlds, 0))
    low = np.array([lf.low for lf in leaves])
    high = np.array([lf.high for lf in leaves])
    mode = np.array([lf.value for lf in leaves])
    x = rng.triangular(low, mode, high, size=(worlds, len(leaves)))
    ints = np.array([lf.integer for lf in leaves])
    x[:, ints] = np.rint(x[:, ints])
    x[:, ~ints] = np.round(x[:, ~ints], 4)
    return x


@dataclass
class WorldOutcome:
    """What the oracle concludes in one world."""

    diagnoses: set[str]
    ranks: dict[str, int]  # recommended action -> rank


def evaluate_worlds(
    profile: CaseProfile | Sequence[CaseProfile],
    leaves: Sequence[RangedLeaf],
    samples: np.ndarray,
) -> list[WorldOutcome]:
    """The oracle's conclusions in each sampled world: the profile (or the world's own profile,
    one per row of ``samples``) under the sampled parameter values."""
    profiles = [profile] * len(samples) if isinstance(profile, CaseProfile) else list(profile)
    kb = load_kb()
    by_param: dict[str, list[tuple[int, RangedLeaf]]] = {}
    for j, leaf in enumerate(leaves):
        by_param.setdefault(leaf.param, []).append((j, leaf))
    base = {pid: kb.param(pid) for pid in by_param}
    # parameters whose ranged numbers are all top-level keys of a mapping: a copy and an update
    flat = {
        pid: [(lf.path[0], j, lf.integer) for j, lf in cols]
        for pid, cols in by_param.items()
        if isinstance(base[pid], dict) and all(len(lf.path) == 1 for _j, lf in cols)
    }
    deep = {pid: cols for pid, cols in by_param.items() if pid not in flat}
    # the rule references (``id:key``) the sampled numbers stand for
    ref_cols = [(lf.ref, j, lf.integer) for j, lf in enumerate(leaves) if lf.ref]
    compiled = oracle.compiled_rules()
    if isinstance(profile, CaseProfile):
        # one profile in every world: the facts read from it alone are the same in each, so
        # the conditions on them (and on parameters not sampled) are decided once, here
        split = oracle.constant_fact(profile)
        if split is not None:
            sampled_refs = {lf.ref for lf in leaves if lf.ref}
            compiled = oracle.fold_rules(compiled, split[0], split[1], sampled_refs)
    out: list[WorldOutcome] = []
    for row, world_profile in zip(samples.tolist(), profiles, strict=True):
        values: dict[str, Any] = {}
        for pid, keys in flat.items():
            d = dict(base[pid])
            for k, j, integer in keys:
                d[k] = int(row[j]) if integer else row[j]
            values[pid] = d
        for pid, cols in deep.items():
            values[pid] = _replace(
                base[pid], [(lf.path, int(row[j]) if lf.integer else row[j]) for j, lf in cols]
            )
        refs = {ref: int(row[j]) if integer else row[j] for ref, j, integer in ref_cols}
        dx, ranked = oracle.evaluate_compiled(world_profile, values, compiled, refs)
        out.append(WorldOutcome(dx, dict(ranked)))
    return out


# --------------------------------------------------------------------------- analysis


@dataclass
class _Source:
    name: str
    kind: str
    label: BiText
    low: float
    high: float
    value: float
    column: np.ndarray = field(repr=False)


class _Standardised:
    """The sources' columns centred and scaled once, so each conclusion's correlations with
    every source are one matrix-vector product."""

    def __init__(self, sources: list[_Source], n: int) -> None:
        self.sources = sources
        if sources:
            x = np.column_stack([s.column for s in sources]).astype(float)
        else:
            x = np.zeros((n, 0))
        sd = x.std(axis=0)
        self.live = sd > 0
        self.z = np.zeros_like(x)
        self.z[:, self.live] = (x[:, self.live] - x[:, self.live].mean(axis=0)) / sd[self.live]

    def correlations(self, y: np.ndarray) -> np.ndarray:
        sd = y.std()
        return self.z.T @ ((y - y.mean()) / sd) / len(y)


def _sensitivities(holds: np.ndarray, std: _Standardised, settings: Settings) -> list[SensitiveTo]:
    """The one or two sources the indicator moves with most (Pearson correlation)."""
    if holds.std() == 0 or not std.sources:
        return []
    r = std.correlations(holds)
    picked = [
        (float(r[j]), std.sources[j])
        for j in np.flatnonzero(std.live & (np.abs(r) >= settings.min_strength))
    ]
    picked.sort(key=lambda t: (-abs(t[0]), t[1].name))
    return [
        SensitiveTo(
            source=f"{s.kind}:{s.name}",
            kind=s.kind,
            label=s.label,
            strength=round(max(-1.0, min(1.0, c)), 3),
            low=s.low,
            high=s.high,
            value=None if math.isnan(s.value) else s.value,
        )
        for c, s in picked[:2]
    ]


def percent(share: float) -> str:
    """A share as a whole percentage, rounded down (so 89.8% never reads as the 90% cut-off)."""
    return f"{math.floor(100 * share + 1e-9)}%"


def _summary(head_fragile: bool, first_share: float | None, top_n: int) -> BiText:
    pct = percent(first_share or 0.0)
    zh = (
        "注意：排在最前的建议对本工具自己的参数取舍比较敏感："
        f"在参数合理取值的抽样情形中，第一项建议只在 {pct} 的情形中仍排第一"
    )
    en = (
        "Note: the top of the action list is sensitive to this tool's own parameter choices: "
        f"across the sampled plausible worlds the first action stays first in {pct} of them"
    )
    if head_fragile:
        zh += "，且前三项中有标为“脆弱”的建议"
        en += ", and one of the first three actions is marked fragile"
    else:
        zh += f"（前三项建议本身在多数情形中仍排在前 {top_n} 位，只是彼此的先后不稳定）"
        en += f" (the first three actions stay within the top {top_n} in most worlds; their "
        en += "order among themselves is what is unsettled)"
    zh += (
        "。请把前几项的先后当作需要斟酌的方向，而不是定论，"
        "并先核实它们所依赖的信息和取舍（见附表）。"
    )
    en += (
        ". Read the order of the first actions as a direction to weigh, not settled advice, and "
        "first check the information and choices they depend on (see the annex)."
    )
    return BiText(zh=zh, en=en)


def _input_sources(up: Any, worlds: int, seed: int) -> tuple[list[CaseProfile], list[_Source]]:
    """One sampled profile per world from an uncertain profile, and the sampled inputs as
    sources (numbers and levels as they are; each value of a choice as a yes/no column)."""

    rng = random.Random(seed)
    choices = [up.sample_choices(rng) for _ in range(worlds)]
    profiles = [up.world(c) for c in choices]
    sources: list[_Source] = []
    for path in up.uncertain:
        lab = BiText(zh=field_label(path, "zh"), en=field_label(path, "en"))
        c = up.candidates(path)
        col = [ch[path] for ch in choices]
        if isinstance(c, Interval) or BY_PATH[path].kind == "level":
            lo, hi = (c.low, c.high) if isinstance(c, Interval) else (min(c.values), max(c.values))
            sources.append(
                _Source(
                    path,
                    "input",
                    lab,
                    float(lo),
                    float(min(hi, 1e9)),
                    float("nan"),
                    np.array(col, dtype=float),
                )
            )
        else:
            for v in c.values:
                name = f"{path}={str(v).lower()}"
                vl = BiText(zh=f"{lab.zh} = {v}", en=f"{lab.en} = {v}")
                sources.append(
                    _Source(
                        name,
                        "input",
                        vl,
                        0.0,
                        1.0,
                        float("nan"),
                        np.array([x == v for x in col], dtype=float),
                    )
                )
    return profiles, sources


def analyse(
    profile: Any,
    assessment: Assessment,
    *,
    worlds: int | None = None,
    seed: int | None = None,
    leaves: Sequence[RangedLeaf] | None = None,
) -> Robustness:
    """The robustness of every conclusion of ``assessment`` across sampled plausible worlds.

    ``profile`` is a ``CaseProfile`` (the assessment is the engine's point estimate for it) or
    an ``advisor.uncertain.UncertainProfile`` (each world then also draws the unknown and
    ranged inputs)."""

    settings = Settings.load(worlds=worlds, seed=seed)
    leaves = parameter_leaves() if leaves is None else list(leaves)
    samples = sample_matrix(leaves, settings.worlds, settings.seed)
    input_sources: list[_Source] = []
    world_profiles: Any = profile
    if isinstance(profile, UncertainProfile):
        if profile.is_certain():
            world_profiles = profile.central()
        else:
            world_profiles, input_sources = _input_sources(profile, settings.worlds, settings.seed)
    outcomes = evaluate_worlds(world_profiles, leaves, samples)
    n = len(outcomes)

    sources = [
        _Source(
            name=leaf.name,
            kind="parameter",
            label=_leaf_label(leaf),
            low=leaf.low,
            high=leaf.high,
            value=leaf.value,
            column=samples[:, j],
        )
        for j, leaf in enumerate(leaves)
    ] + input_sources
    std = _Standardised(sources, n)

    open_ids = {u.id for u in assessment.undecided}
    point_dx = [d.id for d in assessment.diagnoses]
    point_rank = {a.id: a.rank for a in assessment.actions}
    seen_dx = sorted({d for o in outcomes for d in o.diagnoses} - set(point_dx))
    seen_act = sorted({a for o in outcomes for a in o.ranks} - set(point_rank))

    diagnoses: list[ConclusionRobustness] = []
    for did in [*point_dx, *seen_dx]:
        holds = np.array([did in o.diagnoses for o in outcomes], dtype=float)
        share = float(holds.mean())
        inside = did in point_dx
        agree = share if inside else 1.0 - share
        diagnoses.append(
            ConclusionRobustness(
                id=did,
                kind="diagnosis",
                in_point_estimate=inside,
                undecided=did in open_ids,
                robustness=round(agree, 4),
                label=settings.label(agree),
                holds_share=round(share, 4),
                sensitive_to=_sensitivities(holds, std, settings),
            )
        )

    actions: list[ConclusionRobustness] = []
    top_n = settings.top_n
    for aid in [*point_rank, *seen_act]:
        present = np.array([aid in o.ranks for o in outcomes], dtype=float)
        top = np.array([o.ranks.get(aid, 10**6) <= top_n for o in outcomes], dtype=float)
        rank = point_rank.get(aid)
        if rank is None:
            agree, indicator = 1.0 - float(present.mean()), present
        elif rank <= top_n:
            agree, indicator = float(top.mean()), top
        else:
            agree, indicator = float(present.mean()), present
        actions.append(
            ConclusionRobustness(
                id=aid,
                kind="action",
                in_point_estimate=rank is not None,
                undecided=aid in open_ids,
                robustness=round(agree, 4),
                label=settings.label(agree),
                holds_share=round(float(present.mean()), 4),
                top_share=round(float(top.mean()), 4),
                sensitive_to=_sensitivities(indicator, std, settings),
            )
        )

    first = assessment.actions[0].id if assessment.actions else None
    first_share = (
        round(sum(1 for o in outcomes if o.ranks.get(first) == 1) / n, 4) if first else None
    )
    head = [c for c in actions if c.in_point_estimate][:3]
    head_fragile = any(c.label == "fragile" for c in head)
    top_fragile = head_fragile or (first_share is not None and first_share < settings.fairly_robust)
    return Robustness(
        worlds=n,
        seed=settings.seed,
        top_n=top_n,
        cutoffs={"robust": settings.robust, "fairly_robust": settings.fairly_robust},
        parameters_varied=[leaf.name for leaf in leaves],
        inputs_varied=list(profile.uncertain) if isinstance(profile, UncertainProfile) else [],
        diagnoses=diagnoses,
        actions=actions,
        first_action_share=first_share,
        top_fragile=top_fragile,
        summary=_summary(head_fragile, first_share, top_n) if top_fragile else None,
    )


def with_robustness(
    profile: CaseProfile,
    assessment: Assessment,
    *,
    worlds: int | None = None,
    seed: int | None = None,
) -> Assessment:
    """A copy of the assessment carrying its ``robustness`` (the rest unchanged)."""
    rob = analyse(profile, assessment, worlds=worlds, seed=seed)
    return assessment.model_copy(update={"robustness": rob})


# --------------------------------------------------------------------------- knowledge-base review


@dataclass(frozen=True)
class ParameterFlips:
    """How many conclusions one ranged number flips when moved to either end of its range."""

    leaf: RangedLeaf
    flips_low: int  # conclusions that differ from the point estimate with the number at low
    flips_high: int
    cases_affected: int  # profiles in which at least one conclusion flips

    @property
    def flips(self) -> int:
        return self.flips_low + self.flips_high


def _conclusions(dx: set[str], ranked: list[tuple[str, int]], top_n: int) -> set[str]:
    return (
        {f"dx:{d}" for d in dx}
        | {f"act:{a}" for a, _ in ranked}
        | {f"top:{a}" for a, r in ranked if r <= top_n}
    )


def review(
    profiles: Sequence[CaseProfile], leaves: Sequence[RangedLeaf] | None = None
) -> list[ParameterFlips]:
    """For each ranged number the assessment reads: move it alone to the low and to the high end
    of its plausible range and count, over ``profiles``, the conclusions (a diagnosis, an action
    recommended, an action within the top ``top_n``) that differ from the point estimate. Most
    flips first: the review list for whoever maintains the knowledge base."""
    settings = Settings.load()
    leaves = parameter_leaves() if leaves is None else list(leaves)
    kb = load_kb()
    compiled = oracle.compiled_rules()
    points = [_conclusions(*oracle.evaluate_compiled(p), settings.top_n) for p in profiles]
    out: list[ParameterFlips] = []
    for leaf in leaves:
        counts = []
        affected: set[int] = set()
        for end in (leaf.low, leaf.high):
            new = int(end) if leaf.integer else end
            values = {leaf.param: _replace(kb.param(leaf.param), [(leaf.path, new)])}
            refs = {leaf.ref: new} if leaf.ref else {}
            n = 0
            for i, p in enumerate(profiles):
                got = _conclusions(
                    *oracle.evaluate_compiled(p, values, compiled, refs), settings.top_n
                )
                d = len(got ^ points[i])
                if d:
                    affected.add(i)
                n += d
            counts.append(n)
        out.append(ParameterFlips(leaf, counts[0], counts[1], len(affected)))
    out.sort(key=lambda f: (-f.flips, -f.cases_affected, f.leaf.name))
    return out
