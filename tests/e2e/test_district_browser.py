"""The District page in real headless Chromium: upload a workbook, wait, read, download."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_support import Server, shoot
from openpyxl import load_workbook
from st_helpers import browser_page, goto, s, wait_idle, wait_text

from advisor.office.xlsx_template import write_cases
from advisor.synth import profile_data

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_upload_a_district_workbook_and_download_the_results(
    browser: Any, server: Server, tmp_path: Path, lang: str
) -> None:
    """An official uploads a 25-case workbook with one bad row, sees the progress end in a
    summary with charts and the cases table, and downloads the results workbook (one row per
    case) and the copy of the workbook with the bad cell marked."""
    datas = [profile_data(i, seed=21) for i in range(25)]
    datas[4]["funding"]["charity"] = 0.95  # the shares no longer add up to 1
    workbook = tmp_path / f"district-{lang}.xlsx"
    write_cases(workbook, datas, lang)
    with browser_page(browser, lang, downloads=True, height=1300, timeout=60_000) as pg:
        goto(pg, server.url, "district")
        wait_text(pg, s("district.title", lang))
        pg.locator('input[type="file"]').set_input_files(str(workbook))
        wait_text(pg, workbook.name)
        wait_idle(pg)
        pg.get_by_role("button", name=s("district.run", lang), exact=True).click()
        done = s("district.done", lang, total=25, assessed=24, failed=1)
        wait_text(pg, done, timeout=120_000)
        wait_idle(pg)
        pg.locator('[data-testid="stVegaLiteChart"]').first.wait_for()
        pg.wait_for_timeout(800)  # let the charts draw before the screenshot
        shoot(pg, f"{lang}-district")
        with pg.expect_download() as dl:
            pg.get_by_role("button", name=s("district.download_results", lang)).click()
        results = tmp_path / "results.xlsx"
        dl.value.save_as(results)
        ws = load_workbook(results).worksheets[0]
        assert ws.max_row == 26
        with pg.expect_download() as dl:
            pg.get_by_role("button", name=s("district.download_marked", lang)).click()
        marked = tmp_path / "marked.xlsx"
        dl.value.save_as(marked)
        ws = load_workbook(marked).worksheets[0]
        header = {c.value: c.column for c in ws[1]}
        charity = "慈善与企业捐助" if lang == "zh" else "Charity and business"
        assert ws.cell(row=6, column=header[charity]).comment is not None
