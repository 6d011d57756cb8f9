"""The batch summary: aggregation over assessments, the attention ordering, rendering, progress."""

from __future__ import annotations

import io
import json

from advisor.batch import (
    ATTENTION_TOP,
    ErrorDigest,
    Progress,
    Summary,
    _digest,
    digest_from_record,
    render_summary,
)
from advisor.models import (
    Action,
    Assessment,
    Asymmetry,
    BiText,
    CoproductionResult,
    Diagnosis,
    DimensionScores,
)

META = {
    "input": "in.jsonl",
    "output": "out.jsonl",
    "resumed_from": 0,
    "workers": 1,
    "seconds": 1.0,
    "generated": "2026-01-01 00:00 UTC",
}
DX = {
    "hermit_crab": ("寄居蟹", "hermit crab"),
    "festivalisation": ("节日化", "festivalisation"),
}
ACT = {
    "gov_auxiliary_role": ("government", "政府转为辅助角色", "Government takes an auxiliary role"),
    "tp_train_volunteers": ("third_party", "社工机构培训志愿者", "The agency trains volunteers"),
}


def make(
    pid: str, level: str, index: float, dx: dict[str, float], acts: list[str], name: str = ""
) -> Assessment:
    """An assessment with the given level, diagnoses (id -> severity) and ranked actions."""
    scores = DimensionScores(legitimacy=0.8, funding=0.6, human_resources=0.4, knowledge=0.2)
    return Assessment(
        profile_id=pid,
        profile_name=name or pid,
        engine_version="e1",
        knowledge_base_version="k1",
        dependence=scores,
        third_party_dependence=scores,
        asymmetry=Asymmetry(
            force_on_government=0.5, government_on_force=0.2, index=index, level=level
        ),
        coproduction=CoproductionResult(score=4, stage="consulted"),
        diagnoses=[
            Diagnosis(
                id=d,
                label=BiText(zh=DX[d][0], en=DX[d][1]),
                severity=s,
                because=[],
                rules=[],
                sources=[],
            )
            for d, s in dx.items()
        ],
        actions=[
            Action(
                id=a,
                rank=i + 1,
                priority=90 - 10 * i,
                actor=ACT[a][0],
                phase=1,
                stage="foundation",
                addresses=[],
                dimensions=["funding"],
                label=BiText(zh=ACT[a][1], en=ACT[a][2]),
                rationale=BiText(zh="r", en="r"),
                priority_breakdown=[],
                rules=[],
                sources=[],
                provenance="paper",
            )
            for i, a in enumerate(acts)
        ],
    )


def sample_summary() -> Summary:
    """Five assessments and one failed row, in output order."""
    s = Summary()
    s.add(_digest(make("a", "balanced", -0.1, {}, ["tp_train_volunteers"])))
    s.add(_digest(make("b", "severe", 0.9, {"hermit_crab": 0.5}, ["gov_auxiliary_role"])))
    s.add(ErrorDigest(3, "in.jsonl", "c", [{"path": "funding", "message": "sum 1.7"}]))
    s.add(
        _digest(
            make(
                "d",
                "severe",
                0.8,
                {"hermit_crab": 0.9, "festivalisation": 0.4},
                ["gov_auxiliary_role", "tp_train_volunteers"],
            )
        )
    )
    s.add(_digest(make("e", "high", 0.5, {"festivalisation": 0.7}, ["tp_train_volunteers"])))
    s.add(_digest(make("f", "severe", 0.9, {"hermit_crab": 0.5}, ["gov_auxiliary_role"])))
    return s


def test_counts_levels_diagnoses_and_actions_are_aggregated() -> None:
    """Totals, level counts, diagnosis frequencies and actions per actor add up."""
    s = sample_summary()
    assert (s.total, s.assessed, s.failed) == (6, 5, 1)
    assert s.levels == {"balanced": 1, "severe": 3, "high": 1}
    assert s.diagnosis_count == {"hermit_crab": 3, "festivalisation": 2}
    assert s.action_count[("government", "gov_auxiliary_role")] == 3
    assert s.action_count[("third_party", "tp_train_volunteers")] == 3
    assert s.action_first[("third_party", "tp_train_volunteers")] == 2


def test_attention_order_follows_the_stated_rule() -> None:
    """Level first, then highest severity, then severity sum, index, and input order."""
    md, _ = render_summary(sample_summary(), "en", META)
    section = md.split("## Cases that need attention first")[1]
    order = [pid for pid in "abdef" if f"(`{pid}`)" in section]
    positions = sorted(order, key=lambda pid: section.index(f"(`{pid}`)"))
    # d: severe, max 0.9; b and f: severe, max 0.5, same keys -> input order b before f.
    assert positions == ["d", "b", "f", "e", "a"]


def test_attention_keeps_only_the_top_cases() -> None:
    """The attention list is bounded; the most urgent cases stay in it."""
    s = Summary()
    for i in range(ATTENTION_TOP * 3):
        s.add(_digest(make(f"p{i}", "moderate", 0.2, {"hermit_crab": i / 100}, [])))
    kept = {entry[2]["digest"].profile_id for entry in s.attention}
    assert len(kept) == ATTENTION_TOP
    assert f"p{ATTENTION_TOP * 3 - 1}" in kept and "p0" not in kept


def test_a_record_read_back_gives_the_same_digest() -> None:
    """The digest rebuilt from the JSON line (resume) equals the one from the model."""
    a = make("d", "severe", 0.8, {"hermit_crab": 0.9}, ["gov_auxiliary_role"])
    assert digest_from_record(json.loads(a.model_dump_json())) == _digest(a)


def test_summary_in_english_and_chinese_uses_the_assessments_labels() -> None:
    """Both languages render; diagnosis and action labels come from the assessments."""
    s = sample_summary()
    md_en, html_en = render_summary(s, "en", META)
    md_zh, html_zh = render_summary(s, "zh", META)
    assert "hermit crab" in md_en and "Government takes an auxiliary role" in html_en
    assert "寄居蟹" in md_zh and "政府转为辅助角色" in html_zh
    assert "Most frequent diagnoses" in md_en and "最常见的诊断" in md_zh
    assert "寄居蟹" not in md_en and "hermit crab" not in md_zh


def test_failed_rows_are_listed_with_line_and_field() -> None:
    """The failed row appears with its line, field path and message."""
    md, html = render_summary(sample_summary(), "en", META)
    assert "| 3 | in.jsonl (`c`) | `funding`: sum 1.7 |" in md
    assert "<code>funding</code>: sum 1.7" in html


def test_names_are_escaped_in_html_and_markdown() -> None:
    """A hostile name cannot inject markup in HTML nor break a Markdown table."""
    s = Summary()
    evil = "<script>alert(1)</script> | x"
    s.add(_digest(make("z", "severe", 0.9, {"hermit_crab": 0.9}, [], name=evil)))
    md, html = render_summary(s, "en", META)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<script>" not in md and "\\| x" in md


def test_mixed_versions_are_flagged() -> None:
    """Records from two knowledge base versions (a resume across a change) are flagged."""
    s = sample_summary()
    other = make("g", "high", 0.5, {}, []).model_copy(update={"knowledge_base_version": "k2"})
    s.add(_digest(other))
    md, html = render_summary(s, "en", META)
    assert "e1 / k1 (5)" in md and "e1 / k2 (1)" in md
    assert "different engine or knowledge base versions" in md
    assert 'id="mixed-versions"' in html
    md_one, _ = render_summary(sample_summary(), "en", META)
    assert "different engine" not in md_one


def test_empty_summary_renders() -> None:
    """A batch with no records still renders, saying there is nothing to summarise."""
    md, html = render_summary(Summary(), "zh", META)
    assert "没有可汇总的评估" in md and "没有可汇总的评估" in html


def test_progress_bar_shows_rate_and_eta() -> None:
    """On a terminal the bar shows done/total, the rate and the ETA."""
    now = [0.0]
    out = io.StringIO()
    bar = Progress(1000, stream=out, enabled=True, clock=lambda: now[0])
    now[0] = 2.0
    bar.update(500, failed=3)
    text = out.getvalue()
    assert "500/1,000" in text and "250/s" in text and "ETA 0:02" in text and "3 failed" in text
    assert text.startswith("\r")


def test_progress_bar_is_quiet_when_not_a_terminal() -> None:
    """Without a terminal nothing is written."""
    out = io.StringIO()  # isatty() is False
    bar = Progress(10, stream=out)
    bar.update(5)
    bar.close()
    assert out.getvalue() == ""
