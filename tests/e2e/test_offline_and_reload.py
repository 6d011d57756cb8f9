"""Real Chromium: the app asks nothing of any other host, and a reload does not lose the form."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest
from browser_support import Server, shoot
from st_helpers import (
    browser_page,
    click_button,
    expand,
    fill,
    goto,
    load_preset,
    load_start,
    nav,
    reload,
    s,
    wait_text,
)

from advisor.pipeline import preset
from advisor.report import field_label

pytestmark = pytest.mark.browser


def test_no_request_leaves_the_machine(browser: Any, server: Server) -> None:
    """Every page, case Y assessed: the browser's network log holds only the app's own address."""
    seen: list[str] = []
    with browser_page(browser, "zh") as page:
        page.on("request", lambda r: seen.append(r.url))
        goto(page, server.url)
        load_preset(page, "case-y", "zh")
        click_button(page, s("assess.run", "zh"))
        try:
            wait_text(page, s("results.top_action", "zh").split("{")[0])
        finally:
            shoot(page, "zh-offline-assess")
        for key in ("nav.whatif", "nav.cases", "nav.knowledge", "nav.reports"):
            nav(page, s(key, "zh"))
            page.wait_for_timeout(500)
        outside = [
            u
            for u in seen
            if urlparse(u).scheme in ("http", "https", "ws", "wss")
            and urlparse(u).hostname not in ("127.0.0.1", "localhost")
        ]
        assert seen and not outside, outside
        # the page icon is our own, served by the app
        icon = page.evaluate(
            "() => [...document.querySelectorAll('link[rel~=\"icon\"]')].map(l => l.href)"
        )
        assert icon and all(h.startswith((server.url, "data:")) for h in icon), icon


def test_a_reload_offers_the_unsaved_form_back(browser: Any, server: Server) -> None:
    """Case Y loaded and its region typed, then a reload: the form is offered and restored."""
    with browser_page(browser, "en") as page:
        goto(page, server.url)
        load_preset(page, "case-y", "en")
        expand(page, s("section.basics", "en"))
        fill(page, field_label("region", "en"), "North bank")
        assert "draft=" in page.url
        reload(page)
        wait_text(page, "An unsaved profile")
        shoot(page, "en-reload-offer")
        click_button(page, s("assess.kept.restore", "en"))
        expand(page, s("section.basics", "en"))
        box = page.get_by_label(field_label("region", "en"), exact=True).first
        box.wait_for()
        page.wait_for_function(
            "(v) => [...document.querySelectorAll('input')].some(i => i.value === v)",
            arg="North bank",
        )
        assert page.get_by_label(field_label("name", "en"), exact=True).first.input_value() == (
            preset("case-y").name
        )


def test_a_url_in_a_case_name_is_never_a_live_link(browser: Any, server: Server) -> None:
    """A case named with web addresses: on every page they are text, never a link."""
    from advisor.store import CaseStore
    from advisor.whatif import apply_change

    name = "Y see https://evil.example/x and www.evil.example [here](https://evil.example)"
    case = apply_change(apply_change(preset("case-y"), "id", "url-name"), "name", name)
    CaseStore(server.db).save(case)
    with browser_page(browser, "en") as page:
        goto(page, server.url)
        load_start(
            page,
            s("assess.start.label", "en"),
            s("assess.start.saved", "en", name=name),
            s("assess.start.load", "en"),
            s("assess.start.loaded", "en", what="").rstrip("。."),
        )
        click_button(page, s("assess.run", "en"))
        wait_text(page, s("results.top_action", "en").split("{")[0])
        links = (
            "() => [...document.querySelectorAll('a[href*=\"evil\"]')]"
            ".map(a => a.parentElement.closest('[data-testid]').dataset.testid + ' ' + a.href)"
        )
        assert page.evaluate(links) == []
        for key in ("nav.whatif", "nav.cases", "nav.reports"):
            nav(page, s(key, "en"))
            page.wait_for_timeout(800)
            assert page.evaluate(links) == [], key
        # the report preview is a frame of its own
        for frame in page.frames:
            assert frame.evaluate(links) == []


def test_html_lang_follows_the_chosen_language(browser: Any, server: Server) -> None:
    with browser_page(browser, "zh") as page:
        goto(page, server.url)
        page.wait_for_function("() => document.documentElement.lang === 'zh-CN'")
        page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
        wait_text(page, s("assess.title", "en"))
        page.wait_for_function("() => document.documentElement.lang === 'en'")
