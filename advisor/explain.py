"""Explanations: why a diagnosis holds, why an action is proposed, and why another is not.

Every diagnosis and action of an assessment carries its trace (the rules that fired, the facts
each matched), the passages of the paper its rules rest on, and bilingual sentences naming the
facts that triggered it. For a framework action the case did not get, ``why_not`` names the
condition that failed, or the guard rule that overruled it.

Field labels come from the knowledge base's ``fields.yaml``; labels of derived values
(dependence, asymmetry, co-production score) are defined here.
"""

from __future__ import annotations

from functools import lru_cache, partial
from typing import Any

from advisor.fastpath import key_values, make, memo
from advisor.indices import Indices
from advisor.models import (
    Action,
    AssessmentWarning,
    BiText,
    CaseProfile,
    Diagnosis,
    NotRecommended,
    PriorityFactor,
    SourceRef,
    TraceStep,
)
from advisor.priority import Ranked
from advisor.vocabulary import bitext, strings, text, threshold_phrase
from advisor.vocabulary import field_label as profile_field_label
from knowledge_base.fields import enum_label
from knowledge_base.loader import KnowledgeBase, load_kb
from rules.dsl import (
    All,
    AnyOf,
    Compare,
    Condition,
    DiagnosisRef,
    Not,
    Rule,
    condition_keys,
    diagnoses_of,
)

BOOL_TEXT = {True: ("是", "yes"), False: ("否", "no")}
MISSING = ("（无）", "(none)")


def _fields(kb: KnowledgeBase) -> dict[str, Any]:
    raw = kb.raw.get("fields.yaml") or {}
    return raw.get("fields") or {} if isinstance(raw, dict) else {}


@lru_cache(maxsize=4096)
def _label_cached(kb_version: str, key: str) -> tuple[str, str]:
    spec = _fields(load_kb()).get(key)
    if isinstance(spec, dict) and isinstance(spec.get("label"), dict):
        lab = spec["label"]
        return str(lab.get("zh", key)), str(lab.get("en", key))
    derived = strings()["derived_field"].get(key)
    return (str(derived["zh"]), str(derived["en"])) if derived else (key, key)


def field_label(kb: KnowledgeBase, key: str) -> tuple[str, str]:
    """The (zh, en) label of a fact key."""
    return _label_cached(kb.version, key)


def value_text(kb: KnowledgeBase, key: str, value: Any) -> tuple[str, str]:
    """A fact value in words (enum values and levels from fields.yaml), (zh, en)."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return BOOL_TEXT[value]
    spec = _fields(kb).get(key)
    if isinstance(spec, dict) and isinstance(value, str):
        lab = (spec.get("values") or {}).get(value)
        if isinstance(lab, dict):
            return str(lab.get("zh", value)), str(lab.get("en", value))
    if isinstance(value, float):
        s = f"{value:.4f}".rstrip("0").rstrip(".")
        return s, s
    return str(value), str(value)


def _cond_value_text(kb: KnowledgeBase, c: Compare) -> tuple[str, str]:
    if c.op == "in":
        parts = [value_text(kb, c.fact, v) for v in c.value]  # type: ignore[union-attr]
        return "、".join(p[0] for p in parts), ", ".join(p[1] for p in parts)
    return value_text(kb, c.fact, c.value)


def _op_words(namespace: str, op: str) -> tuple[str, str]:
    """How a comparison reads (``op``, ``op_holds``, ``op_needs`` in the catalogue), (zh, en)."""
    entry = strings()[namespace][op]
    return str(entry["zh"]), str(entry["en"])


def describe_compare(kb: KnowledgeBase, c: Compare, fact: dict[str, Any]) -> BiText:
    """A comparison in words, as an official reads it.

    When it holds: ``<label>：<value>`` (an equality adds nothing: the value is the condition),
    a threshold of ours adds ``（低于本工具设定的阈值 6；取值 0–4）``. When it fails: what was
    needed, ``<label>为“否”，需为“是”``. Bilingual; no rule or parameter id (the rule keeps
    them)."""
    lz, le = field_label(kb, c.fact)
    le = le[:1].upper() + le[1:]  # derived labels are lower-case; a fact line starts with it
    vz, ve = value_text(kb, c.fact, fact.get(c.fact))
    tz, te = _cond_value_text(kb, c)
    numeric = c.op in ("lt", "le", "gt", "ge")
    param = c.param

    def bound(op: tuple[str, str], tz_q: str, te_q: str) -> tuple[str, str]:
        # A threshold from a parameter is ours, not the paper's: say so with its value; its id
        # stays in the rule (the report's technical appendix names it)
        if param:
            return (
                threshold_phrase(op[0], tz, param, "zh"),
                threshold_phrase(op[1], te, param, "en"),
            )
        return f"{op[0]} {tz_q}", f"{op[1]} {te_q}"

    if holds(c, fact):
        if c.op in ("eq", "in"):
            return BiText(zh=f"{lz}：{vz}", en=f"{le}: {ve}")
        if c.op == "ne":
            return BiText(zh=f"{lz}不是“{tz}”", en=f"{le} is not “{te}”")
        tz_q, te_q = (tz, te) if numeric else (f"“{tz}”", f"“{te}”")
        bz, be = bound(_op_words("op_holds", c.op), tz_q, te_q)
        return BiText(zh=f"{lz}：{vz}（{bz}）", en=f"{le}: {ve} ({be})")
    # failed: "<label>为“否”，需为“是”" (no second colon inside a reason that follows one)
    nz, ne = _op_words("op_needs", c.op)
    if numeric:
        bz, be = bound((nz, ne), tz, te)
        if fact.get(c.fact) is None:
            return BiText(zh=f"{lz}未填写，{bz}", en=f"{le} is not given, {be}")
        return BiText(zh=f"{lz}为 {vz}，{bz}", en=f"{le} is {ve}, {be}")
    if c.op == "in":
        parts = [value_text(kb, c.fact, v) for v in c.value]  # type: ignore[union-attr]
        tz = "”或“".join(p[0] for p in parts)
        te = "” or “".join(p[1] for p in parts)
    return BiText(zh=f"{lz}为“{vz}”，{nz}“{tz}”", en=f"{le} is “{ve}”, {ne} “{te}”")


def holds(c: Compare, fact: dict[str, Any]) -> bool:
    """Whether one comparison holds on the fact (the dsl semantics; used to explain only)."""
    if c.fact not in fact:
        return False
    x = fact[c.fact]
    v = c.value
    if c.op == "eq":
        return x == v and isinstance(x, bool) == isinstance(v, bool)
    if c.op == "ne":
        return not (x == v and isinstance(x, bool) == isinstance(v, bool))
    if c.op == "in":
        return any(x == e and isinstance(x, bool) == isinstance(e, bool) for e in v)  # type: ignore[union-attr]
    return {"lt": x < v, "le": x <= v, "gt": x > v, "ge": x >= v}[c.op]


def _eval(cond: Condition, fact: dict[str, Any], dx: set[str]) -> bool:
    if isinstance(cond, Compare):
        return holds(cond, fact)
    if isinstance(cond, DiagnosisRef):
        return cond.diagnosis in dx
    if isinstance(cond, All):
        return all(_eval(c, fact, dx) for c in cond.all)
    if isinstance(cond, AnyOf):
        return any(_eval(c, fact, dx) for c in cond.any)
    assert isinstance(cond, Not)
    return not _eval(cond.not_, fact, dx)


def _describe(kb: KnowledgeBase, cond: Condition, fact: dict[str, Any], neg: bool) -> BiText:
    if isinstance(cond, Compare):
        t = describe_compare(kb, cond, fact)
        if neg:
            return BiText(zh=f"并非（{t.zh}）", en=f"not ({t.en})")
        return t
    if isinstance(cond, DiagnosisRef):
        lab = diagnosis_label(kb, cond.diagnosis)
        return BiText(zh=f"诊断“{lab.zh}”", en=f'the diagnosis "{lab.en}"')
    if isinstance(cond, Not):
        return _describe(kb, cond.not_, fact, not neg)
    kids = cond.all if isinstance(cond, All) else cond.any
    parts = [_describe(kb, c, fact, neg) for c in kids]
    zj, ej = ("且", "and") if isinstance(cond, All) else ("或", "or")
    return BiText(
        zh=f"（{f' {zj} '.join(p.zh for p in parts)}）",
        en=f"({f' {ej} '.join(p.en for p in parts)})",
    )


def failed_parts(
    kb: KnowledgeBase, cond: Condition, fact: dict[str, Any], dx: set[str]
) -> list[BiText]:
    """The parts of a false condition that made it false (for an ``all``: its false children;
    otherwise the whole condition)."""
    if isinstance(cond, All):
        out: list[BiText] = []
        for c in cond.all:
            if not _eval(c, fact, dx):
                out.extend(failed_parts(kb, c, fact, dx))
        return out
    if isinstance(cond, AnyOf):
        parts = [_describe(kb, c, fact, False) for c in cond.any]
        return [
            BiText(
                zh="以下均不成立：" + "；".join(p.zh for p in parts),
                en="none of these holds: " + "; ".join(p.en for p in parts),
            )
        ]
    if isinstance(cond, DiagnosisRef):
        lab = diagnosis_label(kb, cond.diagnosis)
        return [BiText(zh=f"本案例没有诊断“{lab.zh}”", en=f'this case is not diagnosed "{lab.en}"')]
    return [_describe(kb, cond, fact, False)]


def diagnosis_label(kb: KnowledgeBase, dx_id: str) -> BiText:
    """The label of a diagnosis item (its id if the knowledge base lacks it)."""
    item = kb.items.get(dx_id)
    if item is None:
        return BiText(zh=dx_id, en=dx_id)
    return BiText(zh=item.label.zh, en=item.label.en)


def merge_sources(sources: list[SourceRef]) -> list[SourceRef]:
    """Sources without repeats: a quote contained in a longer quote of the same section goes."""
    out: list[SourceRef] = []
    for s in sources:
        if any(o.section == s.section and s.quote_zh in o.quote_zh for o in out):
            continue
        out = [o for o in out if not (o.section == s.section and o.quote_zh in s.quote_zh)]
        out.append(s)
    return out


def sources_of(kb: KnowledgeBase, item_ids: list[str]) -> list[SourceRef]:
    """The passages of the given knowledge items, without repeats, in order."""
    out: list[SourceRef] = []
    for iid in item_ids:
        item = kb.items.get(iid)
        if item is None:
            continue
        out.extend(
            SourceRef(
                section=s.section,
                quote_zh=s.quote_zh,
                quote_en=s.quote_en,
                interview_code=s.interview_code,
            )
            for s in item.source
        )
    return merge_sources(out)


def because(
    kb: KnowledgeBase, rule: Rule, fact: dict[str, Any], dx: set[str]
) -> tuple[list[str], list[BiText]]:
    """The facts that made a fired rule true: terse strings and bilingual sentences."""
    terse: list[str] = []
    texts: list[BiText] = []
    seen: set[str] = set()

    def visit(c: Condition) -> None:
        if isinstance(c, Compare):
            if holds(c, fact) and c.fact + c.op not in seen:
                seen.add(c.fact + c.op)
                terse.append(f"{c.fact} = {_plain(fact.get(c.fact))} ({c.op} {_plain(c.value)})")
                texts.append(describe_compare(kb, c, fact))
        elif isinstance(c, DiagnosisRef):
            if c.diagnosis in dx and "dx:" + c.diagnosis not in seen:
                seen.add("dx:" + c.diagnosis)
                lab = diagnosis_label(kb, c.diagnosis)
                terse.append(f"diagnosis {c.diagnosis}")
                texts.append(BiText(zh=f"诊断“{lab.zh}”成立", en=f'diagnosed "{lab.en}"'))
        elif isinstance(c, All):
            for k in c.all:
                visit(k)
        elif isinstance(c, AnyOf):
            for k in c.any:
                if _eval(k, fact, dx):
                    visit(k)
        elif isinstance(c, Not) and _eval(c, fact, dx):
            t = _describe(kb, c, fact, False)
            terse.append(f"not {_plain(c.not_.model_dump(by_alias=True))}")
            texts.append(t)

    visit(rule.when)
    return terse, texts


def _plain(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:.4f}".rstrip("0").rstrip(".")
    if isinstance(v, list):
        return "[" + ", ".join(_plain(x) for x in v) + "]"
    return str(v)


def trace_step(kb: KnowledgeBase, rule: Rule, matched: dict[str, Any]) -> TraceStep:
    """One trace entry: the rule, the facts it matched, the passages it rests on."""
    return TraceStep(rule=rule.id, matched=dict(matched), sources=sources_of(kb, rule.rests_on))


def why_not(
    kb: KnowledgeBase,
    rules_for_action: list[Rule],
    fact: dict[str, Any],
    dx: set[str],
    overruled_by: dict[str, list[str]],
    rule_names: dict[str, BiText],
) -> BiText:
    """Why a framework action is not recommended: the failed condition of each of its rules,
    or the guard that overruled it."""
    zh: list[str] = []
    en: list[str] = []
    if not rules_for_action:
        return bitext("explain", "no_rule")
    # Officials read the reason; the rule ids stay in the entry's own fields (``rules``,
    # ``overruled_by``). A second rule of the same action is another way to the action, and says
    # so.
    for i, r in enumerate(rules_for_action):
        head = bitext("explain", "condition" if i == 0 else "other_condition")
        if r.id in overruled_by:
            for g in overruled_by[r.id]:
                name = rule_names.get(g, BiText(zh=g, en=g))
                zh.append(text("explain", "overruled", "zh", head=head.zh, name=name.zh))
                en.append(text("explain", "overruled", "en", head=head.en, name=name.en))
            continue
        parts = failed_parts(kb, r.when, fact, dx)
        if not parts:
            zh.append(text("explain", "not_holds", "zh", head=head.zh))
            en.append(text("explain", "not_holds", "en", head=head.en))
            continue
        zh.append(
            text("explain", "fails", "zh", head=head.zh, parts="；".join(p.zh for p in parts))
        )
        en.append(
            text("explain", "fails", "en", head=head.en, parts="; ".join(p.en for p in parts))
        )
    # a guard's name may end a sentence itself: one full stop, never two
    zh = [z.rstrip("。") for z in zh]
    en = [e.rstrip(".") for e in en]
    return BiText(zh="。".join(zh) + "。", en=". ".join(e[:1].upper() + e[1:] for e in en) + ".")


# ------------------------------------------------------------------- an assessment's explanations


class Explainer:
    """The explanations of assessments, built once per knowledge base and rule set.

    ``diagnoses``, ``actions`` and ``not_recommended`` turn what the rules concluded into the
    assessment's explained entries (labels, sentences, trace, passages); ``warnings`` are the
    notes about the profile itself. Repeated parts come from the memo (``advisor.fastpath``).
    """

    def __init__(self, kb: KnowledgeBase, rules: list[Rule]) -> None:
        self.kb = kb
        self.by_id = {r.id: r for r in rules}
        self.rules_by_action: dict[str, list[Rule]] = {}
        for r in rules:
            if r.kind != "diagnosis" and r.concludes:
                self.rules_by_action.setdefault(r.concludes, []).append(r)
        self.action_ids = sorted(i.id for i in kb.by_kind("action"))
        self.rule_names = {r.id: BiText(zh=r.name.zh, en=r.name.en) for r in rules}
        self.labels = {
            i.id: BiText.model_construct(zh=i.label.zh, en=i.label.en)
            for i in kb.items.values()
            if i.kind in ("diagnosis", "action")
        }
        # rule -> (fact keys, diagnoses) it reads; action -> the same over its rules
        self.reads = {r.id: (tuple(condition_keys(r)), tuple(diagnoses_of(r))) for r in rules}
        self.action_reads = {
            a: (
                tuple(k for r in rs for k in self.reads[r.id][0]),
                tuple(d for r in rs for d in self.reads[r.id][1]),
            )
            for a, rs in self.rules_by_action.items()
        }
        self.rule_sources = {r.id: tuple(sources_of(kb, r.rests_on)) for r in rules}
        self._merged: dict[tuple[str, ...], tuple[SourceRef, ...]] = {}

    def sources_of_rules(self, rids: tuple[str, ...]) -> tuple[SourceRef, ...]:
        """The passages the rules rest on, without duplicates, in order."""
        if len(rids) == 1:
            return self.rule_sources[rids[0]]
        hit = self._merged.get(rids)
        if hit is None:
            hit = tuple(merge_sources([s for rid in rids for s in self.rule_sources[rid]]))
            self._merged[rids] = hit  # rule ids only: bounded by the rule set
        return hit

    # ---- diagnoses

    def diagnoses(
        self,
        concluded: dict[str, list[str]],
        severities: dict[str, float],
        fact: dict[str, Any],
        fired: dict[str, dict[str, Any]],
    ) -> list[Diagnosis]:
        """The concluded diagnoses, most severe first, each with its reasons, trace and passages."""
        dx_set = set(concluded)
        out: list[Diagnosis] = []
        for d in sorted(concluded, key=lambda d: (-severities[d], d)):
            rids = concluded[d]
            terse: list[str] = []
            texts: list[BiText] = []
            seen: set[tuple[str, str]] = set()  # BiText equality is its two texts
            for rid in rids:
                t, x = self._because(rid, fact, dx_set)
                terse.extend(s for s in t if s not in terse)
                for s in x:
                    if (s.zh, s.en) not in seen:
                        seen.add((s.zh, s.en))
                        texts.append(s)
            out.append(
                make(
                    Diagnosis,
                    id=d,
                    label=self.labels.get(d) or BiText(zh=d, en=d),
                    severity=severities[d],
                    because=terse,
                    because_text=texts,
                    rules=list(rids),
                    sources=list(self.sources_of_rules(tuple(rids))),
                    trace=[self._trace(rid, fired[rid]) for rid in rids],
                    assumed_inputs=[],
                    only_assumed_inputs=False,
                )
            )
        return out

    def _because(
        self, rid: str, fact: dict[str, Any], dx_set: set[str]
    ) -> tuple[list[str], list[BiText]]:
        keys, dxs = self.reads[rid]
        key = (rid, key_values(fact, keys), tuple(d for d in dxs if d in dx_set))
        return memo.get(memo.because, key, lambda: because(self.kb, self.by_id[rid], fact, dx_set))

    def _trace(self, rid: str, matched: dict[str, Any]) -> TraceStep:
        # built each time: the matched values vary (continuous indices), so a memo keyed on them
        # cost more to key than the step costs to build. ``matched`` is the engine result's own
        # dict (fresh per run, used once); the sources are shared frozen leaves in a list of its
        # own
        return make(TraceStep, rule=rid, matched=matched, sources=list(self.rule_sources[rid]))

    # ---- actions

    def actions(
        self,
        ranked: list[Ranked],
        concluded: dict[str, list[str]],
        fired: dict[str, dict[str, Any]],
    ) -> list[Action]:
        """The ranked actions, each with its rationale, priority breakdown, trace and passages."""
        out: list[Action] = []
        for rk in ranked:
            item = self.kb.items[rk.id]
            rids = concluded[rk.id]
            out.append(
                make(
                    Action,
                    id=rk.id,
                    rank=rk.rank,
                    priority=rk.priority,
                    actor=item.actor,
                    phase=item.phase,
                    stage=item.stage,
                    addresses=list(rk.addressed),
                    dimensions=list(item.dimensions),
                    label=self.labels[rk.id],
                    rationale=memo.get(
                        memo.rationale,
                        (rk.id, rk.addressed, tuple(rids)),
                        partial(self._rationale, rk.id, rk.addressed, rids),
                    ),
                    priority_breakdown=list(
                        memo.get(memo.breakdown, (rk.id, rk.breakdown), partial(_factors, rk))
                    ),
                    rules=list(rids),
                    sources=list(self.sources_of_rules(tuple(rids))),
                    provenance=item.provenance.kind,
                    trace=[self._trace(rid, fired[rid]) for rid in rids],
                    assumed_inputs=[],
                    only_assumed_inputs=False,
                )
            )
        return out

    def _links_ours(self, action: str, addressed: tuple[str, ...], provenance: str) -> list[str]:
        """The addressed diagnoses whose link to this action is ours (parameter
        ``attribution.addresses_ours``); for an action that is itself ours (not the paper's), its
        provenance already says so and nothing is listed."""
        kb = self.kb
        if provenance != "paper" or "attribution.addresses_ours" not in kb.items:
            return []
        ours = set((kb.param("attribution.addresses_ours") or {}).get(action) or ())
        return [d for d in addressed if d in ours]

    def _rationale(self, action: str, addressed: tuple[str, ...], rids: list[str]) -> BiText:
        item = self.kb.items[action]
        zh = [item.summary.zh]
        en = [item.summary.en]
        if addressed:
            labs = [diagnosis_label(self.kb, d) for d in addressed]
            zh.append(text("explain", "addresses", "zh", labels="、".join(lab.zh for lab in labs)))
            en.append(text("explain", "addresses", "en", labels=", ".join(lab.en for lab in labs)))
            ours = self._links_ours(action, addressed, item.provenance.kind)
            if ours:
                olabs = [diagnosis_label(self.kb, d) for d in ours]
                zh.append(
                    text("explain", "link_ours", "zh", labels="、".join(lab.zh for lab in olabs))
                )
                en.append(
                    text("explain", "link_ours", "en", labels=", ".join(lab.en for lab in olabs))
                )
        for rid in rids:
            r = self.by_id[rid]
            if r.kind == "guard":
                zh.append(text("explain", "guard_rail", "zh", name=r.name.zh))
                en.append(text("explain", "guard_rail", "en", name=r.name.en))
        return BiText(zh="".join(zh), en=" ".join(en))

    # ---- why not

    def not_recommended(
        self,
        recommended: dict[str, list[str]],
        fact: dict[str, Any],
        dx_set: set[str],
        overruled: dict[str, list[str]],
    ) -> list[NotRecommended]:
        """Every framework action the case did not get, with the condition that failed."""
        out: list[NotRecommended] = []
        for a in self.action_ids:
            if a in recommended:
                continue
            nr = self._why_not(a, fact, dx_set, overruled)  # cached: give this call its own
            out.append(
                make(
                    NotRecommended,
                    id=nr.id,
                    label=nr.label,
                    actor=nr.actor,
                    reason=nr.reason,
                    rules=list(nr.rules),
                    overruled_by=list(nr.overruled_by),
                )
            )
        return out

    def _why_not(
        self, a: str, fact: dict[str, Any], dx_set: set[str], overruled: dict[str, list[str]]
    ) -> NotRecommended:
        rs = self.rules_by_action.get(a, [])
        keys, all_dxs = self.action_reads.get(a, ((), ()))
        dxs = tuple(d for d in all_dxs if d in dx_set)
        over = (
            tuple((r.id, tuple(overruled[r.id])) for r in rs if r.id in overruled)
            if overruled
            else ()
        )
        key = (a, key_values(fact, keys), dxs, over)

        def build() -> NotRecommended:
            return make(
                NotRecommended,
                id=a,
                label=self.labels[a],
                actor=self.kb.items[a].actor,
                reason=why_not(self.kb, rs, fact, dx_set, overruled, self.rule_names),
                rules=[r.id for r in rs],
                overruled_by=list(dict.fromkeys(g for _, gs in over for g in gs)),
            )

        return memo.get(memo.why_not, key, build)

    # ---- warnings

    def warnings(
        self, profile: CaseProfile, ix: Indices, missing: list[str]
    ) -> list[AssessmentWarning]:
        """Notes about the profile: an inferred development mode, third-party resources without
        a third party, knowledge items the rules name but the knowledge base lacks."""
        out: list[AssessmentWarning] = []
        if ix.development_mode.inferred:
            out.append(
                AssessmentWarning(
                    code="development_mode_inferred",
                    message=BiText(
                        zh=text(
                            "explain",
                            "development_mode_inferred",
                            "zh",
                            mode=enum_label("development_mode", ix.development_mode.value, "zh"),
                        ),
                        en=text(
                            "explain",
                            "development_mode_inferred",
                            "en",
                            mode=enum_label("development_mode", ix.development_mode.value, "en"),
                        ),
                    ),
                )
            )
        if profile.third_party is None:
            tp_fields = third_party_fields(profile)
            if tp_fields:
                out.append(
                    AssessmentWarning(
                        code="third_party_missing",
                        message=BiText(
                            zh=text(
                                "explain",
                                "third_party_missing",
                                "zh",
                                fields="、".join(
                                    "“" + profile_field_label(f, "zh") + "”" for f in tp_fields
                                ),
                            ),
                            en=text(
                                "explain",
                                "third_party_missing",
                                "en",
                                fields=", ".join(
                                    "“" + profile_field_label(f, "en") + "”" for f in tp_fields
                                ),
                            ),
                        ),
                    )
                )
        if missing:
            out.append(
                AssessmentWarning(
                    code="knowledge_item_missing",
                    message=BiText(
                        zh=text(
                            "explain", "knowledge_item_missing", "zh", items="、".join(missing)
                        ),
                        en=text(
                            "explain", "knowledge_item_missing", "en", items=", ".join(missing)
                        ),
                    ),
                )
            )
        return out


def third_party_fields(profile: CaseProfile) -> list[str]:
    """The fields that give the force third-party resources (the ``third_party_missing``
    warning names them when the profile has no third party)."""
    tp_fields: list[str] = []
    if profile.legitimacy.status == "via_social_org":
        tp_fields.append("legitimacy.status")
    if profile.funding.government_via_third_party > 0 or profile.funding.third_party_own > 0:
        tp_fields.extend(
            f
            for f in ("funding.government_via_third_party", "funding.third_party_own")
            if getattr(profile.funding, f.split(".")[1]) > 0
        )
    if profile.human_resources.recruited_by.third_party > 0:
        tp_fields.append("human_resources.recruited_by.third_party")
    if profile.knowledge.training_provider == "third_party":
        tp_fields.append("knowledge.training_provider")
    if profile.human_resources.leadership == "social_worker":
        tp_fields.append("human_resources.leadership")
    return tp_fields


def warning_codes(profile: CaseProfile, ix: Indices, missing: list[str]) -> list[str]:
    """The codes of ``Explainer.warnings``, in its order, without building the messages."""
    codes: list[str] = []
    if ix.development_mode.inferred:
        codes.append("development_mode_inferred")
    if profile.third_party is None and third_party_fields(profile):
        codes.append("third_party_missing")
    if missing:
        codes.append("knowledge_item_missing")
    return codes


def _factors(rk: Ranked) -> list[PriorityFactor]:
    """The priority breakdown of a ranked action as the assessment's factors."""
    return [
        make(
            PriorityFactor,
            factor=f.factor,
            value=f.value,
            label=make(BiText, zh=f.label_zh, en=f.label_en),
        )
        for f in rk.breakdown
    ]
