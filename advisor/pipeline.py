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

import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from advisor.basis import annotate as annotate_basis
from advisor.basis import from_preset
from advisor.errors import FieldProblem, KnowledgeBaseError, ProfileError
from advisor.explain import (
    because,
    diagnosis_label,
    merge_sources,
    sources_of,
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
    SourceRef,
    TraceStep,
)
from advisor.priority import ActionSpec, PriorityParams, load_params, rank
from knowledge_base.fields import enum_label
from knowledge_base.loader import KnowledgeBase, load_kb
from rules.dsl import (
    Rule,
    case_fact,
    conclude,
    condition_keys,
    diagnoses_of,
    load_rules,
    severity_of,
)
from rules.engine import ENGINE_VERSION, Engine, fingerprint, get_engine

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
    engine: Engine
    labels: dict[str, BiText]  # item id -> label (diagnoses and actions)
    specs: dict[str, ActionSpec]  # action id -> what the ranking needs
    reads: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]  # rule -> (fact keys, diagnoses)
    priority: PriorityParams
    rule_sources: dict[str, tuple[SourceRef, ...]]

    def sources_of_rules(self, rids: tuple[str, ...]) -> tuple[SourceRef, ...]:
        """The passages the rules rest on, without duplicates, in order."""
        if len(rids) == 1:
            return self.rule_sources[rids[0]]
        hit = _merged_sources.get(rids)
        if hit is None:
            hit = tuple(merge_sources([s for rid in rids for s in self.rule_sources[rid]]))
            _merged_sources[rids] = hit  # rule ids only: bounded by the rule set
        return hit


#: rule ids -> their merged sources (static: depends on the knowledge base only)
_merged_sources: dict[tuple[str, ...], tuple[SourceRef, ...]] = {}

_setattr = object.__setattr__


def _make(cls: type[Any], **values: Any) -> Any:
    """``cls.model_construct(**values)`` for internal, already valid data giving every field.

    The same instance model_construct builds (``__dict__`` = the values, every field set, no
    extra, no private attributes), without its per-field alias and default lookups. Falls back
    to model_construct when a field is missing (the defaults are its job).
    """
    if len(values) != len(cls.__pydantic_fields__):
        return cls.model_construct(**values)
    m = cls.__new__(cls)
    _setattr(m, "__dict__", values)
    _setattr(m, "__pydantic_fields_set__", set(values))
    _setattr(m, "__pydantic_extra__", None)
    _setattr(m, "__pydantic_private__", None)
    return m


@lru_cache(maxsize=1)
def _static() -> _Static:
    kb = load_kb()
    rules = load_rules()
    by_action: dict[str, list[Rule]] = {}
    for r in rules:
        if r.kind != "diagnosis" and r.concludes:
            by_action.setdefault(r.concludes, []).append(r)
    action_items = kb.by_kind("action")
    action_ids = sorted(i.id for i in action_items)
    labels = {
        i.id: BiText.model_construct(zh=i.label.zh, en=i.label.en)
        for i in kb.items.values()
        if i.kind in ("diagnosis", "action")
    }
    specs = {
        i.id: ActionSpec(id=i.id, phase=i.phase or 3, addresses=tuple(i.addresses))
        for i in action_items
    }
    return _Static(
        kb=kb,
        rules=rules,
        by_id={r.id: r for r in rules},
        rules_by_action=by_action,
        rule_names={r.id: BiText(zh=r.name.zh, en=r.name.en) for r in rules},
        action_ids=action_ids,
        engine_version=f"{ENGINE_VERSION}; rules {fingerprint(rules)[:12]}",
        engine=get_engine(rules),
        labels=labels,
        specs=specs,
        reads={r.id: (tuple(condition_keys(r)), tuple(diagnoses_of(r))) for r in rules},
        priority=load_params(),
        rule_sources={r.id: tuple(sources_of(kb, r.rests_on)) for r in rules},
    )


def _warnings(profile: CaseProfile, ix: Indices, missing: list[str]) -> list[AssessmentWarning]:
    out: list[AssessmentWarning] = []
    if ix.development_mode.inferred:
        out.append(
            AssessmentWarning(
                code="development_mode_inferred",
                message=BiText(
                    zh="档案未填写发展模式，本工具按培育者类型推断为“"
                    + enum_label("development_mode", ix.development_mode.value, "zh")
                    + "”。",
                    en="The profile gives no development mode; this tool inferred “"
                    + enum_label("development_mode", ix.development_mode.value, "en")
                    + "” from who cultivated the force.",
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


class _Memo:
    """Per-process caches of explanation parts, keyed by everything they depend on.

    Profiles repeat the same few values, so the sentences for (rule, the values it read) and
    the "why not" of (action, the values and diagnoses its rules read) are built once. The cached
    leaf models they share between assessments (BiText, SourceRef, PriorityFactor) are frozen,
    and every list, dict and other model of an Assessment is its own, so a caller that changes
    one assessment can never change another.
    """

    LIMIT = 4_096

    def __init__(self) -> None:
        self.because: dict[tuple[Any, ...], tuple[list[str], list[BiText]]] = {}
        self.why_not: dict[tuple[Any, ...], NotRecommended] = {}
        self.rationale: dict[tuple[Any, ...], BiText] = {}
        self.breakdown: dict[tuple[Any, ...], list[PriorityFactor]] = {}
        self.lock = threading.Lock()

    def get(self, table: dict[tuple[Any, ...], Any], key: tuple[Any, ...], make: Any) -> Any:
        hit = table.get(key)
        if hit is None:
            hit = make()
            with self.lock:
                if len(table) >= self.LIMIT:
                    table.clear()
                table[key] = hit
        return hit


_memo = _Memo()


def _key_values(fact: dict[str, Any], keys: tuple[str, ...]) -> tuple[Any, ...]:
    # the values and their types, so that 1, 1.0 and True stay distinct keys
    values = tuple(map(fact.get, keys))
    return (values, tuple(map(type, values)))


def assess(profile: CaseProfile) -> Assessment:
    """Assess one profile. Raises EngineError if the rules engine fails, KnowledgeBaseError if
    the knowledge base or the rule definitions are unsound."""
    st = _static()
    kb = st.kb
    ix = derive(profile)
    fact = case_fact(profile, ix)
    result = st.engine.run(fact)
    concl = conclude(set(result.fired), st.rules)
    dx_set = set(concl.diagnoses)
    missing = [d for d in concl.diagnoses if d not in kb.items]

    # ---- diagnoses
    severities: dict[str, float] = {
        d: max(severity_of(st.by_id[r], fact) for r in rids) for d, rids in concl.diagnoses.items()
    }
    diagnoses: list[Diagnosis] = []
    for d in sorted(concl.diagnoses, key=lambda d: (-severities[d], d)):
        rids = concl.diagnoses[d]
        terse: list[str] = []
        texts: list[BiText] = []
        seen: set[tuple[str, str]] = set()  # BiText equality is its two texts
        for rid in rids:
            t, x = _because(st, rid, fact, dx_set)
            terse.extend(s for s in t if s not in terse)
            for s in x:
                if (s.zh, s.en) not in seen:
                    seen.add((s.zh, s.en))
                    texts.append(s)
        diagnoses.append(
            _make(
                Diagnosis,
                id=d,
                label=st.labels.get(d) or BiText(zh=d, en=d),
                severity=severities[d],
                because=terse,
                because_text=texts,
                rules=list(rids),
                sources=list(st.sources_of_rules(tuple(rids))),
                trace=[_trace(st, rid, result.fired[rid]) for rid in rids],
                assumed_inputs=[],
                only_assumed_inputs=False,
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
        specs.append(st.specs[a])
    ranked = rank(specs, severities, st.priority, fact.get("third_party.capacity"))
    actions: list[Action] = []
    for rk in ranked:
        item = kb.items[rk.id]
        rids = concl.actions[rk.id]
        actions.append(
            _make(
                Action,
                id=rk.id,
                rank=rk.rank,
                priority=rk.priority,
                actor=item.actor,
                phase=item.phase,
                stage=item.stage,
                addresses=list(rk.addressed),
                dimensions=list(item.dimensions),
                label=st.labels[rk.id],
                rationale=_memo.get(
                    _memo.rationale,
                    (rk.id, rk.addressed, tuple(rids)),
                    lambda rk=rk, rids=rids: _rationale(st, rk.id, rk.addressed, rids),
                ),
                priority_breakdown=list(
                    _memo.get(
                        _memo.breakdown,
                        (rk.id, rk.breakdown),
                        lambda rk=rk: [
                            _make(
                                PriorityFactor,
                                factor=f.factor,
                                value=f.value,
                                label=_make(BiText, zh=f.label_zh, en=f.label_en),
                            )
                            for f in rk.breakdown
                        ],
                    )
                ),
                rules=list(rids),
                sources=list(st.sources_of_rules(tuple(rids))),
                provenance=item.provenance.kind,
                trace=[_trace(st, rid, result.fired[rid]) for rid in rids],
                assumed_inputs=[],
                only_assumed_inputs=False,
            )
        )

    # ---- why not
    not_recommended: list[NotRecommended] = []
    for a in st.action_ids:
        if a in concl.actions:
            continue
        nr = _why_not(st, a, fact, dx_set, concl.overruled)  # cached: give this call its own
        not_recommended.append(
            _make(
                NotRecommended,
                id=nr.id,
                label=nr.label,
                actor=nr.actor,
                reason=nr.reason,
                rules=list(nr.rules),
            )
        )

    assessment = _make(
        Assessment,
        schema_version=1,
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
        basis={},
    )
    # which inputs of each conclusion are assumptions (only when the profile carries a basis)
    return annotate_basis(assessment, profile)


def _because(
    st: _Static, rid: str, fact: dict[str, Any], dx_set: set[str]
) -> tuple[list[str], list[BiText]]:
    keys, dxs = st.reads[rid]
    key = (rid, _key_values(fact, keys), tuple(d for d in dxs if d in dx_set))
    return _memo.get(_memo.because, key, lambda: because(st.kb, st.by_id[rid], fact, dx_set))


def _trace(st: _Static, rid: str, matched: dict[str, Any]) -> TraceStep:
    # built each time: the matched values vary (continuous indices), so a memo keyed on them
    # cost more to key than the step costs to build. ``matched`` is the engine result's own
    # dict (fresh per run, used once); the sources are shared frozen leaves in a list of its own
    return _make(TraceStep, rule=rid, matched=matched, sources=list(_rule_source_list(st, rid)))


_source_lists: dict[str, list[SourceRef]] = {}


def _rule_source_list(st: _Static, rid: str) -> list[SourceRef]:
    """The rule's sources as a list, built once per rule (treat it as read-only)."""
    hit = _source_lists.get(rid)
    if hit is None:
        hit = _source_lists[rid] = list(st.rule_sources[rid])
    return hit


_reads_of_action: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _action_reads(st: _Static, a: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The fact keys and diagnoses the rules concluding action ``a`` read (static)."""
    hit = _reads_of_action.get(a)
    if hit is None:
        rs = st.rules_by_action.get(a, [])
        hit = (
            tuple(k for r in rs for k in st.reads[r.id][0]),
            tuple(d for r in rs for d in st.reads[r.id][1]),
        )
        _reads_of_action[a] = hit
    return hit


def _why_not(
    st: _Static, a: str, fact: dict[str, Any], dx_set: set[str], overruled: dict[str, list[str]]
) -> NotRecommended:
    rs = st.rules_by_action.get(a, [])
    keys, all_dxs = _action_reads(st, a)
    dxs = tuple(d for d in all_dxs if d in dx_set)
    over = (
        tuple((r.id, tuple(overruled[r.id])) for r in rs if r.id in overruled) if overruled else ()
    )
    key = (a, _key_values(fact, keys), dxs, over)

    def make() -> NotRecommended:
        item = st.kb.items[a]
        return _make(
            NotRecommended,
            id=a,
            label=st.labels[a],
            actor=item.actor,
            reason=why_not(st.kb, rs, fact, dx_set, overruled, st.rule_names),
            rules=[r.id for r in rs],
        )

    return _memo.get(_memo.why_not, key, make)


def _links_ours(kb: Any, action: str, addressed: tuple[str, ...], provenance: str) -> list[str]:
    """The addressed diagnoses whose link to this action is ours (parameter
    ``attribution.addresses_ours``); for an action that is itself ours (not the paper's), its
    provenance already says so and nothing is listed."""
    if provenance != "paper" or "attribution.addresses_ours" not in kb.items:
        return []
    ours = set((kb.param("attribution.addresses_ours") or {}).get(action) or ())
    return [d for d in addressed if d in ours]


def _rationale(st: _Static, action: str, addressed: tuple[str, ...], rids: list[str]) -> BiText:
    item = st.kb.items[action]
    zh = [item.summary.zh]
    en = [item.summary.en]
    if addressed:
        labs = [diagnosis_label(st.kb, d) for d in addressed]
        zh.append("本案例中它针对：" + "、".join(lab.zh for lab in labs) + "。")
        en.append("In this case it addresses: " + ", ".join(lab.en for lab in labs) + ".")
        ours = _links_ours(st.kb, action, addressed, item.provenance.kind)
        if ours:
            olabs = [diagnosis_label(st.kb, d) for d in ours]
            zh.append(
                "其中与"
                + "、".join(lab.zh for lab in olabs)
                + "的关联是本工具的推论，论文没有这样说。"
            )
            en.append(
                "Its link to "
                + ", ".join(lab.en for lab in olabs)
                + " is our inference; the paper does not say so."
            )
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


def preset(name: str, *, with_basis: bool = False) -> CaseProfile:
    """The paper's case ``name`` (``case-h`` or ``case-y``) as a profile (a fresh copy).

    ``with_basis``: attach the basis of each value from the preset file (``advisor.basis``), bound
    to the preset's values, so that reports show which values are the paper's facts and which our
    assumptions (a value changed later has none)."""
    doc = _preset_doc(name)
    profile = profile_from_data(doc["profile"], source=f"preset {name}")
    raw = doc.get("basis")
    if with_basis and isinstance(raw, dict) and raw and profile.basis is None:
        profile.basis = from_preset(raw, profile)
    return profile


def preset_basis(name: str) -> dict[str, Any]:
    """Per field of a preset, its basis: a fact of the paper (section, quote) or an assumption."""
    return dict(_preset_doc(name).get("basis") or {})
