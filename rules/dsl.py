"""The rule language: rules as data, and the case fact they are evaluated on.

A rule file (``rules/definitions/<kind>/<id>.yaml``, one concept a file: ``diagnoses/``,
``actions/``, ``guards/``; load order in ``definition_files``) holds a list of rules. A rule says
what it concludes (a diagnosis or an action of the knowledge base), when (a condition on the case
fact and on diagnoses concluded by other rules), how severe a diagnosis is, which knowledge items
it rests on (their passages become the assessment's sources) and, for guard rules, which rules it
overrules. ``param:`` references are resolved against the knowledge base when the rules load,
so no threshold is a constant in code: ``param: id`` is a parameter's value, ``param: "id:key"``
one key of a mapping parameter (``thresholds.sole_dependence:government_funding_min``); in a
severity any number may be written ``{param: ...}``. Rule kinds: ``diagnosis`` (``dx_``, needs
``concludes`` and ``severity``), ``action`` (``act_``, needs ``concludes``), ``guard``
(``guard_``, may conclude an action, may ``overrules`` action rules).

This module is engine-agnostic: ``rules/engine.py`` (durable-rules) and ``rules/oracle.py``
(plain Python) evaluate the same ``Rule`` objects and must agree. The semantics below are the
complete definition both follow.

Semantics
---------
1. **Case fact.** ``case_fact(profile, indices)`` gives a flat ``dict`` from dotted keys to
   scalars (str, int, float, bool). Every key is listed in ``FACT_KEYS`` with its type. A key
   that is *absent* is a missing value: the ``third_party.*`` keys when there is no third party,
   and ``human_resources.core_share`` when there are no volunteers. No value is ever None.
2. **Comparison** ``{fact, op, value}`` (or ``param`` instead of ``value``): ``eq ne lt le gt
   ge`` compare the fact's value with the value (numbers numerically, ints and floats alike;
   bools and strings only by equality); ``in`` is true when the fact equals one element of the
   list. **A comparison on a missing value is false, whatever the op (``ne`` included).**
3. **Combinators.** ``all`` is true when every child is true, ``any`` when at least one is;
   both need at least one child. ``not`` is the logical negation of its child, so
   ``not {fact: third_party.capacity, op: ge, value: 2}`` is true when there is no third party.
4. **Diagnosis reference** ``{diagnosis: id}`` is true when some diagnosis rule concluding
   ``id`` fires. References are positive only: one may not appear under ``not`` (that is what
   guard rules with ``overrules`` are for). Diagnosis rules cannot be overruled and their
   references form no cycle, so every rule's firing is decided by the least fixpoint:
   evaluate diagnosis rules in dependency order, then action and guard rules.
5. **Firing.** A rule fires when its condition is true. The ``sentinel`` rule of the engine is
   not a definition and concludes nothing.
6. **Conclusions** (``conclude``): a diagnosis is concluded when at least one diagnosis rule
   concluding it fires. A rule is *overruled* when a fired guard rule lists it in
   ``overrules`` (targets are action rules only). An action is recommended when at least one
   fired, non-overruled action or guard rule concludes it. Guard rules may conclude nothing.
7. **Severity** of a diagnosis is the maximum over its fired rules of the rule's severity:
   ``{value: v}`` is the constant v; ``{fact: k, from: a, to: b, low: l}`` is
   ``l + (1 - l) * clamp((x - a) / (b - a), 0, 1)`` for the fact value x (``low`` defaults to
   0; a missing x gives ``l``). Severities are rounded to 4 decimals.
8. **Outputs are sets**: a rule that matches in more than one way fires once as far as the
   conclusions are concerned.

Ranking is not part of the rules: see ``advisor/priority.py``.
"""

from __future__ import annotations

import math
import typing
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from advisor import fields
from advisor.errors import KnowledgeBaseError
from advisor.models import CaseProfile

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
OPS = ("eq", "ne", "lt", "le", "gt", "ge", "in")
ORDER_OPS = ("lt", "le", "gt", "ge")
DIGITS = 4


# --------------------------------------------------------------------------- fact keys


NUM = ("number", ())
BOOL = ("bool", ())


def _enum(values: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    return ("enum", values)


_DIM_KEYS = ("legitimacy", "funding", "human_resources", "knowledge")

#: Every key of the case fact, with its type: ("number"|"bool"|"enum", allowed enum values).
#: Profile fields keep the contract's dotted names; derived values are documented beside them.
FACT_KEYS: dict[str, tuple[str, tuple[str, ...]]] = {
    "force_type": _enum(fields.values("force_type")),
    # the profile's mode, or the one inferred from force_type (development_mode.inference)
    "development_mode": _enum(fields.values("development_mode")),
    "development_mode_inferred": BOOL,
    "legitimacy.status": _enum(fields.values("legitimacy.status")),
    "funding.government_direct": NUM,
    "funding.government_via_third_party": NUM,
    "funding.third_party_own": NUM,
    "funding.charity": NUM,
    "funding.residents": NUM,
    "funding.self_generated": NUM,
    # government_direct + government_via_third_party
    "funding.government_total": NUM,
    # third_party_own + charity + residents + self_generated
    "funding.non_government": NUM,
    "human_resources.volunteers": NUM,
    "human_resources.core_volunteers": NUM,
    # core_volunteers / volunteers; missing when there are no volunteers
    "human_resources.core_share": NUM,
    "human_resources.recruited_by.government": NUM,
    "human_resources.recruited_by.third_party": NUM,
    "human_resources.recruited_by.self": NUM,
    "human_resources.leadership": _enum(fields.values("human_resources.leadership")),
    "human_resources.resident_awareness": NUM,
    "knowledge.training_provider": _enum(fields.values("knowledge.training_provider")),
    "knowledge.training_sessions_per_year": NUM,
    "knowledge.self_sufficiency": NUM,
    "government.reliance_on_force": NUM,
    "government.control": NUM,
    "government.role": _enum(fields.values("government.role")),
    "government.acceptance_mechanism": BOOL,
    "government.purchases_services": BOOL,
    "government.party_leadership": NUM,
    "agenda.set_by": _enum(fields.values("agenda.set_by")),
    "agenda.pattern": _enum(fields.values("agenda.pattern")),
    "management.decision_participation": NUM,
    "management.incentives": _enum(fields.values("management.incentives")),
    "management.records": BOOL,
    # third_party is not null
    "has_third_party": BOOL,
    # the four third_party.* keys are missing when there is no third party
    "third_party.kind": _enum(fields.values("third_party.kind")),
    "third_party.capacity": NUM,
    "third_party.role": _enum(fields.values("third_party.role")),
    "third_party.autonomy": NUM,
    # optional third-party fields (missing when not given or no third party)
    "third_party.origin": _enum(fields.values("third_party.origin")),
    "third_party.government_purchase_share": NUM,
    "third_party.strict_assessment": BOOL,
    # how far the third party passes government's money and agenda on (advisor.indices.pass_through;
    # "none" when there is no third party)
    "third_party.pass_through": _enum(("none", "partial", "full")),
    # a third party that is more than the community's or government's own arm: present, and
    # neither founded by the community/government with little autonomy nor a full pass-through
    "has_independent_third_party": BOOL,
    # the optional community group (missing when not given)
    "community.non_government_resources": NUM,
    "community.resident_associations": NUM,
    "community.staff_overloaded": BOOL,
    "coproduction.planning": NUM,
    "coproduction.design": NUM,
    "coproduction.delivery": NUM,
    "coproduction.evaluation": NUM,
    # planning + design + delivery + evaluation, 0..16, and its stage (coproduction.stages)
    "coproduction.score": NUM,
    # delivery - max(planning, design): volunteers carry out more than they plan (-4..4)
    "coproduction.delivery_gap": NUM,
    "coproduction.stage": _enum(("dependence", "consultation", "partnership", "co_production")),
    "linkage": _enum(fields.values("linkage")),
    # advisor.indices: dependence on government and on the third party per dimension, 0..1
    **{f"dependence.{d}": NUM for d in _DIM_KEYS},
    **{f"third_party_dependence.{d}": NUM for d in _DIM_KEYS},
    # weighted mean of the four third-party dimensions (dependence.dimension_weights)
    "third_party_dependence.mean": NUM,
    "asymmetry.force_on_government": NUM,
    "asymmetry.government_on_force": NUM,
    "asymmetry.index": NUM,
    "asymmetry.level": _enum(("balanced", "moderate", "high", "severe")),
    # who depends more (advisor.indices.asymmetry_direction) and the force's share of
    # alternative resources (asymmetry.alternatives)
    "asymmetry.direction": _enum(("force_depends_more", "government_depends_more", "balanced")),
    "asymmetry.alternatives": NUM,
}


def case_fact(profile: CaseProfile, indices: Any) -> dict[str, str | int | float | bool]:
    """The flat fact the rules see (keys and types in ``FACT_KEYS``; missing keys are absent).

    ``indices`` is an ``advisor.indices.Indices``.
    """
    f = profile.funding
    h = profile.human_resources
    k = profile.knowledge
    g = profile.government
    c = profile.coproduction
    fact: dict[str, str | int | float | bool] = {
        "force_type": profile.force_type,
        "development_mode": indices.development_mode.value,
        "development_mode_inferred": indices.development_mode.inferred,
        "legitimacy.status": profile.legitimacy.status,
        "funding.government_direct": f.government_direct,
        "funding.government_via_third_party": f.government_via_third_party,
        "funding.third_party_own": f.third_party_own,
        "funding.charity": f.charity,
        "funding.residents": f.residents,
        "funding.self_generated": f.self_generated,
        "funding.government_total": round(
            f.government_direct + f.government_via_third_party + 0.0, DIGITS
        ),
        "funding.non_government": round(
            f.third_party_own + f.charity + f.residents + f.self_generated + 0.0, DIGITS
        ),
        "human_resources.volunteers": h.volunteers,
        "human_resources.core_volunteers": h.core_volunteers,
        "human_resources.recruited_by.government": h.recruited_by.government,
        "human_resources.recruited_by.third_party": h.recruited_by.third_party,
        "human_resources.recruited_by.self": h.recruited_by.self,
        "human_resources.leadership": h.leadership,
        "human_resources.resident_awareness": h.resident_awareness,
        "knowledge.training_provider": k.training_provider,
        "knowledge.training_sessions_per_year": k.training_sessions_per_year,
        "knowledge.self_sufficiency": k.self_sufficiency,
        "government.reliance_on_force": g.reliance_on_force,
        "government.control": g.control,
        "government.role": g.role,
        "government.acceptance_mechanism": g.acceptance_mechanism,
        "government.purchases_services": g.purchases_services,
        "government.party_leadership": g.party_leadership,
        "agenda.set_by": profile.agenda.set_by,
        "agenda.pattern": profile.agenda.pattern,
        "management.decision_participation": profile.management.decision_participation,
        "management.incentives": profile.management.incentives,
        "management.records": profile.management.records,
        "has_third_party": profile.third_party is not None,
        "coproduction.planning": c.planning,
        "coproduction.design": c.design,
        "coproduction.delivery": c.delivery,
        "coproduction.evaluation": c.evaluation,
        "coproduction.score": indices.coproduction.score,
        "coproduction.delivery_gap": c.delivery - max(c.planning, c.design),
        "coproduction.stage": indices.coproduction.stage,
        "linkage": profile.linkage,
        "third_party_dependence.mean": indices.third_party_dependence_mean,
        "asymmetry.force_on_government": indices.asymmetry.force_on_government,
        "asymmetry.government_on_force": indices.asymmetry.government_on_force,
        "asymmetry.index": indices.asymmetry.index,
        "asymmetry.level": indices.asymmetry.level,
    }
    if indices.asymmetry.direction is not None:
        fact["asymmetry.direction"] = indices.asymmetry.direction
    if indices.asymmetry.alternatives is not None:
        fact["asymmetry.alternatives"] = indices.asymmetry.alternatives
    if h.volunteers > 0:
        fact["human_resources.core_share"] = round(h.core_volunteers / h.volunteers, DIGITS)
    tp = profile.third_party
    if tp is not None:
        fact["third_party.kind"] = tp.kind
        fact["third_party.capacity"] = tp.capacity
        fact["third_party.role"] = tp.role
        fact["third_party.autonomy"] = tp.autonomy
        if tp.origin is not None:
            fact["third_party.origin"] = tp.origin
        if tp.government_purchase_share is not None:
            fact["third_party.government_purchase_share"] = tp.government_purchase_share
        if tp.strict_assessment is not None:
            fact["third_party.strict_assessment"] = tp.strict_assessment
    fact["third_party.pass_through"] = indices.pass_through
    fact["has_independent_third_party"] = indices.independent_third_party
    com = profile.community
    if com is not None:
        if com.non_government_resources is not None:
            fact["community.non_government_resources"] = com.non_government_resources
        if com.resident_associations is not None:
            fact["community.resident_associations"] = com.resident_associations
        if com.staff_overloaded is not None:
            fact["community.staff_overloaded"] = com.staff_overloaded
    for d in _DIM_KEYS:
        fact[f"dependence.{d}"] = getattr(indices.dependence, d)
        fact[f"third_party_dependence.{d}"] = getattr(indices.third_party_dependence, d)
    return fact


# --------------------------------------------------------------------------- models


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    zh: Annotated[str, Field(min_length=1)]
    en: Annotated[str, Field(min_length=1)]


class ParamRef(_Strict):
    """``{param: id}`` or ``{param: "id:key"}`` (a key of a mapping parameter)."""

    param: str


Scalar = str | bool | int | float


class Compare(_Strict):
    """``{fact, op, value}`` or ``{fact, op, param}``; after loading ``value`` is always set."""

    fact: str
    op: Literal["eq", "ne", "lt", "le", "gt", "ge", "in"]
    value: Scalar | list[Scalar] | None = None
    param: str | None = None

    @model_validator(mode="after")
    def _one_value(self) -> Compare:
        if (self.value is None) == (self.param is None):
            raise ValueError("a comparison needs exactly one of 'value' and 'param'")
        return self


class DiagnosisRef(_Strict):
    diagnosis: str


class All(_Strict):
    all: Annotated[list[Condition], Field(min_length=1)]


class AnyOf(_Strict):
    any: Annotated[list[Condition], Field(min_length=1)]


class Not(_Strict):
    not_: Condition = Field(alias="not")
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


Condition = Compare | DiagnosisRef | All | AnyOf | Not
All.model_rebuild()
AnyOf.model_rebuild()
Not.model_rebuild()

Number = float | ParamRef


class Severity(_Strict):
    """``{value}`` or ``{fact, from, to, low}``; numbers may be ``{param: id}``."""

    value: Number | None = None
    fact: str | None = None
    from_: Number | None = Field(default=None, alias="from")
    to: Number | None = None
    low: Number = 0.0
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _shape(self) -> Severity:
        linear = self.fact is not None and self.from_ is not None and self.to is not None
        if (self.value is not None) == linear:
            raise ValueError("severity is either {value} or {fact, from, to[, low]}")
        return self


class Rule(_Strict):
    """One rule of ``rules/definitions``; see the module docstring for its meaning."""

    id: Annotated[str, Field(pattern=r"^(dx|act|guard)_[a-z0-9_]+$")]
    kind: Literal["diagnosis", "action", "guard"]
    concludes: str | None = None
    name: Text
    when: Condition
    severity: Severity | None = None
    rests_on: Annotated[list[str], Field(min_length=1)]
    overrules: list[str] = []

    @model_validator(mode="after")
    def _kind_fields(self) -> Rule:
        prefix = {"diagnosis": "dx_", "action": "act_", "guard": "guard_"}[self.kind]
        if not self.id.startswith(prefix):
            raise ValueError(f"a {self.kind} rule's id starts with {prefix!r}")
        if self.kind != "guard" and not self.concludes:
            raise ValueError(f"a {self.kind} rule needs 'concludes'")
        if (self.kind == "diagnosis") != (self.severity is not None):
            raise ValueError("diagnosis rules, and only they, have a 'severity'")
        if self.kind != "guard" and self.overrules:
            raise ValueError("only guard rules overrule")
        return self


# --------------------------------------------------------------------------- walking


def walk(cond: Condition) -> typing.Iterator[Condition]:
    """Every node of a condition, depth first, in definition order."""
    yield cond
    if isinstance(cond, All):
        for c in cond.all:
            yield from walk(c)
    elif isinstance(cond, AnyOf):
        for c in cond.any:
            yield from walk(c)
    elif isinstance(cond, Not):
        yield from walk(cond.not_)


def fact_keys_of(rule: Rule) -> list[str]:
    """The fact keys a rule reads (condition, then severity), unique, in order."""
    keys = [c.fact for c in walk(rule.when) if isinstance(c, Compare)]
    if rule.severity is not None and rule.severity.fact:
        keys.append(rule.severity.fact)
    return list(dict.fromkeys(keys))


def condition_keys(rule: Rule) -> list[str]:
    """The fact keys a rule's condition reads, unique, in order."""
    return list(dict.fromkeys(c.fact for c in walk(rule.when) if isinstance(c, Compare)))


def diagnoses_of(rule: Rule) -> list[str]:
    """The diagnosis ids a rule's condition refers to, unique, in order."""
    return list(dict.fromkeys(c.diagnosis for c in walk(rule.when) if isinstance(c, DiagnosisRef)))


def severity_of(rule: Rule, fact: dict[str, Any]) -> float:
    """The severity a fired diagnosis rule gives (semantics point 7)."""
    sev = rule.severity
    if sev is None:
        return 0.0
    if sev.value is not None:
        return round(float(sev.value) + 0.0, DIGITS)  # type: ignore[arg-type]
    low = float(sev.low)  # type: ignore[arg-type]
    x = fact.get(sev.fact or "")
    if x is None:
        return round(low, DIGITS)
    a, b = float(sev.from_), float(sev.to)  # type: ignore[arg-type]
    frac = 0.0 if b == a else (float(x) - a) / (b - a)
    frac = min(1.0, max(0.0, frac))
    return round(low + (1.0 - low) * frac + 0.0, DIGITS)


class Conclusions(BaseModel):
    """What a set of fired rules concludes (semantics point 6)."""

    diagnoses: dict[str, list[str]]  # diagnosis id -> fired rule ids concluding it
    actions: dict[str, list[str]]  # action id -> fired, non-overruled rule ids concluding it
    overruled: dict[str, list[str]]  # overruled rule id -> fired guard ids overruling it


def conclude(fired: set[str], rules: list[Rule]) -> Conclusions:
    """Apply overrules to the fired rules and collect diagnoses and actions, in rule order."""
    overruled: dict[str, list[str]] = {}
    for r in rules:
        if r.kind == "guard" and r.id in fired:
            for target in r.overrules:
                overruled.setdefault(target, []).append(r.id)
    diagnoses: dict[str, list[str]] = {}
    actions: dict[str, list[str]] = {}
    for r in rules:
        if r.id not in fired or r.concludes is None:
            continue
        if r.kind == "diagnosis":
            diagnoses.setdefault(r.concludes, []).append(r.id)
        elif r.id not in overruled:
            actions.setdefault(r.concludes, []).append(r.id)
    return Conclusions(diagnoses=diagnoses, actions=actions, overruled=overruled)


# --------------------------------------------------------------------------- loading


def _resolve_param(ref: str) -> Any:
    from knowledge_base.loader import load_kb

    pid, _, key = ref.partition(":")
    value = load_kb().param(pid)
    if key:
        if not isinstance(value, dict) or key not in value:
            raise KnowledgeBaseError(f"parameter {pid!r} has no key {key!r}")
        value = value[key]
    return value


def _check_value(where: str, key: str, op: str, value: Any) -> None:
    if key not in FACT_KEYS:
        raise ValueError(f"{where}: unknown fact {key!r}")
    kind, allowed = FACT_KEYS[key]
    values = value if op == "in" else [value]
    if op == "in" and (not isinstance(value, list) or not value):
        raise ValueError(f"{where}: 'in' needs a non-empty list")
    if op != "in" and isinstance(value, list):
        raise ValueError(f"{where}: only 'in' takes a list")
    if kind != "number" and op in ORDER_OPS:
        raise ValueError(f"{where}: {op!r} needs a number fact, {key!r} is {kind}")
    for v in values:
        if kind == "number":
            ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
        elif kind == "bool":
            ok = isinstance(v, bool)
        else:
            ok = isinstance(v, str) and v in allowed
        if not ok:
            raise ValueError(f"{where}: {v!r} is not a valid value of {key!r} ({kind})")


def _resolve(cond: Condition, where: str, under_not: bool = False) -> Condition:
    if isinstance(cond, Compare):
        value = cond.value if cond.param is None else _resolve_param(cond.param)
        _check_value(where, cond.fact, cond.op, value)
        return cond.model_copy(update={"value": value})
    if isinstance(cond, DiagnosisRef):
        if under_not:
            raise ValueError(f"{where}: a diagnosis reference may not appear under 'not'")
        return cond
    # model_construct: the children are already validated; re-validating a resolved comparison
    # (which then carries both its param id and its value) would fail
    if isinstance(cond, All):
        return All.model_construct(all=[_resolve(c, where, under_not) for c in cond.all])
    if isinstance(cond, AnyOf):
        return AnyOf.model_construct(any=[_resolve(c, where, under_not) for c in cond.any])
    return Not.model_construct(not_=_resolve(cond.not_, where, True))


def _num(x: Number | None) -> float | None:
    if x is None:
        return None
    if isinstance(x, ParamRef):
        v = _resolve_param(x.param)
        if not isinstance(v, int | float) or isinstance(v, bool):
            raise ValueError(f"parameter {x.param!r} is not a number")
        return float(v)
    return float(x)


def _resolve_rule(rule: Rule) -> Rule:
    where = rule.id
    update: dict[str, Any] = {"when": _resolve(rule.when, where)}
    if not isinstance(rule.when, All | AnyOf | Not | Compare | DiagnosisRef):  # pragma: no cover
        raise ValueError(f"{where}: unknown condition")
    if rule.severity is not None:
        s = rule.severity
        if s.fact is not None and (s.fact not in FACT_KEYS or FACT_KEYS[s.fact][0] != "number"):
            raise ValueError(f"{where}: severity fact {s.fact!r} is not a number fact")
        sev = Severity.model_construct(
            value=_num(s.value),
            fact=s.fact,
            from_=_num(s.from_),
            to=_num(s.to),
            low=_num(s.low) or 0.0,
        )
        for part in (sev.value, sev.low):
            if part is not None and not 0.0 <= float(part) <= 1.0:  # type: ignore[arg-type]
                raise ValueError(f"{where}: a severity of {part} is outside 0..1")
        if sev.fact is not None and sev.from_ == sev.to:
            raise ValueError(f"{where}: severity 'from' and 'to' are equal")
        update["severity"] = sev
    return rule.model_copy(update=update)


def parse_rules(docs: list[tuple[str, Any]]) -> list[Rule]:
    """Validate rule documents ``(file name, parsed YAML)`` and resolve their params.

    Raises KnowledgeBaseError listing every problem (file, rule, message).
    """
    problems: list[str] = []
    rules: list[Rule] = []
    for name, doc in docs:
        if not isinstance(doc, list):
            problems.append(f"{name}: expected a list of rules")
            continue
        for i, raw in enumerate(doc):
            rid = raw.get("id", f"#{i}") if isinstance(raw, dict) else f"#{i}"
            try:
                rules.append(_resolve_rule(Rule.model_validate(raw)))
            except ValidationError as exc:
                for err in exc.errors(include_url=False):
                    loc = ".".join(str(p) for p in err.get("loc", ()))
                    problems.append(f"{name}: {rid}: {loc}: {err.get('msg')}")
            except (ValueError, KnowledgeBaseError) as exc:
                problems.append(f"{name}: {rid}: {exc}")
    problems.extend(_check_graph(rules))
    if problems:
        raise KnowledgeBaseError(
            "the rule definitions do not validate:\n" + "\n".join(f"  - {p}" for p in problems)
        )
    return rules


def _check_graph(rules: list[Rule]) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    for r in rules:
        if r.id in seen:
            problems.append(f"{r.id}: duplicate rule id")
        seen.add(r.id)
    by_id = {r.id: r for r in rules}
    dx_rules: dict[str, list[Rule]] = {}
    for r in rules:
        if r.kind == "diagnosis" and r.concludes:
            dx_rules.setdefault(r.concludes, []).append(r)
    for r in rules:
        for d in diagnoses_of(r):
            if d not in dx_rules:
                problems.append(f"{r.id}: no rule concludes diagnosis {d!r}")
        for t in r.overrules:
            if t not in by_id:
                problems.append(f"{r.id}: overrules unknown rule {t!r}")
            elif by_id[t].kind != "action":
                problems.append(f"{r.id}: overrules {t!r}, which is not an action rule")
    # diagnosis references among diagnosis rules must not form a cycle
    state: dict[str, int] = {}

    def visit(d: str, path: list[str]) -> None:
        if state.get(d) == 2:
            return
        if state.get(d) == 1:
            problems.append(
                "diagnosis rules refer to each other in a cycle: " + " -> ".join([*path, d])
            )
            return
        state[d] = 1
        for r in dx_rules.get(d, []):
            for dep in diagnoses_of(r):
                if dep in dx_rules:
                    visit(dep, [*path, d])
        state[d] = 2

    for d in sorted(dx_rules):
        visit(d, [])
    return problems


#: The rule files' folders, in load order (one concept a file: ``diagnoses/<diagnosis id>.yaml``,
#: ``actions/<action id>.yaml``, ``guards/<guard rule id without guard_>.yaml``).
KIND_DIRS: tuple[str, ...] = ("actions", "diagnoses", "guards")
#: The file that fixes the load order within each folder (see ``definition_files``).
ORDER_FILE = "order.yaml"


def definition_files(directory: Path = DEFINITIONS_DIR) -> list[Path]:
    """Every rule file, in load order: folder by folder (``KIND_DIRS``), and within a folder the
    stems listed in ``order.yaml`` in its order, then any file it does not list, by name.

    The order is explicit because it is part of what the rules are: the rules' fingerprint
    (``rules.engine.fingerprint``, printed in every assessment's ``engine_version``) hashes the
    rules in load order, and ``conclude`` lists a concept's rules in it. ``order.yaml`` freezes
    the order the three former files (``actions.yaml``, ``diagnoses.yaml``, ``guards.yaml``, read
    in that order) had, so splitting them changed no output; a new rule file needs no entry.
    A listed stem without its file is an error (a rule file deleted by mistake).
    """
    order_path = directory / ORDER_FILE
    listed: dict[str, Any] = {}
    if order_path.is_file():
        try:
            listed = yaml.safe_load(order_path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise KnowledgeBaseError(f"{ORDER_FILE}: malformed YAML: {exc}") from None
        if not isinstance(listed, dict) or set(listed) - set(KIND_DIRS):
            raise KnowledgeBaseError(
                f"{ORDER_FILE}: expected a mapping with keys among {', '.join(KIND_DIRS)}"
            )
    out: list[Path] = []
    for kind in KIND_DIRS:
        folder = directory / kind
        present = {p.stem: p for p in folder.glob("*.yaml")} if folder.is_dir() else {}
        stems = [str(s) for s in listed.get(kind) or []]
        missing = [s for s in stems if s not in present]
        if missing:
            raise KnowledgeBaseError(
                f"{ORDER_FILE} lists {kind}/{missing[0]}.yaml, which does not exist"
            )
        out += [present[s] for s in stems]
        out += [present[s] for s in sorted(set(present) - set(stems))]
    return out


def read_definitions(directory: Path = DEFINITIONS_DIR) -> list[tuple[str, Any]]:
    """The parsed YAML documents of every rule file, in load order (``definition_files``),
    each named by its path under ``directory`` (``diagnoses/hermit_crab.yaml``)."""
    out: list[tuple[str, Any]] = []
    for path in definition_files(directory):
        name = path.relative_to(directory).as_posix()
        try:
            out.append((name, yaml.safe_load(path.read_text(encoding="utf-8"))))
        except yaml.YAMLError as exc:
            raise KnowledgeBaseError(f"{name}: malformed YAML: {exc}") from None
    return out


def rule_files() -> dict[str, str]:
    """Rule id -> its file, relative to the project root (``rules/definitions/...``)."""
    out: dict[str, str] = {}
    for name, doc in read_definitions():
        for raw in doc if isinstance(doc, list) else []:
            if isinstance(raw, dict) and "id" in raw:
                out[str(raw["id"])] = f"rules/definitions/{name}"
    return out


@lru_cache(maxsize=1)
def _load_rules_cached() -> tuple[Rule, ...]:
    return tuple(parse_rules(read_definitions()))


def load_rules() -> list[Rule]:
    """Every rule of ``rules/definitions`` in file order, validated, params resolved (cached)."""
    return list(_load_rules_cached())


def dependency_order(rules: list[Rule]) -> list[Rule]:
    """Diagnosis rules first, each after the diagnoses it refers to; then action and guard rules.

    The order in which a plain evaluator reaches the fixpoint of semantics point 4.
    """
    dx = [r for r in rules if r.kind == "diagnosis"]
    rest = [r for r in rules if r.kind != "diagnosis"]
    done: set[str] = set()
    ordered: list[Rule] = []
    pending = list(dx)
    while pending:
        concluders = {r.concludes for r in pending}
        ready = [r for r in pending if not any(d in concluders for d in diagnoses_of(r))]
        if not ready:  # pragma: no cover - _check_graph forbids cycles
            raise KnowledgeBaseError("diagnosis rules refer to each other in a cycle")
        ordered.extend(ready)
        done.update(r.id for r in ready)
        pending = [r for r in pending if r.id not in done]
    return ordered + rest
