"""An axe-core audit of the advisor's pages in real Chromium (Chinese, case Y assessed).

axe-core comes from npm (``tests/e2e/node``, installed by ``scripts/setup.sh --test``) and is
injected by Playwright (``st_helpers.audit``). The test fails on any serious or critical
violation that is ours; the ones that come from Streamlit's own markup, which the app cannot
change, are listed with the reason in ``st_helpers.STREAMLIT_OWN``.
"""

from __future__ import annotations

from typing import Any

import pytest
from browser_support import Server
from st_helpers import (
    AXE,
    audit,
    browser_page,
    click_button,
    goto,
    load_preset,
    nav,
    ours,
    s,
    wait_text,
)

pytestmark = pytest.mark.browser


def test_no_serious_accessibility_violation_of_ours(browser: Any, server: Server) -> None:
    if not AXE.exists():
        pytest.fail("axe-core is not installed: run scripts/setup.sh --test")
    with browser_page(browser, "zh") as page:
        goto(page, server.url)
        load_preset(page, "case-y", "zh")
        click_button(page, s("assess.run", "zh"))
        wait_text(page, s("results.top_action", "zh").split("{")[0])
        found = {"nav.assess": ours(audit(page))}
        for key in ("nav.whatif", "nav.cases", "nav.knowledge", "nav.reports"):
            nav(page, s(key, "zh"))
            page.wait_for_timeout(800)
            found[key] = ours(audit(page))
        assert not any(found.values()), {k: v for k, v in found.items() if v}
