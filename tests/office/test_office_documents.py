"""Word and PDF documents, read back: python-docx for Word, pdftotext/pdffonts for the PDF."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document as Docx
from docx.oxml.ns import qn

from advisor.office.documents import (
    assessment_document,
    numbered,
    to_docx,
    to_pdf,
    zh_number,
)
from advisor.pipeline import assess, preset

ROOT = Path(__file__).resolve().parents[2]


def advisor(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run the real command."""
    return subprocess.run(
        [sys.executable, "-m", "advisor.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def pdf_pages(path: Path) -> list[str]:
    """The text of each page of a PDF (pdftotext, layout kept)."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")


def docx_text(path: Path) -> list[str]:
    """Every paragraph's text, then every table cell's text."""
    d = Docx(str(path))
    out = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            out.extend(c.text for c in row.cells)
    return out


def test_chinese_heading_numbers():
    """一、（一）1. numbering, and 十一 beyond ten."""
    assert [zh_number(n) for n in (1, 9, 10, 11, 20, 21)] == [
        "一",
        "九",
        "十",
        "十一",
        "二十",
        "二十一",
    ]
    doc = assessment_document(assess(preset("case-y")), "zh")
    nums = [num for block, num in numbered(doc) if block.kind in ("h1", "h2", "h3", "appendix")]
    assert nums[0] == "一、" and nums[1] == "（一）"
    assert "1．" in nums and "附录一　" in nums


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_assessment_docx_reads_back_as_an_official_document(tmp_path, lang):
    """The Word report: title, summary first (figures, main problems, first actions) and a page
    break before the reasons; numbered headings; a serif East Asian body font; a PAGE field in
    the footer; passages, trace and versions in appendices."""
    a = assess(preset("case-y"))
    path = tmp_path / f"y-{lang}.docx"
    res = advisor(
        "assess", "--preset", "case-y", "--format", "docx", "--lang", lang, "-o", str(path)
    )
    assert res.returncode == 0, res.stderr
    d = Docx(str(path))
    paras = [p.text for p in d.paragraphs]
    assert paras[0] == (
        "依赖状况与合作生产评估报告"
        if lang == "zh"
        else "Dependence and co-production: assessment report"
    )
    assert paras[1] == a.profile_name
    summary = "一、评估摘要" if lang == "zh" else "1. Summary"
    # Y shows one strength (Party leadership), so what works opens the body before the diagnoses
    works = "二、做得好的方面" if lang == "zh" else "2. What works"
    diagnoses = "三、诊断" if lang == "zh" else "3. Diagnoses"
    assert summary in paras and works in paras and diagnoses in paras
    assert paras.index(summary) < paras.index(works) < paras.index(diagnoses)
    # the numbering of official documents, read back: 一、 then （一） then 1．
    if lang == "zh":
        assert "（一）做得好的方面" in paras and "（二）主要问题" in paras
        assert any(re.match(r"^1．\S", p) for p in paras), "a third-level heading numbered 1．"
        assert "（一）党建引领的动员能力" in paras
    else:
        assert "1.1 What works" in paras and "1.2 Main problems" in paras
        assert any(re.match(r"^\d\.\d\.1 \S", p) for p in paras)
    i, j = paras.index(summary), paras.index(diagnoses)
    between = d.paragraphs[i:j]
    assert any('w:br w:type="page"' in p._p.xml or 'w:type="page"' in p._p.xml for p in between), (
        "the summary ends with a page break"
    )
    top = min(a.actions, key=lambda x: x.rank)
    summary_text = "\n".join(paras[i:j])
    assert top.label.get(lang) in summary_text
    assert a.diagnoses[0].label.get(lang) in summary_text
    appendix = [p for p in paras if p.startswith("附录" if lang == "zh" else "Appendix")]
    assert len(appendix) >= 3
    assert any(s.quote_zh[:20] in "\n".join(paras) for s in a.diagnoses[0].sources)
    all_text = "\n".join(docx_text(path))
    assert a.engine_version in all_text and a.knowledge_base_version in all_text
    assert a.diagnoses[0].trace[0].rule in all_text
    footer = d.sections[0].footer._element.xml
    assert "PAGE" in footer and 'w:fldCharType="begin"' in footer
    body_run = next(p for p in d.paragraphs[i + 1 :] if p.text).runs[0]
    fonts = body_run._element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == ("FangSong" if lang == "zh" else "Times New Roman")
    assert round(d.sections[0].page_width.mm) == 210


@pytest.mark.parametrize(("case", "lang"), [("case-y", "zh"), ("case-h", "en")])
def test_assessment_pdf_summary_page_then_appendix_with_cjk_font_embedded(tmp_path, case, lang):
    """The PDF printed by Chromium: page 1 is the summary (figures, main problems, first
    actions) with a page number; the trace and versions come later; a CJK font is embedded."""
    a = assess(preset(case))
    path = tmp_path / f"{case}.pdf"
    res = advisor("assess", "--preset", case, "--format", "pdf", "--lang", lang, "-o", str(path))
    assert res.returncode == 0, res.stderr
    assert path.read_bytes().startswith(b"%PDF")
    pages = pdf_pages(path)
    first = pages[0]
    assert ("评估摘要" if lang == "zh" else "Summary") in first
    assert "—1—" in first.replace(" ", "")
    top = min(a.actions, key=lambda x: x.rank).label.get(lang)
    assert top[:12] in " ".join(first.split())
    assert ("附录" if lang == "zh" else "Appendix") not in first
    rest = "".join(pages[1:])
    assert a.knowledge_base_version in rest
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert any(f in fonts for f in ("UMing", "WenQuanYi", "Noto", "FangSong")), fonts
    assert "emb" in fonts


def test_whatif_roadmap_and_batch_summary_as_documents(tmp_path):
    """What-if, roadmap and batch summary: Word and PDF written by the CLI and read back."""
    w_docx, w_pdf = tmp_path / "w.docx", tmp_path / "w.pdf"
    for path in (w_docx, w_pdf):
        fmt = path.suffix[1:]
        res = advisor(
            "whatif",
            "case-y",
            "--lever",
            "bring_in_strong_agency",
            "--format",
            fmt,
            "-o",
            str(path),
        )
        assert res.returncode == 0, res.stderr
    assert "情景比较" in docx_text(w_docx)
    assert "引入有实力的社工机构" in "\n".join(docx_text(w_docx))
    assert "情景比较" in pdf_pages(w_pdf)[0]
    r_docx = tmp_path / "r.docx"
    res = advisor(
        "roadmap", "--preset", "case-h", "--format", "docx", "--lang", "en", "-o", str(r_docx)
    )
    assert res.returncode == 0, res.stderr
    text = docx_text(r_docx)
    assert text[0] == "Roadmap" and any(t.startswith("1. Summary") for t in text)
    inp = tmp_path / "in.jsonl"
    assert advisor("synth", "30", "--seed", "4", "-o", str(inp)).returncode == 0
    out = tmp_path / "out.jsonl"
    res = advisor(
        "batch",
        str(inp),
        "-o",
        str(out),
        "--workers",
        "1",
        "--summary-format",
        "docx",
        "--summary-format",
        "pdf",
    )
    assert res.returncode == 0, res.stderr
    text = docx_text(tmp_path / "out.jsonl.summary.docx")
    assert text[0] == "批量评估汇总报告" and "30" in text
    first = pdf_pages(tmp_path / "out.jsonl.summary.pdf")[0]
    assert "批量评估汇总报告" in first and "非对称程度分布" in first


def test_binary_formats_need_an_output_file():
    """docx/pdf to stdout is refused with a clear message, not garbage on the terminal."""
    res = advisor("assess", "--preset", "case-y", "--format", "docx")
    assert res.returncode == 1
    assert "give -o FILE.docx" in res.stderr and "Traceback" not in res.stderr


def test_documents_are_deterministic_apart_from_the_date():
    """The same assessment gives the same Word document body twice (the date aside)."""
    a = assess(preset("case-y"))
    one, two = to_docx(assessment_document(a, "zh")), to_docx(assessment_document(a, "zh"))
    assert len(one) > 10_000 and abs(len(one) - len(two)) < 64
    assert to_pdf(assessment_document(a, "en")).startswith(b"%PDF")
