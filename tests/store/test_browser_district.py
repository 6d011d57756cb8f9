"""In real Chromium against real app servers: two Streamlit processes over one PostgreSQL keep the
optimistic lock (two people saving the same case at the same moment: one wins, the other is told,
nothing is lost); an organisation's cases and downloads stay its own; a locked-out account stays
out; the sign-in and administration pages in both languages (screenshots)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from app_server import (
    AppServer,
    main_text,
    nav,
    sign_in,
    start,
    stop,
    wait_idle,
    wait_text,
)
from sample_profiles import profile_data

from advisor.accounts import MAX_FAILED_SIGN_INS, Accounts
from advisor.models import CaseProfile
from advisor.principal import Principal, Role
from advisor.store import CaseStore

pytestmark = pytest.mark.browser

ADMIN = Principal("ada", "local", Role.ADMIN)
PW = "a long password"
SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def district(pg_cluster: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One PostgreSQL library with two organisations, and two app servers over it."""
    db = pg_cluster.new_database()
    store = CaseStore(db)
    acc = Accounts(store.as_principal(ADMIN))
    acc.add_organisation("agency-a", "阳光社工服务中心", "agency")
    acc.add_organisation("office-b", "东城街道办事处", "street_office")
    acc.add_organisation("district", "区民政局", "civil_affairs")
    for user, org, role in (
        ("ann", "agency-a", "planner"),
        ("amy", "agency-a", "planner"),
        ("bob", "office-b", "official"),
        ("lou", "office-b", "official"),
        ("ada", "district", "admin"),
    ):
        acc.add_user(user, org, role, PW, user.title())
    ann = store.as_principal(Principal("ann", "agency-a", Role.PLANNER))
    ann.save(CaseProfile.model_validate(profile_data("shared-edit", "Agency A's case")))
    logs = tmp_path_factory.mktemp("servers")
    servers: list[AppServer] = []
    try:
        servers = [start(db, logs), start(db, logs)]
        yield store, servers
    finally:
        for s in servers:
            stop(s.proc)
        store.dispose()


def new_page(browser: Any, locale: str = "en-GB") -> Any:
    ctx = browser.new_context(
        locale=locale, viewport={"width": 1400, "height": 1000}, accept_downloads=True
    )
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    return page


def open_case_in_form(page: Any) -> None:
    nav(page, "Cases")
    wait_text(page, "Saved cases (1)")
    page.get_by_role("button", name="Open and assess", exact=True).click()
    wait_text(page, "Editing the saved case shared-edit (version 1)")
    wait_idle(page)
    summary = page.locator('[data-testid="stExpander"] summary').filter(has_text="Basics").first
    if summary.locator("xpath=..").get_attribute("open") is None:
        summary.click()
        page.wait_for_timeout(200)


def set_name(page: Any, name: str) -> None:
    box = page.get_by_label("Name", exact=True).first
    box.fill(name)
    box.press("Enter")
    wait_idle(page)


def test_two_servers_over_postgresql_lose_no_update(district: Any, browser: Any) -> None:
    """Ann on server 1 and Amy on server 2 open version 1 of the same case, change it, and press
    Save at the same moment: exactly one save lands (version 2), the other person is told the case
    changed and nothing of theirs was saved, and the library holds the winner's change."""
    store, (s1, s2) = district
    ann_page, amy_page = new_page(browser), new_page(browser)
    try:
        sign_in(ann_page, s1.url, "ann", PW)
        sign_in(amy_page, s2.url, "amy", PW)
        for page in (ann_page, amy_page):
            open_case_in_form(page)
        set_name(ann_page, "Changed by Ann")
        set_name(amy_page, "Changed by Amy")
        # both clicks go out before either answer comes back
        ann_page.get_by_role("button", name="Save to library", exact=True).click(no_wait_after=True)
        amy_page.get_by_role("button", name="Save to library", exact=True).click(no_wait_after=True)
        outcomes = {}
        for who, page in (("ann", ann_page), ("amy", amy_page)):
            page.wait_for_function(
                "() => { const t = document.querySelector('[data-testid=\"stMain\"]').innerText;"
                " return t.includes('(version 2)') || t.includes('changed in another session'); }",
                timeout=90_000,
            )
            outcomes[who] = "saved" if "(version 2)" in main_text(page) else "refused"
        assert sorted(outcomes.values()) == ["refused", "saved"], outcomes
        winner = next(w for w, o in outcomes.items() if o == "saved")
        rec = store.as_principal(Principal("ann", "agency-a", Role.PLANNER)).get("shared-edit")
        assert (rec.version, rec.name) == (2, f"Changed by {winner.title()}")
        loser_page = amy_page if winner == "ann" else ann_page
        assert "Nothing was saved" in main_text(loser_page)
    finally:
        ann_page.context.close()
        amy_page.context.close()


def test_other_organisation_sees_and_downloads_only_its_own(district: Any, browser: Any) -> None:
    """Bob (office B) on either server sees none of agency A's cases, and his 'export every case'
    download holds only office B's."""
    store, (s1, s2) = district
    bob = store.as_principal(Principal("bob", "office-b", Role.OFFICIAL))
    if not bob.exists("case-b"):
        bob.save(CaseProfile.model_validate(profile_data("case-b", "Office B's case")))
    for server in (s1, s2):
        page = new_page(browser)
        try:
            sign_in(page, server.url, "bob", PW)
            nav(page, "Cases")
            wait_text(page, "Saved cases (1)")
            text = main_text(page)
            assert "Office B's case" in text
            assert "Agency A" not in text and "shared-edit" not in text
            with page.expect_download() as info:
                page.get_by_role("button", name="Export every case (JSON)").click()
            data = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
            assert [p["id"] for p in data] == ["case-b"]
        finally:
            page.context.close()
    entries = Accounts(store.as_principal(ADMIN)).audit(action="export_all", actor="bob")
    assert len(entries) == 2 and all(e.detail["count"] == 1 for e in entries)


def test_locked_out_account_stays_out_in_the_browser(district: Any, browser: Any) -> None:
    """After repeated wrong passwords, the right one is refused too, with the reason."""
    _, (s1, _) = district
    page = new_page(browser)
    try:
        for i in range(MAX_FAILED_SIGN_INS):
            sign_in(page, s1.url, "lou", "not the password")
            last = i == MAX_FAILED_SIGN_INS - 1
            wait_text(page, "account is locked" if last else "Wrong user name or password")
        sign_in(page, s1.url, "lou", PW)
        wait_text(page, "account is locked")
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    finally:
        page.context.close()


def test_sign_in_and_administration_pages_in_both_languages(district: Any, browser: Any) -> None:
    """Screenshots of the sign-in page and the administrators' page, in Chinese and English."""
    _, (s1, _) = district
    SHOTS.mkdir(parents=True, exist_ok=True)
    for locale, lang, title, admin_nav, audit in (
        ("zh-CN", "zh", "登录", "管理", "审计记录"),
        ("en-GB", "en", "Sign in", "Administration", "Audit trail"),
    ):
        page = new_page(browser, locale)
        try:
            page.goto(s1.url)
            label_user, label_pw = ("用户名", "密码") if lang == "zh" else ("User name", "Password")
            page.get_by_label(label_user, exact=True).wait_for()
            wait_idle(page)
            page.screenshot(path=str(SHOTS / f"signin-{lang}.png"))
            page.get_by_label(label_user, exact=True).fill("ada")
            page.get_by_label(label_pw, exact=True).fill(PW)
            page.get_by_role("button", name=title, exact=True).click()
            wait_idle(page)
            nav(page, admin_nav)
            wait_text(page, audit)
            page.locator('[data-testid="stDataFrame"]').last.wait_for()
            wait_idle(page)
            page.wait_for_timeout(1000)
            page.screenshot(path=str(SHOTS / f"admin-{lang}.png"), full_page=True)
        finally:
            page.context.close()
