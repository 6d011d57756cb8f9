"""Derived indices: how dependent a volunteer force is, and on whom.

From one case profile this module derives what the paper reasons with (sections 3.1, 5, 6):

- the force's dependence on government per dimension (legitimacy, funding, human resources,
  knowledge), each 0..1, and the same four dimensions for its dependence on the third party;
- the asymmetry: the force's overall dependence on government (``force_on_government``, the
  weighted mean of the dimensions: the paper's three, identity, funds and human resources; the
  knowledge dimension, from the literature, has weight 0) against the government's dependence on
  the force (``government_on_force``, the reverse dependence). Government's need offsets the
  force's dependence only as far as the force has alternatives (resource-dependence theory:
  dependence is moderated by alternative sources; section 6: government's dependence is
  "limited to" projects and performance): ``index = force_on_government - government_on_force *
  alternatives ** exponent`` in -1..1, with ``alternatives`` the force's share of resources from
  outside government (parameter ``asymmetry.alternatives``); ``level`` is banded on ``|index|``
  and ``direction`` says who depends more;
- the co-production score (the four joint steps, 0-4 each, so 0..16) and its stage;
- the development mode (Deng Guosheng's three modes), inferred from ``force_type`` when the
  profile leaves it empty.

Every weight, mapping and cut point is a knowledge-base parameter (kind ``parameter``, provenance
``operationalisation``) read through ``load_kb().param(id)``; nothing numeric is a constant here.
Values are rounded to 4 decimals so that thresholds compare exactly as the arithmetic in the
tests shows and the output is byte-stable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from advisor.models import (
    DIMENSIONS,
    Asymmetry,
    CaseProfile,
    CoproductionResult,
    DevelopmentModeResult,
    DimensionScores,
)
from knowledge_base.loader import load_kb

DIGITS = 4

# Parameter ids (knowledge_base/data/parameters/<id>.yaml).
P_LEGITIMACY = "dependence.legitimacy"
P_FUNDING = "dependence.funding"
P_HUMAN = "dependence.human_resources"
P_KNOWLEDGE = "dependence.knowledge"
P_WEIGHTS = "dependence.dimension_weights"
P_REVERSE = "asymmetry.reverse_dependence"
P_LEVELS = "asymmetry.levels"
P_ALTERNATIVES = "asymmetry.alternatives"
P_STAGES = "coproduction.stages"
P_MODE = "development_mode.inference"
PARAMETER_IDS: tuple[str, ...] = (
    P_LEGITIMACY,
    P_FUNDING,
    P_HUMAN,
    P_KNOWLEDGE,
    P_WEIGHTS,
    P_REVERSE,
    P_LEVELS,
    P_ALTERNATIVES,
    P_STAGES,
    P_MODE,
)


@dataclass(frozen=True)
class Indices:
    """Everything derived from a profile before the rules run."""

    dependence: DimensionScores
    third_party_dependence: DimensionScores
    asymmetry: Asymmetry
    coproduction: CoproductionResult
    coproduction_stage_label: dict[str, str]
    development_mode: DevelopmentModeResult
    third_party_dependence_mean: float
    # how far the third party passes government's money on, and whether it is independent
    pass_through: str = "none"
    independent_third_party: bool = False


def _r(x: float) -> float:
    return round(min(1.0, max(0.0, x)) + 0.0, DIGITS)


def _param(pid: str) -> Any:
    return load_kb().param(pid)


def pass_through(profile: CaseProfile) -> str:
    """How far the third party passes government's money and agenda through to the force:
    ``none`` (no third party, or one with room of its own), ``partial`` (little autonomy and
    strictly assessed or living on government purchase) or ``full`` (founded by government, or
    little autonomy with government setting the agenda under strict assessment or as a
    contractor). Cut points: parameter ``dependence.funding`` (``pass_through``)."""
    tp = profile.third_party
    if tp is None:
        return "none"
    cut = _param(P_FUNDING)["pass_through"]
    if tp.origin == "government_founded":
        return "full"
    low_autonomy = tp.autonomy <= cut["autonomy_max"]
    if not low_autonomy:
        return "none"
    strict = bool(tp.strict_assessment)
    if profile.agenda.set_by == "government" and (strict or tp.role == "contractor"):
        return "full"
    share = tp.government_purchase_share
    if strict or (share is not None and share >= cut["purchase_share_min"]):
        return "partial"
    return "none"


def legitimacy_status(profile: CaseProfile, independent: bool | None = None) -> str:
    """The legitimacy status as the indices count it: the profile's status, except that standing
    borrowed from a centre the community or government founded itself, with little autonomy, is
    counted as ``via_own_centre``, a status of the indices' tables only (``dependence.legitimacy``,
    ``asymmetry.alternatives``): standing that government's cultivation grants through its own
    grassroots centre, no alternative source, scored between no standing and standing straight from
    government (case Y: the unregistered teams belong to the registered M centre, which the
    community set up; 4.1, 4.2, 5.2)."""
    status = profile.legitimacy.status
    tp = profile.third_party
    if (
        status == "via_social_org"
        and tp is not None
        and tp.origin in ("community_founded", "government_founded")
        and not (independent_third_party(profile) if independent is None else independent)
    ):
        return "via_own_centre"
    return status


def independent_third_party(profile: CaseProfile, pt: str | None = None) -> bool:
    """Whether the third party is more than an arm of the community or government: present, not a
    full pass-through, and not founded by the community or government with little autonomy."""
    tp = profile.third_party
    if tp is None or (pass_through(profile) if pt is None else pt) == "full":
        return False
    cut = _param(P_FUNDING)["pass_through"]
    own_arm = tp.origin in ("community_founded", "government_founded")
    return not (own_arm and tp.autonomy <= cut["autonomy_max"])


def government_share_of_pass_through(profile: CaseProfile, pt: str | None = None) -> float:
    """How much of the government money routed through the third party counts as government's
    (0..1; parameter ``dependence.funding``): more the more the third party only passes it on."""
    fund = _param(P_FUNDING)
    return float(
        fund["pass_through"]["government_share"][pass_through(profile) if pt is None else pt]
    )


def dependence_on_government(
    profile: CaseProfile, pt: str | None = None, status: str | None = None
) -> DimensionScores:
    """The force's dependence on government per dimension, 0..1 (``pt`` and ``status``: the
    pass-through level and legitimacy status when the caller has them already)."""
    pt = pass_through(profile) if pt is None else pt
    status = (
        legitimacy_status(profile, independent_third_party(profile, pt))
        if status is None
        else status
    )
    leg = _param(P_LEGITIMACY)["government"]
    hr = _param(P_HUMAN)
    kn = _param(P_KNOWLEDGE)
    f = profile.funding
    h = profile.human_resources
    w_lead = hr["leadership_weight"]
    w_prov = kn["provider_weight"]
    return DimensionScores(
        legitimacy=_r(leg[status]),
        funding=_r(
            f.government_direct
            + government_share_of_pass_through(profile, pt) * f.government_via_third_party
        ),
        human_resources=_r(
            (1 - w_lead) * h.recruited_by.government
            + w_lead * hr["leadership_on_government"][h.leadership]
        ),
        knowledge=_r(
            w_prov * kn["provider_on_government"][profile.knowledge.training_provider]
            + (1 - w_prov)
            * kn["self_sufficiency_on_government"][str(profile.knowledge.self_sufficiency)]
        ),
    )


def dependence_on_third_party(profile: CaseProfile, pt: str | None = None) -> DimensionScores:
    """The force's dependence on the third party per dimension, 0..1 (computed from the fields
    even when ``third_party`` is null; the pipeline warns when they disagree)."""
    leg = _param(P_LEGITIMACY)["third_party"]
    fund = _param(P_FUNDING)
    hr = _param(P_HUMAN)
    kn = _param(P_KNOWLEDGE)
    f = profile.funding
    h = profile.human_resources
    w_lead = hr["leadership_weight"]
    w_prov = kn["provider_weight"]
    return DimensionScores(
        legitimacy=_r(leg[legitimacy_status(profile)]),
        funding=_r(
            fund["government_via_third_party_on_third_party"]
            * (1 - fund["pass_through"]["passed_on"][pass_through(profile) if pt is None else pt])
            * f.government_via_third_party
            + fund["third_party_own_on_third_party"] * f.third_party_own
        ),
        human_resources=_r(
            (1 - w_lead) * h.recruited_by.third_party
            + w_lead * hr["leadership_on_third_party"][h.leadership]
        ),
        knowledge=_r(
            w_prov * kn["provider_on_third_party"][profile.knowledge.training_provider]
            + (1 - w_prov)
            * kn["self_sufficiency_on_third_party"][str(profile.knowledge.self_sufficiency)]
        ),
    )


def weighted_mean(scores: DimensionScores) -> float:
    """The dimensions combined with the ``dependence.dimension_weights`` parameter."""
    weights = _param(P_WEIGHTS)
    total = sum(weights[d] for d in DIMENSIONS)
    return _r(sum(weights[d] * getattr(scores, d) for d in DIMENSIONS) / total)


def asymmetry_level(index: float) -> str:
    """The level of ``|index|``: balanced, moderate, high or severe (cut points are parameters)."""
    cuts = _param(P_LEVELS)
    size = abs(index)
    level = "balanced"
    for name in ("moderate", "high", "severe"):
        if size >= cuts[name]:
            level = name
    return level


def asymmetry_direction(index: float) -> str:
    """Who depends more: the sign of the index outside the "balanced" band."""
    if abs(index) < _param(P_LEVELS)["moderate"]:
        return "balanced"
    return "force_depends_more" if index > 0 else "government_depends_more"


def alternatives(profile: CaseProfile, pt: str | None = None, status: str | None = None) -> float:
    """The force's share of resources from outside government, 0..1: the mean over identity,
    funds and human resources (parameter ``asymmetry.alternatives``)."""
    pt = pass_through(profile) if pt is None else pt
    status = (
        legitimacy_status(profile, independent_third_party(profile, pt))
        if status is None
        else status
    )
    alt = _param(P_ALTERNATIVES)
    hr = _param(P_HUMAN)
    f = profile.funding
    h = profile.human_resources
    w_lead = hr["leadership_weight"]
    via_tp_gov = government_share_of_pass_through(profile, pt)
    legitimacy = alt["legitimacy"][status]
    funding = (
        f.third_party_own
        + f.charity
        + f.residents
        + f.self_generated
        + (1 - via_tp_gov) * f.government_via_third_party
    )
    human = (1 - w_lead) * (h.recruited_by.third_party + h.recruited_by.self) + w_lead * (
        1 - hr["leadership_on_government"][h.leadership]
    )
    return _r((_r(legitimacy) + _r(funding) + _r(human)) / 3)


def asymmetry(
    profile: CaseProfile,
    dependence: DimensionScores,
    pt: str | None = None,
    status: str | None = None,
) -> Asymmetry:
    """The force on government against government's need of it, moderated by alternatives."""
    force_on_gov = weighted_mean(dependence)
    gov_on_force = _r(_param(P_REVERSE)[str(profile.government.reliance_on_force)])
    alt = alternatives(profile, pt, status)
    offset = gov_on_force * alt ** float(_param(P_ALTERNATIVES)["exponent"])
    index = round(force_on_gov - offset + 0.0, DIGITS)
    return Asymmetry(
        force_on_government=force_on_gov,
        government_on_force=gov_on_force,
        index=index,
        level=asymmetry_level(index),
        direction=asymmetry_direction(index),
        alternatives=alt,
    )


def coproduction(profile: CaseProfile) -> tuple[CoproductionResult, dict[str, str]]:
    """The co-production score (0..16) and its stage with a bilingual label."""
    c = profile.coproduction
    score = c.planning + c.design + c.delivery + c.evaluation
    bands = _param(P_STAGES)["bands"]
    for band in bands:
        if score <= band["max"]:
            return CoproductionResult(score=score, stage=band["stage"]), dict(band["label"])
    last = bands[-1]
    return CoproductionResult(score=score, stage=last["stage"]), dict(last["label"])


def development_mode(profile: CaseProfile) -> DevelopmentModeResult:
    """The profile's development mode, or the one inferred from ``force_type`` when null."""
    if profile.development_mode is not None:
        return DevelopmentModeResult(value=profile.development_mode, inferred=False)
    inferred = _param(P_MODE)["by_force_type"][profile.force_type]
    return DevelopmentModeResult(value=inferred, inferred=True)


def derive(profile: CaseProfile) -> Indices:
    """All derived indices of one profile; raises KnowledgeBaseError if a parameter is missing."""
    pt = pass_through(profile)
    independent = independent_third_party(profile, pt)
    status = legitimacy_status(profile, independent)
    dep = dependence_on_government(profile, pt, status)
    tp = dependence_on_third_party(profile, pt)
    cop, stage_label = coproduction(profile)
    return Indices(
        dependence=dep,
        third_party_dependence=tp,
        asymmetry=asymmetry(profile, dep, pt, status),
        coproduction=cop,
        coproduction_stage_label=stage_label,
        development_mode=development_mode(profile),
        third_party_dependence_mean=weighted_mean(tp),
        pass_through=pt,
        independent_third_party=independent,
    )
