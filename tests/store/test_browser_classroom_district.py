"""A live class inside the district's accounts, in real Chromium over PostgreSQL: a signed-in
trainer opens a class without guests (it belongs to the trainer's organisation); a trainee of
that organisation signs in and joins as their account; a guest reaches only the join page and
joins with a roster name; a name off the roster is refused; another organisation's trainer does
not see the class. Screenshots in both languages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from app_server import main_text, nav, sign_in, start, stop, wait_idle
from app_server import wait_text as wait_for
from st_helpers import s

from advisor.accounts import Accounts
from advisor.classroom import Classroom
from advisor.principal import Principal, Role
from advisor.store import CaseStore

pytestmark = pytest.mark.browser

ADMIN = Principal("ada", "local", Role.ADMIN)
PW = "a long password"
SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def district(pg_cluster: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    db = pg_cluster.new_database()
    store = CaseStore(db)
    acc = Accounts(store.as_principal(ADMIN))
    acc.add_organisation("training-a", "区社工培训中心", "training")
    acc.add_organisation("office-b", "东城街道办事处", "street_office")
    for user, org, role, name in (
        ("tina", "training-a", "trainer", "Tina"),
        ("xiaoli", "training-a", "trainee", "小李"),
        ("tom", "office-b", "trainer", "Tom"),
    ):
        acc.add_user(user, org, role, PW, name)
    server = start(db, tmp_path_factory.mktemp("classroom-servers"))
    try:
        yield store, server
    finally:
        stop(server.proc)
        store.dispose()


def new_page(browser: Any, locale: str = "en-GB") -> Any:
    ctx = browser.new_context(locale=locale, viewport={"width": 1300, "height": 1000})
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    return page


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_class_inside_the_accounts(district: Any, browser: Any) -> None:
    store, server = district
    trainer = new_page(browser)
    sign_in(trainer, server.url, "tina", PW)
    nav(trainer, s("classroom.nav.trainer"))
    trainer.get_by_text(s("classroom.trainer.allow_guests"), exact=True).click()
    wait_idle(trainer)
    trainer.get_by_label(s("classroom.trainer.roster"), exact=True).fill("王芳")
    trainer.get_by_role("button", name=s("classroom.trainer.open"), exact=True).click()
    wait_idle(trainer)
    wait_for(trainer, "classroom-join?code=")
    code = re.search(r"classroom-join\?code=([A-Z0-9]{6})", main_text(trainer)).group(1)
    tina = Classroom(store.as_principal(Principal("tina", "training-a", Role.TRAINER)))
    tom = Classroom(store.as_principal(Principal("tom", "office-b", Role.TRAINER)))
    assert [c.code for c in tina.sessions()] == [code]
    assert tom.sessions() == []

    # a guest (not signed in) reaches the join page, and only it
    guest = new_page(browser, "zh-CN")
    guest.goto(f"{server.url}/classroom-join?code={code}")
    guest.get_by_label(s("classroom.join.name", "zh"), exact=True).wait_for(timeout=90_000)
    wait_idle(guest)
    shot(guest, "classroom_guest_join_page_zh")
    menu = "".join(guest.locator('[data-testid="stSidebarNav"]').all_inner_texts())
    assert s("nav.assess", "zh") not in menu and s("nav.cases", "zh") not in menu
    assert "访客" in guest.locator('[data-testid="stSidebar"]').inner_text()
    guest.get_by_label(s("classroom.join.name", "zh"), exact=True).fill("小王")
    guest.get_by_role("button", name=s("classroom.join.join", "zh"), exact=True).click()
    wait_idle(guest)
    wait_for(guest, "只对培训师名单上的学员")
    shot(guest, "classroom_guest_refused_zh")
    guest.get_by_label(s("classroom.join.name", "zh"), exact=True).fill("王芳")
    guest.get_by_role("button", name=s("classroom.join.join", "zh"), exact=True).click()
    wait_idle(guest)
    wait_for(guest, s("classroom.join.joined_as", "zh", name="王芳", code=code))
    shot(guest, "classroom_guest_joined_zh")
    # the guest cannot wander to another page by its address
    guest.goto(f"{server.url}/cases")
    guest.get_by_text(s("auth.submit", "zh"), exact=True).first.wait_for(timeout=90_000)

    # a trainee account of the organisation joins as itself, no name to type
    trainee = new_page(browser)
    sign_in(trainee, server.url, "xiaoli", PW)
    menu = trainee.locator('[data-testid="stSidebarNav"]').inner_text()
    assert s("classroom.nav.trainer") not in menu  # a trainee opens no class
    nav(trainee, s("classroom.nav.join"))  # (a reload would be a new, signed-out session)
    wait_for(trainee, s("classroom.join.as_account", name="小李"))
    trainee.get_by_label(s("classroom.join.code"), exact=True).fill(code.lower())
    assert trainee.get_by_label(s("classroom.join.name"), exact=True).count() == 0
    shot(trainee, "classroom_trainee_account_en")
    trainee.get_by_role("button", name=s("classroom.join.join"), exact=True).click()
    wait_idle(trainee)
    wait_for(trainee, s("classroom.join.joined_as", name="小李", code=code))

    people = tina.participants(tina.session(code))
    assert [(p.name, p.user_id is not None) for p in people] == [("王芳", False), ("小李", True)]
    wait_for(trainer, "王芳")
    shot(trainer, "classroom_trainer_accounts_en")
