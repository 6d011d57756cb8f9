"""AppTest fixtures: the app with its own empty case library and cleared caches for every test."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "ui" / "app.py")
TIMEOUT = 60  # the first run imports the engine and the knowledge base


@pytest.fixture(autouse=True)
def fresh_app_state(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each test gets an empty case library and no cached results from another test."""
    monkeypatch.setenv("ADVISOR_DB", str(tmp_path / "cases.sqlite3"))
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def make_app() -> Callable[..., AppTest]:
    """Build the app in a language, optionally on a page, and run it once."""

    def build(lang: str = "en", page: str | None = None) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.session_state["lang"] = lang
        at.run()
        if page:
            at.switch_page(page)
            at.run()
        assert not at.exception, at.exception
        return at

    return build
