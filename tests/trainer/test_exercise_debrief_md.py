"""The debrief as Markdown (``advisor trainer exercise score``), rendered from its template."""

from __future__ import annotations

import pytest

from advisor.models import BiText, CaseProfile
from advisor.trainer.exercise import create_pack, debrief, render_debrief_md, score


@pytest.fixture(scope="module")
def pack(case_y: CaseProfile):
    """A pack of case Y whose title carries Markdown and HTML a trainer might paste."""
    p = create_pack(case_y, pack_id="y-debrief")
    return p.model_copy(
        update={"title": BiText(zh="Y 社区 <b>演练</b> *一*", en="Case Y <b>drill</b> *one*")}
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_debrief_markdown_walks_score_diagnoses_and_actions(pack, lang: str) -> None:
    """Headings in the user's language, every diagnosis and action with its rule, the title
    escaped, and one line per block with no trailing blank line."""
    order = pack.recommended() + pack.not_recommended()
    result = score(pack, list(reversed(order)))
    md = render_debrief_md(pack, result, lang)
    heads = {
        "zh": ["## 得分", "### 值得讨论的分歧", "## 诊断及其依据", "## 引擎的排序与理由"],
        "en": ["## Score", "### Misses worth discussing", "## Diagnoses and their grounds"],
    }[lang]
    for head in heads:
        assert f"\n{head}\n" in md
    assert md.startswith("# ") and "<b>" not in md and "\\*" in md.splitlines()[0]
    d = debrief(pack, result)
    for dx in d.diagnoses:
        assert f"(`{dx.id}`, {dx.severity:.2f})" in md
    for x in d.actions:
        assert f"(`{x.id}`)" in md
    rule_word = "规则" if lang == "zh" else "Rule"
    assert md.count(f"- {rule_word} `") >= len(d.diagnoses)
    assert result.summary.get(lang) in md
    assert md.endswith("\n") and not md.endswith("\n\n") and "\n\n\n" not in md


def test_debrief_markdown_without_a_score_has_no_score_section(pack) -> None:
    """Without a participant's ranking the debrief starts at the diagnoses."""
    md = render_debrief_md(pack, None, "en")
    assert "## Score" not in md and "your rank –" in md
