"""Shared helpers of the property tests: running the pipeline, the knowledge base's actions,
the single-step moves the monotonicity properties make, and the paper's text for the verbatim
check."""

from __future__ import annotations

import copy
import re
from functools import lru_cache
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st
from strategies import profile_dicts

from advisor.models import Assessment, CaseProfile
from advisor.pipeline import assess
from knowledge_base.loader import load_kb

NON_GOV_FUNDING = ("third_party_own", "charity", "residents", "self_generated")


GOV_FUNDING = ("government_direct", "government_via_third_party")


DIMENSIONS = ("legitimacy", "funding", "human_resources", "knowledge")


def run(data: dict[str, Any]) -> Assessment:
    """Validate plain profile data and assess it with the real pipeline (the engine)."""
    return assess(CaseProfile.model_validate(data))


def action_ids(a: Assessment) -> set[str]:
    """The ids of the recommended actions."""
    return {x.id for x in a.actions}


def diagnosis_ids(a: Assessment) -> set[str]:
    """The ids of the diagnoses."""
    return {x.id for x in a.diagnoses}


def priorities(a: Assessment) -> dict[str, float]:
    """Action id -> priority."""
    return {x.id: x.priority for x in a.actions}


def ranks(a: Assessment) -> dict[str, int]:
    """Action id -> rank."""
    return {x.id: x.rank for x in a.actions}


@lru_cache(maxsize=1)
def kb_actions() -> dict[str, Any]:
    """The action items of the knowledge base, by id."""
    return {it.id: it for it in load_kb().by_kind("action")}


def diversifying(dimension: str) -> set[str]:
    """Actions the knowledge base files under phase 1 (diversify dependence) for a dimension."""
    return {i for i, it in kb_actions().items() if it.phase == 1 and dimension in it.dimensions}


def param(pid: str) -> Any:
    """A knowledge-base parameter's value."""
    return load_kb().param(pid)


@st.composite
def more_government(draw: st.DrawFn, dimension: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A profile and a copy in which government's share of one dimension's resources is higher.

    funding: part of a non-government source moves to a government source; human resources:
    part of the non-government recruitment moves to government; legitimacy and knowledge: the
    field changes to a value the knowledge base maps to a higher dependence on government.
    Only pure moves count: the dimension's dependence on the third party must not rise with it
    (training from nobody -> "mixed", for instance, adds third-party know-how as well, so it is
    not a rise of government's share alone).
    """
    before = draw(profile_dicts())
    after = copy.deepcopy(before)
    if dimension == "funding":
        f = after["funding"]
        sources = [k for k in NON_GOV_FUNDING if f[k] > 0]
        assume(sources)
        src = draw(st.sampled_from(sources))
        dst = draw(st.sampled_from(GOV_FUNDING))
        moved = f[src] * draw(st.sampled_from([0.25, 0.5, 1.0]))
        f[src] -= moved
        f[dst] += moved
    elif dimension == "human_resources":
        r = after["human_resources"]["recruited_by"]
        sources = [k for k in ("third_party", "self") if r[k] > 0]
        assume(sources)
        src = draw(st.sampled_from(sources))
        moved = r[src] * draw(st.sampled_from([0.25, 0.5, 1.0]))
        r[src] -= moved
        r["government"] += moved
    elif dimension == "legitimacy":
        # by the standing the indices count (via_own_centre for a centre the community or
        # government founded itself), not by the raw table
        from advisor.indices import dependence_on_government
        from advisor.models import CaseProfile

        def counted(d: dict[str, Any], status: str) -> float:
            c = copy.deepcopy(d)
            c["legitimacy"]["status"] = status
            return dependence_on_government(CaseProfile.model_validate(c)).legitimacy

        old = counted(after, after["legitimacy"]["status"])
        statuses = ("none", "via_government", "via_social_org", "independent")
        higher = [s for s in statuses if counted(after, s) > old]
        assume(higher)
        after["legitimacy"]["status"] = draw(st.sampled_from(sorted(higher)))
    else:
        kn = param("dependence.knowledge")
        k = after["knowledge"]
        if draw(st.booleans()):
            table = kn["provider_on_government"]
            higher = [s for s, v in table.items() if v > table[k["training_provider"]]]
            assume(higher)
            k["training_provider"] = draw(st.sampled_from(sorted(higher)))
        else:
            table = kn["self_sufficiency_on_government"]
            cur = table[str(k["self_sufficiency"])]
            higher = [int(s) for s, v in table.items() if v > cur]
            assume(higher)
            k["self_sufficiency"] = draw(st.sampled_from(sorted(higher)))
    assume(is_pure_government_move(before, after, dimension))
    return before, after


def is_pure_government_move(before: dict[str, Any], after: dict[str, Any], dimension: str) -> bool:
    """Whether ``after`` has more dependence on government in ``dimension`` than ``before`` and
    no more dependence on the third party there."""
    from advisor.indices import dependence_on_government, dependence_on_third_party

    b, a = CaseProfile.model_validate(before), CaseProfile.model_validate(after)
    gov_up = getattr(dependence_on_government(a), dimension) > getattr(
        dependence_on_government(b), dimension
    )
    tp_same = getattr(dependence_on_third_party(a), dimension) <= getattr(
        dependence_on_third_party(b), dimension
    )
    return gov_up and tp_same


@st.composite
def more_participation(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], str]:
    """A profile and a copy with decision participation or one co-production stage raised."""
    before = draw(profile_dicts())
    after = copy.deepcopy(before)
    field = draw(
        st.sampled_from(
            ["management.decision_participation"]
            + [f"coproduction.{s}" for s in ("planning", "design", "delivery", "evaluation")]
        )
    )
    group, key = field.split(".")
    top = 3 if key == "decision_participation" else 4
    assume(after[group][key] < top)
    after[group][key] = draw(st.integers(after[group][key] + 1, top))
    return before, after, field


def _nows(text: str) -> str:
    return "".join(text.split())


FURNITURE = re.compile(
    r"^(https?://doi\.org/10\.12677/ass\.2024\.131018|高雅|"
    r"DOI:\s*10\.12677/ass\.2024\.131018\s+\d+\s+社会科学前沿)$"
)


@lru_cache(maxsize=1)
def paper_nows() -> str:
    """The paper's text without page furniture and with all whitespace removed."""
    from knowledge_base.loader import paper_text

    lines = [ln for ln in paper_text().splitlines() if not FURNITURE.match(ln.strip())]
    return _nows("\n".join(lines))


@lru_cache(maxsize=1)
def rules_by_id() -> dict[str, Any]:
    """The rule definitions by id."""
    from rules.dsl import load_rules

    return {r.id: r for r in load_rules()}


@lru_cache(maxsize=1)
def conflicts() -> set[frozenset[str]]:
    """Every pair of actions the knowledge base declares as conflicting (either direction)."""
    return {frozenset((i, o)) for i, it in kb_actions().items() for o in it.conflicts_with}


WITHDRAWAL_WORDS = ("withdraw", "exit", "pull out", "退出", "撤出", "撤离", "脱离")


DIVERSIFY_SOLE = {"vol_diversify_sources", "tp_mobilise_stakeholders", "gov_bring_in_third_party"}
