"""Real-browser fixtures (the helpers they use are in browser_support.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, Server, start_server, stop_server


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One app server for the whole browser session, with its own empty case library."""
    srv = start_server(tmp_path_factory.mktemp("app"))
    yield srv
    stop_server(srv.proc)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium under playwright."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: run scripts/setup.sh --test")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser: object, server: Server) -> Iterator[object]:
    """A fresh browser page (English locale) at the app's address, first render done."""
    ctx = browser.new_context(  # type: ignore[attr-defined]
        locale="en-GB", viewport={"width": 1400, "height": 1000}, accept_downloads=True
    )
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    ctx.close()
