"""What works comes first (issue 11): case H, the paper's positive example, leads with its
strengths and its real residual risk (依附式自主), derived from the assessment, not the preset."""

from __future__ import annotations

import pytest

from advisor.models import CaseProfile
from advisor.pipeline import assess, preset
from advisor.report import render
from advisor.strengths import catalogue, strengths


def _summary(text: str) -> str:
    return text.split("\n## ")[1]


def test_case_h_leads_with_what_works_then_its_residual_risk() -> None:
    p = preset("case-h", with_basis=True)
    text = render(assess(p), p, "md", "zh")
    summary = _summary(text)
    assert summary.index("**做得好的方面**") < summary.index("**仍需注意的问题**")
    assert summary.index("**仍需注意的问题**") < summary.index("**优先行动（前三项）**")
    for label in ("对政府的依赖已经较低", "经常性的专业培训", "志愿者有表达意见的渠道"):
        assert label in summary
    risk = next(line for line in summary.splitlines() if line.startswith("**仍需注意的问题**"))
    assert "依附式自主" in risk
    # the strength resting only on assumed inputs says so in its line (H's decision
    # participation), and first in its details at the end of section 1, with the passage
    line = next(x for x in summary.splitlines() if "**志愿者有表达意见的渠道**" in x)
    assert "**志愿者有表达意见的渠道**（仅依据假设）：" in line
    details = summary.split("### 做得好的方面：判断依据与论文原文")[1]
    assert "大大降低了对政府的强依赖性" in details  # 5.2, verbatim, as a quote block
    block = details.split("志愿者有表达意见的渠道**")[1].strip().splitlines()[0]
    assert block.startswith("**注意：本项所依据的案例信息全部是本工具的假设")


def test_strengths_follow_the_inputs_not_the_preset() -> None:
    """Y trains twice a year: no training strength; give it weekly training and it has one."""
    y = preset("case-y", with_basis=True)
    ids = [s.id for s in strengths(y)]
    assert "regular_training" not in ids and "low_dependence_through_agency" not in ids
    data = y.model_dump(mode="json")
    data["knowledge"]["training_sessions_per_year"] = 52
    trained = CaseProfile.model_validate(data)
    assert "regular_training" in [s.id for s in strengths(trained)]
    # a severe case keeps its heading 主要问题 even beside a strength
    text = render(assess(y), y, "md", "zh")
    assert "**主要问题**" in _summary(text) and "**仍需注意的问题**" not in text


def test_a_case_without_strengths_has_no_what_works_section() -> None:
    y = preset("case-y")
    data = y.model_dump(mode="json")
    data["government"]["party_leadership"] = 0
    bare = CaseProfile.model_validate(data)
    assert strengths(bare) == []
    assert "做得好的方面" not in render(assess(bare), bare, "md", "zh")


@pytest.mark.parametrize("spec", catalogue(), ids=lambda s: s["id"])
def test_every_strength_names_its_cutoff_as_ours_and_rests_on_a_passage(spec: dict) -> None:
    from knowledge_base.loader import load_kb

    item = load_kb().items[spec["rests_on"]]
    assert item.source and 0 <= spec.get("quote", 0) < len(item.source)
    assert "本工具" in spec["reasoning"]["zh"] and "this tool" in spec["reasoning"]["en"]
    assert spec["label"]["zh"] and spec["label"]["en"] and spec["text"]["zh"] and spec["text"]["en"]
