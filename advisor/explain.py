"""Explanations: why a diagnosis holds, why an action is proposed, and why another is not.

Every diagnosis and action of an assessment carries its trace (the rules that fired, the facts
each matched), the passages of the paper its rules rest on, and bilingual sentences naming the
facts that triggered it. For a framework action the case did not get, ``why_not`` names the
condition that failed, or the guard rule that overruled it.

Field labels come from the knowledge base's ``fields.yaml``; labels of derived values
(dependence, asymmetry, co-production score) are defined here.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from advisor.models import BiText, SourceRef, TraceStep
from knowledge_base.loader import KnowledgeBase
from rules.dsl import All, AnyOf, Compare, Condition, DiagnosisRef, Not, Rule

DERIVED_LABELS: dict[str, tuple[str, str]] = {
    "development_mode": ("发展模式", "development mode"),
    "development_mode_inferred": ("发展模式是否为推断", "development mode inferred"),
    "funding.government_total": ("政府资金合计份额", "government funding in total"),
    "funding.non_government": ("非政府资源份额", "share of resources from outside government"),
    "human_resources.core_share": ("骨干占比", "share of core volunteers"),
    "has_third_party": ("有第三方", "a third party is involved"),
    "has_independent_third_party": (
        "有独立的第三方（不是社区或政府自己成立、自主性低的机构）",
        "an independent third party is involved (not a centre of little autonomy founded by the "
        "community or government)",
    ),
    "third_party.pass_through": (
        "第三方转手政府资金和议程的程度",
        "how far the third party passes government's money and agenda on",
    ),
    "asymmetry.direction": ("谁的依赖更多", "who depends more"),
    "asymmetry.alternatives": (
        "志愿力量在政府以外的替代资源份额",
        "the force's share of resources from outside government",
    ),
    "coproduction.score": ("合作生产得分", "co-production score"),
    "coproduction.delivery_gap": (
        "共同提供高出规划与设计的级数",
        "co-delivery above co-planning and co-design (levels)",
    ),
    "coproduction.stage": ("合作生产阶段", "co-production stage"),
    "dependence.legitimacy": ("对政府的身份认同依赖", "dependence on government: legitimacy"),
    "dependence.funding": ("对政府的资金依赖", "dependence on government: funding"),
    "dependence.human_resources": (
        "对政府的人力资源依赖",
        "dependence on government: human resources",
    ),
    "dependence.knowledge": ("对政府的知识资源依赖", "dependence on government: knowledge"),
    "third_party_dependence.legitimacy": (
        "对第三方的身份认同依赖",
        "dependence on the third party: legitimacy",
    ),
    "third_party_dependence.funding": (
        "对第三方的资金依赖",
        "dependence on the third party: funding",
    ),
    "third_party_dependence.human_resources": (
        "对第三方的人力资源依赖",
        "dependence on the third party: human resources",
    ),
    "third_party_dependence.knowledge": (
        "对第三方的知识资源依赖",
        "dependence on the third party: knowledge",
    ),
    "third_party_dependence.mean": (
        "对第三方的总体依赖",
        "overall dependence on the third party",
    ),
    "asymmetry.force_on_government": (
        "志愿力量对政府的总体依赖",
        "the force's overall dependence on government",
    ),
    "asymmetry.government_on_force": (
        "政府对志愿力量的依赖",
        "government's dependence on the force",
    ),
    "asymmetry.index": ("非对称指数", "asymmetry index"),
    "asymmetry.level": ("非对称程度", "asymmetry level"),
}

OP_TEXT: dict[str, tuple[str, str]] = {
    "eq": ("为", "is"),
    "ne": ("不为", "is not"),
    "lt": ("<", "<"),
    "le": ("≤", "≤"),
    "gt": (">", ">"),
    "ge": ("≥", "≥"),
    "in": ("属于", "is one of"),
}
BOOL_TEXT = {True: ("是", "yes"), False: ("否", "no")}
MISSING = ("（无）", "(none)")


def _fields(kb: KnowledgeBase) -> dict[str, Any]:
    raw = kb.raw.get("fields.yaml") or {}
    return raw.get("fields") or {} if isinstance(raw, dict) else {}


@lru_cache(maxsize=4096)
def _label_cached(kb_version: str, key: str) -> tuple[str, str]:
    from knowledge_base.loader import load_kb

    spec = _fields(load_kb()).get(key)
    if isinstance(spec, dict) and isinstance(spec.get("label"), dict):
        lab = spec["label"]
        return str(lab.get("zh", key)), str(lab.get("en", key))
    return DERIVED_LABELS.get(key, (key, key))


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


# How a comparison reads once it holds (after the value) and when it fails (what was needed).
_HOLDS_TEXT: dict[str, tuple[str, str]] = {
    "lt": ("低于", "below"),
    "le": ("不高于", "at most"),
    "gt": ("高于", "above"),
    "ge": ("不低于", "at least"),
    "ne": ("不是", "not"),
}
_NEEDS_TEXT: dict[str, tuple[str, str]] = {
    "eq": ("需为", "needs"),
    "in": ("需为", "needs"),
    "ne": ("需不为", "needs other than"),
    "lt": ("需低于", "needs below"),
    "le": ("需不高于", "needs at most"),
    "gt": ("需高于", "needs above"),
    "ge": ("需不低于", "needs at least"),
}


def describe_compare(kb: KnowledgeBase, c: Compare, fact: dict[str, Any]) -> BiText:
    """A comparison in words, as an official reads it.

    When it holds: ``<label>：<value>`` (an equality adds nothing: the value is the condition),
    a threshold adds ``（低于 6，本工具设定的阈值 <param>）``. When it fails: what was needed,
    ``<label>：否（需为“是”）``. Bilingual; the parameter id names our threshold for reviewers."""
    lz, le = field_label(kb, c.fact)
    le = le[:1].upper() + le[1:]  # derived labels are lower-case; a fact line starts with it
    vz, ve = value_text(kb, c.fact, fact.get(c.fact))
    tz, te = _cond_value_text(kb, c)
    numeric = c.op in ("lt", "le", "gt", "ge")
    # A threshold from a parameter is ours, not the paper's: say so, and name it for reviewers.
    pz = f"，本工具设定的阈值 {c.param}" if c.param else ""
    pe = f"; a threshold set by this tool, {c.param}" if c.param else ""
    if holds(c, fact):
        if c.op in ("eq", "in"):
            return BiText(zh=f"{lz}：{vz}", en=f"{le}: {ve}")
        if c.op == "ne":
            return BiText(zh=f"{lz}不是“{tz}”", en=f"{le} is not “{te}”")
        oz, oe = _HOLDS_TEXT[c.op]
        tz_q, te_q = (tz, te) if numeric else (f"“{tz}”", f"“{te}”")
        return BiText(zh=f"{lz}：{vz}（{oz} {tz_q}{pz}）", en=f"{le}: {ve} ({oe} {te_q}{pe})")
    # failed: "<label>为“否”，需为“是”" (no second colon inside a reason that follows one)
    nz, ne = _NEEDS_TEXT[c.op]
    if numeric:
        if fact.get(c.fact) is None:
            return BiText(zh=f"{lz}未填写，{nz} {tz}{pz}", en=f"{le} is not given, {ne} {te}{pe}")
        return BiText(zh=f"{lz}为 {vz}，{nz} {tz}{pz}", en=f"{le} is {ve}, {ne} {te}{pe}")
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
    return {"lt": x < v, "le": x <= v, "gt": x > v, "ge": x >= v}[c.op]  # type: ignore[operator]


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
        return BiText(
            zh="没有规则针对本案例提出这项行动。",
            en="No rule proposes this action for any case yet.",
        )
    # Officials read the reason; the rule ids stay in brackets for reviewers. A second rule of
    # the same action is another way to the action, and says so.
    for i, r in enumerate(rules_for_action):
        head_zh = "条件" if i == 0 else "另一条件"
        head_en = "the condition" if i == 0 else "the other condition"
        if r.id in overruled_by:
            for g in overruled_by[r.id]:
                name = rule_names.get(g, BiText(zh=g, en=g))
                zh.append(f"{head_zh}成立，但被护栏规则否决（{r.id}，{g}）：{name.zh}")
                en.append(f"{head_en} holds but a guard rule overrules it ({r.id}, {g}): {name.en}")
            continue
        parts = failed_parts(kb, r.when, fact, dx)
        if not parts:
            zh.append(f"{head_zh}不成立（{r.id}）")
            en.append(f"{head_en} does not hold ({r.id})")
            continue
        zh.append(f"{head_zh}不成立：" + "；".join(p.zh for p in parts) + f"（{r.id}）")
        en.append(f"{head_en} fails: " + "; ".join(p.en for p in parts) + f" ({r.id})")
    # a guard's name may end a sentence itself: one full stop, never two
    zh = [z.rstrip("。") for z in zh]
    en = [e.rstrip(".") for e in en]
    return BiText(zh="。".join(zh) + "。", en=". ".join(e[:1].upper() + e[1:] for e in en) + ".")
