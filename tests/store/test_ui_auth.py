"""The web UI's sign-in gate and organisation scoping, driven through AppTest (SQLite): sign-in,
lock-out, single-user mode, roles' menus, crafted session state, and database failures shown
as messages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from apptest_support import texts
from sample_profiles import profile_data
from streamlit.testing.v1 import AppTest

from advisor.accounts import MAX_FAILED_SIGN_INS, Accounts
from advisor.models import CaseProfile
from advisor.principal import LOCAL_PRINCIPAL, Principal, Role
from advisor.store import CaseStore

APP = str(Path(__file__).resolve().parents[2] / "ui" / "app.py")
ADMIN = Principal("ada", "local", Role.ADMIN)
PW = "a long password"


@pytest.fixture
def library(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[CaseStore]:
    """A library with two organisations, their users, and one case each."""
    path = tmp_path / "cases.sqlite3"
    monkeypatch.setenv("ADVISOR_DB", str(path))
    monkeypatch.delenv("ADVISOR_AUTH", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    store = CaseStore(path)
    yield store
    st.cache_resource.clear()


def accounts(store: CaseStore) -> Accounts:
    acc = Accounts(store.as_principal(ADMIN))
    acc.add_organisation("agency-a", "阳光社工服务中心", "agency")
    acc.add_organisation("office-b", "东城街道办事处", "street_office")
    acc.add_user("ann", "agency-a", "planner", PW, "Ann")
    acc.add_user("bob", "office-b", "official", PW, "Bob")
    acc.add_user("tia", "office-b", "trainee", PW, "Tia")
    acc.add_user("ada", "local", "admin", PW, "Ada")
    a = store.as_principal(Principal("ann", "agency-a", Role.PLANNER))
    a.save(CaseProfile.model_validate(profile_data("secret-a", "Agency A's case")))
    b = store.as_principal(Principal("bob", "office-b", Role.OFFICIAL))
    b.save(CaseProfile.model_validate(profile_data("case-b", "Office B's case")))
    return acc


def app(lang: str = "en") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    return at


def sign_in(at: AppTest, user: str, password: str = PW) -> AppTest:
    at.text_input(key="signin_user").input(user)
    at.text_input(key="signin_password").input(password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def test_single_user_mode_when_no_account_exists(library: CaseStore) -> None:
    """Without accounts the app opens as before, and says on every page that it is single-user."""
    at = app()
    assert "Single-user mode" in "\n".join(w.value for w in at.sidebar.warning)
    at = app("zh")
    assert "单机模式" in "\n".join(w.value for w in at.sidebar.warning)
    at.switch_page("views/cases.py").run()
    assert "能打开本页面的人都能看到和修改" in texts(at)  # who sees the library, said plainly


def test_sign_in_is_required_once_accounts_exist(library: CaseStore) -> None:
    """With accounts the first page is the sign-in form; no page content is shown before it."""
    accounts(library)
    at = app()
    assert at.title[0].value == "Sign in"
    assert "Assess a volunteer force" not in texts(at)
    sign_in(at, "ann", "wrong password")
    assert "Wrong user name or password" in texts(at)
    sign_in(at, "ann")
    assert at.title[0].value != "Sign in"
    assert "Signed in: Ann (阳光社工服务中心, agency planner)" in texts(at)
    at = app("zh")
    assert at.title[0].value == "登录"


def test_locked_out_account_stays_out(library: CaseStore) -> None:
    """After repeated wrong passwords even the right one is refused, in the page."""
    accounts(library)
    at = app()
    for _ in range(MAX_FAILED_SIGN_INS):
        sign_in(at, "bob", "wrong password")
    sign_in(at, "bob")
    assert at.title[0].value == "Sign in"
    assert "locked" in texts(at)


def test_crafted_session_state_does_not_sign_anyone_in(library: CaseStore) -> None:
    """Putting an administrator's principal, a forged token or another organisation's case
    reference into the session gives nothing."""
    accounts(library)
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["lang"] = "en"
    at.session_state["_advisor_principal"] = LOCAL_PRINCIPAL
    at.session_state["_advisor_session_token"] = "forged"
    at.run()
    assert at.title[0].value == "Sign in"
    assert "Agency A" not in texts(at)


def test_cases_page_shows_only_the_organisations_cases(library: CaseStore) -> None:
    """Bob sees Office B's case only (on Assess and on Cases); saving over Agency A's case by a
    crafted reference fails as 'no such case'; his export-all holds only his organisation's."""
    accounts(library)
    at = sign_in(app(), "bob")
    starts = "\n".join(str(o) for o in at.selectbox(key="start").options)
    assert "Office B's case" in starts and "Agency A" not in starts  # nothing to assess from
    at.switch_page("views/cases.py").run()
    assert not at.exception
    page = texts(at)
    assert "Office B's case" in "\n".join(str(o) for o in at.selectbox(key="case_choice").options)
    assert "Agency A" not in page and "secret-a" not in page
    assert "Case library: the cases of 东城街道办事处" in page
    assert "everyone who can open this page" not in page  # single-user mode's sentence
    assert "cases.sqlite3" not in page  # never the server's path
    # a crafted reference to Agency A's case, with a draft of the same id, saved from Cases
    from ui import profile_form

    at.session_state["draft"] = profile_form.draft_from_data(profile_data("secret-a", "Pwned"))
    at.session_state["case_ref"] = {"id": "agency-a/secret-a", "version": 1}
    at.run()
    at.button(key="save_draft").click().run()
    assert "There is no case agency-a/secret-a" in "\n".join(e.value for e in at.error)
    ann = library.as_principal(Principal("ann", "agency-a", Role.PLANNER))
    assert (ann.get("secret-a").name, ann.get("secret-a").version) == ("Agency A's case", 1)
    bob = library.as_principal(Principal("bob", "office-b", Role.OFFICIAL))
    assert [p["id"] for p in json.loads(bob.export_all("json"))] == ["case-b"]


def test_trainee_sees_no_case_library(library: CaseStore) -> None:
    """A trainee's menu has no Cases (nor Administration) page and the Assess page lists no
    saved case."""
    accounts(library)
    at = sign_in(app(), "tia")
    assert "Office B's case" not in texts(at)
    options = [str(o) for o in at.selectbox(key="start").options]
    assert not any("case" in o.lower() and "saved" in o.lower() for o in options)
    with pytest.raises(ValueError, match="Could not find a navigation page") as info:
        at.switch_page("views/cases.py")  # not among the trainee's pages
    assert "views/assess.py" in str(info.value)  # the menu the trainee does have
    assert "views/admin.py" not in str(info.value)


def test_admin_page_shows_the_audit_trail(library: CaseStore) -> None:
    """An administrator's page lists the accounts, the organisations (a disabled one marked as
    such) and the audit trail in both languages; a planner does not get it."""
    accounts(library).set_org_disabled("agency-a")
    at = sign_in(app(), "ada")
    at.switch_page("views/admin.py").run()
    assert not at.exception, at.exception
    page = texts(at)
    assert "Administration" in page and "Audit trail" in page
    table = at.dataframe[-1].value
    assert "sign-in" in set(table.iloc[:, 2])
    orgs = next(d.value for d in at.dataframe if "Under" in d.value.columns)
    states = dict(zip(orgs["Id"], orgs["State"], strict=True))
    assert (states["agency-a"], states["office-b"]) == ("disabled", "active")
    at.session_state["lang"] = "zh"
    at.run()
    assert "审计记录" in texts(at)


def test_corrupt_database_is_a_message_with_an_incident_id(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A damaged library gives every visitor a message in their language with an incident id,
    without the server's path or a traceback."""
    bad = tmp_path / "cases.sqlite3"
    bad.write_text("not a database\n" * 300)
    monkeypatch.setenv("ADVISOR_DB", str(bad))
    st.cache_resource.clear()
    for lang, needle in (("en", "damaged"), ("zh", "已损坏")):
        at = app(lang)
        errors = "\n".join(e.value for e in at.error)
        assert needle in errors and ("incident" in errors or "事件编号" in errors)
        assert str(tmp_path) not in texts(at)


def test_read_only_library_is_shown_as_such(
    monkeypatch: pytest.MonkeyPatch, library: CaseStore
) -> None:
    """A read-only library opens: the sidebar says saving is unavailable."""
    library.save(CaseProfile.model_validate(profile_data()))
    st.cache_resource.clear()
    import ui.services as services

    monkeypatch.setattr(
        services, "_store", lambda path: CaseStore(path, readonly=True), raising=True
    )
    at = app()
    assert "saving is unavailable" in "\n".join(i.value for i in at.sidebar.info)


def test_hierarchy_on_the_admin_and_cases_pages(library: CaseStore) -> None:
    """The administrator sees the organisations indented under their parent, in both
    languages; a street office's official sees the case of a community under the office in
    the chooser, marked read-only, and the page says whose cases the library holds."""
    acc = accounts(library)
    acc.add_organisation("comm-1", "和平社区居委会", "community", parent="office-b")
    c = library.as_principal(Principal("chen", "comm-1", Role.OFFICIAL))
    c.save(CaseProfile.model_validate(profile_data("case-c", "Community case")))
    at = sign_in(app(), "ada")
    at.switch_page("views/admin.py").run()
    assert not at.exception, at.exception
    [orgs] = [d.value for d in at.dataframe if "Under" in d.value.columns]
    rows = {r["Id"]: r for r in orgs.to_dict("records")}
    assert rows["comm-1"]["Under"] == "东城街道办事处" and rows["comm-1"]["Kind"] == "community"
    assert rows["comm-1"]["Name"] == "\u3000和平社区居委会"  # indented under its street office
    at.session_state["lang"] = "zh"
    at.run()
    [orgs] = [d.value for d in at.dataframe if "上级单位" in d.value.columns]
    assert "社区" in set(orgs["类型"]) and "单位及其上下级" in texts(at)

    at = sign_in(app(), "bob")
    at.switch_page("views/cases.py").run()
    assert not at.exception, at.exception
    assert "read-only) those of the organisations under it (和平社区居委会" in texts(at)
    labels = [
        at.selectbox(key="case_choice").format_func(o)
        for o in at.selectbox(key="case_choice").options
    ]
    assert "Community case (case-c) (和平社区居委会, under yours, read-only)" in labels
    assert not any("secret-a" in label for label in labels)
