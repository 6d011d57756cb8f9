"""Reports as documents an office files: Word (.docx) and PDF, in Chinese or English.

Each report is first built as a short list of blocks (title, headings of three levels,
paragraphs, tables, page breaks) from the objects the advisor already computes: the
``Assessment``, the what-if ``Comparison``, the trainer's ``Roadmap`` and the batch summary's
context (``advisor.batch.summary_context``). The same blocks are then laid out twice:

- Word, the way official documents are laid out (党政机关公文格式, GB/T 9704 as a model): A4,
  the title centred in a heading font, headings numbered 一、 （一） 1. (1. 1.1 1.1.1 in
  English), the body in a Chinese serif face (仿宋 / FangSong, which Word takes from the
  reader's machine), page numbers centred in the footer as "— 1 —".
- PDF, printed by headless Chromium from an HTML page of the same blocks with a print
  stylesheet (``documents.css``), the fonts embedded by the printer: a Chinese serif face where
  one is installed (FangSong, Noto Serif CJK, AR PL UMing), else WenQuanYi Micro Hei.

A report for officials leads with a one-page summary (the figures, the main problems, the first
actions); the reasons, the plan and then, as appendices, the paper's passages, the trace of the
rules that fired, the actions not recommended and the versions follow. The sentences that frame
the figures are this tool's, not the paper's; the passages are quoted verbatim with their
section numbers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import io
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from advisor.errors import AdvisorError
from advisor.models import DIMENSIONS
from advisor.strengths import strengths
from advisor.vocabulary import (
    coproduction_stage_label,
    diagnosis_phrase,
    field_label,
    government_need,
    label,
    rule_params,
    value_label,
)
from advisor.vocabulary import text as catalogue_text

DOC_FORMATS = ("docx", "pdf")
CSS_PATH = Path(__file__).resolve().parent / "documents.css"
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PDF_TIMEOUT = 120


@dataclass
class Block:
    """One element of a document: ``kind`` is title, subtitle, h1, h2, h3, appendix, p, note,
    table or pagebreak; ``rows`` (with ``header``) for tables."""

    kind: str
    text: str = ""
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Document:
    """A report as blocks, in one language."""

    lang: str
    title: str
    blocks: list[Block]


# --------------------------------------------------------------------------- words

T: dict[str, dict[str, str]] = {
    "assessment_title": {
        "zh": "依赖状况与合作生产评估报告",
        "en": "Dependence and co-production: assessment report",
    },
    "assessment_sub": {
        "zh": "对政府的非对称依赖与合作生产行动框架",
        "en": "Asymmetric dependence on government and the co-production action framework",
    },
    "profile": {"zh": "档案编号", "en": "Profile"},
    "date": {"zh": "生成日期", "en": "Generated"},
    "summary": {"zh": "评估摘要", "en": "Summary"},
    "figures": {"zh": "主要指标", "en": "Key figures"},
    "figure": {"zh": "指标", "en": "Figure"},
    "value": {"zh": "数值", "en": "Value"},
    "lead": {
        "zh": "该志愿服务力量与政府之间依赖关系的非对称程度为“{level}”"
        "（非对称指数 {index}，取值 −1 至 1，越高表示越偏向队伍依赖政府）；"
        "合作生产得分 {score}/16，处于“{stage}”阶段。",
        "en": "The asymmetry between this force's dependence on government and government's "
        "dependence on it is {level} (asymmetry index {index}, from -1 to 1, higher meaning the "
        "force depends more on government); its co-production score is {score}/16, at the "
        "{stage} stage.",
    },
    "dep_on": {"zh": "对政府的依赖：{dim}", "en": "Dependence on government: {dim}"},
    "force_on_gov": {
        "zh": "队伍对政府的总体依赖",
        "en": "Force's overall dependence on government",
    },
    "gov_on_force": {
        "zh": "政府对队伍的需要（折算前）",
        "en": "Government's need of the force (before the discount)",
    },
    "gov_need_counted": {
        "zh": "政府的需要（按替代资源折算后，计入指数）",
        "en": "Government's need as counted in the index (after alternatives)",
    },
    "alternatives": {
        "zh": "队伍在政府以外的替代资源（份额）",
        "en": "The force's resources from outside government (share)",
    },
    "index": {"zh": "非对称指数", "en": "Asymmetry index"},
    "level": {"zh": "非对称程度", "en": "Asymmetry level"},
    "coproduction": {"zh": "合作生产得分（阶段）", "en": "Co-production score (stage)"},
    "main_problems": {"zh": "主要问题", "en": "Main problems"},
    "first_actions": {"zh": "首要行动", "en": "First actions"},
    "severity": {"zh": "严重度", "en": "severity"},
    "priority": {"zh": "优先级", "en": "priority"},
    "none": {"zh": "无。", "en": "None."},
    "notes": {"zh": "提示", "en": "Notes"},
    "diagnoses": {"zh": "诊断", "en": "Diagnoses"},
    "because": {"zh": "依据的情况", "en": "What it rests on"},
    "actions": {"zh": "行动建议", "en": "Recommended actions"},
    "who": {
        "zh": "主体：{actor}；环节：{stage}；优先级 {priority}（第 {rank} 位）。",
        "en": "Actor: {actor}; stage: {stage}; priority {priority} (rank {rank}).",
    },
    "appendix": {"zh": "附录", "en": "Appendix"},
    "passages": {"zh": "依据的论文原文", "en": "Passages of the paper"},
    "passages_note": {
        "zh": "以下为诊断与行动所依据的论文原文（高雅，2024），按章节编号注明出处。",
        "en": "The passages of the paper (Gao Ya, 2024) the diagnoses and actions rest on, with "
        "their section numbers; the English is this tool's translation of the Chinese original.",
    },
    "trace": {"zh": "规则触发记录", "en": "Trace of the rules that fired"},
    "rule": {"zh": "规则", "en": "Rule"},
    "params": {"zh": "本工具的参数", "en": "Parameters of this tool"},
    "trace_note": {
        "zh": "供分析人员核对：规则、参数均为知识库中的编号；"
        "正文只写参数的取值，并注明它是本工具的设定。",
        "en": "For analysts: rules and parameters by their ids in the knowledge base; the body "
        "gives only the parameters' values, marked as this tool's choice.",
    },
    "for": {"zh": "结论", "en": "Concludes"},
    "matched": {"zh": "匹配到的事实", "en": "Facts matched"},
    "why_not": {"zh": "未建议的行动及原因", "en": "Actions not recommended, and why"},
    "action": {"zh": "行动", "en": "Action"},
    "reason": {"zh": "原因", "en": "Reason"},
    "versions": {"zh": "版本信息", "en": "Versions"},
    "engine": {"zh": "引擎版本", "en": "Engine version"},
    "kb": {"zh": "知识库版本", "en": "Knowledge base version"},
    "schema": {"zh": "档案格式版本", "en": "Profile format version"},
    "section": {"zh": "第 {s} 节", "en": "section {s}"},
    "ours": {
        "zh": "说明：评分、阈值和排序是本工具对论文概念的操作化，不是论文给出的数值。",
        "en": "Note: the scores, thresholds and ordering are this tool's operationalisation of "
        "the paper's concepts, not figures the paper gives.",
    },
    # what-if
    "whatif_title": {"zh": "情景比较", "en": "What-if comparison"},
    "baseline": {"zh": "基准", "en": "Baseline"},
    "variant": {"zh": "情景", "en": "Variant"},
    "before_after": {"zh": "变化前 → 变化后", "en": "before → after"},
    "top_after": {"zh": "变化后的首要行动", "en": "First action after"},
    "fields_changed": {"zh": "改变的字段", "en": "Fields changed"},
    "field": {"zh": "字段", "en": "Field"},
    "old": {"zh": "原值", "en": "Before"},
    "new": {"zh": "新值", "en": "After"},
    "dependence": {"zh": "依赖度变化", "en": "Dependence"},
    "dimension": {"zh": "维度", "en": "Dimension"},
    "on_gov": {"zh": "对政府", "en": "On government"},
    "on_tp": {"zh": "对第三方", "en": "On the third party"},
    "dx_added": {"zh": "新出现的诊断", "en": "Diagnoses added"},
    "dx_removed": {"zh": "消失的诊断", "en": "Diagnoses removed"},
    "ax_added": {"zh": "新增的行动", "en": "Actions added"},
    "ax_dropped": {"zh": "不再建议的行动", "en": "Actions dropped"},
    "ax_reranked": {"zh": "排序变化的行动", "en": "Actions re-ranked"},
    # roadmap
    "roadmap_title": {"zh": "行动路线图", "en": "Roadmap"},
    "after": {"zh": "须先做：{x}", "en": "after: {x}"},
    "deferred": {"zh": "（暂缓）", "en": " (deferred)"},
    "preconditions": {"zh": "先后顺序及其理由", "en": "Preconditions and why"},
    "before": {"zh": "先", "en": "First"},
    "then": {"zh": "后", "en": "Then"},
    # batch
    "batch_title": {"zh": "批量评估汇总报告", "en": "Batch assessment summary"},
}


def _t(key: str, lang: str, **kw: Any) -> str:
    text = T[key][lang]
    return text.format(**kw) if kw else text


def _ui(namespace: str, key: Any, lang: str) -> str:
    try:
        return label(namespace, key, lang)
    except Exception:
        return str(key)


def _stage(stage: str, lang: str) -> str:
    try:
        return coproduction_stage_label(stage, lang)
    except Exception:
        return stage


def _num(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}"


def _signed(x: float) -> str:
    return f"{x:+.2f}".replace("-", "−")


def _paren(text: str, lang: str) -> str:
    return f"（{text}）" if lang == "zh" else f" ({text})"


def _colon(lang: str) -> str:
    return "：" if lang == "zh" else ": "


def _today() -> str:
    return dt.date.today().isoformat()


# --------------------------------------------------------------------------- assessment


def assessment_document(assessment: Any, lang: str = "zh", profile: Any = None) -> Document:
    """The assessment as an official report: summary page (what works first, when the
    ``profile`` is given and shows strengths), diagnoses, actions, appendices."""
    a = assessment
    name = a.profile_name or a.profile_id
    title = _t("assessment_title", lang)
    b: list[Block] = [
        Block("title", title),
        Block("subtitle", name),
        Block("meta", f"{_t('profile', lang)}: {a.profile_id}    {_t('date', lang)}: {_today()}"),
        Block("h1", _t("summary", lang)),
    ]
    level = _ui("level", a.asymmetry.level, lang)
    stage = _stage(a.coproduction.stage, lang)
    b.append(
        Block(
            "p",
            _t(
                "lead",
                lang,
                level=level,
                index=_signed(a.asymmetry.index),
                score=a.coproduction.score,
                stage=stage,
            ),
        )
    )
    pairs = [
        [_t("level", lang), level],
        [_t("index", lang), _signed(a.asymmetry.index)],
        [_t("force_on_gov", lang), _num(a.asymmetry.force_on_government)],
        [_t("gov_on_force", lang), _num(a.asymmetry.government_on_force)],
    ]
    found_need = government_need(a.asymmetry)
    if found_need is not None:
        # government's need counts in the index only as far as the force has alternatives
        pairs += [
            [_t("gov_need_counted", lang), _num(found_need[0])],
            [_t("alternatives", lang), _num(a.asymmetry.alternatives)],
        ]
    pairs += [
        [_t("dep_on", lang, dim=_ui("dimension", d, lang)), _num(getattr(a.dependence, d))]
        for d in DIMENSIONS
    ]
    pairs.append([_t("coproduction", lang), f"{a.coproduction.score}/16" + _paren(stage, lang)])
    pairs.append(["", ""])
    rows = [pairs[i] + pairs[i + 1] for i in range(0, len(pairs) - 1, 2)]
    head = [_t("figure", lang), _t("value", lang)]
    b.append(Block("table", header=head + head, rows=rows))
    if found_need is not None:
        b.append(Block("note", found_need[1].get(lang)))
    # what works first (issue 11), when the case shows strengths the tool recognises: one
    # line each on the summary page, the reasons and passages in a section of their own
    found = strengths(profile) if profile is not None else []
    if found:
        b.append(Block("h2", catalogue_text("text", "what_works", lang)))
        for i, st in enumerate(found, start=1):
            mark = ""
            if st.only_assumed_inputs:
                mark = _paren(catalogue_text("basis", "only_assumed_short", lang), lang)
            b.append(Block("p", f"{i}. {st.label.get(lang)}{mark}"))
    # with strengths and a low asymmetry, the problems read as what is left to do
    residual = bool(found) and a.asymmetry.level in ("balanced", "moderate")
    b.append(
        Block(
            "h2",
            catalogue_text("text", "main_risks", lang) if residual else _t("main_problems", lang),
        )
    )
    if a.diagnoses:
        for i, d in enumerate(a.diagnoses[:5], start=1):
            b.append(
                Block(
                    "p",
                    f"{i}. {diagnosis_phrase(d.id, d.label, lang)}"
                    + _paren(f"{_t('severity', lang)} {_num(d.severity)}", lang),
                )
            )
    else:
        b.append(Block("p", _t("none", lang)))
    b.append(Block("h2", _t("first_actions", lang)))
    ranked = sorted(a.actions, key=lambda x: x.rank)
    for x in ranked[:5]:
        b.append(
            Block(
                "p",
                f"{x.rank}. {_ui('actor', x.actor, lang)}{_colon(lang)}{x.label.get(lang)}"
                + _paren(f"{_t('priority', lang)} {x.priority:.0f}", lang),
            )
        )
    if not ranked:
        b.append(Block("p", _t("none", lang)))
    if a.warnings:
        b.append(Block("h2", _t("notes", lang)))
        for w in a.warnings:
            b.append(Block("p", w.message.get(lang)))
    b.append(Block("note", _t("ours", lang)))
    b.append(Block("pagebreak"))

    b += _strength_blocks(found, lang)
    b.append(Block("h1", _t("diagnoses", lang)))
    if not a.diagnoses:
        b.append(Block("p", _t("none", lang)))
    for d in a.diagnoses:
        sev = _paren(f"{_t('severity', lang)} {_num(d.severity)}", lang)
        b.append(Block("h2", f"{diagnosis_phrase(d.id, d.label, lang)}{sev}"))
        b += _assumed_blocks(d, lang)
        # in plain words at the source (advisor.explain); the ids stay in the appendix of the
        # rules that fired
        texts = [t.get(lang) for t in d.because_text] or list(d.because)
        for text in texts:
            b.append(Block("p", text))
    b.append(Block("h1", _t("actions", lang)))
    for phase in (1, 2, 3):
        items = [x for x in ranked if x.phase == phase]
        if not items:
            continue
        b.append(Block("h2", _ui("phase", phase, lang)))
        for x in items:
            b.append(Block("h3", f"{x.label.get(lang)}"))
            b += _assumed_blocks(x, lang)
            b.append(
                Block(
                    "p",
                    _t(
                        "who",
                        lang,
                        actor=_ui("actor", x.actor, lang),
                        stage=_ui("stage", x.stage, lang),
                        priority=f"{x.priority:.0f}",
                        rank=x.rank,
                    ),
                )
            )
            b.append(Block("p", x.rationale.get(lang)))

    b.append(Block("pagebreak"))
    b += _appendix_passages(a, lang)
    b += _appendix_trace(a, lang)
    if a.not_recommended:
        b.append(Block("appendix", _t("why_not", lang)))
        b.append(
            Block(
                "table",
                header=[_t("action", lang), _t("reason", lang)],
                rows=[
                    [
                        n.label.get(lang) + _paren(_ui("actor", n.actor, lang), lang),
                        n.reason.get(lang),
                    ]
                    for n in a.not_recommended
                ],
            )
        )
    b += _appendix_versions(a.engine_version, a.knowledge_base_version, lang, a.profile_id)
    return Document(lang, title, b)


def _strength_blocks(found: list[Any], lang: str) -> list[Block]:
    """What works, in full: each strength, what it rests on, the passage of the paper."""
    if not found:
        return []
    out = [
        Block("h1", catalogue_text("text", "what_works", lang)),
        Block("note", catalogue_text("text", "what_works_intro", lang)),
    ]
    for st in found:
        out.append(Block("h2", st.label.get(lang)))
        out += _assumed_blocks(st, lang)
        out.append(Block("p", st.text.get(lang)))
        because = ("；" if lang == "zh" else "; ").join(x.get(lang) for x in st.because)
        out.append(
            Block("p", catalogue_text("text", "strength_because", lang) + _colon(lang) + because)
        )
        if st.source is not None:
            src = st.source
            quote = (src.quote_zh if lang == "zh" else src.quote_en).strip('“”"')
            where = _t("section", lang, s=src.section)
            out.append(
                Block(
                    "note",
                    catalogue_text("text", "strength_paper", lang)
                    + f"{_paren(where, lang)}{_colon(lang)}“{quote}”",
                )
            )
    return out


def _assumed_blocks(item: Any, lang: str) -> list[Block]:
    """The first lines of a conclusion resting on assumptions: all assumed, or which are."""
    out: list[Block] = []
    if item.only_assumed_inputs:
        out.append(Block("p", catalogue_text("basis", "only_assumed", lang)))
    if item.assumed_inputs:
        sep = "、" if lang == "zh" else ", "
        names = sep.join(field_label(p, lang) for p in item.assumed_inputs)
        out.append(
            Block("note", catalogue_text("basis", "assumed_inputs", lang) + _colon(lang) + names)
        )
    return out


def _appendix_passages(a: Any, lang: str) -> list[Block]:
    seen: dict[tuple[str, str], Any] = {}
    for item in (*a.diagnoses, *a.actions):
        for s in item.sources:
            seen.setdefault((s.section, s.quote_zh), s)
    out = [Block("appendix", _t("passages", lang)), Block("note", _t("passages_note", lang))]
    for s in sorted(seen.values(), key=lambda s: _section_key(s.section)):
        where = _t("section", lang, s=s.section)
        code = f" [{s.interview_code}]" if s.interview_code else ""
        if lang == "zh":
            out.append(Block("p", f"（{where}{code}）“{s.quote_zh}”"))
        else:
            out.append(Block("p", f"({where}{code}) “{s.quote_en}” — {s.quote_zh}"))
    return out


def _section_key(section: str) -> tuple:
    parts = []
    for p in section.split("."):
        parts.append((0, int(p), "") if p.isdigit() else (1, 0, p))
    return tuple(parts)


def _matched(m: dict[str, Any]) -> str:
    return "; ".join(f"{k} = {v}" for k, v in m.items())


def _appendix_trace(a: Any, lang: str) -> list[Block]:
    rows: list[list[str]] = []
    for item in (*a.diagnoses, *a.actions):
        for step in item.trace:
            params = "; ".join(rule_params([step.rule])) or "—"
            rows.append([step.rule, item.label.get(lang), _matched(step.matched), params])
    if not rows:
        return []
    header = [_t("rule", lang), _t("for", lang), _t("matched", lang), _t("params", lang)]
    return [
        Block("appendix", _t("trace", lang)),
        Block("note", _t("trace_note", lang)),
        Block("table", header=header, rows=rows),
    ]


def _appendix_versions(engine: str, kb: str, lang: str, profile: str | None = None) -> list[Block]:
    rows = [[_t("engine", lang), engine], [_t("kb", lang), kb], [_t("schema", lang), "1"]]
    if profile:
        rows.insert(0, [_t("profile", lang), profile])
    return [
        Block("appendix", _t("versions", lang)),
        Block("table", header=[_t("figure", lang), _t("value", lang)], rows=rows),
    ]


# --------------------------------------------------------------------------- what-if


def whatif_document(comparison: Any, lang: str = "zh") -> Document:
    """A what-if comparison: a summary table of the variants, then what moved in each."""
    c = comparison
    title = _t("whatif_title", lang)
    b: list[Block] = [
        Block("title", title),
        Block("subtitle", c.baseline_name),
        Block("meta", f"{_t('baseline', lang)}: {c.baseline_id}    {_t('date', lang)}: {_today()}"),
        Block("h1", _t("summary", lang)),
    ]
    rows = []
    for v in c.variants:
        asym = v.asymmetry
        top = v.top_action_after
        rows.append(
            [
                v.label.get(lang),
                f"{_signed(asym.index_before)} → {_signed(asym.index_after)}",
                f"{_ui('level', asym.level_before, lang)} → {_ui('level', asym.level_after, lang)}",
                f"{v.coproduction.score_before} → {v.coproduction.score_after}",
                top.label.get(lang) if top else "—",
            ]
        )
    b.append(
        Block(
            "table",
            header=[
                _t("variant", lang),
                _t("index", lang),
                _t("level", lang),
                _t("coproduction", lang),
                _t("top_after", lang),
            ],
            rows=rows,
        )
    )
    b.append(Block("note", _t("ours", lang)))
    b.append(Block("pagebreak"))
    for v in c.variants:
        b.append(Block("h1", v.label.get(lang)))
        if v.fields_changed:
            b.append(Block("h2", _t("fields_changed", lang)))
            b.append(
                Block(
                    "table",
                    header=[_t("field", lang), _t("old", lang), _t("new", lang)],
                    rows=[
                        [
                            _field_label(f.path, lang),
                            _value(f.path, f.old, lang),
                            _value(f.path, f.new, lang),
                        ]
                        for f in v.fields_changed
                    ],
                )
            )
        b.append(Block("h2", _t("dependence", lang)))
        b.append(
            Block(
                "table",
                header=[_t("dimension", lang), _t("on_gov", lang), _t("on_tp", lang)],
                rows=[
                    [
                        _ui("dimension", d.dimension, lang),
                        f"{_num(d.government_before)} → {_num(d.government_after)}",
                        f"{_num(d.third_party_before)} → {_num(d.third_party_after)}",
                    ]
                    for d in v.dependence
                ],
            )
        )
        for key, items in (
            ("dx_added", v.diagnoses_added),
            ("dx_removed", v.diagnoses_removed),
            ("ax_added", v.actions_added),
            ("ax_dropped", v.actions_dropped),
        ):
            if items:
                b.append(Block("h2", _t(key, lang)))
                for i, it in enumerate(items, start=1):
                    b.append(Block("p", f"{i}. {it.label.get(lang)}"))
        if v.actions_reranked:
            b.append(Block("h2", _t("ax_reranked", lang)))
            for i, r in enumerate(v.actions_reranked, start=1):
                b.append(
                    Block("p", f"{i}. {r.label.get(lang)}{_colon(lang)}{r.old_rank} → {r.new_rank}")
                )
    b += _appendix_versions(c.engine_version, c.knowledge_base_version, lang)
    return Document(lang, title, b)


def _field_label(path: str, lang: str) -> str:
    try:
        return field_label(path, lang)
    except Exception:
        return path


def _value(path: str, value: Any, lang: str) -> str:
    try:
        return str(value_label(path, value, lang))
    except Exception:
        return str(value)


# --------------------------------------------------------------------------- roadmap


def roadmap_document(roadmap: Any, lang: str = "zh") -> Document:
    """The phased plan: a summary, then per phase and actor the actions in order."""
    r = roadmap
    name = r.profile_name or r.profile_id
    title = _t("roadmap_title", lang)
    b: list[Block] = [
        Block("title", title),
        Block("subtitle", name),
        Block("meta", f"{_t('profile', lang)}: {r.profile_id}    {_t('date', lang)}: {_today()}"),
        Block("h1", _t("summary", lang)),
        Block(
            "table",
            header=[_t("figure", lang), _t("value", lang)],
            rows=[
                [_t("level", lang), _ui("level", r.asymmetry_level, lang)],
                [_t("index", lang), _signed(r.asymmetry_index)],
                [_t("coproduction", lang), f"{r.coproduction_score}/16"],
            ],
        ),
    ]
    labels = {i.id: i.label.get(lang) for i in r.items}
    for phase in (1, 2, 3):
        actors = [
            actor
            for actor in ("government", "third_party", "volunteers", "residents")
            if r.phase(actor, phase)
        ]
        if not actors:
            continue
        b.append(Block("h1", _ui("phase", phase, lang)))
        for actor in actors:
            b.append(Block("h2", _ui("actor", actor, lang)))
            for i, item in enumerate(r.phase(actor, phase), start=1):
                text = f"{i}. {item.label.get(lang)}"
                if item.deferred:
                    text += _t("deferred", lang)
                if item.after:
                    sep = "、" if lang == "zh" else ", "
                    after = sep.join(labels.get(x, x) for x in item.after)
                    text += ("；" if lang == "zh" else "; ") + _t("after", lang, x=after)
                b.append(Block("p", text))
    if r.preconditions:
        b.append(Block("pagebreak"))
        b.append(Block("appendix", _t("preconditions", lang)))
        b.append(
            Block(
                "table",
                header=[_t("before", lang), _t("then", lang), _t("reason", lang)],
                rows=[
                    [
                        labels.get(p.before, p.before),
                        labels.get(p.after, p.after),
                        r.rules[p.rule].get(lang) if p.rule in r.rules else str(p.rule),
                    ]
                    for p in r.preconditions
                ],
            )
        )
    return Document(lang, title, b)


# --------------------------------------------------------------------------- batch summary


def batch_document(summary: Any, lang: str = "zh", meta: dict[str, Any] | None = None) -> Document:
    """The batch summary (``advisor.batch.Summary``): counts and levels on the first page, then
    diagnoses, actions per actor and the cases that need attention; failures in an appendix."""
    from advisor.batch import summary_context

    ctx = summary_context(summary, lang, meta or {})
    t = ctx["t"]
    title = _t("batch_title", lang)
    b: list[Block] = [
        Block("title", title),
        Block("meta", f"{_t('date', lang)}: {_today()}"),
        Block("h1", _t("summary", lang)),
        Block(
            "table",
            header=[t["counts"], t["cases"]],
            rows=[
                [t["total"], f"{ctx['total']:,}"],
                [t["assessed"], f"{ctx['assessed']:,}"],
                [t["failed"], f"{ctx['failed']:,}"],
            ],
        ),
        Block("h2", t["levels"]),
        Block(
            "table",
            header=[t["level"], t["cases"], t["share"]],
            rows=[[lv["label"], f"{lv['count']:,}", f"{lv['pct']:.1f}%"] for lv in ctx["levels"]],
        ),
        Block("h2", t["dependence"]),
        Block(
            "table",
            header=[t["dimension"], t["mean"]],
            rows=[[d["label"], _num(d["mean"])] for d in ctx["dependence"]],
        ),
    ]
    if ctx["mixed_versions"]:
        b.append(Block("note", ctx["mixed_versions"]))
    b.append(Block("note", t["note"]))
    b.append(Block("pagebreak"))
    b.append(Block("h1", t["diagnoses"]))
    b.append(
        Block(
            "table",
            header=[t["diagnosis"], t["cases"], t["share"], t["mean_severity"]],
            rows=[
                [d["label"], f"{d['count']:,}", f"{d['pct']:.1f}%", _num(d["mean_severity"])]
                for d in ctx["diagnoses"]
            ],
        )
    )
    b.append(Block("h1", t["actions"]))
    for actor in ctx["actors"]:
        if not actor["actions"]:
            continue
        b.append(Block("h2", actor["label"]))
        b.append(
            Block(
                "table",
                header=[t["action"], t["cases"], t["ranked_first"], t["mean_priority"]],
                rows=[
                    [x["label"], f"{x['count']:,}", f"{x['first']:,}", f"{x['mean_priority']:.0f}"]
                    for x in actor["actions"]
                ],
            )
        )
    if ctx["attention"]:
        b.append(Block("h1", t["attention"]))
        b.append(Block("note", ctx["attention_rule"]))
        b.append(
            Block(
                "table",
                header=[t["row"], t["case"], t["level"], t["index"], t["first_action"]],
                rows=[
                    [str(x["n"]), x["name"], x["level"], _signed(x["index"]), x["first_action"]]
                    for x in ctx["attention"]
                ],
            )
        )
    if ctx["failed_rows"]:
        b.append(Block("appendix", t["failed_rows"]))
        b.append(
            Block(
                "table",
                header=[t["line"], t["source"], t["errors"]],
                rows=[
                    [
                        str(r["line"]),
                        str(r["profile_id"] or ""),
                        "; ".join(
                            f"{e.get('path')}: {e.get('message')}"
                            if e.get("path")
                            else str(e.get("message"))
                            for e in r["errors"]
                        ),
                    ]
                    for r in ctx["failed_rows"]
                ],
            )
        )
        if ctx["more_failed"]:
            b.append(Block("note", ctx["more_failed"]))
    if ctx["versions"]:
        b.append(Block("appendix", _t("versions", lang)))
        b.append(
            Block(
                "table",
                header=[_t("engine", lang), _t("kb", lang), t["cases"]],
                rows=[
                    [v["engine"], v["knowledge_base"], f"{v['count']:,}"] for v in ctx["versions"]
                ],
            )
        )
    return Document(lang, title, b)


# --------------------------------------------------------------------------- numbering

ZH_NUM = "零一二三四五六七八九十"


def zh_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 21 -> 二十一 (up to 99)."""
    if n <= 10:
        return ZH_NUM[n]
    tens, ones = divmod(n, 10)
    return (ZH_NUM[tens] if tens > 1 else "") + "十" + (ZH_NUM[ones] if ones else "")


def numbered(doc: Document) -> list[tuple[Block, str]]:
    """Each block with its heading number: 一、（一）1. in Chinese, 1. 1.1 1.1.1 in English;
    appendices 附录一 / Appendix A."""
    out: list[tuple[Block, str]] = []
    h1 = h2 = h3 = 0
    app = 0
    for block in doc.blocks:
        num = ""
        if block.kind == "h1":
            h1, h2, h3 = h1 + 1, 0, 0
            num = f"{zh_number(h1)}、" if doc.lang == "zh" else f"{h1}. "
        elif block.kind == "h2":
            h2, h3 = h2 + 1, 0
            num = f"（{zh_number(h2)}）" if doc.lang == "zh" else f"{h1}.{h2} "
        elif block.kind == "h3":
            h3 += 1
            num = f"{h3}．" if doc.lang == "zh" else f"{h1}.{h2}.{h3} "
        elif block.kind == "appendix":
            app += 1
            num = f"附录{zh_number(app)}　" if doc.lang == "zh" else f"Appendix {chr(64 + app)}. "
        out.append((block, num))
    return out


# --------------------------------------------------------------------------- Word

FONTS = {
    "zh": {
        "body": "FangSong",
        "h1": "SimHei",
        "h2": "KaiTi",
        "title": "SimSun",
        "latin": "Times New Roman",
    },
    "en": {
        "body": "Times New Roman",
        "h1": "Arial",
        "h2": "Times New Roman",
        "title": "Times New Roman",
        "latin": "Times New Roman",
    },
}
SIZES = {
    "zh": {"body": 14, "title": 20, "h1": 15, "h2": 14, "h3": 14, "table": 10.5},
    "en": {"body": 11.5, "title": 18, "h1": 13, "h2": 12, "h3": 11.5, "table": 9.5},
}


def _set_font(run: Any, latin: str, east_asia: str, size: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = latin
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)


def _page_number_footer(section: Any, lang: str) -> None:
    """A centred footer '— N —' with a PAGE field (Word fills in the number)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def text(s: str) -> None:
        r = p.add_run(s)
        _set_font(r, "Times New Roman", FONTS[lang]["body"], 12)

    text("— ")
    run = p.add_run()
    _set_font(run, "Times New Roman", FONTS[lang]["body"], 12)
    for tag, attr in (("w:fldChar", "begin"), ("w:instrText", None), ("w:fldChar", "end")):
        el = OxmlElement(tag)
        if attr:
            el.set(qn("w:fldCharType"), attr)
        else:
            el.set(qn("xml:space"), "preserve")
            el.text = "PAGE"
        run._r.append(el)
    text(" —")


def to_docx(doc: Document) -> bytes:
    """The document as a Word file (bytes)."""
    from docx import Document as Docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Mm, Pt

    lang = doc.lang
    f, s = FONTS[lang], SIZES[lang]
    d = Docx()
    sec = d.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(37), Mm(35)
    sec.left_margin, sec.right_margin = Mm(28), Mm(26)
    normal = d.styles["Normal"]
    normal.font.name = f["latin"]
    normal.font.size = Pt(s["body"])
    d.core_properties.title = doc.title
    d.core_properties.language = "zh-CN" if lang == "zh" else "en-GB"
    _page_number_footer(sec, lang)

    def para(
        text: str,
        font: str,
        size: float,
        bold: bool = False,
        align: Any = None,
        indent: bool = False,
        space_before: float = 0,
    ) -> Any:
        p = d.add_paragraph()
        if align is not None:
            p.alignment = align
        pf = p.paragraph_format
        pf.space_before = Pt(space_before)
        pf.space_after = Pt(4)
        if indent:
            pf.first_line_indent = Pt(size * 2) if lang == "zh" else Pt(0)
        _set_font(p.add_run(text), f["latin"], font, size, bold)
        return p

    for block, num in numbered(doc):
        k = block.kind
        if k == "title":
            para(
                block.text,
                f["title"],
                s["title"],
                bold=True,
                align=WD_ALIGN_PARAGRAPH.CENTER,
                space_before=12,
            )
        elif k == "subtitle":
            para(block.text, f["h2"], s["h2"], align=WD_ALIGN_PARAGRAPH.CENTER)
        elif k == "meta":
            para(block.text, f["body"], s["table"], align=WD_ALIGN_PARAGRAPH.CENTER)
        elif k in ("h1", "appendix"):
            para(num + block.text, f["h1"], s["h1"], bold=lang == "en", space_before=10)
        elif k == "h2":
            para(num + block.text, f["h2"], s["h2"], bold=True, space_before=6)
        elif k == "h3":
            para(num + block.text, f["body"], s["h3"], bold=True, space_before=4)
        elif k == "p":
            para(block.text, f["body"], s["body"], indent=True)
        elif k == "note":
            para(block.text, f["body"], s["table"])
        elif k == "pagebreak":
            d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif k == "table":
            table = d.add_table(rows=1, cols=len(block.header))
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for cell, text in zip(table.rows[0].cells, block.header, strict=True):
                cell.text = ""
                _set_font(cell.paragraphs[0].add_run(text), f["latin"], f["h1"], s["table"], True)
            for row in block.rows:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    cell.text = ""
                    _set_font(
                        cell.paragraphs[0].add_run(str(text)), f["latin"], f["body"], s["table"]
                    )
            d.add_paragraph()
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------- HTML and PDF


def to_html(doc: Document) -> str:
    """The document as a printable HTML page (the print stylesheet inlined)."""
    css = CSS_PATH.read_text(encoding="utf-8")
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if doc.lang == "zh" else "en"}"><head><meta charset="utf-8">',
        f"<title>{e(doc.title)}</title><style>{css}</style></head>",
        f'<body class="lang-{doc.lang}">',
    ]
    for block, num in numbered(doc):
        k = block.kind
        if k == "title":
            parts.append(f'<h1 class="title">{e(block.text)}</h1>')
        elif k == "subtitle":
            parts.append(f'<p class="subtitle">{e(block.text)}</p>')
        elif k == "meta":
            parts.append(f'<p class="meta">{e(block.text)}</p>')
        elif k in ("h1", "appendix"):
            parts.append(f'<h2 class="{k}">{e(num + block.text)}</h2>')
        elif k == "h2":
            parts.append(f"<h3>{e(num + block.text)}</h3>")
        elif k == "h3":
            parts.append(f"<h4>{e(num + block.text)}</h4>")
        elif k == "p":
            parts.append(f"<p>{e(block.text)}</p>")
        elif k == "note":
            parts.append(f'<p class="note">{e(block.text)}</p>')
        elif k == "pagebreak":
            parts.append('<div class="pagebreak"></div>')
        elif k == "table":
            head = "".join(f"<th>{e(h)}</th>" for h in block.header)
            body = "".join(
                "<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>"
                for row in block.rows
            )
            parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    parts.append("</body></html>")
    return "\n".join(parts)


def chromium() -> str:
    """The path of a Chromium to print with; AdvisorError when none is installed."""
    env = os.environ.get("ADVISOR_CHROMIUM")
    if env and Path(env).exists():
        return env
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise AdvisorError(
        "PDF output needs Chromium (Debian: apt-get install chromium; or set ADVISOR_CHROMIUM); "
        "the Word format (--format docx) needs nothing else"
    )


def to_pdf(doc: Document) -> bytes:
    """The document printed to PDF by headless Chromium (fonts embedded by the printer)."""
    exe = chromium()
    with tempfile.TemporaryDirectory(prefix="advisor-pdf-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(to_html(doc), encoding="utf-8")
        out = Path(tmp) / "report.pdf"
        cmd = [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--no-pdf-header-footer",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        try:
            proc = subprocess.run(
                cmd, capture_output=True, timeout=PDF_TIMEOUT, start_new_session=True
            )
        except subprocess.TimeoutExpired:
            raise AdvisorError(f"Chromium did not print the PDF within {PDF_TIMEOUT} s") from None
        except OSError as exc:
            raise AdvisorError(f"cannot run Chromium ({exe}): {exc.strerror or exc}") from None
        if not out.exists() or out.stat().st_size == 0:
            tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise AdvisorError("Chromium did not print the PDF: " + " / ".join(tail))
        return out.read_bytes()


def render_document(doc: Document, fmt: str) -> bytes:
    """The document as ``docx`` or ``pdf`` bytes."""
    if fmt == "docx":
        return to_docx(doc)
    if fmt == "pdf":
        return to_pdf(doc)
    raise AdvisorError(f"unknown document format {fmt!r}; expected docx or pdf")


def write_bytes(data: bytes, output: str | Path) -> Path:
    """Write ``data`` to ``output`` atomically (a temporary file renamed into place)."""
    target = Path(output)
    if target.is_dir():
        raise AdvisorError(f"cannot write {target}: it is a folder")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.exists():
        raise AdvisorError(f"cannot write {target}: the folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise AdvisorError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target


def write_document(doc: Document, fmt: str, output: str | None) -> Path:
    """Render ``doc`` as ``fmt`` (docx or pdf) into the file ``output`` (required: binary)."""
    if not output or output == "-":
        raise AdvisorError(f"a {fmt} document is a file: give -o FILE.{fmt}")
    return write_bytes(render_document(doc, fmt), output)
