"""Fixtures for the trainer tools: the paper's two cases, a fresh case library, the app."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from advisor.models import CaseProfile

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "ui" / "app.py")
APP_TIMEOUT = 90  # sweeps and searches assess hundreds of variants on a shared 2-core machine


@pytest.fixture(scope="session")
def case_y() -> CaseProfile:
    """Case Y of the paper: a government-cultivated force, strongly dependent on government."""
    from advisor.pipeline import preset

    return preset("case-y")


@pytest.fixture(scope="session")
def case_h() -> CaseProfile:
    """Case H of the paper: volunteers cultivated by a social-work agency."""
    from advisor.pipeline import preset

    return preset("case-h")


@pytest.fixture
def fresh_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty case library for this test, and no cached Streamlit resources."""
    import streamlit as st

    db = tmp_path / "cases.sqlite3"
    monkeypatch.setenv("ADVISOR_DB", str(db))
    st.cache_data.clear()
    st.cache_resource.clear()
    return db


@pytest.fixture
def make_app(fresh_db: Path) -> Callable[..., object]:
    """Build the app in a language on a trainer page and run it once."""
    from streamlit.testing.v1 import AppTest

    def build(page: str, lang: str = "en") -> AppTest:
        at = AppTest.from_file(APP, default_timeout=APP_TIMEOUT)
        at.session_state["lang"] = lang
        at.run()
        at.switch_page(page)
        at.run()
        assert not at.exception, at.exception
        return at

    return build
