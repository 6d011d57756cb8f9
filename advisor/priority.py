"""Priority: how urgent a recommended action is for this case, 0-100, and why.

An action's priority is the sum of four weighted factors, less a capacity deduction for
third-party actions, each shown in its breakdown:

- ``severity``: the highest severity among the diagnoses of this case that the action addresses
  (the most serious problem it tackles);
- ``breadth``: how many of this case's diagnoses it addresses, up to ``breadth_cap``;
- ``leverage``: what the action does for the paper's main line (reducing asymmetric
  dependence, government changing its role, cooperating with a third party), a value per action;
- ``phase``: the framework's order, diversifying dependence (1) before building capacity (2)
  before co-production (3);
- ``capacity`` (third-party actions only): minus the points that ``priority.third_party_capacity``
  gives for the third party's capacity level (section 6: the weaker the agency's advantage, the
  less its intervention does). It applies to every action whose actor is the third party except
  those that address ``weak_third_party`` itself (building its own capacity, which the paper
  prescribes for the weak). The same points for every such action of a case, so their order among
  themselves is kept.

``priority = 100 * (w_sev * severity + w_breadth * min(1, n / cap) + w_lev * leverage
+ w_phase * phase_factor) - capacity_deduction``, clamped to 0..100; each factor's ``value`` is
its share in points, so the breakdown adds up to the priority (within rounding). Ranks are 1..n
by priority, ties broken by phase, then id: stable and total. The weights, leverage values, phase
factors and capacity deductions are knowledge-base parameters (``priority.weights``,
``priority.leverage``, ``priority.phase_weights``, ``priority.third_party_capacity``), labelled
as our operationalisation.

The functions here are pure: they take plain data (no engine, no knowledge-base access except in
``load_params``), so the differential oracle can reuse or reimplement them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from advisor.vocabulary import bitext, text

P_WEIGHTS = "priority.weights"
P_LEVERAGE = "priority.leverage"
P_PHASE = "priority.phase_weights"
P_CAPACITY = "priority.third_party_capacity"
CAPACITY_EXEMPT_DIAGNOSIS = "weak_third_party"
FACTORS = ("severity", "breadth", "leverage", "phase")


@dataclass(frozen=True)
class PriorityParams:
    """The parameters of the priority formula."""

    weights: dict[str, float]  # severity, breadth, leverage, phase
    breadth_cap: int
    leverage: dict[str, float]  # action id -> 0..1
    phase_weights: dict[int, float]  # phase -> 0..1
    capacity_deduction: dict[int, float] = field(default_factory=dict)  # capacity -> points
    capacity_applies: frozenset[str] = frozenset()  # the action ids the deduction applies to


@dataclass(frozen=True)
class ActionSpec:
    """What the ranking needs of one recommended action."""

    id: str
    phase: int
    addresses: tuple[str, ...]  # diagnosis ids the knowledge base says it addresses


@dataclass(frozen=True)
class Factor:
    """One line of the breakdown: the factor, its points, its inputs, and a bilingual label."""

    factor: str
    value: float
    label_zh: str
    label_en: str


@dataclass(frozen=True)
class Ranked:
    """A ranked action: rank 1..n, priority 0..100, the breakdown and the diagnoses it addresses."""

    id: str
    rank: int
    priority: float
    breakdown: tuple[Factor, ...]
    addressed: tuple[str, ...]  # the addressed diagnoses present in this case, by severity


def load_params() -> PriorityParams:
    """Read the priority parameters from the knowledge base."""
    from knowledge_base.loader import load_kb

    kb = load_kb()
    w = kb.param(P_WEIGHTS)
    applies = frozenset(
        i.id
        for i in kb.by_kind("action")
        if i.actor == "third_party" and CAPACITY_EXEMPT_DIAGNOSIS not in i.addresses
    )
    return PriorityParams(
        weights={k: float(w[k]) for k in FACTORS},
        breadth_cap=int(w["breadth_cap"]),
        leverage={k: float(v) for k, v in kb.param(P_LEVERAGE).items()},
        phase_weights={int(k): float(v) for k, v in kb.param(P_PHASE).items()},
        capacity_deduction={int(k): float(v) for k, v in kb.param(P_CAPACITY).items()},
        capacity_applies=applies,
    )


def _fmt(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


_cache: dict[tuple[Any, ...], tuple[float, tuple[Factor, ...]]] = {}


def priority_of(
    spec: ActionSpec,
    severities: dict[str, float],
    params: PriorityParams,
    capacity: int | None = None,
) -> tuple[float, tuple[Factor, ...], tuple[str, ...]]:
    """The priority of one action, its breakdown, and the addressed diagnoses of this case
    (``capacity``: the third party's capacity level, None without a third party)."""
    addressed = tuple(
        sorted((d for d in spec.addresses if d in severities), key=lambda d: (-severities[d], d))
    )
    sev = severities[addressed[0]] if addressed else 0.0
    cap = capacity if spec.id in params.capacity_applies else None
    key = (id(params), spec, sev, addressed[:1], len(addressed), cap)
    hit = _cache.get(key)
    if hit is None:
        if len(_cache) > 4_096:
            _cache.clear()
        hit = _cache[key] = _score(spec, sev, addressed, params, cap)
    return hit[0], hit[1], addressed


@lru_cache(maxsize=256)
def _diagnosis_label(diagnosis_id: str) -> tuple[str, str]:
    """The (zh, en) label of a diagnosis, for the breakdown's words (its id if unknown)."""
    from knowledge_base.loader import load_kb

    item = load_kb().items.get(diagnosis_id)
    return (item.label.zh, item.label.en) if item is not None else (diagnosis_id, diagnosis_id)


def _points(
    spec: ActionSpec, sev: float, n: int, params: PriorityParams, capacity: int | None
) -> dict[str, float]:
    """Each factor's points (``n``: how many of the case's diagnoses the action addresses)."""
    breadth = min(1.0, n / params.breadth_cap) if params.breadth_cap else 0.0
    w = params.weights
    pts = {
        "severity": round(100 * w["severity"] * sev, 2),
        "breadth": round(100 * w["breadth"] * breadth, 2),
        "leverage": round(100 * w["leverage"] * params.leverage.get(spec.id, 0.0), 2),
        "phase": round(100 * w["phase"] * params.phase_weights.get(spec.phase, 0.0), 2),
    }
    if capacity is not None:
        pts["capacity"] = -round(params.capacity_deduction.get(capacity, 0.0), 2) + 0.0
    return pts


def _total(pts: dict[str, float]) -> float:
    """The priority: the points added up, clamped to 0..100, one decimal."""
    return round(min(100.0, max(0.0, sum(pts.values()))), 1)


_value_cache: dict[tuple[Any, ...], float] = {}


def priority_value(
    spec: ActionSpec,
    severities: dict[str, float],
    params: PriorityParams,
    capacity: int | None = None,
) -> float:
    """The priority of one action without its breakdown: ``priority_of(...)[0]``, cheaper.

    The same points added the same way (``_points``, ``_total``); no sentences, no sorting of
    the addressed diagnoses (the top severity is their maximum).
    """
    n = 0
    sev = 0.0
    for d in spec.addresses:
        s = severities.get(d)
        if s is not None:
            n += 1
            if n == 1 or s > sev:
                sev = s
    cap = capacity if spec.id in params.capacity_applies else None
    key = (id(params), spec.id, spec.phase, sev, n, cap)
    hit = _value_cache.get(key)
    if hit is None:
        if len(_value_cache) > 4_096:
            _value_cache.clear()
        hit = _value_cache[key] = _total(_points(spec, sev, n, params, cap))
    return hit


def _score(
    spec: ActionSpec,
    sev: float,
    addressed: tuple[str, ...],
    params: PriorityParams,
    capacity: int | None = None,
) -> tuple[float, tuple[Factor, ...]]:
    pts = _points(spec, sev, len(addressed), params, capacity)
    lev = params.leverage.get(spec.id, 0.0)
    ph = params.phase_weights.get(spec.phase, 0.0)
    w = params.weights
    none = bitext("priority_factor", "none")
    top_zh, top_en = _diagnosis_label(addressed[0]) if addressed else (none.zh, none.en)
    ws = {k: _fmt(100 * w[k]) for k in FACTORS}

    def factor(key: str, value: float, **kw: Any) -> Factor:
        # the sentence is the catalogue's (templates/strings.yaml, priority_factor): a
        # translator edits it there; only the numbers (and the diagnosis named) come from here
        return Factor(
            key,
            value,
            text("priority_factor", key, "zh", **kw, top=top_zh),
            text("priority_factor", key, "en", **kw, top=top_en),
        )

    factors: tuple[Factor, ...] = (
        factor("severity", pts["severity"], sev=_fmt(sev), w=ws["severity"]),
        factor(
            "breadth", pts["breadth"], n=len(addressed), cap=params.breadth_cap, w=ws["breadth"]
        ),
        factor("leverage", pts["leverage"], lev=_fmt(lev), w=ws["leverage"]),
        factor("phase", pts["phase"], phase=spec.phase, factor=_fmt(ph), w=ws["phase"]),
    )
    if capacity is not None:
        factors += (
            factor("capacity", pts["capacity"], level=capacity, points=_fmt(-pts["capacity"])),
        )
    return _total(pts), factors


def rank(
    specs: list[ActionSpec],
    severities: dict[str, float],
    params: PriorityParams,
    capacity: int | None = None,
) -> list[Ranked]:
    """Rank the recommended actions: by priority (high first), then phase, then id
    (``capacity``: the third party's capacity level, None without a third party)."""
    scored: list[tuple[float, ActionSpec, tuple[Factor, ...], tuple[str, ...]]] = []
    for spec in specs:
        p, factors, addressed = priority_of(spec, severities, params, capacity)
        scored.append((p, spec, factors, addressed))
    scored.sort(key=lambda t: (-t[0], t[1].phase, t[1].id))
    return [
        Ranked(id=s.id, rank=i, priority=p, breakdown=f, addressed=a)
        for i, (p, s, f, a) in enumerate(scored, start=1)
    ]


def rank_values(
    specs: list[ActionSpec],
    severities: dict[str, float],
    params: PriorityParams,
    capacity: int | None = None,
) -> list[tuple[str, int, float]]:
    """``rank`` without the breakdowns: (action id, rank, priority) in rank order, the same
    ranks and priorities as ``rank`` (for the batch's compact records, which carry no
    breakdown)."""
    scored = [(priority_value(s, severities, params, capacity), s.phase, s.id) for s in specs]
    scored.sort(key=lambda t: (-t[0], t[1], t[2]))
    return [(aid, i, p) for i, (p, _phase, aid) in enumerate(scored, start=1)]


def explain_order(first: Ranked, second: Ranked) -> dict[str, Any]:
    """Why ``first`` ranks above ``second``: the factor differences in points, largest first."""
    a = {f.factor: f.value for f in first.breakdown}
    b = {f.factor: f.value for f in second.breakdown}
    names = (*FACTORS, "capacity")
    diffs = sorted(
        ((k, round(a.get(k, 0.0) - b.get(k, 0.0), 2)) for k in names), key=lambda kv: -abs(kv[1])
    )
    return {"priority_difference": round(first.priority - second.priority, 1), "factors": diffs}
