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
from typing import Any

import pytest
from browser_support import Server
from st_helpers import (
    assessment_json,
    browser_page,
    expand,
    fill,
    goto,
    load_preset,
    s,
    select,
    switch_language,
    tour,
    wait_idle,
)

from advisor import report
from advisor.models import CaseProfile
from advisor.pipeline import assess, preset
from advisor.report import field_label, value_label
from ui.services import profile_data

pytestmark = pytest.mark.browser


def expected_json(profile: CaseProfile, lang: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(report.render(assess(profile), profile, "json", lang))
    return data


@pytest.mark.parametrize("first", ["zh", "en"])
def test_language_switch_keeps_a_loaded_case(browser: Any, server: Server, first: str) -> None:
    """Case Y loaded, assessed, then both languages on every page: the same assessment JSON."""
    with browser_page(browser, first, downloads=True) as page:
        goto(page, server.url)
        load_preset(page, "case-y", first)
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


def test_language_switch_keeps_a_hand_filled_profile(browser: Any, server: Server) -> None:
    """Case H edited by hand (a choice, a level, a count, a share), then both languages."""
    with browser_page(browser, "en", downloads=True) as page:
        goto(page, server.url)
        load_preset(page, "case-h", "en")
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
