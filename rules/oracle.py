"""The differential oracle: a small, independent, plain-Python evaluator of the rule definitions.

It reads the same ``Rule`` objects as the engine (``rules.dsl.load_rules``, parameters already
resolved) and the same case fact (``rules.dsl.case_fact`` over ``advisor.indices.derive``), and
implements the semantics written in ``rules/dsl.py``'s docstring on its own: it does not use the
durable-rules engine, nor dsl's helpers ``conclude``, ``severity_of`` and ``dependency_order``,
nor ``advisor/priority.py``. Where the two implementations disagree, one of them misreads the
semantics; ``tests/differential`` looks for such profiles.

Algorithm: diagnosis rules are evaluated repeatedly until no new diagnosis appears (the least
fixpoint; references are positive, so the iteration is monotone); action and guard rules are
then evaluated once on the final diagnoses; fired guards overrule their targets; an action is
recommended when a fired, non-overruled rule concludes it. Ranking re-implements the priority
formula from its knowledge-base parameters (see ``rank``).

It is also the speed reference of ``bench/bench_oracle.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, cast

from advisor.models import CaseProfile
from rules import dsl

Fact = Mapping[str, Any]


@dataclass(frozen=True)
class OracleResult:
    """What the oracle concludes for one profile.

    ``actions`` is ranked: ``(action id, rank)`` in rank order; ``priorities`` maps action id
    to its priority (0-100). ``fired`` is every rule whose condition held (overruled ones too).
    """

    diagnoses: set[str]
    severities: dict[str, float]
    actions: list[tuple[str, int]]
    priorities: dict[str, float] = field(default_factory=dict)
    fired: set[str] = field(default_factory=set)
    overruled: set[str] = field(default_factory=set)
    rules_of: dict[str, list[str]] = field(default_factory=dict)  # conclusion id -> rule ids


# --------------------------------------------------------------------------- conditions


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _equal(x: Any, v: Any) -> bool:
    """Equality as the semantics define it: numbers numerically, other values only by type."""
    if _is_number(x) and _is_number(v):
        return float(x) == float(v)
    if _is_number(x) or _is_number(v):
        return False
    return type(x) is type(v) and x == v


def holds(
    cond: Any, fact: Fact, diagnoses: set[str], params: Mapping[str, Any] | None = None
) -> bool:
    """Whether a condition is true of the fact, given the diagnoses concluded so far.

    ``params`` maps parameter references (``id`` or ``id:key``) to values other than those the
    rules were loaded with (``parameter_refs``); a comparison written with ``param:`` reads them.
    """
    if isinstance(cond, dsl.Compare):
        if cond.fact not in fact:
            return False  # a missing value makes every comparison false, ``ne`` included
        x, v, op = fact[cond.fact], cond.value, cond.op
        if params is not None and cond.param is not None:
            v = params.get(cond.param, v)
        if op == "eq":
            return _equal(x, v)
        if op == "ne":
            return not _equal(x, v)
        if op == "in":
            return any(_equal(x, e) for e in v)  # type: ignore[union-attr]
        if not (_is_number(x) and _is_number(v)):
            return False
        a, b = float(x), float(v)  # type: ignore[arg-type]
        return {"lt": a < b, "le": a <= b, "gt": a > b, "ge": a >= b}[op]
    if isinstance(cond, dsl.DiagnosisRef):
        return cond.diagnosis in diagnoses
    if isinstance(cond, dsl.All):
        return all(holds(c, fact, diagnoses, params) for c in cond.all)
    if isinstance(cond, dsl.AnyOf):
        return any(holds(c, fact, diagnoses, params) for c in cond.any)
    if isinstance(cond, dsl.Not):
        return not holds(cond.not_, fact, diagnoses, params)
    raise TypeError(f"unknown condition {cond!r}")


@lru_cache(maxsize=1)
def _severity_refs() -> dict[str, dict[str, str]]:
    """Rule id -> {severity part: parameter reference} for the numbers of the shipped
    definitions written ``{param: ...}`` (loading resolves them to numbers)."""
    out: dict[str, dict[str, str]] = {}
    for _name, doc in dsl.read_definitions():
        for raw in doc if isinstance(doc, list) else []:
            sev = raw.get("severity") if isinstance(raw, dict) else None
            if isinstance(sev, dict):
                refs = {
                    str(k): str(v["param"])
                    for k, v in sev.items()
                    if isinstance(v, dict) and "param" in v
                }
                if refs:
                    out[str(raw.get("id"))] = refs
    return out


def severity(rule: dsl.Rule, fact: Fact, params: Mapping[str, Any] | None = None) -> float:
    """A fired diagnosis rule's severity: a constant, or linear in a fact, clamped to 0..1
    (``params`` as in ``holds``)."""
    s = rule.severity
    assert s is not None
    value, low, start, end = s.value, s.low, s.from_, s.to
    if params is not None:
        refs = _severity_refs().get(rule.id, {})
        value = params.get(refs["value"], value) if "value" in refs else value
        low = params.get(refs["low"], low) if "low" in refs else low
        start = params.get(refs["from"], start) if "from" in refs else start
        end = params.get(refs["to"], end) if "to" in refs else end
    if value is not None:
        return round(float(value), 4)  # type: ignore[arg-type]
    low = float(low)  # type: ignore[arg-type]
    if s.fact not in fact:
        return round(low, 4)
    start, end = float(start), float(end)  # type: ignore[arg-type]
    t = 0.0 if end == start else (float(fact[s.fact]) - start) / (end - start)  # type: ignore[index]
    t = min(max(t, 0.0), 1.0)
    return round(low + (1.0 - low) * t, 4) + 0.0


# --------------------------------------------------------------------------- evaluation


def evaluate_fact(
    fact: Fact, rules: list[dsl.Rule] | None = None, params: Mapping[str, Any] | None = None
) -> tuple[
    set[str], dict[str, float], dict[str, list[str]], set[str], set[str], dict[str, list[str]]
]:
    """Evaluate the rules on one case fact.

    Returns (diagnoses, severities, actions -> concluding rules, fired rule ids, overruled rule
    ids, diagnoses -> concluding rules). ``params`` as in ``holds``.
    """
    rules = dsl.load_rules() if rules is None else rules
    dx_rules = [r for r in rules if r.kind == "diagnosis"]
    diagnoses: set[str] = set()
    fired: set[str] = set()
    changed = True
    while changed:  # least fixpoint: references are positive, so this only grows
        changed = False
        for r in dx_rules:
            if r.id not in fired and holds(r.when, fact, diagnoses, params):
                fired.add(r.id)
                if r.concludes not in diagnoses:
                    diagnoses.add(r.concludes)  # type: ignore[arg-type]
                changed = True
    severities: dict[str, float] = {}
    dx_by: dict[str, list[str]] = {}
    for r in dx_rules:
        if r.id in fired:
            sev = severity(r, fact, params)
            severities[r.concludes] = max(sev, severities.get(r.concludes, 0.0))  # type: ignore[index,arg-type]
            dx_by.setdefault(r.concludes, []).append(r.id)  # type: ignore[arg-type]
    others = [r for r in rules if r.kind != "diagnosis"]
    for r in others:
        if holds(r.when, fact, diagnoses, params):
            fired.add(r.id)
    overruled = {t for r in others if r.kind == "guard" and r.id in fired for t in r.overrules}
    actions: dict[str, list[str]] = {}
    for r in others:
        if r.id in fired and r.id not in overruled and r.concludes:
            actions.setdefault(r.concludes, []).append(r.id)
    return diagnoses, severities, actions, fired, overruled, dx_by


def conclusions(
    fired: set[str], rules: list[dsl.Rule]
) -> tuple[
    set[str], dict[str, float], dict[str, list[str]], set[str], set[str], dict[str, list[str]]
]:
    """What a set of fired rules (from any evaluator) concludes, in ``evaluate_fact``'s shape
    (severities are left empty: they need the fact)."""
    overruled = {t for r in rules if r.kind == "guard" and r.id in fired for t in r.overrules}
    diagnoses: set[str] = set()
    dx_by: dict[str, list[str]] = {}
    actions: dict[str, list[str]] = {}
    for r in rules:
        if r.id not in fired or not r.concludes:
            continue
        if r.kind == "diagnosis":
            diagnoses.add(r.concludes)
            dx_by.setdefault(r.concludes, []).append(r.id)
        elif r.id not in overruled:
            actions.setdefault(r.concludes, []).append(r.id)
    return diagnoses, {}, actions, set(fired), overruled, dx_by


def parameter_refs(values: Mapping[str, Any]) -> dict[str, Any]:
    """Parameter values by id as the references rules use: ``id`` and, for a mapping,
    ``id:key`` for each key."""
    refs: dict[str, Any] = {}
    for pid, value in values.items():
        refs[pid] = value
        if isinstance(value, dict):
            for k, v in value.items():
                refs[f"{pid}:{k}"] = v
    return refs


def evaluate(profile: CaseProfile, parameters: Mapping[str, Any] | None = None) -> OracleResult:
    """The oracle's conclusions for one profile: diagnoses, severities, ranked actions.

    ``parameters`` maps parameter ids to values other than the shipped ones (the robustness
    analysis's sampled worlds); the indices, the rules' thresholds and severities and the
    ranking all read them.
    """
    if parameters:
        from knowledge_base.loader import parameter_values

        with parameter_values(parameters):
            return _evaluate(profile, parameter_refs(parameters))
    return _evaluate(profile, None)


def _evaluate(profile: CaseProfile, params: Mapping[str, Any] | None) -> OracleResult:
    from advisor.indices import derive

    indices = derive(profile)
    fact = dsl.case_fact(profile, indices)
    diagnoses, severities, actions, fired, overruled, dx_by = evaluate_fact(fact, None, params)
    capacity = cast("int | None", fact.get("third_party.capacity"))
    priorities = {a: priority(a, severities, capacity) for a in actions}
    ranked = rank(priorities)
    return OracleResult(
        diagnoses=diagnoses,
        severities=severities,
        actions=ranked,
        priorities=priorities,
        fired=fired,
        overruled=overruled,
        rules_of={**dx_by, **actions},
    )


# --------------------------------------------------------------------------- ranking
#
# Re-implemented from the formula stated in ``advisor/priority.py``'s docstring and the three
# knowledge-base parameters, not by importing that module:
#   priority = 100 * (w_sev * severity + w_breadth * min(1, n / cap) + w_lev * leverage
#                     + w_phase * phase_factor)
# where severity is the highest severity of this case's diagnoses the action addresses (the
# knowledge base's ``addresses``), n how many of them there are; each term is shown in points
# rounded to 2 decimals; an action the third party carries out (actor ``third_party``), unless it
# addresses ``weak_third_party`` itself, loses the points ``priority.third_party_capacity`` gives
# for the third party's capacity level; the priority is the sum clamped to 0..100 and rounded to
# 1 decimal.
# Ranks: priority high first, then phase, then id.


def _ranking_params() -> tuple[
    dict[str, float], int, dict[str, float], dict[int, float], dict[int, float]
]:
    from knowledge_base.loader import current_parameter_values, parameters_overridden

    if parameters_overridden():
        global _LAST_RANKING
        values = current_parameter_values()
        last = _LAST_RANKING  # one read: another thread may replace it meanwhile
        if last is not None and values is not None and last[0] is values:
            return last[1]  # the same world: read once, not once per action
        out = _read_ranking_params()
        _LAST_RANKING = (values, out)
        return out
    return _shipped_ranking_params()


_LAST_RANKING: tuple[Any, Any] | None = None


@lru_cache(maxsize=1)
def _shipped_ranking_params() -> tuple[
    dict[str, float], int, dict[str, float], dict[int, float], dict[int, float]
]:
    return _read_ranking_params()


def _read_ranking_params() -> tuple[
    dict[str, float], int, dict[str, float], dict[int, float], dict[int, float]
]:
    from knowledge_base.loader import load_kb

    kb = load_kb()
    w = kb.param("priority.weights")
    weights = {k: float(w[k]) for k in ("severity", "breadth", "leverage", "phase")}
    leverage = {str(k): float(v) for k, v in kb.param("priority.leverage").items()}
    phases = {int(k): float(v) for k, v in kb.param("priority.phase_weights").items()}
    off = {int(k): float(v) for k, v in kb.param("priority.third_party_capacity").items()}
    return weights, int(w["breadth_cap"]), leverage, phases, off


@lru_cache(maxsize=1)
def _action_items() -> dict[str, Any]:
    from knowledge_base.loader import load_kb

    return {it.id: it for it in load_kb().by_kind("action")}


def priority(action_id: str, severities: dict[str, float], capacity: int | None = None) -> float:
    """The action's priority, 0-100, for a case with these diagnoses and severities and a third
    party of this capacity level (None: no third party)."""
    return _priority(_ranking_params(), _action_items()[action_id], severities, capacity)


def _priority(
    ranking: tuple[dict[str, float], int, dict[str, float], dict[int, float], dict[int, float]],
    item: Any,
    severities: dict[str, float],
    capacity: int | None,
) -> float:
    weights, cap, leverage, phases, off = ranking
    hit = [severities[d] for d in item.addresses if d in severities] if severities else []
    # the four terms in points, each rounded to 2 decimals, summed in this order
    points = (
        round(100 * weights["severity"] * max(hit, default=0.0), 2)
        + round(100 * weights["breadth"] * (min(1.0, len(hit) / cap) if cap else 0.0), 2)
        + round(100 * weights["leverage"] * leverage.get(item.id, 0.0), 2)
        + round(100 * weights["phase"] * phases.get(int(item.phase), 0.0), 2)
    )
    if (
        capacity is not None
        and item.actor == "third_party"
        and "weak_third_party" not in item.addresses
    ):
        points -= round(off.get(int(capacity), 0.0), 2)
    return round(min(100.0, max(0.0, points)), 1)


def rank(priorities: dict[str, float]) -> list[tuple[str, int]]:
    """Ranks 1..n: priority high first, then the earlier phase, then the id."""
    items = _action_items()
    order = sorted(priorities, key=lambda a: (-priorities[a], int(items[a].phase), a))
    return [(a, i) for i, a in enumerate(order, start=1)]


# --------------------------------------------------------------------------- compiled evaluation
#
# The robustness analysis evaluates one case in a thousand sampled worlds. The functions below
# compile each rule's condition once into a Python closure with the same semantics as ``holds``
# (``tests/differential/test_oracle_compiled.py`` holds the two equal on generated profiles and
# sampled parameter worlds) and evaluate diagnosis rules in dependency order, one pass.

_MISSING = object()
_ORDER = {
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
}

Compiled = Any  # Callable[[Fact, set[str], Mapping[str, Any] | None], bool]


def compile_condition(cond: Any) -> Compiled:
    """A closure ``f(fact, diagnoses, params) -> bool`` equal to ``holds(cond, ...)``."""
    if isinstance(cond, dsl.Compare):
        key, op, v0, ref = cond.fact, cond.op, cond.value, cond.param

        def value(params: Mapping[str, Any] | None) -> Any:
            return v0 if params is None or ref is None else params.get(ref, v0)

        if op in _ORDER:
            cmp = _ORDER[op]

            def order(fact: Fact, _dx: set[str], params: Mapping[str, Any] | None) -> bool:
                x = fact.get(key, _MISSING)
                if x is _MISSING or x is True or x is False or not isinstance(x, int | float):
                    return False
                v = v0 if params is None or ref is None else params.get(ref, v0)
                if v is True or v is False or not isinstance(v, int | float):
                    return False
                return cmp(float(x), float(v))

            return order
        if op == "in":

            def member(fact: Fact, _dx: set[str], params: Mapping[str, Any] | None) -> bool:
                x = fact.get(key, _MISSING)
                return x is not _MISSING and any(_equal(x, e) for e in value(params))

            return member
        negate = op == "ne"

        def equal(fact: Fact, _dx: set[str], params: Mapping[str, Any] | None) -> bool:
            x = fact.get(key, _MISSING)
            if x is _MISSING:
                return False
            v = v0 if params is None or ref is None else params.get(ref, v0)
            if type(x) is str and type(v) is str:  # the common case: an enum value
                return (x == v) != negate
            return _equal(x, v) != negate

        return equal
    if isinstance(cond, dsl.DiagnosisRef):
        name = cond.diagnosis
        return lambda _fact, dx, _params: name in dx
    if isinstance(cond, dsl.All):
        parts = [compile_condition(c) for c in cond.all]

        def all_of(fact: Fact, dx: set[str], params: Mapping[str, Any] | None) -> bool:
            for f in parts:  # noqa: SIM110 - a plain loop is faster than all() on this hot path
                if not f(fact, dx, params):
                    return False
            return True

        return all_of
    if isinstance(cond, dsl.AnyOf):
        parts = [compile_condition(c) for c in cond.any]

        def any_of(fact: Fact, dx: set[str], params: Mapping[str, Any] | None) -> bool:
            for f in parts:  # noqa: SIM110 - a plain loop is faster than any() on this hot path
                if f(fact, dx, params):
                    return True
            return False

        return any_of
    if isinstance(cond, dsl.Not):
        inner = compile_condition(cond.not_)
        return lambda fact, dx, params: not inner(fact, dx, params)
    raise TypeError(f"unknown condition {cond!r}")


@dataclass(frozen=True)
class CompiledRules:
    """The rules with their conditions compiled; diagnosis rules in dependency order."""

    diagnosis: list[tuple[dsl.Rule, Compiled]]
    others: list[tuple[dsl.Rule, Compiled]]


@lru_cache(maxsize=1)
def compiled_rules() -> CompiledRules:
    """The shipped rules, compiled once per process."""
    return compile_rules(dsl.load_rules())


def compile_rules(rules: list[dsl.Rule]) -> CompiledRules:
    """Compile rule conditions; diagnosis rules ordered so that one pass reaches the fixpoint
    (each after every diagnosis rule concluding a diagnosis it refers to)."""
    dx = [r for r in rules if r.kind == "diagnosis"]
    ordered: list[dsl.Rule] = []
    pending = list(dx)
    while pending:
        concluders = {r.concludes for r in pending}
        ready = [
            r
            for r in pending
            if not any(
                isinstance(c, dsl.DiagnosisRef) and c.diagnosis in concluders
                for c in dsl.walk(r.when)
            )
        ]
        if not ready:  # pragma: no cover - the loader refuses cycles
            raise ValueError("diagnosis rules refer to each other in a cycle")
        ordered += ready
        pending = [r for r in pending if r not in ready]
    return CompiledRules(
        diagnosis=[(r, compile_condition(r.when)) for r in ordered],
        others=[(r, compile_condition(r.when)) for r in rules if r.kind != "diagnosis"],
    )


class _Probe:
    """Stands for the indices in ``case_fact``: every attribute is another probe, so each fact
    key whose value comes from the indices holds a probe (``constant_fact``)."""

    def __getattr__(self, _name: str) -> _Probe:
        return _Probe()


def constant_fact(profile: CaseProfile) -> tuple[dict[str, Any], set[str]] | None:
    """The part of the profile's fact that does not depend on the indices (so on no parameter):
    (key -> value, the keys that do depend on them). None when that cannot be told apart."""
    try:
        fact = dsl.case_fact(profile, _Probe())
    except (TypeError, ValueError, AttributeError):  # arithmetic on an index: no folding
        return None
    varying = {k for k, v in fact.items() if isinstance(v, _Probe)}
    return {k: v for k, v in fact.items() if k not in varying}, varying


def _fold(cond: Any, constant: Mapping[str, Any], varying: set[str], refs: set[str]) -> Any:
    """``cond`` compiled for worlds that share ``constant`` (every fact key not in ``varying``
    has that value, or is absent, in each of them) and read only the parameter references in
    ``refs`` from ``params``: True or False where its value is the same in every such world,
    else a closure as ``compile_condition``'s."""
    if isinstance(cond, dsl.Compare):
        if cond.fact not in varying and (cond.param is None or cond.param not in refs):
            return holds(cond, constant, set(), None)
        return compile_condition(cond)
    if isinstance(cond, dsl.All | dsl.AnyOf):
        parts = cond.all if isinstance(cond, dsl.All) else cond.any
        stop = not isinstance(cond, dsl.All)  # the value that decides: False for all, True for any
        live = []
        for c in parts:
            f = _fold(c, constant, varying, refs)
            if f is stop:
                return stop
            if f is not (not stop):
                live.append(f)
        if not live:
            return not stop
        if len(live) == 1:
            return live[0]

        if stop:

            def any_of(fact: Fact, dx: set[str], params: Mapping[str, Any] | None) -> bool:
                for f in live:  # noqa: SIM110 - a plain loop is faster than any() here
                    if f(fact, dx, params):
                        return True
                return False

            return any_of

        def all_of(fact: Fact, dx: set[str], params: Mapping[str, Any] | None) -> bool:
            for f in live:  # noqa: SIM110 - a plain loop is faster than all() here
                if not f(fact, dx, params):
                    return False
            return True

        return all_of
    if isinstance(cond, dsl.Not):
        inner = _fold(cond.not_, constant, varying, refs)
        if inner is True or inner is False:
            return not inner
        return lambda fact, dx, params: not inner(fact, dx, params)
    return compile_condition(cond)


def _always(_fact: Fact, _dx: set[str], _params: Mapping[str, Any] | None) -> bool:
    return True


def fold_rules(
    compiled: CompiledRules, constant: Mapping[str, Any], varying: set[str], refs: set[str]
) -> CompiledRules:
    """The compiled rules specialised for worlds sharing ``constant`` (see ``_fold``): rules
    that hold in none of them dropped, conditions decided in all of them evaluated once here.
    Evaluating the result gives what evaluating ``compiled`` gives, in each such world."""

    def keep(pairs: list[tuple[dsl.Rule, Compiled]]) -> list[tuple[dsl.Rule, Compiled]]:
        out = []
        for r, _f in pairs:
            f = _fold(r.when, constant, varying, refs)
            if f is not False:
                out.append((r, _always if f is True else f))
        return out

    return CompiledRules(diagnosis=keep(compiled.diagnosis), others=keep(compiled.others))


def evaluate_compiled(
    profile: CaseProfile,
    parameters: Mapping[str, Any] | None = None,
    compiled: CompiledRules | None = None,
    refs: Mapping[str, Any] | None = None,
) -> tuple[set[str], list[tuple[str, int]]]:
    """What ``evaluate(profile, parameters)`` concludes (diagnoses, ranked actions), faster.

    ``refs`` may give the rule references of ``parameters`` already (``parameter_refs``, or
    just the references whose values differ from the shipped ones)."""
    from advisor.indices import derive
    from knowledge_base.loader import parameter_values

    compiled = compiled or compiled_rules()
    params = refs if refs is not None else parameter_refs(parameters) if parameters else None
    with parameter_values(parameters or {}):
        fact = dsl.case_fact(profile, derive(profile))
        diagnoses: set[str] = set()
        severities: dict[str, float] = {}
        for r, f in compiled.diagnosis:
            if f(fact, diagnoses, params):
                d = r.concludes
                diagnoses.add(d)  # type: ignore[arg-type]
                sev = severity(r, fact, params)
                if sev > severities.get(d, -1.0):  # type: ignore[arg-type]
                    severities[d] = sev  # type: ignore[index]
        fired = [r for r, f in compiled.others if f(fact, diagnoses, params)]
        overruled = {t for r in fired if r.kind == "guard" for t in r.overrules}
        actions = {r.concludes for r in fired if r.concludes and r.id not in overruled}
        capacity = fact.get("third_party.capacity")
        priorities = _priorities(_ranking_params(), actions, severities, capacity)  # type: ignore[arg-type]
        return diagnoses, rank(priorities)


def _priorities(
    ranking: tuple[dict[str, float], int, dict[str, float], dict[int, float], dict[int, float]],
    actions: set[str],
    severities: dict[str, float],
    capacity: int | None,
) -> dict[str, float]:
    """``_priority`` of each action, with the same arithmetic in the same order (so the same
    floats), its per-world factors worked out once instead of once per action."""
    weights, cap, leverage, phases, off = ranking
    w_sev = 100 * weights["severity"]
    w_breadth = 100 * weights["breadth"]
    w_lev = 100 * weights["leverage"]
    w_phase = 100 * weights["phase"]
    items = _action_items()
    minus = round(off.get(int(capacity), 0.0), 2) if capacity is not None else 0.0
    sev_pts: dict[float, float] = {}
    breadth_pts: dict[int, float] = {}
    phase_pts: dict[int, float] = {}
    out: dict[str, float] = {}
    for a in actions:
        item = items[a]
        hit = [severities[d] for d in item.addresses if d in severities] if severities else []
        top = max(hit, default=0.0)
        s = sev_pts.get(top)
        if s is None:
            s = sev_pts[top] = round(w_sev * top, 2)
        n = len(hit)
        b = breadth_pts.get(n)
        if b is None:
            b = breadth_pts[n] = round(w_breadth * (min(1.0, n / cap) if cap else 0.0), 2)
        ph = int(item.phase)
        p = phase_pts.get(ph)
        if p is None:
            p = phase_pts[ph] = round(w_phase * phases.get(ph, 0.0), 2)
        points = s + b + round(w_lev * leverage.get(item.id, 0.0), 2) + p
        if (
            capacity is not None
            and item.actor == "third_party"
            and "weak_third_party" not in item.addresses
        ):
            points -= minus
        out[a] = round(min(100.0, max(0.0, points)), 1)
    return out


# ------------------------------------------------------------------------- three-valued evaluation
#
# A profile with unknown fields or ranges (schema version 2, ``advisor/uncertain.py``) gives, for
# each fact, a point, an ``Interval`` (a number somewhere in [low, high]) or a ``OneOf`` set of
# possible values (``uncertain.MISSING`` among them where the fact may be absent). Each
# comparison is then true in every world, false in every world, or undecided (None); ``all``,
# ``any`` and ``not`` follow Kleene's strong three-valued logic; a diagnosis reference is true,
# false or undecided as that diagnosis is. On point facts this is exactly ``holds``
# (``tests/differential/test_oracle_three_valued.py``). A wider fact (a superset of worlds) never
# turns an undecided comparison into a decided one, so neither does widening a range.

Tri = bool | None


def _and3(values: list[Tri]) -> Tri:
    if any(v is False for v in values):
        return False
    return True if all(v is True for v in values) else None


def _or3(values: list[Tri]) -> Tri:
    if any(v is True for v in values):
        return True
    return False if all(v is False for v in values) else None


def _compare_point(op: str, x: Any, v: Any) -> bool:
    if op == "eq":
        return _equal(x, v)
    if op == "ne":
        return not _equal(x, v)
    if op == "in":
        return any(_equal(x, e) for e in v)
    if not (_is_number(x) and _is_number(v)):
        return False
    return _ORDER[op](float(x), float(v))


def _compare3(op: str, x: Any, v: Any) -> Tri:
    from advisor.uncertain import MISSING, Interval, OneOf

    if isinstance(x, OneOf):
        seen = {False if e == MISSING else _compare_point(op, e, v) for e in x.values}
        return True if seen == {True} else False if seen == {False} else None
    if isinstance(x, Interval):
        lo, hi = x.low, x.high
        if op == "in":
            out = _or3([_compare3("eq", Interval(lo, hi), e) for e in v])
        elif op in ("eq", "ne"):
            if not _is_number(v) or float(v) < lo or float(v) > hi:
                out = op == "ne"
            elif lo == hi:
                out = op == "eq"
            else:
                out = None
        elif not _is_number(v):
            out = False
        else:
            b = float(v)
            out = {
                "lt": True if hi < b else False if lo >= b else None,
                "le": True if hi <= b else False if lo > b else None,
                "gt": True if lo > b else False if hi <= b else None,
                "ge": True if lo >= b else False if hi < b else None,
            }[op]
        if x.missing:  # absent in some worlds: false there
            return False if out is False else None
        return out
    return _compare_point(op, x, v)


def holds3(cond: Any, fact: Fact, diagnoses: Mapping[str, Tri]) -> Tri:
    """Whether a condition is true in every world (True), in none (False) or undecided (None).

    ``fact`` values may be points, ``Interval`` or ``OneOf``; ``diagnoses`` maps each diagnosis
    to True / None (absent: False)."""
    if isinstance(cond, dsl.Compare):
        if cond.fact not in fact:
            return False
        return _compare3(cond.op, fact[cond.fact], cond.value)
    if isinstance(cond, dsl.DiagnosisRef):
        return diagnoses.get(cond.diagnosis, False)
    if isinstance(cond, dsl.All):
        return _and3([holds3(c, fact, diagnoses) for c in cond.all])
    if isinstance(cond, dsl.AnyOf):
        return _or3([holds3(c, fact, diagnoses) for c in cond.any])
    if isinstance(cond, dsl.Not):
        v = holds3(cond.not_, fact, diagnoses)
        return None if v is None else not v
    raise TypeError(f"unknown condition {cond!r}")


@dataclass(frozen=True)
class Decision3:
    """What holds in every world (True) or only in some (None), and what the undecided read.

    ``diagnoses`` and ``actions`` list every conclusion that is not false in every world;
    ``needs`` maps each undecided one to the uncertain fact keys its rules read (through the
    undecided diagnoses they refer to as well)."""

    diagnoses: dict[str, Tri]
    actions: dict[str, Tri]
    needs: dict[str, set[str]]


def evaluate3(fact: Fact, compiled: CompiledRules | None = None) -> Decision3:
    """The three-valued conclusions on an uncertain fact (semantics as ``evaluate_fact``)."""
    from advisor.uncertain import Interval, OneOf

    compiled = compiled or compiled_rules()
    uncertain = {k for k, v in fact.items() if isinstance(v, Interval | OneOf)}

    def reads(rule: dsl.Rule) -> set[str]:
        return {c.fact for c in dsl.walk(rule.when) if isinstance(c, dsl.Compare)} & uncertain

    diagnoses: dict[str, Tri] = {}
    needs: dict[str, set[str]] = {}
    for r, _f in compiled.diagnosis:
        v = holds3(r.when, fact, diagnoses)
        d = str(r.concludes)
        if v is True:
            diagnoses[d] = True
        elif v is None:
            if diagnoses.get(d) is not True:
                diagnoses[d] = None
            refs = {
                n for x in dsl.diagnoses_of(r) if diagnoses.get(x) is None for n in needs.get(x, ())
            }
            needs.setdefault(d, set()).update(reads(r) | refs)
    status: dict[str, Tri] = {r.id: holds3(r.when, fact, diagnoses) for r, _f in compiled.others}
    overruled: dict[str, Tri] = {}
    for r, _f in compiled.others:
        if r.kind == "guard" and status[r.id] is not False:
            for t in r.overrules:
                overruled[t] = _or3([overruled.get(t, False), status[r.id]])
    by_action: dict[str, list[Tri]] = {}
    rules_of: dict[str, list[dsl.Rule]] = {}
    for r, _f in compiled.others:
        if not r.concludes:
            continue
        over = overruled.get(r.id, False)
        effective = _and3([status[r.id], None if over is None else not over])
        by_action.setdefault(r.concludes, []).append(effective)
        rules_of.setdefault(r.concludes, []).append(r)
    actions: dict[str, Tri] = {}
    for a, vals in by_action.items():
        v = _or3(vals)
        if v is False:
            continue
        actions[a] = v
        if v is None:
            keys: set[str] = set()
            for r in rules_of[a]:
                keys |= reads(r)
                keys |= {
                    n
                    for x in dsl.diagnoses_of(r)
                    if diagnoses.get(x) is None
                    for n in needs.get(x, ())
                }
                for g, _f in compiled.others:  # guards that may overrule it
                    if r.id in g.overrules and status[g.id] is None:
                        keys |= reads(g)
            needs[a] = keys
    for d, v in list(diagnoses.items()):
        if v is True:
            needs.pop(d, None)
    return Decision3(diagnoses=diagnoses, actions=actions, needs=needs)
