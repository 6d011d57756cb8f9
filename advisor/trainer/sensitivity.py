"""Sensitivity: how one case's asymmetry and top actions move as a single field varies.

``sweep`` varies one field over its whole range, holding the rest of the case fixed, and records
the asymmetry (index and level), the co-production score, the diagnoses and the priorities of the
top actions at each value. Sweeping one funding or recruitment share rescales the other shares of
its group proportionally so that the profile stays valid; the sweep says so in ``note``.
``tornado`` sweeps every field and ranks them by how far they move the asymmetry index.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict

from advisor.errors import FieldProblem, ProfileError
from advisor.models import BiText, CaseProfile
from advisor.trainer._assess import assess_cached
from advisor.trainer.space import applicable_fields, field_spec, get_value, share_group, with_value

TRACKED_TOP = 3  # the top-n actions of each value are tracked across the sweep
TRACKED_MAX = 8  # at most this many actions are charted


class SweepPoint(BaseModel):
    """The assessment's result at one value of the swept field (or why the value is impossible)."""

    model_config = ConfigDict(extra="forbid")

    value: Any
    valid: bool
    problem: str | None = None
    is_baseline: bool = False
    asymmetry_index: float | None = None
    asymmetry_level: str | None = None
    coproduction_score: int | None = None
    diagnoses: list[str] = []
    top_actions: list[str] = []  # ids of this value's top actions, best first
    priorities: dict[str, float] = {}  # tracked action id -> priority (0: not recommended)
    group: dict[str, float] | None = None  # the rebalanced share group at this value


class Sweep(BaseModel):
    """One field swept across its range for one case."""

    model_config = ConfigDict(extra="forbid")

    profile_id: str
    path: str
    kind: str
    baseline_value: Any
    rebalanced_group: str | None = None
    note: BiText | None = None
    tracked_actions: list[str]
    action_labels: dict[str, BiText]
    points: list[SweepPoint]

    def valid_points(self) -> list[SweepPoint]:
        return [p for p in self.points if p.valid]


class TornadoBar(NamedTuple):
    """How far one field moves the asymmetry index: lowest and highest index over its range."""

    path: str
    low: float
    high: float
    swing: float


def _rebalance_note(group: str, path: str) -> BiText:
    name = "资金" if group == "funding" else "招募"
    what = "funding" if group == "funding" else "recruitment"
    return BiText(
        zh=f"扫描 {path} 时，同组其他{name}份额按原有比例缩放，使各份额之和仍为 1。",
        en=(
            f"While {path} is swept, the other {what} shares are rescaled in proportion to "
            "their baseline values so that the shares still sum to 1."
        ),
    )


def sweep(profile: CaseProfile, path: str, values: list[Any] | None = None) -> Sweep:
    """Sweep one field over ``values`` (default: its whole range) and assess each value.

    Raises ProfileError when the path is not a variable field or does not exist in this case
    (a third-party field where there is no third party). A value that makes the profile invalid
    (more core volunteers than volunteers) is kept as a point with ``valid=False`` and the reason.
    """
    spec = field_spec(path)
    baseline_value = get_value(profile, path)
    if path.startswith("third_party.") and profile.third_party is None:
        raise ProfileError(
            [FieldProblem(path, "this case has no third party, so its fields cannot be swept")]
        )
    grid = list(spec.values if values is None else values)
    if values is None and baseline_value not in grid:
        grid = sorted([*grid, baseline_value], key=lambda v: (v is None, v))
    group = share_group(path)
    base = assess_cached(profile)
    results: list[tuple[Any, CaseProfile | None, str | None]] = []
    variant: CaseProfile | None
    for value in grid:
        try:
            variant = with_value(profile, path, value)
        except ProfileError as exc:
            results.append((value, None, "; ".join(str(p) for p in exc.problems)))
            continue
        results.append((value, variant, None))
    assessments = {
        i: assess_cached(variant) for i, (_, variant, _) in enumerate(results) if variant
    }
    tracked: list[str] = [a.id for a in base.actions[:TRACKED_TOP]]
    labels = {a.id: a.label for a in base.actions}
    for a in assessments.values():
        for act in a.actions[:TRACKED_TOP]:
            labels.setdefault(act.id, act.label)
            if act.id not in tracked and len(tracked) < TRACKED_MAX:
                tracked.append(act.id)
    points: list[SweepPoint] = []
    for i, (value, variant, problem) in enumerate(results):
        if variant is None:
            points.append(SweepPoint(value=value, valid=False, problem=problem))
            continue
        a = assessments[i]
        prio = {act.id: act.priority for act in a.actions}
        points.append(
            SweepPoint(
                value=value,
                valid=True,
                is_baseline=value == baseline_value,
                asymmetry_index=a.asymmetry.index,
                asymmetry_level=a.asymmetry.level,
                coproduction_score=a.coproduction.score,
                diagnoses=[d.id for d in a.diagnoses],
                top_actions=[act.id for act in a.actions[:TRACKED_TOP]],
                priorities={t: prio.get(t, 0.0) for t in tracked},
                group=get_value(variant, group) if group else None,
            )
        )
    return Sweep(
        profile_id=profile.id,
        path=path,
        kind=spec.kind,
        baseline_value=baseline_value,
        rebalanced_group=group,
        note=_rebalance_note(group, path) if group else None,
        tracked_actions=tracked,
        action_labels={t: labels[t] for t in tracked},
        points=points,
    )


def tornado(profile: CaseProfile, paths: list[str] | None = None) -> list[TornadoBar]:
    """Sweep every variable field of the case; return bars sorted by swing, largest first.

    ``low`` and ``high`` are the lowest and highest asymmetry index reached over the field's
    range (the baseline value included); ``swing`` is ``high - low``. Ties keep field order.
    """
    specs = [s for s in applicable_fields(profile) if paths is None or s.path in paths]
    bars: list[TornadoBar] = []
    for spec in specs:
        s = sweep(profile, spec.path)
        idx = [p.asymmetry_index for p in s.valid_points() if p.asymmetry_index is not None]
        if not idx:
            continue
        low, high = min(idx), max(idx)
        bars.append(TornadoBar(spec.path, low, high, round(high - low, 6)))
    return sorted(bars, key=lambda b: -b.swing)
