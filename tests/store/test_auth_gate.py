"""``ui.auth.gate`` outside a Streamlit run (a bare script, a unit test): ``st.stop`` does not
raise there, so every way out of the gate must still return a principal without any right
(before, a database failure left ``how`` unbound and raised UnboundLocalError). And in an
AppTest run: a session that ended (expired, account disabled) is explained on the sign-in page."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import streamlit as st
from apptest_support import texts
from streamlit.testing.v1 import AppTest

from advisor import schema as T
from advisor.accounts import Accounts
from advisor.principal import Principal, Role
from advisor.store import CaseStore
from ui import auth

ROOT = Path(__file__).resolve().parents[2]


# Each bare-mode call runs in a process of its own: Streamlit's module-level state after a
# bare-mode run (widgets registered without a script run) leaks into later AppTest runs.
BARE = """
import os, sys
from advisor.accounts import Accounts
from advisor.db import DatabaseProblem
from advisor.principal import Principal, Role
from advisor.store import CaseStore
from ui import auth

def failing():
    raise DatabaseProblem("the disk is gone")

store = CaseStore(os.environ["ADVISOR_DB"])
if sys.argv[1] == "accounts":
    Accounts(store.as_principal(Principal("ada", "local", Role.ADMIN))).add_user(
        "ada", "local", "admin", "a long password")
who = auth.gate(failing if sys.argv[1] == "failure" else (lambda: store))
print("PRINCIPAL", who is auth.NO_RIGHTS, who.via,
      any(who.can(p) for p in ("cases.read", "cases.write", "admin.audit")))
"""


def bare_gate(tmp_path: Path, case: str, auth_mode: str = "accounts") -> list[str]:
    env = {
        **os.environ,
        "ADVISOR_AUTH": auth_mode,
        "ADVISOR_DB": str(tmp_path / "cases.sqlite3"),
    }
    out = subprocess.run(
        [sys.executable, "-c", BARE, case],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    line = [x for x in out.stdout.splitlines() if x.startswith("PRINCIPAL ")]
    assert line, out.stdout[-2000:] + out.stderr[-2000:]
    return line[0].split()[1:]


def test_a_store_failure_returns_no_rights_instead_of_running_on(tmp_path: Path) -> None:
    assert bare_gate(tmp_path, "failure") == ["True", "none", "False"]


def test_no_session_returns_no_rights(tmp_path: Path) -> None:
    assert bare_gate(tmp_path, "accounts") == ["True", "none", "False"]


def test_single_user_mode_still_returns_the_local_principal(tmp_path: Path) -> None:
    assert bare_gate(tmp_path, "empty", "single-user") == ["False", "single_user", "True"]


@pytest.mark.parametrize(
    ("lang", "notice"),
    [
        ("en", "Your session has expired or your account was disabled"),
        ("zh", "登录已过期或账户已停用"),
    ],
)
def test_an_ended_session_is_explained_on_the_sign_in_page(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, lang: str, notice: str
) -> None:
    """When the session this browser had expires, or the account is disabled, the next click
    shows the sign-in page with the reason (the notice was never shown before: nothing set it)."""
    monkeypatch.setenv("ADVISOR_AUTH", "accounts")
    monkeypatch.setenv("ADVISOR_DB", str(tmp_path / "cases.sqlite3"))
    st.cache_data.clear()
    st.cache_resource.clear()
    store = CaseStore(tmp_path / "cases.sqlite3")
    acc = Accounts(store.as_principal(Principal("ada", "local", Role.ADMIN)))
    acc.add_organisation("office-b", "东城街道办事处", "street_office")
    acc.add_user("bob", "office-b", "official", "a long password", "Bob")
    at = AppTest.from_file(str(Path(auth.__file__).with_name("app.py")), default_timeout=90)
    at.session_state["lang"] = lang
    at.run()
    assert notice not in texts(at)  # a first visit is not an ended session
    at.text_input(key="signin_user").input("bob")
    at.text_input(key="signin_password").input("a long password")
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert "signin_user" not in [w.key for w in at.text_input]
    with store.engine.begin() as conn:
        conn.execute(T.sessions.update().values(expires_at="2000-01-01T00:00:00+00:00"))
    at.run()
    assert notice in texts(at)
    assert "signin_user" in [w.key for w in at.text_input]
    at.run()  # said once, not at every run of the sign-in page
    assert notice not in texts(at)
    at.text_input(key="signin_user").input("bob")
    at.text_input(key="signin_password").input("a long password")
    at.button[0].click().run()
    acc.set_disabled("bob")
    at.run()
    assert notice in texts(at)
    st.cache_resource.clear()
    store.dispose()


@pytest.mark.parametrize(
    ("lang", "notice"),
    [
        ("en", "Sign-in through the identity provider is unavailable"),
        ("zh", "统一身份认证登录暂不可用"),
    ],
)
def test_a_half_filled_auth_section_is_a_notice_not_an_error_page(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, lang: str, notice: str
) -> None:
    """``[auth]`` without ``cookie_secret`` or ``client_secret``: ``st.login`` raised at the
    click ("This app has encountered an error", in English); now the sign-in page says in the
    person's language that this way is unavailable, and offers no button. (AppTest's secrets
    are no secrets file, so Streamlit's own check fails here whatever the section holds; that a
    complete section on a real server gets the button is in tests/e2e/test_oidc_browser.py.)"""
    monkeypatch.setenv("ADVISOR_DB", str(tmp_path / "cases.sqlite3"))
    st.cache_data.clear()
    st.cache_resource.clear()
    store = CaseStore(tmp_path / "cases.sqlite3")
    Accounts(store.as_principal(Principal("ada", "local", Role.ADMIN))).add_user(
        "ada", "local", "admin", "a long password"
    )
    at = AppTest.from_file(str(Path(auth.__file__).with_name("app.py")), default_timeout=90)
    at.secrets["auth"] = {
        "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
        "client_id": "advisor",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    }
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    assert notice in texts(at)
    assert len(at.button) == 1  # the password form's submit button only
    st.cache_resource.clear()
    store.dispose()
