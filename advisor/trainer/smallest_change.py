"""Smallest change: the cheapest sets of feasible changes that bring a case to a goal.

A *change* is one move an actor can make on one field (the government lowers its control by one
level; the third party mobilises non-government money replacing a 0.2 share of direct government
funding). Which changes exist, who makes them and what each costs are knowledge-base parameters
(``knowledge_base/data/parameters/cost.*.yaml``, our operationalisation, each with its reasoning
and the passage that motivates it). A *goal* is "asymmetry at most a level" or "diagnosis D
removed".

The search is uniform-cost (Dijkstra over sets of changes) with the goal tested when a state is
taken off the queue, so the first goal state found is a cheapest one; among equal costs, states
whose asymmetry is already lower are tried first. Depth and the number of assessed states are
bounded. A goal state that contains the changes of a cheaper goal state already found is not
reported (it adds nothing). The top paths are returned with the assessment's result after each
step.
"""

from __future__ import annotations

import heapq
import itertools
from collections import Counter
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from advisor.errors import FieldProblem, KnowledgeBaseError, ProfileError
from advisor.models import ASYMMETRY_LEVELS, Actor, Assessment, BiText, CaseProfile
from advisor.trainer._assess import assess_cached, profile_key
from advisor.trainer.space import get_value

DEFAULT_MAX_DEPTH = 6
DEFAULT_MAX_NODES = 1500
DEFAULT_TOP = 3
COST_PREFIX = "cost."


# --------------------------------------------------------------------------- moves (KB data)


class MoveSpec(BaseModel):
    """The ``value`` of one ``cost.*`` parameter: a change one actor can make on one field."""

    model_config = ConfigDict(extra="forbid")

    field: str
    actor: Actor
    move: Literal["level", "order", "set", "shift"]
    cost: float = Field(gt=0)
    direction: Literal["up", "down"] | None = None  # level
    order: list[Any] | None = None  # order: values in the order of improvement
    to: Any = None  # set: the new value; shift: the share fields that receive
    from_: list[Any] | None = Field(default=None, alias="from")  # set: values it applies to
    amount: float | None = Field(default=None, gt=0, le=1)  # shift: share moved per change


class Move(BaseModel):
    """A cost parameter read from the knowledge base."""

    model_config = ConfigDict(extra="forbid")

    id: str
    label: BiText
    spec: MoveSpec


def load_moves() -> list[Move]:
    """Every ``cost.*`` parameter of the knowledge base as a move; raise KnowledgeBaseError."""
    from knowledge_base.loader import load_kb

    kb = load_kb()
    moves: list[Move] = []
    problems: list[str] = []
    for item in sorted(kb.by_kind("parameter"), key=lambda i: i.id):
        if not item.id.startswith(COST_PREFIX):
            continue
        try:
            spec = MoveSpec.model_validate(item.value)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                loc = ".".join(str(p) for p in err["loc"])
                problems.append(f"{item.id}: value.{loc}: {err['msg']}")
            continue
        bad = _spec_problem(spec)
        if bad:
            problems.append(f"{item.id}: {bad}")
            continue
        moves.append(Move(id=item.id, label=BiText(zh=item.label.zh, en=item.label.en), spec=spec))
    if problems:
        raise KnowledgeBaseError("cost parameters are not usable:\n  - " + "\n  - ".join(problems))
    return moves


def _spec_problem(spec: MoveSpec) -> str | None:
    if spec.move == "level" and spec.direction is None:
        return "a level move needs a direction"
    if spec.move == "order" and not spec.order:
        return "an order move needs the order of values"
    if spec.move == "set" and spec.from_ is None:
        return "a set move needs the values it applies to ('from')"
    if spec.move == "shift" and (not spec.to or spec.amount is None):
        return "a shift move needs target shares ('to') and an amount"
    return None


# --------------------------------------------------------------------------- goals


class Goal(BaseModel):
    """What the search aims for: asymmetry at most a level, or one diagnosis gone."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["asymmetry_at_most", "remove_diagnosis"]
    target: str

    def is_met(self, a: Assessment) -> bool:
        if self.kind == "asymmetry_at_most":
            return ASYMMETRY_LEVELS.index(a.asymmetry.level) <= ASYMMETRY_LEVELS.index(self.target)
        return all(d.id != self.target for d in a.diagnoses)

    def describe(self) -> BiText:
        if self.kind == "asymmetry_at_most":
            return BiText(
                zh=f"非对称性依赖降到 {self.target} 或以下",
                en=f"asymmetry down to {self.target} or lower",
            )
        return BiText(zh=f"消除诊断 {self.target}", en=f"remove the diagnosis {self.target}")


def asymmetry_goal(level: str) -> Goal:
    """Goal "asymmetry <= level"; raise ProfileError naming the level when it is unknown."""
    if level not in ASYMMETRY_LEVELS:
        raise ProfileError(
            [FieldProblem("goal", f"unknown level {level!r}; expected one of {ASYMMETRY_LEVELS}")]
        )
    return Goal(kind="asymmetry_at_most", target=level)


def diagnosis_goal(diagnosis_id: str) -> Goal:
    """Goal "remove diagnosis D"; raise ProfileError when D is not a diagnosis of the KB."""
    from knowledge_base.loader import load_kb

    known = sorted(it.id for it in load_kb().by_kind("diagnosis"))
    if diagnosis_id not in known:
        raise ProfileError(
            [FieldProblem("goal", f"unknown diagnosis {diagnosis_id!r}; known: {', '.join(known)}")]
        )
    return Goal(kind="remove_diagnosis", target=diagnosis_id)


def parse_goal(text: str) -> Goal:
    """Parse ``"asymmetry <= moderate"``, ``"moderate"`` or ``"remove diagnosis D"``."""
    t = " ".join(text.strip().split())
    for prefix in ("remove diagnosis ", "remove "):
        if t.startswith(prefix):
            return diagnosis_goal(t.removeprefix(prefix).strip())
    t = t.removeprefix("asymmetry").strip().removeprefix("<=").strip()
    return asymmetry_goal(t)


# --------------------------------------------------------------------------- paths


class Outcome(BaseModel):
    """The assessment's headline after a step."""

    model_config = ConfigDict(extra="forbid")

    asymmetry_index: float
    asymmetry_level: str
    coproduction_score: int
    diagnoses: list[str]
    goal_met: bool


class Step(BaseModel):
    """One change in a path: who makes it, what it changes, its cost and the result after it."""

    model_config = ConfigDict(extra="forbid")

    move: str  # the cost parameter id
    actor: Actor
    field: str
    before: Any
    after: Any
    target: str | None = None  # the share that receives, for shifts
    cost: float
    label: BiText
    outcome: Outcome


class ChangePath(BaseModel):
    """A set of changes, in the order found, that meets the goal; ``cost`` is their sum."""

    model_config = ConfigDict(extra="forbid")

    steps: list[Step]
    cost: float
    start: Outcome
    final: Outcome


class SearchResult(BaseModel):
    """The paths found plus how much search it took."""

    model_config = ConfigDict(extra="forbid")

    profile_id: str
    goal: Goal
    paths: list[ChangePath]
    already_met: bool
    assessed: int
    exhausted: bool  # true: the space within the depth bound was searched completely
    max_depth: int
    max_nodes: int


def _outcome(a: Assessment, goal: Goal) -> Outcome:
    return Outcome(
        asymmetry_index=a.asymmetry.index,
        asymmetry_level=a.asymmetry.level,
        coproduction_score=a.coproduction.score,
        diagnoses=[d.id for d in a.diagnoses],
        goal_met=goal.is_met(a),
    )


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = data
    for p in parts[:-1]:
        node = node[p]
    node[parts[-1]] = value


def _apply(profile: CaseProfile, move: Move) -> list[tuple[CaseProfile, Step]]:
    """The profiles one application of the move leads to (none when it does not apply)."""
    s = move.spec
    try:
        before = get_value(profile, s.field)
    except KeyError:
        return []
    if before is None and s.move != "set":
        return []  # e.g. a third-party field where there is no third party
    candidates: list[tuple[Any, str | None, dict[str, Any]]] = []  # (after, target, data)
    data = profile.model_dump(mode="json")
    if s.move == "level":
        after = before + (1 if s.direction == "up" else -1)
        candidates.append((after, None, data))
    elif s.move == "order":
        order = s.order or []
        if before in order and order.index(before) + 1 < len(order):
            candidates.append((order[order.index(before) + 1], None, data))
    elif s.move == "set":
        if before in (s.from_ or []) and before != s.to:
            candidates.append((s.to, None, data))
    elif s.move == "shift":
        amount = min(float(s.amount or 0), float(before))
        if amount > 1e-9:
            for target in s.to:
                d = profile.model_dump(mode="json")
                _set(d, target, round(float(get_value(d, target)) + amount, 4))
                candidates.append((round(float(before) - amount, 4), target, d))
    out: list[tuple[CaseProfile, Step]] = []
    for after, target, d in candidates:
        _set(d, s.field, after)
        try:
            child = CaseProfile.model_validate(d)
        except ValidationError:
            continue  # out of range (a level already at its bound): not applicable
        label = move.label
        out.append(
            (
                child,
                Step.model_construct(
                    move=move.id,
                    actor=s.actor,
                    field=s.field,
                    before=before,
                    after=after,
                    target=target,
                    cost=s.cost,
                    label=label,
                    outcome=None,
                ),
            )
        )
    return out


def search(
    profile: CaseProfile,
    goal: Goal,
    *,
    top: int = DEFAULT_TOP,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_nodes: int = DEFAULT_MAX_NODES,
    actors: list[str] | None = None,
) -> SearchResult:
    """Uniform-cost search for the ``top`` cheapest change sets meeting ``goal``.

    ``actors`` restricts the changes to those actors. Raises KnowledgeBaseError when the cost
    parameters are unusable and whatever the pipeline raises for an unassessable profile.
    """
    moves = [m for m in load_moves() if actors is None or m.spec.actor in actors]
    start_a = assess_cached(profile)
    start = _outcome(start_a, goal)
    if start.goal_met:
        return SearchResult(
            profile_id=profile.id,
            goal=goal,
            paths=[ChangePath(steps=[], cost=0.0, start=start, final=start)],
            already_met=True,
            assessed=1,
            exhausted=True,
            max_depth=max_depth,
            max_nodes=max_nodes,
        )
    counter = itertools.count()
    # queue entry: (cost, tie-break: parent's asymmetry index, order, profile, steps)
    queue: list[tuple[float, float, int, CaseProfile, list[Step]]] = [
        (0.0, start.asymmetry_index, next(counter), profile, [])
    ]
    seen: set[str] = set()
    found: list[ChangePath] = []
    found_sets: list[Counter[str]] = []
    assessed = 0
    exhausted = True
    while queue:
        cost, _, _, state, steps = heapq.heappop(queue)
        key = profile_key(state)
        if key in seen:
            continue
        seen.add(key)
        if assessed >= max_nodes:
            exhausted = False
            break
        a = assess_cached(state)
        assessed += 1
        outcome = _outcome(a, goal)
        if steps:
            steps = [*steps[:-1], steps[-1].model_copy(update={"outcome": outcome})]
        if outcome.goal_met:
            changes = Counter(f"{s.move}>{s.target or ''}" for s in steps)
            if any(not (g - changes) for g in found_sets):
                continue  # contains a cheaper goal's changes: adds nothing
            found_sets.append(changes)
            found.append(
                ChangePath(
                    steps=[Step.model_validate(s.model_dump()) for s in steps],
                    cost=round(cost, 6),
                    start=start,
                    final=outcome,
                )
            )
            if len(found) >= top:
                exhausted = False
                break
            continue
        if len(steps) >= max_depth:
            continue
        for move in moves:
            for child, step in _apply(state, move):
                if profile_key(child) in seen:
                    continue
                heapq.heappush(
                    queue,
                    (
                        cost + step.cost,
                        outcome.asymmetry_index,
                        next(counter),
                        child,
                        [*steps, step],
                    ),
                )
    return SearchResult(
        profile_id=profile.id,
        goal=goal,
        paths=found,
        already_met=False,
        assessed=assessed,
        exhausted=exhausted and not queue,
        max_depth=max_depth,
        max_nodes=max_nodes,
    )


def smallest_change(profile: CaseProfile, goal: Goal | str, **kwargs: Any) -> list[ChangePath]:
    """The cheapest change sets (default top 3) meeting ``goal``, cheapest first.

    ``goal`` is a Goal or text such as ``"asymmetry <= moderate"`` or ``"remove diagnosis D"``.
    An empty list means no path within the depth and node bounds (see ``search`` for figures).
    """
    g = parse_goal(goal) if isinstance(goal, str) else goal
    return search(profile, g, **kwargs).paths
