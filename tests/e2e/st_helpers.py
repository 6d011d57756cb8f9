"""Driving Streamlit widgets in a real browser the way a person does: click, type, wait for text.

Shared by the end-to-end tests and ``bench/bench_ui.py``. After an action we wait for the text we
expect to appear, not for Streamlit's script state (which flickers between reruns).
"""

from __future__ import annotations

import re
from typing import Any

Page = Any  # playwright.sync_api.Page


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


def nav(page: Page, title: str) -> None:
    """Click a page in the sidebar menu and wait for it to render."""
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    page.wait_for_timeout(200)
    wait_idle(page)


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
