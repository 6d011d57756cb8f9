"""End-to-end in real headless Chromium: a person fills a profile, assesses, compares, saves,
reloads, downloads a report and switches to Chinese; screenshots of every page in both languages.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from browser_support import Server
from st_helpers import (
    click_button,
    expand,
    fill,
    goto,
    load_start,
    main_text,
    nav,
    reload,
    s,
    select,
    wait_idle,
    wait_text,
)

from advisor.pipeline import assess, preset
from advisor.report import field_label
from advisor.store import CaseStore
from advisor.whatif import LEVERS, apply_change

pytestmark = pytest.mark.browser

CASE_NAME = "Riverside <b>volunteers</b> <script>alert(1)</script>"


def test_fill_assess_whatif_save_reload_download_and_chinese(page: Any, server: Server) -> None:
    """The whole journey of an official, checked against the engine's own answer."""
    goto(page, server.url)
    wait_text(page, "Assess a volunteer force")

    # start from the paper's case H, then fill in our own name and volunteer count
    load_start(
        page,
        s("assess.start.label"),
        s("assess.start.case-h"),
        s("assess.start.load"),
        s("assess.start.loaded", what="").rstrip("。."),
    )
    expand(page, s("section.basics"))
    fill(page, field_label("name", "en"), CASE_NAME)
    fill(page, field_label("id", "en"), "riverside")
    expand(page, s("section.human_resources"))
    fill(page, field_label("human_resources.volunteers", "en"), "80")

    expected_profile = apply_change(
        apply_change(apply_change(preset("case-h"), "name", CASE_NAME), "id", "riverside"),
        "human_resources.volunteers",
        80,
    )
    expected = assess(expected_profile)
    top = min(expected.actions, key=lambda a: a.rank)

    click_button(page, s("assess.run"))
    wait_text(page, "Top action: ")
    shown = page.get_by_text("Top action: ").first.inner_text()
    assert shown.startswith(f"Top action: {top.label.en} "), (shown, top.label.en)
    text = main_text(page)
    assert "Assessment: " + CASE_NAME in text  # the markup shows as text
    assert page.locator("[data-testid='stMain'] b", has_text="volunteers").count() == 0

    # save to the library
    click_button(page, s("assess.save"))
    wait_text(page, "(version 1)")

    # what-if: one lever, then change one field of the variant and see the diff move
    nav(page, s("nav.whatif"))
    lever = LEVERS["government_enabler"]
    click_button(page, lever.label.en)
    wait_text(page, s("whatif.changed"))
    before = main_text(page)
    select(
        page,
        s("whatif.field"),
        f"{s('section.management')} · {field_label('management.incentives', 'en')}",
    )
    select(page, s("whatif.value"), "Formal")
    page.wait_for_function(
        "(t) => document.querySelector('[data-testid=\"stMain\"]').innerText.includes(t)",
        arg="→ Formal",
        timeout=30_000,
    )
    assert main_text(page) != before

    # a new session (reload) finds the saved case in the library and loads it
    reload(page)
    nav(page, s("nav.cases"))
    wait_text(page, s("cases.library", n=1))
    # the name is in the case chooser drawn after that heading (the table is a canvas): wait for
    # it, as reading the page at the heading raced the rest of the run under load
    wait_text(page, CASE_NAME)
    nav(page, s("nav.assess"))
    load_start(
        page,
        s("assess.start.label"),
        s("assess.start.saved", name=CASE_NAME),
        s("assess.start.load"),
        s("assess.start.loaded", what="").rstrip("。."),
    )
    wait_text(page, s("assess.editing_saved", id="riverside", version=1))
    click_button(page, s("assess.run"))
    wait_text(page, f"Top action: {top.label.en}")

    # download the print-ready HTML report
    nav(page, s("nav.reports"))
    with page.expect_download() as info:
        page.get_by_role("button", name=s("reports.html")).click()
    html = Path(info.value.path()).read_text(encoding="utf-8")
    assert "<!DOCTYPE html>" in html or "<html" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html

    # switch to Chinese in the sidebar
    page.locator('[data-testid="stSidebar"]').get_by_text("中文", exact=True).click()
    wait_text(page, "下载 HTML（可打印）")
    assert re.search(r"[\u4e00-\u9fff]{4,}", main_text(page))
    nav(page, s("nav.assess", "zh"))
    wait_text(page, "评估一个志愿服务力量")
    wait_text(page, "首要行动：")


def test_default_language_follows_the_browser(browser: Any, server: Server) -> None:
    """A browser set to Chinese gets the Chinese interface without touching anything."""
    ctx = browser.new_context(locale="zh-CN")
    pg = ctx.new_page()
    try:
        goto(pg, server.url)
        wait_text(pg, "评估一个志愿服务力量")
        wait_text(pg, "从哪里开始")
    finally:
        ctx.close()


def test_import_refuses_a_bad_file_and_accepts_a_good_one(
    page: Any, server: Server, tmp_path: Path
) -> None:
    """A malformed file is refused with its reason; a valid one is added to the library."""
    from advisor.io import profile_to_yaml

    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nfunding: [1, 2\n", encoding="utf-8")
    good = tmp_path / "good.yaml"
    good.write_text(
        profile_to_yaml(apply_change(preset("case-y"), "id", "imported-y")), encoding="utf-8"
    )
    goto(page, server.url)
    nav(page, s("nav.cases"))

    def upload(path: Path) -> None:
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
        page.get_by_text(path.name).first.wait_for()
        page.get_by_role("button", name=s("cases.import_button"), exact=True).first.wait_for()
        wait_idle(page)

    upload(bad)
    click_button(page, s("cases.import_button"))
    wait_text(page, "malformed YAML")
    assert not CaseStore(server.db).exists("imported-y")
    upload(good)
    click_button(page, s("cases.import_button"))
    wait_text(page, s("cases.imported", n=1))
    assert CaseStore(server.db).get("imported-y").profile.region == preset("case-y").region
    # the new case is offered in the library's chooser
    select(page, s("cases.choose"), "imported-y")
    wait_text(page, "(id imported-y, version 1)")


def test_language_never_flips_by_itself(browser: Any, server: Server, tmp_path: Path) -> None:
    """After another session chose Chinese, an English session stays English through an upload.

    Regression: the language was the sidebar radio's own widget state, and an upload's rerun
    reset it to the radio's default (Chinese) in an unrelated session.
    """
    other = browser.new_context(locale="en-GB")
    pg = other.new_page()
    goto(pg, server.url)
    pg.reload()
    pg.locator("h1").first.wait_for()
    wait_idle(pg)
    pg.locator('[data-testid="stSidebar"]').get_by_text("中文", exact=True).click()
    wait_text(pg, "评估一个志愿服务力量")
    other.close()
    sample = tmp_path / "x.yaml"
    sample.write_text("a: [1\n", encoding="utf-8")
    for _ in range(3):
        ctx = browser.new_context(locale="en-GB")
        page = ctx.new_page()
        try:
            goto(page, server.url)
            nav(page, s("nav.cases"))
            page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(sample))
            page.get_by_role("button", name=s("cases.import_button"), exact=True).first.wait_for()
            wait_idle(page)
            assert page.locator("h1").first.inner_text() == s("cases.title")
        finally:
            ctx.close()
