"""An agency's contract ends: `advisor users disable-org`. Its users cannot sign in (password or
OIDC) and get a message saying why in their language; their open sessions end at the next
click; its cases stay (an administrator reads them, an organisation it shared a case with keeps
that share); enabling it again restores everything. In-process on both engines, then the
message in the web UI (AppTest) in Chinese and English."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from apptest_support import texts
from sample_profiles import profile_data
from streamlit.testing.v1 import AppTest

from advisor.accounts import AccountError, Accounts, OrgDisabledError, SignInError
from advisor.models import CaseProfile
from advisor.principal import Principal, Role
from advisor.store import CaseStore, StoreError

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "ui" / "app.py")
ADMIN = Principal("ada", "local", Role.ADMIN)
PW = "a long password"


def _setup(store: CaseStore) -> Accounts:
    acc = Accounts(store.as_principal(ADMIN))
    acc.add_organisation("agency-a", "阳光社工服务中心", "agency")
    acc.add_organisation("office-b", "东城街道办事处", "street_office")
    acc.add_user("ann", "agency-a", "planner", PW, "Ann", oidc_subject="sub-ann")
    acc.add_user("bob", "office-b", "official", PW, "Bob")
    ann = store.as_principal(Principal("ann", "agency-a", Role.PLANNER))
    ann.save(CaseProfile.model_validate(profile_data("case-a", "Agency A's case")))
    ann.share("case-a", "office-b", "read")
    return acc


def test_disabled_organisation_cannot_sign_in_and_keeps_its_cases(store: CaseStore) -> None:
    acc = _setup(store)
    session = acc.sign_in("ann", PW)
    assert acc.principal_for(session.token) is not None

    org = acc.set_org_disabled("agency-a")
    assert org.disabled and [o.disabled for o in acc.organisations() if o.id == "agency-a"] == [
        True
    ]
    assert acc.principal_for(session.token) is None  # the open session ends at the next click
    with pytest.raises(OrgDisabledError) as err:
        acc.sign_in("ann", PW)
    assert "阳光社工服务中心" in err.value.text("zh") and "已在本系统停用" in err.value.text("zh")
    assert "is disabled" in err.value.text("en") and "cases are kept" in err.value.text("en")
    # a wrong password says nothing about the organisation (nor whether the account exists)
    with pytest.raises(SignInError) as wrong:
        acc.sign_in("ann", "not the password")
    assert not isinstance(wrong.value, OrgDisabledError)
    with pytest.raises(OrgDisabledError):
        acc.sign_in_oidc("sub-ann", "ann@example.org", True)
    reasons = [e.detail.get("reason") for e in acc.audit(action="sign_in_failed")]
    assert "org_disabled" in reasons and "oidc-org-disabled" in reasons
    [entry] = acc.audit(action="org_disable")
    assert (entry.org_id, entry.detail["sessions"]) == ("agency-a", 1)

    # its cases stay: the organisation it shared with keeps reading, an administrator reads them
    bob = store.as_principal(acc.sign_in("bob", PW).principal)
    assert bob.get("agency-a/case-a").name == "Agency A's case"
    admin_for_a = store.as_principal(Principal("cli:root", "agency-a", Role.ADMIN, via="cli"))
    assert [c.id for c in admin_for_a.list()] == ["case-a"]
    with pytest.raises(AccountError, match="disabled"):
        acc.add_user("ann2", "agency-a", "planner", PW)
    # no new share reaches a disabled organisation (its accounts cannot sign in to see it)
    bob.save(CaseProfile.model_validate(profile_data("case-b", "Office B's case")))
    with pytest.raises(StoreError) as refused:
        bob.share("case-b", "agency-a", "read")
    assert "已在本服务器停用" in refused.value.text("zh") and "disabled" in refused.value.text("en")
    assert bob.shares("case-b") == {}
    with pytest.raises(AccountError, match="own organisation"):
        acc.set_org_disabled("local")
    with pytest.raises(AccountError, match="no organisation"):
        acc.set_org_disabled("nowhere")

    acc.set_org_disabled("agency-a", False)
    assert acc.sign_in("ann", PW).principal.org_id == "agency-a"
    assert acc.sign_in_oidc("sub-ann").principal.username == "ann"
    assert [e.org_id for e in acc.audit(action="org_enable")] == ["agency-a"]


def test_cli_disable_org_is_audited_and_listed(tmp_path: Path) -> None:
    db = str(tmp_path / "o.sqlite3")
    _setup(CaseStore(db))

    def cli(*args: str, lang: str = "en") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "advisor.cli.main", *args, "--lang", lang],
            capture_output=True, text=True, cwd=ROOT, timeout=120,
            env={**os.environ, "ADVISOR_DB": db, "LANG": "C.UTF-8"},
        )  # fmt: skip

    res = cli("users", "disable-org", "agency-a", lang="zh")
    assert res.returncode == 0 and "已停用" in res.stdout and "enable-org agency-a" in res.stdout
    assert "agency-a (disabled)" in cli("users", "list").stdout
    assert "所在单位已停用" in cli("users", "list", lang="zh").stdout
    orgs = cli("users", "orgs").stdout.splitlines()
    assert next(line for line in orgs if line.startswith("agency-a")).endswith("(disabled)")
    res = cli("roadmap", "--case", "case-a", "--user", "ann")
    assert res.returncode == 1 and "disabled" in res.stderr, res.stderr
    assert cli("users", "disable-org", "local").returncode == 1
    assert cli("users", "enable-org", "agency-a").returncode == 0
    trail = subprocess.run(
        [sys.executable, "-m", "advisor.cli.main", "audit", "--action", "org_disable"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
        env={**os.environ, "ADVISOR_DB": db},
    ).stdout  # fmt: skip
    assert "org_disable agency-a" in trail


@pytest.fixture
def library(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[CaseStore]:
    path = tmp_path / "cases.sqlite3"
    monkeypatch.setenv("ADVISOR_DB", str(path))
    monkeypatch.delenv("ADVISOR_AUTH", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield CaseStore(path)
    st.cache_resource.clear()


def _app(lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    return at


def _sign_in(at: AppTest, user: str) -> AppTest:
    at.text_input(key="signin_user").input(user)
    at.text_input(key="signin_password").input(PW)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def test_ui_says_the_organisation_is_disabled_in_zh_and_en(library: CaseStore) -> None:
    """Signed in, then the organisation is disabled: the next click shows the sign-in page
    saying why it ended; signing in again names the organisation, in Chinese and in English."""
    acc = _setup(library)
    at = _sign_in(_app("zh"), "ann")
    assert at.title[0].value != "登录"
    acc.set_org_disabled("agency-a")
    at.run()
    assert at.title[0].value == "登录"
    assert "所在单位已停用" in texts(at)
    _sign_in(at, "ann")
    assert "您所在的单位（阳光社工服务中心）已在本系统停用" in texts(at)
    at = _sign_in(_app("en"), "ann")
    assert at.title[0].value == "Sign in"
    assert "Your organisation (阳光社工服务中心) is disabled on this system" in texts(at)
    at = _sign_in(_app("en"), "bob")  # another organisation is unaffected
    assert at.title[0].value != "Sign in"
