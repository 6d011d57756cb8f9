"""An administrator undoes an official's delete on the Administration page (AppTest over SQLite),
as a district's IT office would: the deleted case is listed with who deleted it, one click
restores it to its organisation, the official sees it again, and the audit trail has both."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from apptest_support import texts
from sample_profiles import profile_data
from streamlit.testing.v1 import AppTest

from advisor.accounts import Accounts
from advisor.models import CaseProfile
from advisor.principal import Principal, Role
from advisor.store import CaseStore

APP = str(Path(__file__).resolve().parents[2] / "ui" / "app.py")
PW = "a long password"
BOB = Principal("bob", "office-b", Role.OFFICIAL)


@pytest.fixture
def library(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[CaseStore]:
    path = tmp_path / "cases.sqlite3"
    monkeypatch.setenv("ADVISOR_DB", str(path))
    monkeypatch.setenv("ADVISOR_AUTH", "accounts")
    st.cache_data.clear()
    st.cache_resource.clear()
    store = CaseStore(path)
    acc = Accounts(store.as_principal(Principal("ada", "local", Role.ADMIN)))
    acc.add_organisation("office-b", "东城街道办事处", "street_office")
    acc.add_user("bob", "office-b", "official", PW, "Bob")
    acc.add_user("ada", "local", "admin", PW, "Ada")
    bob = store.as_principal(BOB)
    bob.save(CaseProfile.model_validate(profile_data("case-b", "Office B's case")))
    bob.delete("case-b")
    yield store
    st.cache_resource.clear()
    store.dispose()


def signed_in(user: str, lang: str = "en") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["lang"] = lang
    at.run()
    at.text_input(key="signin_user").input(user)
    at.text_input(key="signin_password").input(PW)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def test_an_administrator_restores_a_deleted_case(library: CaseStore) -> None:
    bob = library.as_principal(BOB)
    assert [c.id for c in bob.list()] == []
    at = signed_in("ada")
    at.switch_page("views/admin.py").run()
    assert not at.exception, at.exception
    page = texts(at)
    assert "Office B's case" in page and "bob" in page
    restore = [b for b in at.button if (b.key or "").startswith("restore_")]
    assert len(restore) == 1
    restore[0].click().run()
    assert not at.exception, at.exception
    assert "case-b" in texts(at)  # the confirmation names the case
    assert not [b for b in at.button if (b.key or "").startswith("restore_")]
    assert [c.id for c in bob.list()] == ["case-b"]
    actions = [
        e.action
        for e in Accounts(library.as_principal(Principal("ada", "local", Role.ADMIN))).audit(
            case_id="case-b"
        )
    ]
    assert actions[:2] == ["restore", "delete"]
