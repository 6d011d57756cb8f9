"""Assessing a profile with unknowns or ranges: what holds in every world, what cannot be decided,
and which questions to ask next.

``assess_profile(up)`` returns the engine's assessment unchanged when nothing is uncertain. Else:

- the oracle's three-valued evaluation over the bounds of every fact
  (``uncertain.fact_bounds``, ``oracle.evaluate3``) sorts each conclusion: holds in every world
  (it stays in ``diagnoses`` / ``actions``), in none (dropped), in some (moved to ``undecided``
  with the input fields it needs);
- what stays is the engine's assessment of the reference completion (``central()``, one of the
  worlds), so severities, priorities and the order of the actions are the engine's; actions
  are re-ranked 1..n without gaps;
- ``ask_next`` ranks the uncertain inputs by how much knowing them would change the assessment:
  for each plausible value of the input (each value of a set, both ends and the middle of a
  range) the expected number of undecided conclusions it would decide, plus the expected share
  of the first three actions that would change.
"""

from __future__ import annotations

import math
import os
import re
from typing import Any

from advisor.models import AskNext, Assessment, AssessmentWarning, BiText, Undecided
from advisor.pipeline import assess
from advisor.report import field_label
from advisor.robustness import analyse
from advisor.uncertain import (
    BY_PATH,
    Interval,
    UncertainProfile,
    fact_bounds,
    read_profile,
)
from knowledge_base.loader import load_kb
from rules import oracle

ASK_NEXT_MAX = 10


def _field_label(path: str) -> BiText:

    return BiText(zh=field_label(path, "zh"), en=field_label(path, "en"))


def _item_label(cid: str) -> BiText:

    item = load_kb().items.get(cid)
    return BiText(zh=item.label.zh, en=item.label.en) if item else BiText(zh=cid, en=cid)


def decide(up: UncertainProfile) -> tuple[oracle.Decision3, Any]:
    """The three-valued decision and the fact bounds behind it."""
    fb = fact_bounds(up)
    return oracle.evaluate3(fb.fact), fb


def _values_to_try(up: UncertainProfile, path: str) -> list[Any]:
    c = up.candidates(path)
    if isinstance(c, Interval):
        hi = c.high if math.isfinite(c.high) else max(c.low, 1000)
        pts = [c.low, (c.low + hi) / 2, hi]
        if BY_PATH[path].kind == "count":
            return list(dict.fromkeys(round(x) for x in pts))
        return list(dict.fromkeys(round(x, 4) for x in pts))
    return list(c.values)  # type: ignore[union-attr]


def _top(up: UncertainProfile) -> list[str]:
    _dx, ranked = oracle.evaluate_compiled(up.central())
    return [a for a, _r in ranked[:3]]


def ask_next(up: UncertainProfile, decision: oracle.Decision3) -> list[AskNext]:
    """The uncertain inputs, most informative first (see the module docstring)."""
    undecided = {k for k, v in {**decision.diagnoses, **decision.actions}.items() if v is None}
    top = _top(up)
    out: list[AskNext] = []
    for path in up.uncertain:
        resolved: list[float] = []
        changes: list[float] = []
        for value in _values_to_try(up, path):
            try:
                known = up.fixed(path, value)
                d, _fb = decide(known)
                t = _top(known)
            except Exception:
                continue
            after = {k for k, v in {**d.diagnoses, **d.actions}.items() if v is None}
            resolved.append(len(undecided - after))
            changes.append(len(set(top) ^ set(t)) / 2 / max(1, len(top)))
        if not resolved:
            continue
        r = sum(resolved) / len(resolved)
        c = sum(changes) / len(changes)
        out.append(
            AskNext(
                field=path,
                label=_field_label(path),
                score=round(r + c, 4),
                resolves=round(r, 4),
                top_change=round(c, 4),
            )
        )
    order = list(up.uncertain)
    out.sort(key=lambda a: (-a.score, order.index(a.field)))
    return out[:ASK_NEXT_MAX]


def assess_profile(up: UncertainProfile, *, ask: bool = True) -> Assessment:
    """The assessment of a version 1 or 2 profile (see the module docstring)."""

    central = up.central()
    a = assess(central)
    if up.is_certain():
        return a
    decision, fb = decide(up)
    dx = [x for x in a.diagnoses if decision.diagnoses.get(x.id) is True]
    acts = [
        x.model_copy(update={"rank": i})
        for i, x in enumerate((x for x in a.actions if decision.actions.get(x.id) is True), 1)
    ]
    undecided: list[Undecided] = []
    for kind, table in (("diagnosis", decision.diagnoses), ("action", decision.actions)):
        for cid, v in table.items():
            if v is None:
                undecided.append(
                    Undecided(
                        id=cid,
                        kind=kind,
                        label=_item_label(cid),
                        needs=fb.inputs_for(decision.needs.get(cid, set())),
                    )
                )
    gone = {u.id for u in undecided}
    n = len(up.uncertain)
    warning = AssessmentWarning(
        code="uncertain_inputs",
        message=BiText(
            zh=(
                f"档案中有 {n} 项信息不清楚或只给出范围。只有在所有可能情形中都成立的诊断和行动"
                f"列为结论；另有 {len(undecided)} 项无法确定，单独列出并注明需要核实的信息。"
                "关键指标、严重程度和行动的先后按一个参考补全（各范围取中间值）计算，"
                "只作参考。"
            ),
            en=(
                f"{n} fields of the profile are unknown or given as a range. Only diagnoses and "
                "actions that hold in every possible world are listed as conclusions; "
                f"{len(undecided)} more could not be decided and are listed apart with the "
                "information they need. Key figures, severities and the order of the actions are "
                "computed on a reference completion (the middle of each range), for reference "
                "only."
            ),
        ),
    )
    return a.model_copy(
        update={
            "diagnoses": dx,
            "actions": acts,
            "not_recommended": [x for x in a.not_recommended if x.id not in gone],
            "warnings": [*a.warnings, warning],
            "uncertain_inputs": list(up.uncertain),
            "undecided": undecided,
            "ask_next": ask_next(up, decision) if ask else [],
        }
    )


# --------------------------------------------------------------------------- batch (issue 12)

# ``advisor batch --robustness N`` sets this for its worker processes (spawned workers inherit
# the environment): each case then also gets its robustness with N sampled worlds.
BATCH_ROBUSTNESS_ENV = "ADVISOR_BATCH_ROBUSTNESS_WORLDS"


def assess_batch_data(
    data: Any, source: str | None = None, *, strict: bool = True
) -> Assessment | None:
    """A batch record's assessment when it needs this module (a version 2 profile, or
    robustness requested), else None (the batch's own fast path assesses it)."""

    worlds = int(os.environ.get(BATCH_ROBUSTNESS_ENV, "0") or 0)
    version = data.get("schema_version") if isinstance(data, dict) else None
    if str(version) != "2" and worlds <= 0:
        return None

    if isinstance(data, dict) and str(version) == "2":
        data = csv_cells_to_v2(data)
    up = read_profile(data, source, strict=strict)
    a = assess_profile(up, ask=False)
    if worlds > 0:
        a = a.model_copy(update={"robustness": analyse(up, a, worlds=worlds)})
    return a


def csv_cells_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Read CSV text cells of a version 2 row: ``0.2-0.4`` is a range, ``1|2`` a set, and
    numbers and yes/no are converted; an empty cell (left out) is unknown. Typed JSON values
    pass unchanged."""

    rng = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[-–~]\s*(\d+(?:\.\d+)?)\s*$")
    out = dict(data)
    out["schema_version"] = 2

    def conv(leaf_kind: str, text: str) -> Any:
        t = text.strip()
        if leaf_kind == "bool":
            low = t.lower()
            return (
                True if low in ("true", "1", "yes") else False if low in ("false", "0", "no") else t
            )
        if leaf_kind in ("share",):
            try:
                return float(t)
            except ValueError:
                return t
        if leaf_kind in ("level", "count"):
            return int(t) if t.isdigit() else t
        return t

    def walk(node: dict[str, Any], prefix: str) -> dict[str, Any]:
        res: dict[str, Any] = {}
        for k, v in node.items():
            path = f"{prefix}{k}"
            leaf = BY_PATH.get(path)
            if isinstance(v, dict) and leaf is None:
                res[k] = walk(v, path + ".")
            elif isinstance(v, str) and leaf is not None:
                m = rng.match(v)
                if m and leaf.kind in ("share", "level", "count"):
                    lo, hi = float(m.group(1)), float(m.group(2))
                    if leaf.kind != "share":
                        lo, hi = int(lo), int(hi)
                    res[k] = {"low": lo, "high": hi}
                elif "|" in v and leaf.kind in ("level", "enum", "bool"):
                    res[k] = [conv(leaf.kind, x) for x in v.split("|")]
                else:
                    res[k] = conv(leaf.kind, v)
            else:
                res[k] = v
        return res

    return walk(out, "")
