"""Smallest change: the cheapest sets of feasible changes that bring a case to a goal.

A *change* is one move an actor can make on one field (the government lowers its control by one
level; the third party mobilises non-government money replacing a 0.2 share of direct government
funding). Which changes exist, who makes them and what each costs are knowledge-base parameters
(``knowledge_base/data/parameters/cost.*.yaml``, our operationalisation, each with its reasoning
and the passage that motivates it). A *goal* is "asymmetry at most a level" or "diagnosis D
removed".

Moves of kind ``effect`` apply an action's whole expected effect, the same knowledge-base data
(``knowledge_base/data/effects/``, ``advisor/effects.py``) and, where named, the same what-if lever
(``advisor/whatif.py``) as what-if and the roadmap: "bring in a strong agency" brings the agency
*and* what section 6 says it does (knowledge supply, co-planning, co-design, co-evaluation), and
``tests/trainer/test_smallest_change.py`` checks that every such move changes the profile exactly
as ``advisor/effects.py`` does. Cost model (ours, in each cost parameter's reasoning): such a move
costs its actor's one decision on the 1-4 scale, once, however many fields the effect touches; the
consequences the sources attribute to the action are not charged again as separate changes.

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

from advisor import fields
from advisor.errors import FieldProblem, KnowledgeBaseError, ProfileError
from advisor.models import ASYMMETRY_LEVELS, Actor, Assessment, BiText, CaseProfile
from advisor.trainer._assess import assess_cached

DEFAULT_MAX_DEPTH = 6
DEFAULT_MAX_NODES = 5000
DEFAULT_TOP = 3
COST_PREFIX = "cost."


# --------------------------------------------------------------------------- moves (KB data)


class MoveSpec(BaseModel):
    """The ``value`` of one ``cost.*`` parameter: a change one actor can make on one field."""

    model_config = ConfigDict(extra="forbid")

    field: str
    actor: Actor
    move: Literal["level", "order", "set", "shift", "effect"]
    cost: float = Field(gt=0)
    # effect: the action whose knowledge-base effect the move applies (advisor/effects.py), the
    # what-if lever that applies it when the action also brings something in (advisor/whatif.py),
    # and whether it applies only where there is no independent third party (as the action's rule)
    action: str | None = None
    lever: str | None = None
    only_without_independent_third_party: bool = False
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
    if spec.move == "effect":
        from advisor.effects import effect_ids
        from advisor.whatif import LEVERS

        if spec.action not in effect_ids():
            return f"an effect move needs an action with an effect item ('action': {spec.action!r})"
        if spec.lever is not None and (
            spec.lever not in LEVERS or spec.action not in LEVERS[spec.lever].rests_on
        ):
            return f"lever {spec.lever!r} is not a what-if lever resting on {spec.action!r}"
    return None


def apply_effect_move(profile: CaseProfile, spec: MoveSpec) -> CaseProfile:
    """The profile after an ``effect`` move: the what-if lever when one is named (it applies the
    action's effect item itself), otherwise the action's effect item (``advisor/effects.py``)."""
    from advisor.effects import apply_effect

    if spec.lever is not None:
        from advisor.whatif import LEVERS

        return LEVERS[spec.lever](profile)
    return apply_effect(profile, str(spec.action))


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
        from advisor.trainer.text import bitext, vocab

        if self.kind == "asymmetry_at_most":
            level = {lang: vocab("level", self.target, lang) for lang in ("zh", "en")}
            return BiText(
                zh=bitext("goal.asymmetry", level=level["zh"]).zh,
                en=bitext("goal.asymmetry", level=level["en"]).en,
            )
        from knowledge_base.loader import load_kb

        item = load_kb().items.get(self.target)
        name = {lang: item.label.get(lang) if item else self.target for lang in ("zh", "en")}
        return BiText(
            zh=bitext("goal.remove", name=name["zh"]).zh,
            en=bitext("goal.remove", name=name["en"]).en,
        )


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
    removed: list[str] = []  # diagnoses gone after this step
    added: list[str] = []  # diagnoses that appeared after this step
    # effect moves: the other fields the action's effect changes (dotted path -> value after)
    effect: dict[str, Any] = {}


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


# --------------------------------------------------------------------------- states
#
# A state is the baseline plus a set of changed leaves, kept flat ({"government.control": 1}):
# cheap to hash and to extend. The profile is built only when the state is evaluated.

# every field of the third party, the optional ones too (origin: a community-founded centre like
# case Y's M centre is no independent third party, and the search must start from the case)
_TP_FIELDS = tuple(spec.name for spec in fields.leaves("third_party"))


def _flatten(data: dict[str, Any]) -> dict[str, Any]:
    """Profile data as ``{path: value}`` over the catalogue's value fields (absent as None)."""
    return fields.flatten(data)


def _unflatten(flat: dict[str, Any]) -> dict[str, Any]:
    """Back to profile data; no third party when its kind is None (as the moves remove one)."""
    data = fields.unflatten(flat)
    if flat.get("third_party.kind") is None:
        data["third_party"] = None
    return data


def _read(flat: dict[str, Any], path: str) -> Any:
    if path == "third_party":
        if flat["third_party.kind"] is None:
            return None
        return {f: flat[f"third_party.{f}"] for f in _TP_FIELDS}
    return flat.get(path)


# A raw step: (move id, target share or None, before, after).
RawStep = tuple[str, str | None, Any, Any]


def _bounds(path: str) -> tuple[Any, Any] | None:
    spec = fields.FIELDS.get(path)
    if spec is None or not spec.is_level:
        return None
    return spec.low, spec.high


def _moves_from(flat: dict[str, Any], move: Move) -> list[dict[str, Any]]:
    """The leaf changes one application of the move makes (none when it does not apply)."""
    s = move.spec
    if s.actor == "third_party" and flat["third_party.kind"] is None:
        return []  # no third party to act (the government can bring one in first)
    if s.move == "effect":
        return _effect_delta(flat, s)
    before = _read(flat, s.field)
    if before is None and s.move != "set":
        return []  # e.g. a third-party field where there is no third party
    if s.move == "level":
        after = before + (1 if s.direction == "up" else -1)
        bounds = _bounds(s.field)
        if bounds is None or not bounds[0] <= after <= bounds[1]:
            return []
        return [{s.field: after}]
    if s.move == "order":
        order = s.order or []
        if before in order and order.index(before) + 1 < len(order):
            return [{s.field: order[order.index(before) + 1]}]
        return []
    if s.move == "set":
        if before not in (s.from_ or []) or before == s.to:
            return []
        if s.field == "third_party":
            return [{f"third_party.{f}": (s.to or {}).get(f) for f in _TP_FIELDS}]
        return [{s.field: s.to}]
    amount = min(float(s.amount or 0), float(before))  # shift
    if amount <= 1e-9:
        return []
    return [
        {s.field: round(float(before) - amount, 4), t: round(float(flat[t]) + amount, 4)}
        for t in s.to
    ]


def _effect_delta(flat: dict[str, Any], spec: MoveSpec) -> list[dict[str, Any]]:
    """The leaves an effect move changes (none when it changes nothing or does not apply)."""
    from advisor.errors import AdvisorError
    from advisor.indices import independent_third_party

    try:
        profile = CaseProfile.model_validate(_unflatten(flat))
    except ValidationError:
        return []
    if spec.only_without_independent_third_party and independent_third_party(profile):
        return []
    try:
        after = _flatten(apply_effect_move(profile, spec).model_dump(mode="json"))
    except (ValidationError, AdvisorError):
        return []
    delta = {k: v for k, v in after.items() if not _same_value(flat.get(k), v)}
    return [delta] if delta else []


def _relevant_facts(diagnosis: str) -> list[str]:
    """The fact keys read by the rules that conclude ``diagnosis``, and by the rules of the
    diagnoses those rules refer to (transitively)."""
    from rules.dsl import diagnoses_of, fact_keys_of, load_rules

    rules = [r for r in load_rules() if r.kind == "diagnosis"]
    todo, done, keys = [diagnosis], set(), []
    while todo:
        d = todo.pop()
        if d in done:
            continue
        done.add(d)
        for r in rules:
            if r.concludes == d:
                keys += fact_keys_of(r)
                todo += diagnoses_of(r)
    return sorted(set(keys))


class _Space:
    """The baseline, the moves, and evaluation of states (memoised)."""

    def __init__(self, profile: CaseProfile, goal: Goal, moves: list[Move]) -> None:
        self.base = _flatten(profile.model_dump(mode="json"))
        self.goal = goal
        self.moves = moves
        self._sig: dict[frozenset[tuple[str, Any]], Any] = {}
        self.fact_keys = _relevant_facts(goal.target) if goal.kind == "remove_diagnosis" else []
        self.evaluated = 0

    def flat(self, changes: dict[str, Any]) -> dict[str, Any]:
        return {**self.base, **changes}

    def profile(self, changes: dict[str, Any]) -> CaseProfile | None:
        try:
            return CaseProfile.model_validate(_unflatten(self.flat(changes)))
        except ValidationError:
            return None

    def signature(self, key: frozenset[tuple[str, Any]], changes: dict[str, Any]) -> Any:
        """What the goal depends on, from the indices alone (no rules), memoised: the asymmetry
        index, or the values of the facts read by the rules that can conclude the target
        diagnosis. None when the state is not a valid profile."""
        if key not in self._sig:
            from advisor.indices import derive

            p = self.profile(changes)
            if p is None:
                self._sig[key] = None
            elif self.goal.kind == "asymmetry_at_most":
                self._sig[key] = derive(p).asymmetry.index
            else:
                from rules.dsl import case_fact

                fact = case_fact(p, derive(p))
                self._sig[key] = tuple(fact.get(k) for k in self.fact_keys)
        return self._sig[key]

    def evaluate(self, changes: dict[str, Any]) -> tuple[bool, float] | None:
        """(goal met, tie-break) of a state; None when the state is not a valid profile.

        The asymmetry goal needs only the indices (tie-break: the index); a diagnosis goal
        needs the rules (tie-break: the diagnosis's severity).
        """
        self.evaluated += 1
        if self.goal.kind == "asymmetry_at_most":
            from advisor.indices import asymmetry_level

            idx = self.signature(frozenset(changes.items()), changes)
            if idx is None:
                return None
            level = asymmetry_level(idx)
            met = ASYMMETRY_LEVELS.index(level) <= ASYMMETRY_LEVELS.index(self.goal.target)
            return met, idx
        p = self.profile(changes)
        if p is None:
            return None
        # the plain-Python oracle evaluates the same rule definitions ~5x faster than the
        # engine (tests/differential checks they agree); paths found are replayed through
        # the engine before they are reported
        from rules.oracle import evaluate as oracle

        found = oracle(p)
        return self.goal.target not in found.diagnoses, found.severities.get(self.goal.target, 0)


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

    States are evaluated when taken off the queue (so the first goal state is a cheapest one):
    for an asymmetry goal from the derived indices alone, and for a diagnosis goal by the rules'
    plain-Python oracle. A change that leaves what the goal depends on where it was (the
    asymmetry index; or the facts read by the rules that can conclude the diagnosis) is not
    tried: the indices are weighted sums of per-field terms, so such a change cannot help a
    later one. Changes that make other changes possible (bringing in a third party) are always
    tried. A path that repeats a cheaper path's changes with other target shares is not
    reported. Each reported path is then replayed through the full assessment, which gives the
    result after every step. ``actors`` restricts the changes to those actors.

    Raises KnowledgeBaseError when the cost parameters are unusable and whatever the pipeline
    raises for an unassessable profile.
    """
    moves = [m for m in load_moves() if actors is None or m.spec.actor in actors]
    by_id = {m.id: m for m in moves}
    start_a = assess_cached(profile)
    start = _outcome(start_a, goal)
    result = SearchResult(
        profile_id=profile.id,
        goal=goal,
        paths=[],
        already_met=start.goal_met,
        assessed=1,
        exhausted=True,
        max_depth=max_depth,
        max_nodes=max_nodes,
    )
    if start.goal_met:
        result.paths = [ChangePath(steps=[], cost=0.0, start=start, final=start)]
        return result
    space = _Space(profile, goal, moves)
    # changes that make other changes possible (bringing in a third party lets it act) are
    # never pruned as neutral
    enablers = {
        m.id for m in moves if any(_depends_on(o, m.spec.field) for o in moves if o.id != m.id)
    }
    order = itertools.count()
    # queue entry: (cost, tie-break: the parent's index or severity, order, changes, steps)
    queue: list[tuple[float, float, int, dict[str, Any], tuple[RawStep, ...]]] = [
        (0.0, start.asymmetry_index, next(order), {}, ())
    ]
    seen: set[frozenset[tuple[str, Any]]] = set()
    found: list[tuple[float, tuple[RawStep, ...]]] = []
    found_sets: list[Counter[str]] = []
    while queue:
        cost, _, _, changes, steps = heapq.heappop(queue)
        key = frozenset(changes.items())
        if key in seen:
            continue
        seen.add(key)
        if space.evaluated >= max_nodes:
            result.exhausted = False
            break
        evaluated = space.evaluate(changes)
        if evaluated is None:
            continue
        met, index = evaluated
        if met:
            sig = Counter(m for m, _, _, _ in steps)  # shift targets are alternatives
            if any(not (g - sig) for g in found_sets):
                continue  # holds a cheaper goal's changes: adds nothing
            found_sets.append(sig)
            found.append((cost, steps))
            if len(found) >= top:
                result.exhausted = False
                break
            continue
        if len(steps) >= max_depth:
            continue
        flat = space.flat(changes)
        for move in moves:
            for delta in _moves_from(flat, move):
                child = dict(changes)
                for path, value in delta.items():
                    if _same_value(space.base.get(path), value):
                        child.pop(path, None)
                    else:
                        child[path] = value
                ckey = frozenset(child.items())
                if ckey in seen:
                    continue
                if move.id not in enablers:
                    sig = space.signature(ckey, child)
                    if sig is None or sig == space.signature(key, changes):
                        continue
                target = next((p for p in delta if p != move.spec.field), None)
                raw = (move.id, target, _read(flat, move.spec.field), delta.get(move.spec.field))
                if move.spec.field == "third_party":
                    before_tp = _read(flat, "third_party")
                    raw = (move.id, None, before_tp, _read(space.flat(child), "third_party"))
                heapq.heappush(
                    queue,
                    (cost + move.spec.cost, index, next(order), child, (*steps, raw)),
                )
    result.assessed = space.evaluated
    result.exhausted = result.exhausted and not queue
    result.paths = [
        p for p in (_replay(profile, goal, start, c, st, by_id) for c, st in found) if p
    ]
    return result


def _depends_on(move: Move, field: str) -> bool:
    """Whether ``move``'s applicability reads ``field`` (its own field; the third party)."""
    deps = {move.spec.field, *(["third_party"] if move.spec.actor == "third_party" else [])}
    return field in deps


def _same_value(a: Any, b: Any) -> bool:
    """Equal as profile values (1 == 1.0, but True is not 1)."""
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b


def _replay(
    profile: CaseProfile,
    goal: Goal,
    start: Outcome,
    cost: float,
    raw_steps: tuple[RawStep, ...],
    moves: dict[str, Move],
) -> ChangePath | None:
    """Apply the steps one by one and assess after each; None if the full assessment disagrees
    with the search's evaluation (which would be a bug, and is then not reported)."""
    flat = _flatten(profile.model_dump(mode="json"))
    steps: list[Step] = []
    outcome = start
    for move_id, target, before, after in raw_steps:
        move = moves[move_id]
        delta = next(d for d in _moves_from(flat, move) if target is None or target in d)
        also = {
            k: v
            for k, v in delta.items()
            if move.spec.move == "effect"
            and k != move.spec.field
            and not k.startswith(f"{move.spec.field}.")
        }
        flat.update(delta)
        p = CaseProfile.model_validate(_unflatten(flat))
        previous = outcome
        outcome = _outcome(assess_cached(p), goal)
        steps.append(
            Step(
                move=move_id,
                actor=move.spec.actor,
                field=move.spec.field,
                before=before,
                after=after,
                target=target,
                cost=move.spec.cost,
                label=move.label,
                outcome=outcome,
                removed=[d for d in previous.diagnoses if d not in outcome.diagnoses],
                added=[d for d in outcome.diagnoses if d not in previous.diagnoses],
                effect=also,
            )
        )
    if not outcome.goal_met:
        return None
    return ChangePath(steps=steps, cost=round(cost, 6), start=start, final=outcome)


def describe_change(step: Step, lang: str) -> str:
    """``field: before → after`` in words (a third party brought in is named by its kind)."""
    from advisor.trainer.text import field_label, value_label

    def show(path: str, value: Any) -> str:
        if isinstance(value, dict):
            return value_label("third_party.kind", value.get("kind"), lang)
        return value_label(path, value, lang)

    head = field_label(step.field, lang)
    if step.target:
        head += " → " + field_label(step.target, lang)
    colon = "：" if lang == "zh" else ": "
    text = f"{head}{colon}{show(step.field, step.before)} → {show(step.field, step.after)}"
    if step.effect:
        sep = "；" if lang == "zh" else "; "
        parts = [f"{field_label(k, lang)} → {show(k, v)}" for k, v in step.effect.items()]
        text += ("（随之：" if lang == "zh" else " (with it: ") + sep.join(parts)
        text += "）" if lang == "zh" else ")"
    return text


def describe_diagnoses(step: Step, lang: str) -> str:
    """The diagnoses a step removes and adds, by label: ``− removed; + added`` (``–``: none)."""
    from knowledge_base.loader import load_kb

    kb = load_kb()

    def name(d: str) -> str:
        return kb.items[d].label.get(lang) if d in kb.items else d

    parts = [f"− {name(d)}" for d in step.removed] + [f"+ {name(d)}" for d in step.added]
    return ("；" if lang == "zh" else "; ").join(parts) or "–"


def apply_path(profile: CaseProfile, path: ChangePath) -> CaseProfile:
    """The profile after a path's steps (for checking and for what-if comparisons)."""
    moves = {m.id: m for m in load_moves()}
    flat = _flatten(profile.model_dump(mode="json"))
    for st in path.steps:
        move = moves[st.move]
        flat.update(next(d for d in _moves_from(flat, move) if st.target is None or st.target in d))
    return CaseProfile.model_validate(_unflatten(flat))


def smallest_change(profile: CaseProfile, goal: Goal | str, **kwargs: Any) -> list[ChangePath]:
    """The cheapest change sets (default top 3) meeting ``goal``, cheapest first.

    ``goal`` is a Goal or text such as ``"asymmetry <= moderate"`` or ``"remove diagnosis D"``.
    An empty list means no path within the depth and node bounds (see ``search`` for figures).
    """
    g = parse_goal(goal) if isinstance(goal, str) else goal
    return search(profile, g, **kwargs).paths
