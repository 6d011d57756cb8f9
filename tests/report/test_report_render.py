"""Reports render every section in both languages, escape the profile, and keep JSON exact."""

from __future__ import annotations

import datetime as dt
import html
import re
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt
from markupsafe import escape
from report_samples import ASSESSMENT, PROFILE

from advisor.errors import AdvisorError
from advisor.models import Assessment, CaseProfile
from advisor.report import diagnosis_phrase, label, md_escape, render, strings

DAY = dt.date(2026, 11, 28)
SECTION_KEYS = ("summary", "dependence", "diagnoses", "actions", "why_not", "provenance")
CJK = re.compile(r"[\u3400-\u9fff]")


def _md_to_html(text: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(text)


def _without_quotes_md(text: str) -> str:
    """The Markdown without the paper's quote blocks (which always show both languages)."""
    return "\n".join(line for line in text.splitlines() if not line.startswith(">"))


class _Tags(HTMLParser):
    """Collects the tag names and the text of an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_has_every_section_and_the_top_action(
    assessment: Assessment, profile: CaseProfile, fmt: str, lang: str
) -> None:
    """Each report names the case, every section heading, the versions and the top action."""
    out = render(assessment, profile, fmt, lang, today=DAY)
    text = html.unescape(out) if fmt == "html" else out
    for key in SECTION_KEYS:
        assert label("text", key, lang) in text, key
    assert profile.name in text
    assert "2026-11-28" in text
    assert assessment.engine_version in text and assessment.knowledge_base_version in text
    top = min(assessment.actions, key=lambda a: a.rank)
    summary = text.split(label("text", "dependence", lang))[0]
    assert top.label.get(lang) in summary, "the top action is in the summary"
    for diag in assessment.diagnoses:  # named with the paper's verb where it has one
        assert diagnosis_phrase(diag.id, diag.label, lang) in text
    for act in assessment.actions:
        assert act.rationale.get(lang) in text
    assert assessment.not_recommended[0].reason.get(lang) in text


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_quotes_show_the_chinese_original_translation_and_interview_code(
    assessment: Assessment, profile: CaseProfile, fmt: str
) -> None:
    """Both language versions carry every quote in Chinese and English, with the interview code."""
    for lang in ("zh", "en"):
        text = html.unescape(render(assessment, profile, fmt, lang, today=DAY))
        for diag in assessment.diagnoses:
            for src in diag.sources:
                assert src.quote_zh in text and src.quote_en in text
        assert "202203073123" in text


def test_english_markdown_has_no_chinese_outside_quotes_profile_and_citation(
    assessment: Assessment,
) -> None:
    """English reports do not mix in Chinese, except the paper's quotes and the citation."""
    prof = CaseProfile.model_validate({**PROFILE, "name": "Y community", "region": "J district"})
    en = Assessment.model_validate(
        {**ASSESSMENT, "diagnoses": [{**d, "because_text": []} for d in ASSESSMENT["diagnoses"]]}
    )
    text = _without_quotes_md(render(en, prof, "md", "en", today=DAY))
    citation = label("text", "citation", "en")
    leftover = [line for line in text.splitlines() if CJK.search(line) and citation not in line]
    assert leftover == []


def test_chinese_markdown_has_no_english_words_outside_quotes_and_identifiers(
    assessment: Assessment,
) -> None:
    """Chinese reports do not mix in English words, except quotes, ids, versions and the DOI."""
    prof = CaseProfile.model_validate({**PROFILE, "name": "Y 社区", "region": None})
    text = _without_quotes_md(render(assessment, prof, "md", "zh", today=DAY))
    text = re.sub(r"`[^`]*`", "", text)  # rule and case ids
    for allowed in (
        assessment.engine_version,
        assessment.knowledge_base_version,
        "DOI: 10.12677/ass.2024.131018",
        "CC BY",
    ):
        text = text.replace(allowed, "")
    text = text.replace("funding.government_direct", "")  # a raw fact without because_text
    words = re.findall(r"[A-Za-z]{2,}", text)
    assert words == []


def test_html_escapes_a_malicious_case_name_in_page_and_title(
    assessment: Assessment,
) -> None:
    """A case name holding a script renders as text in the title and the page, never as a tag."""
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    prof = CaseProfile.model_validate({**PROFILE, "name": evil, "region": "<b>J</b>"})
    for lang in ("zh", "en"):
        out = render(assessment, prof, "html", lang, today=DAY)
        parser = _Tags()
        parser.feed(out)
        assert "script" not in parser.tags and "img" not in parser.tags and "b" not in parser.tags
        assert evil in parser.title
        assert "&lt;script&gt;" in out and "<script" not in out
        assert str(escape(evil)) in out


def test_html_is_self_contained_with_print_css(
    assessment: Assessment, profile: CaseProfile
) -> None:
    """The HTML loads nothing from outside, runs no script, and has A4 print rules."""
    out = render(assessment, profile, "html", "en", today=DAY)
    assert "<script" not in out and "<link" not in out and " src=" not in out
    assert "@page { size: A4" in out and "break-before: page" in out
    assert "<svg" in out and out.count("<section") >= 4


def test_markdown_escapes_the_profile_and_keeps_tables_intact(assessment: Assessment) -> None:
    """A name with pipes, HTML and emphasis stays text and does not break the table it sits in."""
    name = "A | B <i>x</i> *bold* [link](http://e.x)"
    prof = CaseProfile.model_validate({**PROFILE, "name": name})
    out = render(assessment, prof, "md", "en", today=DAY)
    rendered = _md_to_html(out)
    cell = re.search(r"<td>Case</td>\s*<td>(.*?)</td>", rendered, re.S)
    assert cell is not None, "the meta table still has the case row with two cells"
    assert "<i>" not in cell.group(1) and "<em>" not in cell.group(1) and "<a " not in cell.group(1)
    assert html.unescape(cell.group(1)) == name
    meta_row = next(line for line in out.splitlines() if line.startswith("| Case |"))
    assert meta_row.count("|") - meta_row.count("\\|") == 3


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_markdown_renders_its_tables(
    assessment: Assessment, profile: CaseProfile, lang: str
) -> None:
    """The Markdown's tables render as tables with the right number of rows and cells."""
    rendered = _md_to_html(render(assessment, profile, "md", lang, today=DAY))
    tables = re.findall(r"<table>.*?</table>", rendered, flags=re.S)
    # meta, key figures, dependence, ranked overview, one breakdown per action, why-not,
    # the technical appendix
    assert len(tables) == 4 + len(assessment.actions) + 1 + 1
    dependence = next(t for t in tables if label("dimension", "funding", lang) in t)
    assert dependence.count("<tr>") == 1 + 4
    assert all(row.count("<td") == 5 for row in re.findall(r"<tr>\s*<td.*?</tr>", dependence, re.S))
    overview = next(t for t in tables if label("text", "rank", lang) in t)
    assert overview.count("<tr>") == 1 + len(assessment.actions)


def test_actions_are_grouped_by_actor_then_phase(
    assessment: Assessment, profile: CaseProfile
) -> None:
    """Government actions come before the third party's, phase 1 before 3 within an actor."""
    out = render(assessment, profile, "md", "en", today=DAY)
    body = out.split("### Ranked overview")[1]
    gov, tp = body.index("### Government"), body.index("### Third party")
    assert gov < tp
    gov_part = body[gov:tp]
    assert gov_part.index("Phase 1") < gov_part.index("Phase 3")
    assert gov_part.index("Government takes an auxiliary role") < gov_part.index(
        "Plan together with volunteers"
    )
    assert "Train the volunteers" in body[tp:]


def test_json_is_the_contract_json_and_byte_identical(
    assessment: Assessment, profile: CaseProfile
) -> None:
    """JSON is the assessment's own serialisation, the same bytes every time, in any language."""
    first = render(assessment, profile, "json", "zh")
    assert first == render(assessment, profile, "json", "en")
    assert Assessment.model_validate_json(first) == assessment
    assert first.strip() == assessment.model_dump_json(indent=2)


def test_an_empty_assessment_still_renders(profile: CaseProfile) -> None:
    """No diagnoses, no actions and no 'why not' render as plain sentences, not empty tables."""
    empty = Assessment.model_validate(
        {**ASSESSMENT, "diagnoses": [], "actions": [], "not_recommended": [], "warnings": []}
    )
    for lang in ("zh", "en"):
        out = render(empty, profile, "md", lang, today=DAY)
        assert label("text", "no_diagnoses", lang) in out
        assert label("text", "no_actions", lang) in out
        assert label("text", "none_left", lang) in out
        assert label("text", "no_actions", lang) in render(empty, profile, "html", lang)


def test_unknown_format_or_language_is_refused(
    assessment: Assessment, profile: CaseProfile
) -> None:
    """An unknown format or language raises the project's own error, naming the choices."""
    with pytest.raises(AdvisorError, match="md"):
        render(assessment, profile, "pdf", "en")
    with pytest.raises(AdvisorError, match="zh"):
        render(assessment, profile, "md", "fr")


def test_every_string_exists_in_both_languages_with_the_same_placeholders() -> None:
    """Each label has non-blank zh and en text, and both use the same {placeholders}."""
    for ns, table in strings().items():
        for key, entry in table.items():
            assert set(entry) == {"zh", "en"}, (ns, key)
            assert entry["zh"].strip() and entry["en"].strip(), (ns, key)
            zh_ph = set(re.findall(r"\{(\w+)\}", entry["zh"]))
            assert zh_ph == set(re.findall(r"\{(\w+)\}", entry["en"])), (ns, key)


def test_md_escape_neutralises_markdown_and_html() -> None:
    """Markdown escaping turns markup characters into literals and folds newlines."""
    assert md_escape("<b>a|b</b>\n# x") == "&lt;b>a\\|b&lt;/b> # x"
    assert md_escape("# heading") == "\\# heading"
    assert md_escape("1. item") == "1\\. item"
    assert md_escape("- item") == "\\- item"
    assert md_escape("*a* _b_ `c`") == "\\*a\\* \\_b\\_ \\`c\\`"
    assert md_escape("&amp; &#60; a & b") == "&amp;amp; &amp;#60; a & b"


def test_md_escape_keeps_ordinary_text_readable() -> None:
    """Identifiers, comparisons and ordinary punctuation stay as they are."""
    for text in ("thresholds.weak_professionalism:sessions_min", "2 < 6 and 7 > 3", "A & B"):
        assert md_escape(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "a | b",
        "*x* _y_ __z__ `c` [l](http://e.x) ![i](x.png)",
        "# h",
        "1. one",
        "> q",
        "&lt;b&gt;",
        "<!-- c -->",
        "<http://auto.link>",
        "~~s~~",
        "x_y_z _a_b",
        "\\*",
    ],
)
def test_md_escape_renders_back_to_the_same_text(text: str) -> None:
    """Escaped text renders as exactly the original text, in one paragraph, with no markup."""
    rendered = _md_to_html(md_escape(text)).strip()
    assert rendered.startswith("<p>") and rendered.endswith("</p>")
    inner = rendered[3:-4]
    assert "<" not in inner.replace("&lt;", "")
    assert html.unescape(inner) == text
