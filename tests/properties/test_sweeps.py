"""Exhaustive sweeps of the paper's monotonicity properties over a seeded sample.

Hypothesis searches cleverly but draws a few hundred profiles; rare corners (no third party,
little training, one source of funds) can slip through. Here every profile of a seeded sample
(``ADVISOR_SWEEP_N``, default 2,000) gets every single-step move the properties talk about,
and both sides are evaluated with the plain-Python oracle (``rules/oracle.py``), which the
differential tests keep equal to the engine on every profile they try. Each property's docstring
cites its passage; ``test_paper_properties.py`` holds the same properties against the engine.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from advisor.indices import derive
from advisor.models import CaseProfile
from knowledge_base.loader import load_kb
from rules import oracle
from rules.lint import sample_profiles

N = int(os.environ.get("ADVISOR_SWEEP_N", "2000"))
SEED = 424242
DIMENSIONS = ("legitimacy", "funding", "human_resources", "knowledge")


@dataclass(frozen=True)
class Outcome:
    """What the properties look at, for one profile."""

    dependence: dict[str, float]
    tp_dependence: dict[str, float]
    force_on_government: float
    index: float
    diagnoses: frozenset[str]
    severities: dict[str, float]
    priorities: dict[str, float]
    ranks: dict[str, int]


def outcome(data: dict[str, Any]) -> Outcome:
    """Evaluate plain profile data with the oracle."""
    profile = CaseProfile.model_validate(data)
    ix = derive(profile)
    r = oracle.evaluate(profile)
    return Outcome(
        dependence={d: getattr(ix.dependence, d) for d in DIMENSIONS},
        tp_dependence={d: getattr(ix.third_party_dependence, d) for d in DIMENSIONS},
        force_on_government=ix.asymmetry.force_on_government,
        index=ix.asymmetry.index,
        diagnoses=frozenset(r.diagnoses),
        severities=dict(r.severities),
        priorities=dict(r.priorities),
        ranks=dict(r.actions),
    )


def param(pid: str) -> Any:
    """A knowledge-base parameter's value."""
    return load_kb().param(pid)


@lru_cache(maxsize=1)
def actions() -> dict[str, Any]:
    """The knowledge base's actions by id."""
    return {it.id: it for it in load_kb().by_kind("action")}


# --------------------------------------------------------------------------- moves


def government_moves(data: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(dimension, label, changed copy) for every way to raise government's share (the sweep
    then keeps the pure ones: the dimension's dependence on the third party must not rise)."""
    f = data["funding"]
    for src in ("third_party_own", "charity", "residents", "self_generated"):
        for dst in ("government_direct", "government_via_third_party"):
            if f[src] > 0:
                new = copy.deepcopy(data)
                new["funding"][dst] += new["funding"][src]
                new["funding"][src] = 0.0
                yield "funding", f"funding.{src} -> {dst}", new
    r = data["human_resources"]["recruited_by"]
    for src in ("third_party", "self"):
        if r[src] > 0:
            new = copy.deepcopy(data)
            rb = new["human_resources"]["recruited_by"]
            rb["government"] += rb[src]
            rb[src] = 0.0
            yield "human_resources", f"recruited_by.{src} -> government", new
    # by the standing the indices count (a centre the community founded itself counts as
    # via_own_centre: no standing 0.6 < via the own centre < via government), not the raw table
    for status in LEGITIMACY_STATUSES:
        new = copy.deepcopy(data)
        new["legitimacy"]["status"] = status
        if counted_legitimacy(new) > counted_legitimacy(data):
            yield "legitimacy", f"legitimacy.status -> {status}", new
    kn = param("dependence.knowledge")
    prov = kn["provider_on_government"]
    for p, v in prov.items():
        if v > prov[data["knowledge"]["training_provider"]]:
            new = copy.deepcopy(data)
            new["knowledge"]["training_provider"] = p
            yield "knowledge", f"training_provider -> {p}", new
    ss = kn["self_sufficiency_on_government"]
    for s, v in ss.items():
        if v > ss[str(data["knowledge"]["self_sufficiency"])]:
            new = copy.deepcopy(data)
            new["knowledge"]["self_sufficiency"] = int(s)
            yield "knowledge", f"self_sufficiency -> {s}", new


LEGITIMACY_STATUSES = ("none", "via_government", "via_social_org", "independent")


def counted_legitimacy(data: dict[str, Any]) -> float:
    """The force's legitimacy dependence on government as the indices count it."""
    from advisor.indices import dependence_on_government
    from advisor.models import CaseProfile

    return dependence_on_government(CaseProfile.model_validate(data)).legitimacy


def raise_field(data: dict[str, Any], path: str, top: int) -> dict[str, Any] | None:
    """A copy with the integer at ``path`` one higher, or None at the top of its scale."""
    group, key = path.split(".")
    if data[group][key] >= top:
        return None
    new = copy.deepcopy(data)
    new[group][key] += 1
    return new


ON_GOVERNMENT = {
    "asymmetric_dependence",
    "sole_dependence",
    "hermit_crab",
    "administrative_assistant",
}
PARTICIPATION = {
    "management.decision_participation": 3,
    "coproduction.planning": 4,
    "coproduction.design": 4,
    "coproduction.delivery": 4,
    "coproduction.evaluation": 4,
}


# --------------------------------------------------------------------------- the sweep


@lru_cache(maxsize=1)
def violations() -> dict[str, list[dict[str, Any]]]:
    """Every property violation over the sample, by property name."""
    found: dict[str, list[dict[str, Any]]] = {
        k: []
        for k in (
            "government_share",
            "third_party_added",
            "participation",
            "weaker_third_party",
            "control",
            "reliance",
            "awareness",
            "severity",
        )
    }

    def flag(prop: str, data: dict[str, Any], move: str, detail: Any) -> None:
        found[prop].append({"move": move, "detail": detail, "profile": data})

    for p in sample_profiles(N, seed=SEED):
        data = p.model_dump(mode="json")
        base = outcome(data)
        for dim, label, new in government_moves(data):
            o = outcome(new)
            if o.tp_dependence[dim] > base.tp_dependence[dim]:
                continue  # not government's share alone: the third party's rose too
            if o.dependence[dim] < base.dependence[dim]:
                flag("government_share", data, label, f"dependence.{dim} fell")
            for d in ON_GOVERNMENT & base.diagnoses:
                if o.severities.get(d, -1.0) < base.severities[d]:
                    flag("severity", data, label, f"{d}: {base.severities[d]} -> "
                         f"{o.severities.get(d, 'gone')}")  # fmt: skip
            div = {a for a, it in actions().items() if it.phase == 1 and dim in it.dimensions}
            for a in div & set(base.priorities):
                if o.priorities.get(a, -1.0) < base.priorities[a]:
                    flag(
                        "government_share",
                        data,
                        label,
                        f"{a}: {base.priorities[a]} -> {o.priorities.get(a, 'dropped')}",
                    )
        if data["third_party"] is None:
            for cap in (3, 4):
                for role in ("facilitator", "incubator"):
                    new = copy.deepcopy(data)
                    new["third_party"] = {
                        "kind": "social_work_agency",
                        "capacity": cap,
                        "role": role,
                        "autonomy": 2,
                    }
                    o = outcome(new)
                    worse = [d for d in DIMENSIONS if o.dependence[d] > base.dependence[d]]
                    added = o.diagnoses - base.diagnoses
                    bad = added & {"asymmetric_dependence", "sole_dependence", "hermit_crab"}
                    if worse or o.index > base.index or bad:
                        flag("third_party_added", data, f"{role} {cap}", [worse, sorted(bad)])
        for path, top in PARTICIPATION.items():
            new = raise_field(data, path, top)
            if new is None:
                continue
            added = outcome(new).diagnoses - base.diagnoses
            bad = added & {"coproduction_deficit", "volunteers_as_tools"}
            if path != "coproduction.delivery":
                bad |= added & {"surface_autonomy"}
            if bad:
                flag("participation", data, f"{path} +1", sorted(bad))
        tp = data["third_party"]
        if tp is not None and tp["capacity"] > 0:
            weak = copy.deepcopy(data)
            weak["third_party"]["capacity"] -= 1
            w = outcome(weak)
            common = set(w.priorities) & set(base.priorities)
            for a in common:
                if actions()[a].actor != "third_party" or a == "tp_build_own_capacity":
                    continue
                # "ranked higher": it overtakes an action that was above it. A rank number that
                # falls only because the guard dropped actions above it is not a promotion.
                overtaken = {
                    b for b in common if base.ranks[b] < base.ranks[a] and w.ranks[b] > w.ranks[a]
                }
                if w.priorities[a] > base.priorities[a] or overtaken:
                    flag(
                        "weaker_third_party",
                        data,
                        "capacity -1",
                        f"{a}: priority {base.priorities[a]} -> {w.priorities[a]}, "
                        f"rank {base.ranks[a]} -> {w.ranks[a]}",
                    )
        new = raise_field(data, "government.control", 4)
        if new is not None:
            o = outcome(new)
            lost = base.diagnoses - o.diagnoses
            if o.index < base.index or lost & {"excessive_control", "administrative_assistant"}:
                flag("control", data, "control +1", sorted(lost))
            for d in {"excessive_control", "administrative_assistant"} & base.diagnoses:
                if o.severities.get(d, -1.0) < base.severities[d]:
                    flag("severity", data, "control +1", f"{d} severity fell")
        new = raise_field(data, "government.reliance_on_force", 4)
        if new is not None:
            o = outcome(new)
            if o.index > base.index or "asymmetric_dependence" in o.diagnoses - base.diagnoses:
                flag("reliance", data, "reliance_on_force +1", o.index - base.index)
        new = raise_field(data, "human_resources.resident_awareness", 4)
        if new is not None and "low_resident_awareness" in outcome(new).diagnoses - base.diagnoses:
            flag("awareness", data, "resident_awareness +1", "low_resident_awareness added")
    return found


def report(prop: str) -> str:
    """How many violations, the moves involved, and the first counterexample."""
    v = violations()[prop]
    moves = sorted({x["move"] for x in v})
    return (
        f"{len(v)} violations over {N} profiles; moves: {moves}\nfirst: "
        + json.dumps(v[0], ensure_ascii=False)
        if v
        else "none"
    )


def test_sweep_more_government_share() -> None:
    """Raising government's share of a dimension never lowers its dependence score nor the
    priority of an action that diversifies it (phase 1 on that dimension).

    3.1: “组织可以通过对依赖关系的了解来寻求替代性资源，避免“唯一性依赖”” (an organisation can
    seek alternative resources and avoid 'sole dependence').
    """
    assert not violations()["government_share"], report("government_share")


def test_sweep_capable_facilitating_third_party() -> None:
    """Adding a third party of capacity 3-4 as facilitator or incubator never raises dependence
    on government, the asymmetry index, or a diagnosis of dependence on government.

    6: “志愿服务团体可以充分利用政府和社工机构两股力量提供的资源实现分散，转移对政府的“唯一性
    依赖”” (using the resources of both government and social-work agencies to shift the 'sole
    dependence' on government).
    """
    assert not violations()["third_party_added"], report("third_party_added")


def test_sweep_more_participation() -> None:
    """Raising decision participation or a co-production stage never adds coproduction_deficit or
    volunteers_as_tools (nor surface_autonomy, except by raising co-delivery alone).

    6: “志愿者不是执行志愿活动的工具” (volunteers are not tools for carrying out activities).
    """
    assert not violations()["participation"], report("participation")


def test_sweep_weaker_third_party() -> None:
    """A third party one capacity level weaker never gets a third-party action (other than
    capacity-building) a higher priority, nor ranked above an action that was above it.

    Ranks are compared among the actions recommended in both outputs: at lower capacity the
    paper's guard rail drops the "more responsibility" actions, which shortens the list, so a
    rank number may fall without the action being promoted over anything.

    6: “社工机构在培育志愿服务力量时呈现出的优势就越弱，那么此时社工机构等社会组织介入政府培育
    志愿服务力量时的作用就越低” (the weaker the agency's advantage, the less its intervention does).
    """
    assert not violations()["weaker_third_party"], report("weaker_third_party")


def test_sweep_more_control() -> None:
    """More government control never lowers the asymmetry index nor removes excessive control or
    administrative assistant.

    6: “避免“控制干预”和职能的“越位”” (avoid 'control and intervention' and 'overstepping').
    """
    assert not violations()["control"], report("control")


def test_sweep_more_reliance_by_government() -> None:
    """More reliance of government on the force never raises the asymmetry index nor adds
    asymmetric dependence.

    3.1: “很多时候依赖关系都是双向的，只是这种依赖关系是非对称的” (dependence is often two-way,
    only asymmetric).
    """
    assert not violations()["reliance"], report("reliance")


def test_sweep_more_resident_awareness() -> None:
    """More resident awareness never adds low resident awareness.

    6: “要加强志愿服务的宣传以及对公民志愿服务意识的培养” (strengthen publicity and cultivate
    citizens' volunteering awareness).
    """
    assert not violations()["awareness"], report("awareness")


def test_sweep_severity_follows_the_cause() -> None:
    """Raising government's share never lowers (or removes) the severity of a diagnosis of
    dependence on government (asymmetric, sole, hermit crab, administrative assistant); more
    control never lowers the severity of excessive control or administrative assistant.

    5.1: “这类志愿组织几乎是从政府获取所有资源，这就使得开展活动也全部围绕基层政府的需求，逐渐沦为
    成为基层公共事务的“行政助手”” (such organisations get almost all resources from government, so
    their activities revolve around its needs and they become 'administrative assistants').
    """
    assert not violations()["severity"], report("severity")
