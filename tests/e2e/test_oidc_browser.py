"""OpenID Connect sign-in for real: the app (``streamlit run``, its ``[auth]`` secrets pointing at
``oidc_provider.py``, a standards-following provider on a local port) and Chromium going through
the provider's login form and back. A registered official sees their organisation's cases only and
the audit trail says ``via=oidc``; an identity the library does not know, and a disabled account,
are refused in the person's language with the identity to give the administrator; sign-out ends
the session here and at the provider, so the provider's cookie does not sign the person in again.
"""

from __future__ import annotations

import secrets
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import shoot
from oidc_provider import Person, Provider
from sample_profiles import profile_data

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "store"))  # the store's app server
from app_server import AppServer, main_text, nav, start, stop, wait_idle, wait_text

from advisor.accounts import Accounts
from advisor.models import CaseProfile
from advisor.principal import Principal, Role
from advisor.store import CaseStore

pytestmark = pytest.mark.browser

ADMIN = Principal("ada", "local", Role.ADMIN)
OIDC_BUTTON = {
    "en": "Sign in with the district's identity provider",
    "zh": "通过单位统一身份认证登录",
}


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A library with two organisations and their cases, the provider, and the app configured
    for it in a secrets file of its own (``secrets.files``)."""
    tmp = tmp_path_factory.mktemp("oidc")
    db = str(tmp / "cases.sqlite3")
    store = CaseStore(db)
    acc = Accounts(store.as_principal(ADMIN))
    acc.add_organisation("office-b", "东城街道办事处", "street_office")
    acc.add_organisation("agency-a", "阳光社工服务中心", "agency")
    acc.add_user("ada", "local", "admin", "a long password", "Ada")
    acc.add_user("lin@district.example", "office-b", "official", None, "林晓")  # by e-mail
    acc.add_user("wu", "agency-a", "planner", None, "吴", oidc_subject="sub-wu")
    acc.add_user("dis@district.example", "office-b", "official", None, "停用者")
    acc.set_disabled("dis@district.example")
    store.as_principal(Principal("lin@district.example", "office-b", Role.OFFICIAL)).save(
        CaseProfile.model_validate(profile_data("case-b", "Office B's case"))
    )
    store.as_principal(Principal("wu", "agency-a", Role.PLANNER)).save(
        CaseProfile.model_validate(profile_data("secret-a", "Agency A's case"))
    )
    idp = Provider()
    for who, sub, email in (
        ("lin", "sub-lin", "lin@district.example"),
        ("stranger", "sub-stranger", "stranger@example.org"),
        ("dis", "sub-dis", "dis@district.example"),
        ("wu", "sub-wu", "wu@agency.example"),  # matched by the subject set in advance
    ):
        idp.people[who] = Person(
            "idp passphrase", {"sub": sub, "email": email, "email_verified": True, "name": who}
        )
    idp.start()
    secrets_file = tmp / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        f'client_id = "{idp.client_id}"\n'
        f'client_secret = "{idp.client_secret}"\n'
        f'server_metadata_url = "{idp.metadata_url}"\n',
        encoding="utf-8",
    )
    server: AppServer | None = None
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("STREAMLIT_SECRETS_FILES", str(secrets_file))
            server = start(db, tmp / "logs")
        idp.redirect_uris = {f"{server.url}/oauth2callback"}
        yield store, acc, idp, server
    finally:
        if server is not None:
            stop(server.proc)
        idp.stop()
        store.dispose()


def new_page(browser: Any, lang: str) -> Any:
    ctx = browser.new_context(
        locale="zh-CN" if lang == "zh" else "en-GB", viewport={"width": 1300, "height": 900}
    )
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    return page


def until(condition: Callable[[], bool], seconds: float) -> bool:
    """Whether ``condition`` holds within ``seconds`` (checked five times a second)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def through_provider(page: Any, base: str, who: str, lang: str = "en") -> None:
    """From the app's sign-in page, through the provider's login form, back to the app."""
    page.goto(base)
    button = page.get_by_role("button", name=OIDC_BUTTON[lang], exact=True)
    button.wait_for(timeout=90_000)
    button.click()
    page.wait_for_url("**/authorize?**")
    page.get_by_label("Account").fill(who)
    page.get_by_label("Passphrase").fill("idp passphrase")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/**")
    page.locator('[data-testid="stMain"]').wait_for()
    wait_idle(page)


def test_a_registered_official_signs_in_sees_own_cases_and_signs_out(
    district: Any, browser: Any
) -> None:
    _, acc, idp, server = district
    page = new_page(browser, "en")
    try:
        through_provider(page, server.url, "lin")
        wait_text(page, "Signed in: 林晓 (东城街道办事处")
        assert acc.user("lin@district.example").oidc_subject == "sub-lin"  # linked by e-mail
        nav(page, "Cases")
        wait_text(page, "Office B's case")
        assert "Agency A's case" not in main_text(page)
        shoot(page, "oidc-signed-in-en")
        signed_in = [e for e in acc.audit(action="sign_in") if e.actor == "lin@district.example"]
        assert signed_in and signed_in[0].via == "oidc" and signed_in[0].org_id == "office-b"

        logouts = idp.hits("/logout")
        page.get_by_role("button", name="Sign out", exact=True).click()
        # the app's rerun can draw the sign-in page before the browser follows st.logout's
        # redirect to the provider's end-session endpoint (seen in a clean clone's run): wait
        # for the provider to be asked, then for the sign-in page the provider sends back to
        signed_out_there = until(lambda: idp.hits("/logout") == logouts + 1, seconds=90)
        assert signed_out_there, "not signed out at the provider"  # signed out there too
        page.wait_for_url(f"{server.url}/**")
        page.get_by_label("User name", exact=True).wait_for(timeout=90_000)
        wait_idle(page)
        assert not any(c["name"].startswith("_streamlit_user") for c in page.context.cookies())
        page.reload()  # the provider's identity does not sign the person in again
        page.get_by_label("User name", exact=True).wait_for(timeout=90_000)
        wait_idle(page)
        assert "Signed in:" not in page.inner_text("body")
        assert any(e.actor == "lin@district.example" for e in acc.audit(action="sign_out"))
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_unknown_identity_is_refused_in_the_persons_language(
    district: Any, browser: Any, lang: str
) -> None:
    _, acc, _, server = district
    page = new_page(browser, lang)
    try:
        through_provider(page, server.url, "stranger", lang)
        expected = {
            "zh": "统一身份认证确认了您的身份（stranger@example.org），"
            "但本系统没有为该身份登记账户",
            "en": "The identity provider confirmed who you are (stranger@example.org), but this "
            "system has no account for that identity",
        }[lang]
        wait_text(page, expected)
        body = main_text(page)
        assert "Office B's case" not in body and "Agency A's case" not in body
        shoot(page, f"oidc-refused-{lang}")
        failed = [e for e in acc.audit(action="sign_in_failed") if e.via == "oidc"]
        assert failed[0].actor == "stranger@example.org"
        assert failed[0].detail["reason"] == "oidc-unknown"
        other = {
            "zh": "退出统一身份认证（换一个身份登录）",
            "en": "Sign out of the identity provider",
        }
        page.get_by_role("button", name=other[lang]).click()
        page.get_by_role("button", name=OIDC_BUTTON[lang], exact=True).wait_for(timeout=90_000)
        assert expected not in main_text(page)
    finally:
        page.context.close()


def test_a_disabled_account_stays_out(district: Any, browser: Any) -> None:
    _, acc, _, server = district
    page = new_page(browser, "en")
    try:
        through_provider(page, server.url, "dis")
        wait_text(page, "(dis@district.example), but this system has no account")
        assert "Signed in:" not in page.inner_text("body")
        failed = [e for e in acc.audit(action="sign_in_failed") if e.via == "oidc"]
        assert failed[0].detail["reason"] == "oidc-disabled"
        assert acc.user("dis@district.example").oidc_subject is None
    finally:
        page.context.close()


def test_disabling_an_account_ends_its_oidc_session_at_the_next_click(
    district: Any, browser: Any
) -> None:
    """Wu (bound in advance by subject) signs in through the provider in Chinese and sees the
    agency's cases; the administrator disables the account; Wu's next click shows the refusal,
    although the provider's identity cookie is still valid."""
    _, acc, _, server = district
    page = new_page(browser, "zh")
    try:
        through_provider(page, server.url, "wu", "zh")
        wait_text(page, "已登录：吴（阳光社工服务中心")
        nav(page, "案例库")
        wait_text(page, "Agency A's case")
        assert "Office B's case" not in main_text(page)
        shoot(page, "oidc-signed-in-zh")
        acc.set_disabled("wu")
        nav(page, "评估")
        wait_text(page, "统一身份认证确认了您的身份（wu@agency.example）")
        assert "Agency A's case" not in main_text(page)
        assert "已登录" not in page.inner_text("body")
    finally:
        acc.set_disabled("wu", False)
        page.context.close()


def test_disabling_an_organisation_ends_its_oidc_session_with_the_reason(
    district: Any, browser: Any
) -> None:
    """The agency's contract ends (``advisor users disable-org``): Wu, signed in through the
    provider, is out at the next click and told, in Chinese, that the organisation is disabled
    (not that the identity is unknown); enabled again, Wu signs in as before."""
    _, acc, _, server = district
    page = new_page(browser, "zh")
    try:
        through_provider(page, server.url, "wu", "zh")
        wait_text(page, "已登录：吴（阳光社工服务中心")
        acc.set_org_disabled("agency-a")
        nav(page, "案例库")
        wait_text(page, "您所在的单位（阳光社工服务中心）已在本系统停用")
        body = main_text(page)
        assert "Agency A's case" not in body and "尚未在本系统登记" not in body
        assert "已登录" not in page.inner_text("body")
        shoot(page, "oidc-org-disabled-zh")
        failed = [e for e in acc.audit(action="sign_in_failed") if e.via == "oidc"]
        assert failed[0].detail["reason"] == "oidc-org-disabled"
    finally:
        acc.set_org_disabled("agency-a", False)
        page.context.close()
