"""Reports of the paper's two cases, from real assessments, read as the paper says."""

from __future__ import annotations

import html
import re

import pytest

from advisor.models import Assessment, CaseProfile
from advisor.pipeline import assess, preset
from advisor.report import label, render

SECTION_KEYS = ("summary", "dependence", "diagnoses", "actions", "why_not", "provenance")


@pytest.fixture(scope="module", params=["case-h", "case-y"])
def case(request: pytest.FixtureRequest) -> tuple[CaseProfile, Assessment]:
    """A preset and its real assessment."""
    profile = preset(request.param)
    return profile, assess(profile)


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_preset_report_has_sections_top_action_and_every_action(
    case: tuple[CaseProfile, Assessment], fmt: str, lang: str
) -> None:
    """Every section, the top action in the summary, and every action's label and quotes."""
    profile, assessment = case
    text = render(assessment, profile, fmt, lang)
    if fmt == "html":
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    for key in SECTION_KEYS:
        assert label("text", key, lang) in text
    summary = text.split(label("text", "dependence", lang))[0]
    top = min(assessment.actions, key=lambda a: a.rank)
    assert top.label.get(lang) in summary
    for act in assessment.actions:
        assert act.label.get(lang) in text
        for src in act.sources:
            assert " ".join(src.quote_zh.split()) in text
    for item in assessment.not_recommended:
        assert item.label.get(lang) in text


def test_case_y_report_leads_with_government_actions_and_high_asymmetry() -> None:
    """Case Y's report says its asymmetry is high or severe and puts government first."""
    profile = preset("case-y")
    assessment = assess(profile)
    md = render(assessment, profile, "md", "en")
    level = assessment.asymmetry.level
    assert level in ("high", "severe")
    summary = md.split("## 2.")[0]
    assert f"rated {label('level', level, 'en')}" in summary
    first_top = summary.split("**Top three actions**")[1].splitlines()[2]
    assert "(Government" in first_top


def test_english_preset_headings_carry_no_chinese() -> None:
    """Headings and labels of an English report are English (Chinese only in quotes and data)."""
    profile = preset("case-y")
    md = render(assess(profile), profile, "md", "en")
    headings = [line for line in md.splitlines() if line.startswith("#") and "Case" not in line]
    assert headings and not [h for h in headings if re.search(r"[\u3400-\u9fff]", h)]
