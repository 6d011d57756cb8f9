"""The Assess page of the paper's cases H and Y: basis marks beside the fields, robustness badges
beside the conclusions, in real Chromium, in both languages (issues 11 and 12).

The screenshots land in tests/artifacts/screenshots/ (``assess-basis-<case>-<lang>.png``); the
ones in docs/screenshots/ were taken by this test and looked at.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from browser_support import Server, shoot
from st_helpers import (
    browser_page,
    click_button,
    expand,
    fill,
    goto,
    load_preset,
    main_text,
    s,
    wait_text,
)

from advisor.basis import basis_kind
from advisor.pipeline import preset
from advisor.report import field_label

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("case", "lang"), [("h", "zh"), ("y", "zh"), ("h", "en"), ("y", "en")])
def test_basis_marks_and_robustness_badges(
    browser: Any, server: Server, case: str, lang: str
) -> None:
    with browser_page(browser, lang) as page:
        goto(page, server.url)
        load_preset(page, f"case-{case}", lang)
        profile = preset(f"case-{case}", with_basis=True)
        for section in ("funding", "management"):
            expand(page, s(f"section.{section}", lang))
        text = main_text(page)
        facts = [
            p
            for p in ("funding.government_direct", "funding.charity", "management.incentives")
            if basis_kind(profile, p) == "fact"
        ]
        assumed = [
            p
            for p in ("funding.government_direct", "funding.charity", "management.incentives")
            if basis_kind(profile, p) == "assumption"
        ]
        if facts:
            assert s("uform.basis.fact", lang, where="").strip() in text
        if assumed:
            assert s("uform.basis.assumption", lang) in text
        edited = s("uform.basis.edited", lang)
        assert text.count(edited) == 1  # the legend only
        click_button(page, s("assess.run", lang))
        wait_text(page, s("results.top_action", lang).split("{")[0])
        # the whole legend: its first words are also those of the form's basis legend in English
        wait_text(page, s("uform.robust.legend", lang, robust="90%", fairly="60%"))
        text = main_text(page)
        n_badges = sum(
            text.count(s(f"uform.robust.{k}", lang) + " · ")
            for k in ("robust", "fairly_robust", "fragile")
        )
        assert n_badges >= 1
        shoot(page, f"assess-basis-{case}-{lang}", max_height=9000)
        # the form folded: the page from the results' heading, and where the heading is (for the
        # docs/screenshots images, cut from these two)
        for section in ("funding", "management"):
            page.locator('[data-testid="stExpander"] summary').filter(
                has_text=s(f"section.{section}", lang)
            ).first.click()
        page.wait_for_timeout(300)
        path = shoot(page, f"assess-results-{case}-{lang}", max_height=9000)
        size = page.viewport_size
        page.set_viewport_size({"width": size["width"], "height": 9000})
        page.wait_for_timeout(900)
        top = page.evaluate(
            "() => { const h = document.querySelector('[data-testid=\"stMain\"] h2');"
            " return h ? h.getBoundingClientRect().top : 0; }"
        )
        page.set_viewport_size(size)
        path.with_suffix(".json").write_text(json.dumps({"results_top": top}), encoding="utf-8")
        # a value changed by hand is the user's: its mark says so
        expand(page, s("section.funding", lang))
        label = s("uform.percent_label", lang, label=field_label("funding.charity", lang))
        value = f"{profile.funding.charity * 100 + 1:g}"
        fill(page, label, value)
        # the legend and the changed field (wait: the mark comes with the rerun the edit starts)
        page.wait_for_function(
            "(w) => document.querySelector('[data-testid=\"stMain\"]').innerText"
            ".split(w).length - 1 === 2",
            arg=edited,
        )
