"""Roadmap: the action framework of one assessment as a phased plan per actor.

Phases follow the contract: now = phase 1 (diversify dependence), next = phase 2 (build
capacity), later = phase 3 (co-production). Preconditions between actions are *derived* from
the knowledge base's action data (actor, phase, stage) and the guard rules' ``overrules`` by
three named rules,
not declared one by one, so they stay consistent when actions are added:

- ``stage_order``: for the same actor, a foundation-stage action comes before that actor's
  co-production-stage actions of the same or a later phase (section 6: recognition and
  training before co-planning);
- ``coproduction_cycle``: for the same actor and no earlier phase, co-planning comes before
  co-design, co-design before co-delivery, co-delivery before co-evaluation (the order in which
  section 6 lists them);
- ``guard_later``: an action a guard rule holds back (its own rule holds, but a fired guard
  overrules it: "a weak third party gets capacity-building before more responsibility") is not
  dropped from the plan but *deferred*: it comes later, after the guard's own action.

Only direct preconditions are kept (the transitive reduction: when A comes before B and B
before C, "A before C" is implied and not listed). An action's planned phase is its own
phase, or later when a precondition is planned later;
within a phase, actions are ordered so that every precondition comes first (ties by rank).
For a case with several assessments over time (the case library's history), ``trajectory``
gives its movement from dependence toward co-production.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from advisor.models import ACTORS, STAGES, Actor, Assessment, BiText
from advisor.trainer.text import bitext, tr, vocab

Rule = Literal["stage_order", "coproduction_cycle", "guard_later"]
RULES: tuple[str, ...] = ("stage_order", "coproduction_cycle", "guard_later")
PHASE_KEYS = {1: "now", 2: "next", 3: "later"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Precondition(_Strict):
    """``before`` must be done (or under way) before ``after``; ``rule`` says why."""

    before: str
    after: str
    rule: Rule


class RoadmapItem(_Strict):
    """One action in the plan."""

    id: str
    label: BiText
    actor: Actor
    phase: int  # the framework's phase
    planned_phase: int  # after preconditions
    stage: str
    dimensions: list[str]
    rank: int | None  # None for a deferred action
    priority: float | None
    after: list[str]  # preconditions among the plan's actions
    deferred: bool = False
    order: int = 0  # position within its planned phase and actor, 1..
    # Added in 0.2: what the action is expected to change (the knowledge base's effect item,
    # knowledge_base/data/effects/, shared with what-if); None when no effect is modelled.
    expected_effect: BiText | None = None


class Roadmap(_Strict):
    """The phased plan of one assessment."""

    profile_id: str
    profile_name: str | None
    asymmetry_level: str
    asymmetry_index: float
    coproduction_score: int
    items: list[RoadmapItem]
    preconditions: list[Precondition]
    rules: dict[str, BiText]

    def phase(self, actor: str, phase: int) -> list[RoadmapItem]:
        """The actor's items planned for ``phase``, in order."""
        return sorted(
            (i for i in self.items if i.actor == actor and i.planned_phase == phase),
            key=lambda i: i.order,
        )

    def item(self, action_id: str) -> RoadmapItem:
        return next(i for i in self.items if i.id == action_id)


def _kb_actions() -> dict[str, Any]:
    from knowledge_base.loader import load_kb

    return {it.id: it for it in load_kb().by_kind("action")}


def _is_coproduction_stage(stage: str) -> bool:
    return stage != "foundation"


def derive_preconditions(items: list[RoadmapItem], held: dict[str, set[str]]) -> list[Precondition]:
    """The precondition edges among ``items`` by the three rules (see the module docstring)."""
    out: list[Precondition] = []
    by_id = {i.id: i for i in items}
    for a in items:
        for b in items:
            if a.id == b.id or a.actor != b.actor or a.deferred or b.deferred:
                continue
            if a.phase > b.phase:
                continue
            if a.stage == "foundation" and _is_coproduction_stage(b.stage):
                out.append(Precondition(before=a.id, after=b.id, rule="stage_order"))
            elif (
                _is_coproduction_stage(a.stage)
                and _is_coproduction_stage(b.stage)
                and STAGES.index(a.stage) < STAGES.index(b.stage)
            ):
                out.append(Precondition(before=a.id, after=b.id, rule="coproduction_cycle"))
    for d in (i for i in items if i.deferred):
        for other in sorted(held.get(d.id, set())):
            if other in by_id and not by_id[other].deferred:
                out.append(Precondition(before=other, after=d.id, rule="guard_later"))
    return out


def _order(items: list[RoadmapItem], edges: list[Precondition]) -> None:
    """Plan phases (a precondition planned later pushes its successor) and order each phase."""
    by_id = {i.id: i for i in items}
    preds: dict[str, list[str]] = {i.id: [] for i in items}
    for e in edges:
        preds[e.after].append(e.before)
    changed = True
    while changed:  # edges go from an earlier-or-equal phase, so this settles quickly
        changed = False
        for i in items:
            need = max([by_id[p].planned_phase for p in preds[i.id]], default=i.planned_phase)
            if need > i.planned_phase:
                i.planned_phase = min(3, need)
                changed = True
    for actor in ACTORS:
        for phase in (1, 2, 3):
            group = [i for i in items if i.actor == actor and i.planned_phase == phase]
            ids = {i.id for i in group}
            done: list[RoadmapItem] = []
            left = sorted(group, key=lambda i: (i.deferred, i.rank or 10_000, i.id))
            while left:
                ready = [
                    i
                    for i in left
                    if all(p not in ids or p in {d.id for d in done} for p in preds[i.id])
                ]
                nxt = ready[0] if ready else left[0]  # a cycle cannot arise from the rules
                done.append(nxt)
                left.remove(nxt)
            for n, i in enumerate(done, start=1):
                i.order = n
    for i in items:
        i.after = sorted(set(preds[i.id]), key=lambda p: (by_id[p].planned_phase, by_id[p].order))


def reduce_edges(edges: list[Precondition]) -> list[Precondition]:
    """The transitive reduction: drop ``a -> c`` when ``a -> ... -> c`` runs through others,
    so each action lists only its direct preconditions."""
    succ: dict[str, set[str]] = {}
    for e in edges:
        succ.setdefault(e.before, set()).add(e.after)

    def reachable(start: str, skip_direct: str) -> set[str]:
        seen: set[str] = set()
        stack = [n for n in succ.get(start, set()) if n != skip_direct]
        while stack:
            n = stack.pop()
            if n in seen:
                continue
            seen.add(n)
            stack.extend(succ.get(n, set()))
        return seen

    return [e for e in edges if e.after not in reachable(e.before, e.after)]


def held_back(assessment: Assessment) -> dict[str, set[str]]:
    """Actions a fired guard rule holds back: not-recommended action id -> the recommended
    actions of the guards that overrule its rules (from the rule definitions' ``overrules``)."""
    from rules.dsl import load_rules

    rules = {r.id: r for r in load_rules()}
    not_recommended = {n.id for n in assessment.not_recommended}
    out: dict[str, set[str]] = {}
    for action in assessment.actions:
        for rid in action.rules:
            guard = rules.get(rid)
            if guard is None or guard.kind != "guard":
                continue
            for target in guard.overrules:
                held = rules.get(target)
                if held is not None and held.concludes in not_recommended:
                    out.setdefault(held.concludes, set()).add(action.id)
    return out


def build_roadmap(assessment: Assessment) -> Roadmap:
    """The phased plan of an assessment's actions, with the actions guards hold back deferred."""
    kb = _kb_actions()
    items: list[RoadmapItem] = [
        RoadmapItem(
            id=a.id,
            label=a.label,
            actor=a.actor,
            phase=a.phase,
            planned_phase=a.phase,
            stage=a.stage,
            dimensions=list(a.dimensions),
            rank=a.rank,
            priority=a.priority,
            after=[],
        )
        for a in sorted(assessment.actions, key=lambda a: a.rank)
    ]
    held = held_back(assessment)
    for n in assessment.not_recommended:
        it = kb.get(n.id)
        if n.id not in held or it is None:
            continue
        items.append(
            RoadmapItem(
                id=n.id,
                label=n.label,
                actor=n.actor,
                phase=int(it.phase or 3),
                planned_phase=3,
                stage=str(it.stage),
                dimensions=list(it.dimensions),
                rank=None,
                priority=None,
                after=[],
                deferred=True,
            )
        )
    from knowledge_base.loader import load_kb

    all_items = load_kb().items
    for item in items:
        effect_item = all_items.get(f"effect.{item.id}")
        if effect_item is not None:
            item.expected_effect = BiText(zh=effect_item.summary.zh, en=effect_item.summary.en)
    edges = reduce_edges(derive_preconditions(items, held))
    _order(items, edges)
    return Roadmap(
        profile_id=assessment.profile_id,
        profile_name=assessment.profile_name,
        asymmetry_level=assessment.asymmetry.level,
        asymmetry_index=assessment.asymmetry.index,
        coproduction_score=assessment.coproduction.score,
        items=items,
        preconditions=edges,
        rules={r: bitext(f"roadmap.rule.{r}") for r in RULES},
    )


# --------------------------------------------------------------------------- over time


class TrajectoryPoint(_Strict):
    """One assessment of a case over time."""

    at: str
    case_version: int | None = None
    asymmetry_index: float
    asymmetry_level: str
    coproduction_score: int
    coproduction_stage: str


def trajectory(history: Iterable[Any]) -> list[TrajectoryPoint]:
    """Points from the case library's history entries (``advisor.store.HistoryEntry``: ``at``,
    ``case_version``, ``summary``) or from ``(when, Assessment)`` pairs, oldest first."""
    out: list[TrajectoryPoint] = []
    for entry in history:
        if isinstance(entry, tuple):
            when, a = entry
            out.append(
                TrajectoryPoint(
                    at=str(when),
                    asymmetry_index=a.asymmetry.index,
                    asymmetry_level=a.asymmetry.level,
                    coproduction_score=a.coproduction.score,
                    coproduction_stage=a.coproduction.stage,
                )
            )
            continue
        s = entry.summary
        out.append(
            TrajectoryPoint(
                at=str(entry.at),
                case_version=getattr(entry, "case_version", None),
                asymmetry_index=float(s["asymmetry"]["index"]),
                asymmetry_level=str(s["asymmetry"]["level"]),
                coproduction_score=int(s["coproduction"]["score"]),
                coproduction_stage=str(s["coproduction"]["stage"]),
            )
        )
    return sorted(out, key=lambda p: p.at)


# --------------------------------------------------------------------------- rendering


def render_roadmap(
    roadmap: Roadmap,
    fmt: Literal["md", "html"],
    lang: str,
    points: list[TrajectoryPoint] | None = None,
) -> str:
    """The roadmap as Markdown or HTML (jinja2 templates ``roadmap.{md,html}.j2``)."""
    from advisor.report import environment

    labels = {i.id: i.label.get(lang) for i in roadmap.items}
    template = environment(fmt).get_template(f"roadmap.{fmt}.j2")
    return template.render(
        r=roadmap,
        lang=lang,
        points=points or [],
        actors=[a for a in ACTORS if any(i.actor == a for i in roadmap.items)],
        labels=labels,
        tr=lambda key, **kw: tr(key, lang, **kw),
        vocab=lambda ns, key: vocab(ns, key, lang),
        phase_key=PHASE_KEYS,
    )
