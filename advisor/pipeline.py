"""The assessment pipeline: one case profile in, one prioritised, explained assessment out.

``assess(profile)`` follows the flow of ``docs/ARCHITECTURE.md``: the profile is already a
validated ``CaseProfile`` (``advisor.io``); it derives the indices (``advisor.indices``), builds
the case fact and runs the rules on durable-rules (``rules.dsl``, ``rules.engine``), applies the
guard rules' overrules (``rules.dsl.conclude``), ranks the actions (``advisor.priority``) and
explains every conclusion (``advisor.explain``). ``assess_data`` starts from plain data and
raises ``ProfileError``. The speed layer (models built without re-validation, memoised
sentences) is ``advisor.fastpath``.

Deterministic: the same profile gives byte-identical ``model_dump_json()``. Lists are ordered by
stable keys (diagnoses by severity then id, actions by rank, the rest by id), never by the order
in which the engine fired.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from advisor.basis import annotate as annotate_basis
from advisor.errors import KnowledgeBaseError
from advisor.explain import Explainer
from advisor.fastpath import make
from advisor.indices import Indices, derive
from advisor.io import PRESET_DIR, PRESETS, preset, preset_basis, preset_doc, profile_from_data
from advisor.models import Assessment, AssessmentWarning, CaseProfile
from advisor.priority import ActionSpec, PriorityParams, load_params, rank
from knowledge_base.loader import KnowledgeBase, load_kb
from rules.dsl import Rule, case_fact, conclude, load_rules, severity_of
from rules.engine import ENGINE_VERSION, Engine, fingerprint, get_engine

# The presets moved to advisor.io; their old names stay importable from here.
_preset_doc = preset_doc
__all__ = [
    "PRESETS",
    "PRESET_DIR",
    "assess",
    "assess_data",
    "preset",
    "preset_basis",
]


@dataclass(frozen=True)
class _Static:
    """Everything an assessment needs that does not depend on the profile (built once)."""

    kb: KnowledgeBase
    rules: list[Rule]
    by_id: dict[str, Rule]
    engine_version: str
    engine: Engine
    specs: dict[str, ActionSpec]  # action id -> what the ranking needs
    priority: PriorityParams
    explain: Explainer


@lru_cache(maxsize=1)
def _static() -> _Static:
    kb = load_kb()
    rules = load_rules()
    return _Static(
        kb=kb,
        rules=rules,
        by_id={r.id: r for r in rules},
        engine_version=f"{ENGINE_VERSION}; rules {fingerprint(rules)[:12]}",
        engine=get_engine(rules),
        specs={
            i.id: ActionSpec(id=i.id, phase=i.phase or 3, addresses=tuple(i.addresses))
            for i in kb.by_kind("action")
        },
        priority=load_params(),
        explain=Explainer(kb, rules),
    )


def assess(profile: CaseProfile) -> Assessment:
    """Assess one profile. Raises EngineError if the rules engine fails, KnowledgeBaseError if
    the knowledge base or the rule definitions are unsound."""
    st = _static()
    # indices, the case fact, the rules (diagnoses, then actions), the guards' overrules
    ix = derive(profile)
    fact = case_fact(profile, ix)
    fired = st.engine.run(fact).fired
    concl = conclude(set(fired), st.rules)
    severities = {
        d: max(severity_of(st.by_id[r], fact) for r in rids) for d, rids in concl.diagnoses.items()
    }
    # priority
    ranked = rank(
        [_spec(st, a) for a in concl.actions],
        severities,
        st.priority,
        cast("int | None", fact.get("third_party.capacity")),
    )
    # explanations: reasons, trace and passages; why not; warnings
    ex = st.explain
    assessment = make(
        Assessment,
        schema_version=1,
        profile_id=profile.id,
        profile_name=profile.name,
        engine_version=st.engine_version,
        knowledge_base_version=st.kb.version,
        development_mode=ix.development_mode,
        dependence=ix.dependence,
        third_party_dependence=ix.third_party_dependence,
        asymmetry=ix.asymmetry,
        coproduction=ix.coproduction,
        diagnoses=ex.diagnoses(concl.diagnoses, severities, fact, fired),
        actions=ex.actions(ranked, concl.actions, fired),
        not_recommended=ex.not_recommended(
            concl.actions, fact, set(concl.diagnoses), concl.overruled
        ),
        warnings=ex.warnings(profile, ix, [d for d in concl.diagnoses if d not in st.kb.items]),
        basis={},
    )
    # which inputs of each conclusion are assumptions (only when the profile carries a basis)
    return annotate_basis(assessment, profile)


def _spec(st: _Static, action: str) -> ActionSpec:
    item = st.kb.items.get(action)
    if item is None or item.phase is None:
        raise KnowledgeBaseError(
            f"the rules conclude action {action!r}, which the knowledge base lacks"
        )
    return st.specs[action]


def _warnings(profile: CaseProfile, ix: Indices, missing: list[str]) -> list[AssessmentWarning]:
    """The assessment's warnings (``advisor.office.lean`` builds compact records with them)."""
    return _static().explain.warnings(profile, ix, missing)


def assess_data(data: Any, source: str | None = None) -> Assessment:
    """Validate plain data as a profile and assess it. Raises ProfileError listing every problem."""
    return assess(profile_from_data(data, source))
