"""Reports show the robustness of each conclusion when the assessment carries it, and only then.

A badge beside each diagnosis and action, a column in the ranked overview, a sentence in the
summary when the top of the list is fragile, and an annex with the per-conclusion table; in
JSON, Markdown and HTML, in Chinese and English.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re

import pytest
from markdown_it import MarkdownIt

from advisor.models import Assessment, CaseProfile
from advisor.pipeline import assess, preset
from advisor.report import render
from advisor.robustness import with_robustness

DAY = dt.date(2024, 5, 1)


@functools.cache
def _pair(name: str) -> tuple[CaseProfile, Assessment, Assessment]:
    p = preset(name)
    a = assess(p)
    return p, a, with_robustness(p, a, worlds=200)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", ["case-h", "case-y"])
def test_markdown_has_a_badge_per_conclusion_and_the_annex(name: str, lang: str) -> None:
    """Every diagnosis heading and every action row carries its label and share."""
    p, _a, r = _pair(name)
    md = render(r, p, "md", lang, today=DAY)
    words = {"zh": ("稳健", "较稳健", "脆弱"), "en": ("robust", "fairly robust", "fragile")}[lang]
    badge = re.compile(rf"(?:{'|'.join(words)}) \d{{1,3}}%")
    # diagnosis headings are numbered (their wording may carry the paper's verb, e.g. 沦为)
    headings = [x for x in md.splitlines() if re.match(r"### \d+\. ", x)]
    assert len(headings) == len(r.diagnoses)
    for line in headings:
        assert badge.search(line), line
    rows = [x for x in md.splitlines() if x.startswith("| ") and badge.search(x)]
    assert len(rows) >= len(r.actions)
    annex = {"zh": "附：结论的稳健性", "en": "Annex: how robust each conclusion is"}[lang]
    assert f"## {annex}" in md
    # the tables are real tables
    tokens = MarkdownIt("commonmark").enable("table").parse(md)
    assert sum(t.type == "table_open" for t in tokens) >= 5
    if r.robustness and r.robustness.summary:
        assert r.robustness.summary.get(lang) in md


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_html_has_badges_with_titles_and_the_annex(lang: str) -> None:
    """HTML badges carry the label as a class and the share of worlds in their title."""
    p, _a, r = _pair("case-y")
    html = render(r, p, "html", lang, today=DAY)
    n = len(r.diagnoses) + 2 * len(r.actions)  # heading + table row + card for each action
    assert html.count('class="badge rob rob-') >= n
    assert 'id="robustness"' in html
    assert "rob-fairly_robust" in html and "rob-robust" in html


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_reports_without_robustness_are_unchanged(fmt: str, lang: str) -> None:
    """No robustness part, no badge, column or annex: the report is what it was."""
    p, a, _r = _pair("case-h")
    out = render(a, p, fmt, lang, today=DAY)
    out = re.sub(r"<style>.*?</style>", "", out, flags=re.S)  # the shared stylesheet
    for marker in ("rob-", "robustness", "稳健", "robust "):
        assert marker not in out


def test_json_carries_the_robustness_part() -> None:
    """The contract JSON carries the optional part with a row per conclusion."""
    p, _a, r = _pair("case-h")
    data = json.loads(render(r, p, "json", "zh"))
    rob = data["robustness"]
    assert rob["worlds"] == 200 and rob["top_n"] >= 1
    assert {c["id"] for c in rob["actions"] if c["in_point_estimate"]} == {x.id for x in r.actions}
    assert all(c["label"] in ("robust", "fairly_robust", "fragile") for c in rob["diagnoses"])


@pytest.mark.parametrize("with_rob", [False, True])
def test_markdown_headings_keep_their_blank_line(with_rob: bool) -> None:
    """The badges added to headings do not swallow the blank line after them."""
    p, a, r = _pair("case-y")
    md = render(r if with_rob else a, p, "md", "zh", today=DAY).splitlines()
    for i, line in enumerate(md[:-1]):
        if line.startswith("#"):
            assert md[i + 1] == "", (line, md[i + 1])
