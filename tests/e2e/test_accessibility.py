"""An axe-core audit of the advisor's pages in real Chromium (Chinese, case Y assessed).

axe-core comes from npm (``tests/e2e/node``, installed by ``scripts/setup.sh --test``) and is
injected by Playwright. The test fails on any serious or critical violation that is ours; the
ones that come from Streamlit's own markup, which the app cannot change, are listed below with
the reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_support import Server
from st_helpers import browser_page, click_button, goto, load_preset, nav, s, wait_text

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "node" / "node_modules" / "axe-core" / "axe.min.js"

# (rule, a piece of the offending element's HTML): Streamlit's own, not ours
STREAMLIT_OWN = {
    # the sidebar page menu: Streamlit wraps each <li> in a <div> inside its <ul>
    ("list", 'data-testid="stSidebarNavItems"'),
    ("listitem", "<li"),
}


def audit(page: Any) -> list[tuple[str, str, str]]:
    """Serious and critical violations on the page as (rule, impact, html)."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => (await axe.run(document, {runOnly: {type: 'tag',
              values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice']}}))
            .violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .flatMap(v => v.nodes.map(n => [v.id, v.impact, n.html.slice(0, 160)]))"""
    )
    return [tuple(x) for x in found]


def ours(violations: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    return [
        v
        for v in violations
        if not any(v[0] == rule and bit in v[2] for rule, bit in STREAMLIT_OWN)
    ]


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
