"""Real-browser fixtures (the helpers they use are in browser_support.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser_support import Server, start_server, stop_server


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One app server for the whole browser session, with its own empty case library."""
    srv = start_server(tmp_path_factory.mktemp("app"))
    yield srv
    stop_server(srv.proc)


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
