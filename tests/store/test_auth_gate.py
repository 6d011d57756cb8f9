"""``ui.auth.gate`` outside a Streamlit run (a bare script, a unit test): ``st.stop`` does not
raise there, so every way out of the gate must still return a principal without any right
(before, a database failure left ``how`` unbound and raised UnboundLocalError)."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.accounts import Accounts
from advisor.db import DatabaseProblem
from advisor.principal import Principal, Role
from advisor.store import CaseStore
from ui import auth


@pytest.fixture(autouse=True)
def accounts_mode(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ADVISOR_AUTH", "accounts")
    monkeypatch.setenv("ADVISOR_DB", str(tmp_path / "cases.sqlite3"))


def test_a_store_failure_returns_no_rights_instead_of_running_on() -> None:
    def failing() -> CaseStore:
        raise DatabaseProblem("the disk is gone")

    who = auth.gate(failing)
    assert who is auth.NO_RIGHTS
    assert not any(who.can(p) for p in ("cases.read", "cases.write", "admin.audit"))


def test_no_session_returns_no_rights(tmp_path: Path) -> None:
    store = CaseStore(tmp_path / "cases.sqlite3")
    acc = Accounts(store.as_principal(Principal("ada", "local", Role.ADMIN)))
    acc.add_user("ada", "local", "admin", "a long password")
    assert auth.gate(lambda: store) is auth.NO_RIGHTS
    store.dispose()


def test_single_user_mode_still_returns_the_local_principal(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ADVISOR_AUTH", "single-user")
    store = CaseStore(tmp_path / "cases.sqlite3")
    assert auth.gate(lambda: store).via == "single_user"
    store.dispose()
