"""Screenshots of every page in both languages, in real headless Chromium, for a person to read.

They land in tests/artifacts/screenshots/ (git-ignored); the best are copied to docs/screenshots/.
"""

from __future__ import annotations

from typing import Any

import pytest
from browser_support import SCREENSHOTS, Server, shoot
from st_helpers import (
    browser_page,
    click_button,
    expand,
    fill,
    goto,
    load_preset,
    nav,
    s,
    wait_text,
)

from advisor.report import field_label
from advisor.whatif import LEVERS

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_screenshots_of_every_page(browser: Any, server: Server, lang: str) -> None:
    """Every advisor page, with case Y assessed, in both languages, saved as PNG for a person.

    The trainer pages keep their own screenshots (tests/e2e/test_trainer_browser.py).
    """
    with browser_page(browser, lang) as pg:
        goto(pg, server.url)
        shoot(pg, f"{lang}-00-start")
        load_preset(pg, "case-y", lang)
        expand(pg, s("section.funding", lang))
        click_button(pg, s("assess.run", lang))
        wait_text(pg, s("results.top_action", lang).split("{")[0])
        shoot(pg, f"{lang}-01-assess")
        # save it and assess twice more, so the library shows a history over time
        if lang == "zh":
            expand(pg, s("section.basics", lang))
            fill(pg, field_label("id", lang), "case-y-zh")
        click_button(pg, s("assess.save", lang))
        click_button(pg, s("assess.run", lang))
        click_button(pg, s("assess.run", lang))
        nav(pg, s("nav.whatif", lang))
        click_button(pg, LEVERS["bring_in_strong_agency"].label.get(lang))
        click_button(pg, LEVERS["volunteers_in_decisions"].label.get(lang))
        wait_text(pg, s("whatif.results", lang))
        shoot(pg, f"{lang}-02-whatif")
        for n, key in enumerate(("nav.cases", "nav.knowledge", "nav.reports"), start=3):
            nav(pg, s(key, lang))
            pg.wait_for_timeout(500)
            shoot(pg, f"{lang}-{n:02d}-{key.split('.')[1]}")
        assert len(list(SCREENSHOTS.glob(f"{lang}-*.png"))) >= 6
