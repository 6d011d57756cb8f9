"""The language switch never changes the profile: real Chromium, every page, both directions.

Regression (issue 13): switching the sidebar language blanked every choice of a loaded profile,
reset the level sliders to 0, or stored the on-screen label instead of the value, and the next
assessment ran on the corrupted profile. Here a profile is loaded (case Y) or edited by hand
(case H with a choice, a slider, a number and a share changed in the form), the language is
switched both ways on every page, and the assessment JSON the Reports page offers afterwards must
be identical to the one before and to the engine's own answer for that profile.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from browser_support import Server, shoot
from st_helpers import (
    click_button,
    expand,
    fill,
    goto,
    load_start,
    main_text,
    nav,
    select,
    wait_idle,
    wait_text,
)

from advisor import report
from advisor.models import CaseProfile
from advisor.pipeline import assess, preset
from advisor.report import field_label, value_label
from ui.i18n import catalogue
from ui.services import profile_data

pytestmark = pytest.mark.browser

PAGES = ("nav.assess", "nav.whatif", "nav.cases", "nav.knowledge", "nav.reports")


def s(key: str, lang: str, **kw: Any) -> str:
    text = catalogue()[key][lang]
    return text.format(**kw) if kw else text


def switch_language(page: Any, lang: str) -> None:
    """Click the sidebar's language option and wait for the page to be in ``lang``."""
    page.locator('[data-testid="stSidebar"]').get_by_text(
        s(f"lang.{lang}", lang), exact=True
    ).click()
    wait_idle(page)
    page.locator('[data-testid="stSidebarNav"]').get_by_text(
        s("nav.assess", lang), exact=True
    ).wait_for()
    wait_idle(page)


def assessment_json(page: Any, lang: str) -> dict[str, Any]:
    """Assess on the Assess page and download the assessment JSON from the Reports page."""
    nav(page, s("nav.assess", lang))
    click_button(page, s("assess.run", lang))
    try:
        wait_text(page, s("results.top_action", lang).split("{")[0])
    finally:
        text = main_text(page)
        shoot(page, f"language-switch-{lang}-last")
    assert s("assess.stale", lang) not in text
    assert s("assess.invalid", lang, n=1).split("1")[0] not in text, text[-3000:]
    nav(page, s("nav.reports", lang))
    with page.expect_download() as info:
        page.get_by_role("button", name=s("reports.json", lang)).click()
    data: dict[str, Any] = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    return data


def expected_json(profile: CaseProfile, lang: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(report.render(assess(profile), profile, "json", lang))
    return data


def tour(page: Any, first: str) -> None:
    """On every page, switch to the other language and back."""
    other = "en" if first == "zh" else "zh"
    for key in PAGES:
        nav(page, s(key, first))
        switch_language(page, other)
        nav(page, s(key, other))
        switch_language(page, first)


@pytest.mark.parametrize("first", ["zh", "en"])
def test_language_switch_keeps_a_loaded_case(browser: Any, server: Server, first: str) -> None:
    """Case Y loaded, assessed, then both languages on every page: the same assessment JSON."""
    ctx = browser.new_context(
        locale="zh-CN" if first == "zh" else "en-GB",
        viewport={"width": 1400, "height": 1000},
        accept_downloads=True,
    )
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    try:
        goto(page, server.url)
        load_start(
            page,
            s("assess.start.label", first),
            s("assess.start.case-y", first),
            s("assess.start.load", first),
            s("assess.start.loaded", first, what="").rstrip("。."),
        )
        before = assessment_json(page, first)
        # the form loads the preset with the basis of its values (issue 11)
        assert before == expected_json(preset("case-y", with_basis=True), first)
        tour(page, first)
        assert assessment_json(page, first) == before
        other = "en" if first == "zh" else "zh"
        switch_language(page, other)
        assert assessment_json(page, other) == expected_json(
            preset("case-y", with_basis=True), other
        )
    finally:
        ctx.close()


def test_language_switch_keeps_a_hand_filled_profile(browser: Any, server: Server) -> None:
    """Case H edited by hand (a choice, a level, a count, a share), then both languages."""
    ctx = browser.new_context(
        locale="en-GB", viewport={"width": 1400, "height": 1000}, accept_downloads=True
    )
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    try:
        goto(page, server.url)
        load_start(
            page,
            s("assess.start.label", "en"),
            s("assess.start.case-h", "en"),
            s("assess.start.load", "en"),
            s("assess.start.loaded", "en", what="").rstrip("。."),
        )
        expand(page, s("section.management", "en"))
        select(
            page,
            field_label("management.incentives", "en"),
            value_label("management.incentives", "formal", "en"),
        )
        expand(page, s("section.human_resources", "en"))
        fill(page, field_label("human_resources.volunteers", "en"), "80")
        expand(page, s("section.funding", "en"))
        # shares are typed as percentages (issue 13): 10 is the share 0.10
        fill(page, field_label("funding.charity", "en") + " (%)", "10")
        fill(page, field_label("funding.self_generated", "en") + " (%)", "0")
        expand(page, s("section.coproduction", "en"))
        thumb = page.get_by_role("slider", name=field_label("coproduction.planning", "en"))
        thumb.first.focus()
        thumb.first.press("ArrowRight")
        wait_idle(page)
        data = profile_data(preset("case-h", with_basis=True))  # edited values lose their basis
        data["management"]["incentives"] = "formal"
        data["human_resources"]["volunteers"] = 80
        data["funding"]["self_generated"] = 0.0
        data["funding"]["charity"] = 0.10
        data["coproduction"]["planning"] = 3
        profile = CaseProfile.model_validate(data)
        before = assessment_json(page, "en")
        assert before == expected_json(profile, "en")
        tour(page, "en")
        switch_language(page, "zh")
        tour(page, "zh")
        switch_language(page, "en")
        assert assessment_json(page, "en") == before
    finally:
        ctx.close()
