"""Driving Streamlit widgets in a real browser the way a person does: click, type, wait for text.

Shared by the end-to-end tests and ``bench/bench_ui.py``. After an action we wait for the text we
expect to appear, not for Streamlit's script state (which flickers between reruns).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ui.i18n import catalogue

Page = Any  # playwright.sync_api.Page
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
PAGES = ("nav.assess", "nav.whatif", "nav.cases", "nav.knowledge", "nav.reports")


def wait_text(page: Page, text: str, timeout: float = 30_000) -> None:
    """Wait until ``text`` is visible somewhere in the main area or the sidebar."""
    page.get_by_text(text, exact=False).first.wait_for(state="visible", timeout=timeout)


def wait_idle(page: Page, timeout: float = 30_000) -> None:
    """Wait until no rerun is in progress (the 'Running...' indicator is gone)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout
    )
    page.wait_for_timeout(150)


def goto(page: Page, base: str, path: str = "") -> None:
    """Open a page of the app and wait for its first heading."""
    page.goto(f"{base}/{path}")
    page.locator("h1").first.wait_for(timeout=60_000)
    wait_idle(page)


def nav(page: Page, title: str, timeout: float = 30_000) -> None:
    """Click a page in the sidebar menu and wait for it to render."""
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    page.wait_for_timeout(200)
    wait_idle(page, timeout)


def select(page: Page, label: str, option: str, scope: Any = None) -> None:
    """Choose ``option`` in the selectbox (a combobox) labelled ``label``."""
    root = scope or page
    box = root.get_by_role("combobox", name=label, exact=True).first
    box.click()
    box.fill(option)  # filters the (virtualised) list down to the option
    page.get_by_role("option").filter(has_text=re.compile(re.escape(option))).first.click()
    wait_idle(page)


def click_button(page: Page, name: str, scope: Any = None) -> None:
    """Click the button whose visible name is ``name``."""
    (scope or page).get_by_role("button", name=name, exact=True).first.click()
    wait_idle(page)


def expand(page: Page, title: str) -> None:
    """Open the expander whose title starts with ``title`` (if it is closed)."""
    summary = page.locator('[data-testid="stExpander"] summary').filter(has_text=title).first
    details = summary.locator("xpath=..")
    if details.get_attribute("open") is None:
        summary.click()
        page.wait_for_timeout(150)


def fill(page: Page, label: str, value: str, scope: Any = None) -> None:
    """Type into the text or number input labelled ``label`` and commit with Enter."""
    box = (scope or page).get_by_label(label, exact=True).first
    box.fill(value)
    box.press("Enter")
    wait_idle(page)


def main_text(page: Page) -> str:
    """All visible text of the main area."""
    return str(page.locator('[data-testid="stMain"]').inner_text())


def load_start(page: Page, label: str, option: str, load: str, loaded: str) -> None:
    """Choose a start point and press Load; wait for the page to confirm it (``loaded``).

    A click that lands while Streamlit is still finishing the rerun of the selection can be
    dropped by Streamlit's frontend (seen about once in ten runs on this loaded machine, with
    the server never receiving the click); a person would see no confirmation and click again,
    and so does this helper, once.
    """
    select(page, label, option)
    for attempt in range(2):
        click_button(page, load)
        try:
            wait_text(page, loaded, timeout=10_000 if attempt == 0 else 30_000)
            break
        except Exception:
            if attempt:
                raise
    wait_form_settled(page)


# --------------------------------------------------------------------------- shared by the tests


def s(key: str, lang: str = "en", **kw: Any) -> str:
    """A UI string of ``ui/locales`` as the page shows it (formatted when given ``kw``)."""
    text = catalogue()[key][lang]
    return text.format(**kw) if kw else text


@contextlib.contextmanager
def browser_page(
    browser: Any,
    lang: str = "en",
    downloads: bool = False,
    height: int = 1000,
    timeout: float = 30_000,
) -> Iterator[Page]:
    """A fresh page in its own browser context whose locale is ``lang``'s (zh-CN or en-GB),
    1400 wide, ``timeout`` ms a step; the context is closed afterwards, whatever happened."""
    ctx = browser.new_context(
        locale="zh-CN" if lang == "zh" else "en-GB",
        viewport={"width": 1400, "height": height},
        accept_downloads=downloads,
    )
    page = ctx.new_page()
    page.set_default_timeout(timeout)
    try:
        yield page
    finally:
        ctx.close()


def load_preset(page: Page, preset: str, lang: str) -> None:
    """Load one of the paper's cases (``case-h`` or ``case-y``) into the Assess form."""
    load_start(
        page,
        s("assess.start.label", lang),
        s(f"assess.start.{preset}", lang),
        s("assess.start.load", lang),
        s("assess.start.loaded", lang, what="").rstrip("。."),
    )


def reload(page: Page) -> None:
    """Reload the page as a person would (F5) and wait for it to be drawn again."""
    page.reload()
    page.locator("h1").first.wait_for()
    wait_idle(page)


def switch_language(page: Page, lang: str) -> None:
    """Click the sidebar's language option and wait for the page to be in ``lang``."""
    page.locator('[data-testid="stSidebar"]').get_by_text(
        s(f"lang.{lang}", lang), exact=True
    ).click()
    wait_idle(page)
    page.locator('[data-testid="stSidebarNav"]').get_by_text(
        s("nav.assess", lang), exact=True
    ).wait_for()
    wait_idle(page)


def download_json(page: Page, button: str) -> Any:
    """Click a download button and read the JSON file it gives."""
    with page.expect_download() as info:
        page.get_by_role("button", name=button).click()
    return json.loads(Path(info.value.path()).read_text(encoding="utf-8"))


def assessment_json(page: Page, lang: str) -> dict[str, Any]:
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
    data: dict[str, Any] = download_json(page, s("reports.json", lang))
    return data


def tour(page: Page, first: str) -> None:
    """On every page of ``PAGES``, switch to the other language and back."""
    other = "en" if first == "zh" else "zh"
    for key in PAGES:
        nav(page, s(key, first))
        switch_language(page, other)
        nav(page, s(key, other))
        switch_language(page, first)


def shoot(page: Page, name: str, max_height: int = 7000) -> Path:
    """A screenshot of the whole page into tests/artifacts/screenshots/.

    Streamlit scrolls inside its main container, not the document, so the window is made as
    tall as the content for the shot and restored afterwards.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    wait_idle(page)
    page.wait_for_timeout(800)
    size = page.viewport_size
    height = page.evaluate(
        '() => Math.max(...[...document.querySelectorAll(\'[data-testid="stMain"], '
        '[data-testid="stSidebarContent"]\')].map(e => e.scrollHeight))'
    )
    page.set_viewport_size({"width": size["width"], "height": min(max_height, int(height) + 40)})
    page.wait_for_timeout(900)  # charts and metrics re-lay out after the resize
    page.evaluate(
        "() => document.querySelectorAll('[data-testid=\"stMain\"]').forEach(e => e.scrollTo(0, 0))"
    )
    page.screenshot(path=str(path))
    page.set_viewport_size(size)
    return path


# --------------------------------------------------------------------------- accessibility

AXE = Path(__file__).resolve().parent / "node" / "node_modules" / "axe-core" / "axe.min.js"

# (rule, a piece of the offending element's HTML): Streamlit's own, not ours
STREAMLIT_OWN = {
    # the sidebar page menu: Streamlit wraps each <li> in a <div> inside its <ul>
    ("list", 'data-testid="stSidebarNavItems"'),
    ("listitem", "<li"),
}


def audit(page: Page) -> list[tuple[str, str, str]]:
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
    """The violations that are not Streamlit's own markup (``STREAMLIT_OWN``)."""
    return [
        v
        for v in violations
        if not any(v[0] == rule and bit in v[2] for rule, bit in STREAMLIT_OWN)
    ]


def wait_form_settled(page: Page, timeout: float = 60_000) -> None:
    """Wait until every form widget on the page is of one generation (``ui.services.form_key``).

    A load draws a new generation of widgets; the confirmation is shown at the top of that run,
    before the form, and the old generation's widgets stay in the page until the run ends. A test
    that went on at the confirmation typed into an old widget (a blank form's 0) that was then
    replaced, in a section drawn closed (seen under load: "Active volunteers" not visible).
    """
    page.wait_for_function(
        """() => {
            const gens = [...document.querySelectorAll('[class*="st-key-w-"]')]
                .map(e => (e.className.match(/st-key-w-(\\d+)-/) || [])[1])
                .filter(g => g !== undefined).map(Number);
            return gens.every(g => g === Math.max(...gens));
        }""",
        timeout=timeout,
    )
    wait_idle(page)
