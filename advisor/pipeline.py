"""The assessment pipeline: one case profile in, one prioritised, explained assessment out.

``assess(profile)`` validates nothing more (the profile is already a ``CaseProfile``); it derives
the indices (``advisor.indices``), builds the case fact (``rules.dsl.case_fact``), runs the rules
on durable-rules (``rules.engine``), applies the guard rules' overrules (``rules.dsl.conclude``),
ranks the actions (``advisor.priority``) and attaches explanations and the paper's passages
(``advisor.explain``). ``assess_data`` starts from plain data and raises ``ProfileError``.

Deterministic: the same profile gives byte-identical ``model_dump_json()``. Lists are ordered by
stable keys (diagnoses by severity then id, actions by rank, the rest by id), never by the order
in which the engine fired.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from advisor.errors import FieldProblem, KnowledgeBaseError, ProfileError
from advisor.explain import (
    because,
    diagnosis_label,
    sources_of,
    trace_step,
    why_not,
)
from advisor.indices import Indices, derive
from advisor.io import profile_from_data
from advisor.models import (
    Action,
    Assessment,
    AssessmentWarning,
    BiText,
    CaseProfile,
    Diagnosis,
    NotRecommended,
    PriorityFactor,
)
from advisor.priority import ActionSpec, load_params, rank
from knowledge_base.loader import KnowledgeBase, load_kb
from rules.dsl import Rule, case_fact, conclude, load_rules, severity_of
from rules.engine import ENGINE_VERSION, fingerprint, run_rules

PRESET_DIR = Path(__file__).resolve().parent.parent / "knowledge_base" / "presets"
#: The paper's two cases (section 4.2) as profiles: name -> file.
PRESETS: dict[str, Path] = {
    "case-h": PRESET_DIR / "case_h.yaml",
    "case-y": PRESET_DIR / "case_y.yaml",
}


@dataclass(frozen=True)
class _Static:
    """Everything an assessment needs that does not depend on the profile (built once)."""

    kb: KnowledgeBase
    rules: list[Rule]
    by_id: dict[str, Rule]
    rules_by_action: dict[str, list[Rule]]
    rule_names: dict[str, BiText]
    action_ids: list[str]
    engine_version: str


@lru_cache(maxsize=1)
def _static() -> _Static:
    kb = load_kb()
    rules = load_rules()
    by_action: dict[str, list[Rule]] = {}
    for r in rules:
        if r.kind != "diagnosis" and r.concludes:
            by_action.setdefault(r.concludes, []).append(r)
    action_ids = sorted(i.id for i in kb.by_kind("action"))
    return _Static(
        kb=kb,
        rules=rules,
        by_id={r.id: r for r in rules},
        rules_by_action=by_action,
        rule_names={r.id: BiText(zh=r.name.zh, en=r.name.en) for r in rules},
        action_ids=action_ids,
        engine_version=f"{ENGINE_VERSION}; rules {fingerprint(rules)[:12]}",
    )


def _warnings(profile: CaseProfile, ix: Indices, missing: list[str]) -> list[AssessmentWarning]:
    out: list[AssessmentWarning] = []
    if ix.development_mode.inferred:
        out.append(
            AssessmentWarning(
                code="development_mode_inferred",
                message=BiText(
                    zh=f"档案未填写发展模式，按培育者类型推断为 {ix.development_mode.value}。",
                    en=f"The profile gives no development mode; inferred "
                    f"{ix.development_mode.value} from who cultivated the force.",
                ),
            )
        )
    if profile.third_party is None:
        tp_fields = []
        if profile.legitimacy.status == "via_social_org":
            tp_fields.append("legitimacy.status")
        if profile.funding.government_via_third_party > 0 or profile.funding.third_party_own > 0:
            tp_fields.append("funding")
        if profile.human_resources.recruited_by.third_party > 0:
            tp_fields.append("human_resources.recruited_by.third_party")
        if profile.knowledge.training_provider == "third_party":
            tp_fields.append("knowledge.training_provider")
        if profile.human_resources.leadership == "social_worker":
            tp_fields.append("human_resources.leadership")
        if tp_fields:
            out.append(
                AssessmentWarning(
                    code="third_party_missing",
                    message=BiText(
                        zh="档案没有第三方（third_party 为空），但以下字段提到第三方："
                        + "、".join(tp_fields)
                        + "。需要第三方的行动不会被提出。",
                        en="The profile has no third party (third_party is null) but these "
                        "fields mention one: "
                        + ", ".join(tp_fields)
                        + ". Actions that need a third party are not proposed.",
                    ),
                )
            )
    if missing:
        out.append(
            AssessmentWarning(
                code="knowledge_item_missing",
                message=BiText(
                    zh="知识库缺少以下条目，相关文字和出处不完整：" + "、".join(missing),
                    en="The knowledge base lacks these items, so some labels and sources are "
                    "incomplete: " + ", ".join(missing),
                ),
            )
        )
    return out


def assess(profile: CaseProfile) -> Assessment:
    """Assess one profile. Raises EngineError if the rules engine fails, KnowledgeBaseError if
    the knowledge base or the rule definitions are unsound."""
    st = _static()
    kb = st.kb
    ix = derive(profile)
    fact = case_fact(profile, ix)
    result = run_rules(fact, st.rules)
    fired = set(result.fired)
    concl = conclude(fired, st.rules)
    dx_set = set(concl.diagnoses)
    missing: list[str] = []

    # ---- diagnoses
    severities: dict[str, float] = {
        d: max(severity_of(st.by_id[r], fact) for r in rids) for d, rids in concl.diagnoses.items()
    }
    diagnoses: list[Diagnosis] = []
    for d in sorted(concl.diagnoses, key=lambda d: (-severities[d], d)):
        rids = concl.diagnoses[d]
        if d not in kb.items:
            missing.append(d)
        terse: list[str] = []
        texts: list[BiText] = []
        for rid in rids:
            t, x = because(kb, st.by_id[rid], fact, dx_set)
            terse.extend(s for s in t if s not in terse)
            texts.extend(s for s in x if s not in texts)
        rests = list(dict.fromkeys(i for rid in rids for i in st.by_id[rid].rests_on))
        diagnoses.append(
            Diagnosis(
                id=d,
                label=diagnosis_label(kb, d),
                severity=severities[d],
                because=terse,
                because_text=texts,
                rules=list(rids),
                sources=sources_of(kb, rests),
                trace=[trace_step(kb, st.by_id[rid], result.fired[rid]) for rid in rids],
            )
        )

    # ---- actions
    specs: list[ActionSpec] = []
    for a in concl.actions:
        item = kb.items.get(a)
        if item is None or item.phase is None:
            raise KnowledgeBaseError(
                f"the rules conclude action {a!r}, which the knowledge base lacks"
            )
        specs.append(ActionSpec(id=a, phase=item.phase, addresses=tuple(item.addresses)))
    ranked = rank(specs, severities, _priority_params())
    actions: list[Action] = []
    for rk in ranked:
        item = kb.items[rk.id]
        rids = concl.actions[rk.id]
        rests = list(dict.fromkeys(i for rid in rids for i in st.by_id[rid].rests_on))
        actions.append(
            Action(
                id=rk.id,
                rank=rk.rank,
                priority=rk.priority,
                actor=item.actor,  # type: ignore[arg-type]
                phase=item.phase,  # type: ignore[arg-type]
                stage=item.stage,  # type: ignore[arg-type]
                addresses=list(rk.addressed),
                dimensions=list(item.dimensions),
                label=BiText(zh=item.label.zh, en=item.label.en),
                rationale=_rationale(kb, item, rk.addressed, rids, st),
                priority_breakdown=[
                    PriorityFactor(
                        factor=f.factor, value=f.value, label=BiText(zh=f.label_zh, en=f.label_en)
                    )
                    for f in rk.breakdown
                ],
                rules=list(rids),
                sources=sources_of(kb, rests),
                provenance=item.provenance.kind,
                trace=[trace_step(kb, st.by_id[rid], result.fired[rid]) for rid in rids],
            )
        )

    # ---- why not
    not_recommended: list[NotRecommended] = []
    for a in st.action_ids:
        if a in concl.actions:
            continue
        item = kb.items[a]
        rs = st.rules_by_action.get(a, [])
        not_recommended.append(
            NotRecommended(
                id=a,
                label=BiText(zh=item.label.zh, en=item.label.en),
                actor=item.actor,  # type: ignore[arg-type]
                reason=why_not(kb, rs, fact, dx_set, concl.overruled, st.rule_names),
                rules=[r.id for r in rs],
            )
        )

    return Assessment(
        profile_id=profile.id,
        profile_name=profile.name,
        engine_version=st.engine_version,
        knowledge_base_version=kb.version,
        development_mode=ix.development_mode,
        dependence=ix.dependence,
        third_party_dependence=ix.third_party_dependence,
        asymmetry=ix.asymmetry,
        coproduction=ix.coproduction,
        diagnoses=diagnoses,
        actions=actions,
        not_recommended=not_recommended,
        warnings=_warnings(profile, ix, missing),
    )


@lru_cache(maxsize=1)
def _priority_params() -> Any:
    return load_params()


def _rationale(
    kb: KnowledgeBase, item: Any, addressed: tuple[str, ...], rids: list[str], st: _Static
) -> BiText:
    zh = [item.summary.zh]
    en = [item.summary.en]
    if addressed:
        labs = [diagnosis_label(kb, d) for d in addressed]
        zh.append("本案例中它针对：" + "、".join(lab.zh for lab in labs) + "。")
        en.append("In this case it addresses: " + ", ".join(lab.en for lab in labs) + ".")
    for rid in rids:
        r = st.by_id[rid]
        if r.kind == "guard":
            zh.append(f"护栏规则：{r.name.zh}")
            en.append(f"Guard rail: {r.name.en}")
    return BiText(zh="".join(zh), en=" ".join(en))


def assess_data(data: Any, source: str | None = None) -> Assessment:
    """Validate plain data as a profile and assess it. Raises ProfileError listing every problem."""
    return assess(profile_from_data(data, source))


@lru_cache(maxsize=8)
def _preset_doc(name: str) -> dict[str, Any]:
    path = PRESETS.get(name)
    if path is None:
        raise ProfileError(
            [FieldProblem("preset", f"unknown preset {name!r}; expected one of {sorted(PRESETS)}")]
        )
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or not isinstance(doc.get("profile"), dict):
        raise KnowledgeBaseError(f"{path.name}: expected a mapping with a 'profile'")
    return doc


def preset(name: str) -> CaseProfile:
    """The paper's case ``name`` (``case-h`` or ``case-y``) as a profile (a fresh copy)."""
    return profile_from_data(_preset_doc(name)["profile"], source=f"preset {name}")


def preset_basis(name: str) -> dict[str, Any]:
    """Per field of a preset, its basis: a fact of the paper (section, quote) or an assumption."""
    return dict(_preset_doc(name).get("basis") or {})
