"""What-if comparison: a baseline case against up to four variants of it, and the paper's levers.

A *variant* is the same case with some fields changed. ``compare`` assesses the baseline and each
variant and reports what moved: dependence per dimension (on government and on the third party),
the asymmetry index and level, the co-production score and stage, diagnoses added or removed,
actions added, dropped or re-ranked, and the fields that were changed.

A *lever* is one of the paper's one-click changes (section 6): bring in a strong social-work
agency, government shifts to an enabling role, volunteers take part in decisions, a formal
incentive system. Each lever is a pure function from a profile to a new profile; the values it
sets are our operationalisation, kept as knowledge-base parameters (``lever.<name>``), and each
names the framework actions it rests on. This module has no UI: the CLI and the What-if page
render its results.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

from advisor import fields as catalogue
from advisor.effects import apply_ops, effect
from advisor.errors import FieldProblem, ProfileError
from advisor.io import profile_from_data
from advisor.models import (
    DIMENSIONS,
    Assessment,
    BiText,
    CaseProfile,
    Dimension,
    SourceRef,
)
from knowledge_base.loader import load_kb

MAX_VARIANTS = 4
DIGITS = 4  # deltas are rounded like the indices, so a zero change prints as 0
_EPS = 1e-9


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FieldChange(_Model):
    """One field that differs between the baseline and a variant (dotted path, old, new)."""

    path: str
    old: Any
    new: Any


class DimensionDelta(_Model):
    """Dependence on one dimension before and after, on government and on the third party."""

    dimension: Dimension
    government_before: float
    government_after: float
    government_delta: float
    third_party_before: float
    third_party_after: float
    third_party_delta: float


class AsymmetryChange(_Model):
    index_before: float
    index_after: float
    index_delta: float
    level_before: str
    level_after: str
    force_on_government_before: float
    force_on_government_after: float
    force_on_government_delta: float
    government_on_force_before: float
    government_on_force_after: float
    government_on_force_delta: float


class CoproductionChange(_Model):
    score_before: int
    score_after: int
    score_delta: int
    stage_before: str
    stage_after: str


class DiagnosisRef(_Model):
    id: str
    label: BiText
    severity: float


class DiagnosisChange(_Model):
    """A diagnosis made in both, whose severity moved."""

    id: str
    label: BiText
    severity_before: float
    severity_after: float
    severity_delta: float


class ActionRef(_Model):
    id: str
    label: BiText
    actor: str
    phase: int
    rank: int
    priority: float


class ActionRerank(_Model):
    """An action recommended in both, whose rank or priority moved (old rank -> new rank)."""

    id: str
    label: BiText
    actor: str
    old_rank: int
    new_rank: int
    old_priority: float
    new_priority: float
    priority_delta: float


class VariantDiff(_Model):
    """Everything that moved between the baseline and one variant."""

    label: BiText
    lever: str | None = None
    profile_id: str
    fields_changed: list[FieldChange]
    dependence: list[DimensionDelta]
    asymmetry: AsymmetryChange
    coproduction: CoproductionChange
    diagnoses_added: list[DiagnosisRef]
    diagnoses_removed: list[DiagnosisRef]
    diagnoses_changed: list[DiagnosisChange]
    actions_added: list[ActionRef]
    actions_dropped: list[ActionRef]
    actions_reranked: list[ActionRerank]
    top_action_before: ActionRef | None
    top_action_after: ActionRef | None


class Comparison(_Model):
    """A baseline and the diffs of up to four variants, in the order given."""

    baseline_id: str
    baseline_name: str
    engine_version: str
    knowledge_base_version: str
    variants: list[VariantDiff]


# --------------------------------------------------------------------------- field diff


def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: data}


def fields_changed(baseline: CaseProfile, variant: CaseProfile) -> list[FieldChange]:
    """Every leaf field whose value differs, by dotted path in the contract's field order.

    A sub-object that is null on one side (no third party) compares field by field against null.
    """
    old = _flatten(baseline.model_dump(mode="json"))
    new = _flatten(variant.model_dump(mode="json"))
    # ``third_party: null`` on one side against ``third_party.kind`` etc. on the other.
    for a, b in ((old, new), (new, old)):
        for key in [k for k, v in a.items() if v is None]:
            children = [k for k in b if k.startswith(key + ".")]
            if children:
                del a[key]
                for child in children:
                    a.setdefault(child, None)
    order = list(new) + [k for k in old if k not in new]
    out = []
    for path in order:
        before, after = old.get(path), new.get(path)
        if before != after:
            out.append(FieldChange(path=path, old=before, new=after))
    return out


# --------------------------------------------------------------------------- assessment diff


def _d(after: float, before: float) -> float:
    return round(after - before, DIGITS) + 0.0


def diff(
    baseline: CaseProfile,
    baseline_assessment: Assessment,
    variant: CaseProfile,
    variant_assessment: Assessment,
    *,
    label: BiText | None = None,
    lever: str | None = None,
) -> VariantDiff:
    """What moved between two assessments (already computed) of a baseline and a variant."""
    a, b = baseline_assessment, variant_assessment
    dims = [
        DimensionDelta(
            dimension=dim,
            government_before=getattr(a.dependence, dim),
            government_after=getattr(b.dependence, dim),
            government_delta=_d(getattr(b.dependence, dim), getattr(a.dependence, dim)),
            third_party_before=getattr(a.third_party_dependence, dim),
            third_party_after=getattr(b.third_party_dependence, dim),
            third_party_delta=_d(
                getattr(b.third_party_dependence, dim), getattr(a.third_party_dependence, dim)
            ),
        )
        for dim in DIMENSIONS
    ]
    asym = AsymmetryChange(
        index_before=a.asymmetry.index,
        index_after=b.asymmetry.index,
        index_delta=_d(b.asymmetry.index, a.asymmetry.index),
        level_before=a.asymmetry.level,
        level_after=b.asymmetry.level,
        force_on_government_before=a.asymmetry.force_on_government,
        force_on_government_after=b.asymmetry.force_on_government,
        government_on_force_before=a.asymmetry.government_on_force,
        government_on_force_after=b.asymmetry.government_on_force,
        force_on_government_delta=_d(
            b.asymmetry.force_on_government, a.asymmetry.force_on_government
        ),
        government_on_force_delta=_d(
            b.asymmetry.government_on_force, a.asymmetry.government_on_force
        ),
    )
    coprod = CoproductionChange(
        score_before=a.coproduction.score,
        score_after=b.coproduction.score,
        score_delta=b.coproduction.score - a.coproduction.score,
        stage_before=a.coproduction.stage,
        stage_after=b.coproduction.stage,
    )
    dx_a = {d.id: d for d in a.diagnoses}
    dx_b = {d.id: d for d in b.diagnoses}
    diagnoses_added = [
        DiagnosisRef(id=d.id, label=d.label, severity=d.severity)
        for d in b.diagnoses
        if d.id not in dx_a
    ]
    diagnoses_removed = [
        DiagnosisRef(id=d.id, label=d.label, severity=d.severity)
        for d in a.diagnoses
        if d.id not in dx_b
    ]
    diagnoses_changed = [
        DiagnosisChange(
            id=d.id,
            label=d.label,
            severity_before=dx_a[d.id].severity,
            severity_after=d.severity,
            severity_delta=_d(d.severity, dx_a[d.id].severity),
        )
        for d in b.diagnoses
        if d.id in dx_a and abs(d.severity - dx_a[d.id].severity) > _EPS
    ]
    act_a = {x.id: x for x in a.actions}
    act_b = {x.id: x for x in b.actions}

    def ref(x: Any) -> ActionRef:
        return ActionRef(
            id=x.id, label=x.label, actor=x.actor, phase=x.phase, rank=x.rank, priority=x.priority
        )

    actions_added = [ref(x) for x in sorted(b.actions, key=lambda x: x.rank) if x.id not in act_a]
    actions_dropped = [ref(x) for x in sorted(a.actions, key=lambda x: x.rank) if x.id not in act_b]
    actions_reranked = [
        ActionRerank(
            id=x.id,
            label=x.label,
            actor=x.actor,
            old_rank=act_a[x.id].rank,
            new_rank=x.rank,
            old_priority=act_a[x.id].priority,
            new_priority=x.priority,
            priority_delta=_d(x.priority, act_a[x.id].priority),
        )
        for x in sorted(b.actions, key=lambda x: x.rank)
        if x.id in act_a
        and (x.rank != act_a[x.id].rank or abs(x.priority - act_a[x.id].priority) > _EPS)
    ]

    def top(assessment: Assessment) -> ActionRef | None:
        return ref(min(assessment.actions, key=lambda x: x.rank)) if assessment.actions else None

    return VariantDiff(
        label=label or BiText(zh=variant.name, en=variant.name),
        lever=lever,
        profile_id=variant.id,
        fields_changed=fields_changed(baseline, variant),
        dependence=dims,
        asymmetry=asym,
        coproduction=coprod,
        diagnoses_added=diagnoses_added,
        diagnoses_removed=diagnoses_removed,
        diagnoses_changed=diagnoses_changed,
        actions_added=actions_added,
        actions_dropped=actions_dropped,
        actions_reranked=actions_reranked,
        top_action_before=top(a),
        top_action_after=top(b),
    )


def compare(
    baseline: CaseProfile,
    variants: Sequence[CaseProfile],
    *,
    labels: Sequence[BiText | None] | None = None,
    levers: Sequence[str | None] | None = None,
    assess: Callable[[CaseProfile], Assessment] | None = None,
) -> Comparison:
    """Assess the baseline and each variant (at most four) and report what moved in each.

    ``labels`` names the variants (default: a variant's own name when it differs from the
    baseline's, else "Variant n"); ``levers`` records which lever made each variant;
    ``assess`` defaults to ``advisor.pipeline.assess`` (pass a cached one from a UI).
    Raises ProfileError when there are no variants or more than four.
    """
    if not variants:
        raise ProfileError([FieldProblem("variants", "give at least one variant to compare")])
    if len(variants) > MAX_VARIANTS:
        raise ProfileError(
            [
                FieldProblem(
                    "variants", f"{len(variants)} variants; at most {MAX_VARIANTS} can be compared"
                )
            ]
        )
    if assess is None:
        # the engine loads when a comparison runs: the CLI imports this module for its levers
        from advisor.pipeline import assess as pipeline_assess

        assess = pipeline_assess
    base_assessment = assess(baseline)
    diffs = []
    for i, variant in enumerate(variants):
        given = labels[i] if labels is not None and i < len(labels) else None
        if given is None:
            if variant.name != baseline.name:
                given = BiText(zh=variant.name, en=variant.name)
            else:
                pattern = _bitext("variant_name", "default")
                given = BiText(zh=pattern.zh.format(n=i + 1), en=pattern.en.format(n=i + 1))
        lever = levers[i] if levers is not None and i < len(levers) else None
        diffs.append(
            diff(baseline, base_assessment, variant, assess(variant), label=given, lever=lever)
        )
    return Comparison(
        baseline_id=baseline.id,
        baseline_name=baseline.name,
        engine_version=base_assessment.engine_version,
        knowledge_base_version=base_assessment.knowledge_base_version,
        variants=diffs,
    )


# --------------------------------------------------------------------------- changing fields


def apply_change(profile: CaseProfile, path: str, value: Any) -> CaseProfile:
    """A new profile with the field at dotted ``path`` set to ``value``, validated as a whole.

    ``value`` may be a whole sub-object (``third_party``) or null where the contract allows it.
    Raises ProfileError naming the field when the path is unknown or the result is invalid
    (for example funding shares that no longer sum to 1).
    """
    data = profile.model_dump(mode="json")
    parts = path.split(".") if path else []
    if not parts or any(not p for p in parts):
        raise ProfileError([FieldProblem(path or "(empty)", "not a field path")])
    unknown = catalogue.first_unknown(path)
    if unknown is not None:
        raise ProfileError([FieldProblem(unknown, "unknown field (not in the profile)")])
    node: Any = data
    for depth, part in enumerate(parts[:-1]):
        if node.get(part) is None:
            raise ProfileError(
                [
                    FieldProblem(
                        ".".join(parts[: depth + 1]),
                        "is empty; set it as a whole before changing one of its fields",
                    )
                ]
            )
        node = node[part]
    node[parts[-1]] = copy.deepcopy(value)
    return profile_from_data(data)


# --------------------------------------------------------------------------- levers


def _bitext(namespace: str, key: str) -> BiText:
    # the catalogue loads on first use (the CLI imports this module for its levers)
    from advisor.vocabulary import strings

    entry = strings()[namespace][key]
    return BiText(zh=entry["zh"], en=entry["en"])


def _route_at_least(data: dict[str, Any], source: str, target: str, share: float) -> None:
    """Shift from ``source`` to ``target`` until ``target`` holds at least ``share`` of the two
    together; their sum (and so every share total) stays exactly the same."""
    total = data[source] + data[target]
    wanted = round(total * share, DIGITS)
    if data[target] >= wanted:
        return
    data[target] = wanted
    data[source] = round(total - wanted, DIGITS)


def _bring_in_strong_agency(profile: CaseProfile) -> CaseProfile:
    v = load_kb().param("lever.bring_in_strong_agency")
    data = profile.model_dump(mode="json")
    tp = v["third_party"]
    old = data.get("third_party") or {}
    data["third_party"] = {
        "kind": tp["kind"],
        "capacity": max(int(old.get("capacity", 0)), int(tp["capacity_at_least"])),
        "role": tp["role"],
        "autonomy": max(int(old.get("autonomy", 0)), int(tp["autonomy_at_least"])),
    }
    _route_at_least(
        data["funding"],
        "government_direct",
        "government_via_third_party",
        v["funding_routed_share"],
    )
    _route_at_least(
        data["human_resources"]["recruited_by"],
        "government",
        "third_party",
        v["recruitment_routed_share"],
    )
    data["government"]["purchases_services"] = bool(v["purchases_services"])
    # What the agency does once it is there (section 6: it supplies knowledge and organises the
    # four co-'s): the knowledge base's effect item, shared with the roadmap and smallest change.

    ops = effect("gov_bring_in_third_party")
    if ops is not None:
        apply_ops(data, ops)
    return profile_from_data(data, "lever bring_in_strong_agency")


def _government_enabler(profile: CaseProfile) -> CaseProfile:
    v = load_kb().param("lever.government_enabler")
    data = profile.model_dump(mode="json")
    gov = data["government"]
    gov["role"] = v["role"]
    gov["control"] = min(gov["control"], int(v["control_at_most"]))
    gov["acceptance_mechanism"] = bool(v["acceptance_mechanism"])
    return profile_from_data(data, "lever government_enabler")


def _volunteers_in_decisions(profile: CaseProfile) -> CaseProfile:
    v = load_kb().param("lever.volunteers_in_decisions")
    data = profile.model_dump(mode="json")
    mgmt, coprod = data["management"], data["coproduction"]
    mgmt["decision_participation"] = max(
        mgmt["decision_participation"], int(v["decision_participation_at_least"])
    )
    coprod["planning"] = max(coprod["planning"], int(v["coproduction_planning_at_least"]))
    coprod["design"] = max(coprod["design"], int(v["coproduction_design_at_least"]))
    return profile_from_data(data, "lever volunteers_in_decisions")


def _formal_incentives(profile: CaseProfile) -> CaseProfile:
    v = load_kb().param("lever.formal_incentives")
    data = profile.model_dump(mode="json")
    data["management"]["incentives"] = v["incentives"]
    data["management"]["records"] = bool(v["records"])
    return profile_from_data(data, "lever formal_incentives")


@dataclass(frozen=True)
class Lever:
    """One of the paper's one-click changes: a pure function profile -> new profile."""

    name: str
    rests_on: tuple[str, ...]  # knowledge-base action ids
    parameter: str  # the knowledge-base parameter holding the values it sets
    apply: Callable[[CaseProfile], CaseProfile]

    def __call__(self, profile: CaseProfile) -> CaseProfile:
        return self.apply(profile)

    @property
    def label(self) -> BiText:
        """The lever's name in both languages."""
        return _bitext("lever", self.name)

    def description(self) -> BiText:
        """What the lever sets, from its knowledge-base parameter."""
        item = load_kb().get(self.parameter)
        return BiText(zh=item.summary.zh, en=item.summary.en)

    def sources(self) -> list[SourceRef]:
        """The passages of the paper the lever rests on (from its parameter item)."""
        item = load_kb().get(self.parameter)
        return [SourceRef.model_validate(s.model_dump()) for s in item.source]


LEVERS: dict[str, Lever] = {
    lever.name: lever
    for lever in (
        Lever(
            name="bring_in_strong_agency",
            rests_on=("gov_bring_in_third_party", "gov_strengthen_third_party"),
            parameter="lever.bring_in_strong_agency",
            apply=_bring_in_strong_agency,
        ),
        Lever(
            name="government_enabler",
            rests_on=(
                "gov_auxiliary_role",
                "gov_support_without_control",
                "gov_recognise_and_accept",
            ),
            parameter="lever.government_enabler",
            apply=_government_enabler,
        ),
        Lever(
            name="volunteers_in_decisions",
            rests_on=("tp_volunteers_in_decisions", "gov_co_planning", "gov_co_design"),
            parameter="lever.volunteers_in_decisions",
            apply=_volunteers_in_decisions,
        ),
        Lever(
            name="formal_incentives",
            rests_on=("tp_management_incentives",),
            parameter="lever.formal_incentives",
            apply=_formal_incentives,
        ),
    )
}


def apply_lever(profile: CaseProfile, name: str) -> CaseProfile:
    """The profile with the lever ``name`` applied; ProfileError for an unknown lever."""
    try:
        lever = LEVERS[name]
    except KeyError:
        raise ProfileError(
            [FieldProblem("lever", f"unknown lever {name!r}; expected one of {', '.join(LEVERS)}")]
        ) from None
    return lever(profile)
