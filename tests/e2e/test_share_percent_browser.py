"""Shares in % on the Assess form and in the What-if field editor, in real Chromium (issue 13).

A case with shares of more digits than the field shows (0.333, 0.3333) is saved to the library
and loaded. On the Assess form the shares read 33.3 and the assessment JSON the Reports page
offers is the engine's own for the case: nothing the user did not touch was rounded. In What-if a
copy of it gets its purchase share typed as 60 (%): the variant, saved as a case, holds 0.6 and
every other share with all its digits. Both languages.
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
from advisor.report import field_label
from advisor.store import CaseStore
from ui.i18n import catalogue

pytestmark = pytest.mark.browser

PURCHASE = "third_party.government_purchase_share"


def s(key: str, lang: str, **kw: Any) -> str:
    text = catalogue()[key][lang]
    return text.format(**kw) if kw else text


def odd_case(lang: str) -> CaseProfile:
    """Case H with shares that have more digits than the form shows (they sum to 1)."""
    data = preset("case-h").model_dump(mode="json")
    data["id"] = f"odd-shares-{lang}"
    data["name"] = f"Odd shares {lang}"
    data["funding"].update(
        government_direct=0.333, government_via_third_party=0.3333, third_party_own=0.2337
    )
    data["third_party"]["government_purchase_share"] = 0.3333
    return CaseProfile.model_validate(data)


def report_json(page: Any, lang: str) -> dict[str, Any]:
    nav(page, s("nav.reports", lang))
    with page.expect_download() as info:
        page.get_by_role("button", name=s("reports.json", lang)).click()
    data: dict[str, Any] = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_shares_in_percent_on_the_form_and_in_whatif(
    browser: Any, server: Server, lang: str
) -> None:
    case = odd_case(lang)
    store = CaseStore(server.db)
    store.save(case)
    ctx = browser.new_context(
        locale="zh-CN" if lang == "zh" else "en-GB",
        viewport={"width": 1400, "height": 1000},
        accept_downloads=True,
    )
    page = ctx.new_page()
    page.set_default_timeout(40_000)
    try:
        goto(page, server.url)
        load_start(
            page,
            s("assess.start.label", lang),
            s("assess.start.saved", lang, name=case.name),
            s("assess.start.load", lang),
            s("assess.start.loaded", lang, what="").rstrip("。."),
        )
        # the form: shares in %, shown to one decimal, kept with every digit
        expand(page, s("section.funding", lang))
        direct = s(
            "uform.percent_label", lang, label=field_label("funding.government_direct", lang)
        )
        assert page.get_by_role("spinbutton", name=direct, exact=True).first.input_value() == "33.3"
        shoot(page, f"share-percent-{lang}-01-form")
        click_button(page, s("assess.run", lang))
        wait_text(page, s("results.top_action", lang).split("{")[0])
        expected = json.loads(report.render(assess(case), case, "json", lang))
        assert report_json(page, lang) == expected

        # What-if: a copy of the case, its purchase share typed in %
        nav(page, s("nav.whatif", lang))
        click_button(page, s("whatif.add_copy", lang))
        field = f"{s('section.third_party', lang)} · {field_label(PURCHASE, lang)}"
        select(page, s("whatif.field", lang), field)
        value = s("uform.percent_label", lang, label=s("whatif.value", lang))
        box = page.get_by_role("spinbutton", name=value, exact=True)
        assert box.first.input_value() == "33.3"
        box.first.fill("60")
        box.first.press("Enter")
        wait_idle(page)
        # the change is listed (the value of the variant, not of the widget)
        wait_text(page, s("whatif.changed", lang).rstrip(":："))
        shoot(page, f"share-percent-{lang}-02-whatif")
        assert s("whatif.invalid", lang) not in main_text(page)
        name = f"Variant 60 {lang}"
        save = page.get_by_label(s("plan.save_name", lang), exact=True).first
        save.fill(name)
        save.press("Enter")
        wait_idle(page)
        click_button(page, s("plan.save", lang))
        wait_text(page, s("plan.saved", lang, name="{", id="").split("{")[0])
        saved = [r for r in store.list() if r.name == name]
        assert len(saved) == 1, [r.name for r in store.list()]
        got = store.get(saved[0].id).profile
        want = case.model_dump(mode="json")
        want["third_party"]["government_purchase_share"] = 0.6
        mine = got.model_dump(mode="json")
        for key in ("id", "name", "basis"):
            mine.pop(key, None), want.pop(key, None)
        assert mine == want
    finally:
        ctx.close()
