"""The HTML report prints on A4 with each section on a new page (real headless Chromium)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from report_samples import ASSESSMENT

from advisor.models import Assessment, CaseProfile
from advisor.report import label, render

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
A4_POINTS = (595.0, 842.0)


def _print_pdf(html_path: Path, pdf_path: Path) -> bytes:
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf_path}",
            html_path.as_uri(),
        ],
        capture_output=True,
        timeout=90,
        check=True,
    )
    return pdf_path.read_bytes()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_prints_on_a4_with_a_page_per_section(
    profile: CaseProfile, tmp_path: Path, lang: str
) -> None:
    """Chromium prints the report on A4 pages, each section after the summary starting a new
    page (a short assessment, no diagnoses or actions, would fit on 3 pages without the breaks;
    pdftotext shows each section's heading at the top of a page)."""
    short = Assessment.model_validate(
        {**ASSESSMENT, "diagnoses": [], "actions": [], "not_recommended": [], "warnings": []}
    )
    page = tmp_path / "report.html"
    page.write_text(render(short, profile, "html", lang, today=dt.date(2026, 11, 28)))
    pdf = _print_pdf(page, tmp_path / "report.pdf")
    boxes = {
        tuple(float(x) for x in box.split()[2:])
        for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf)
    }
    assert boxes and all(abs(w - A4_POINTS[0]) < 1 and abs(h - A4_POINTS[1]) < 1 for w, h in boxes)
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    # cover + summary (with what works, when the case has strengths), dependence, diagnoses,
    # actions, why-not + sources: each section after the summary opens a page of its own
    assert pages >= 5
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "report.pdf"), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    firsts = [
        next((line.strip() for line in page.splitlines() if line.strip()), "")
        for page in text.split("\f")
    ]
    for key in ("dependence", "diagnoses", "actions", "why_not"):
        heading = label("text", key, lang)
        assert heading in firsts, (heading, firsts)
