"""Who is using the app: the sign-in gate, single-user mode, and the principal the pages pass to
the case library.

Modes (``$ADVISOR_AUTH``): ``accounts`` requires sign-in; ``single-user`` needs none (one person on
a laptop: the local administrator, shown as such on every page); unset means ``accounts`` as soon
as one account exists in the library, else ``single-user``. So a library with accounts never opens
without sign-in, and a laptop without any stays as simple as before.

Sign-in is by local password (``advisor.accounts``) or, where ``.streamlit/secrets.toml`` has an
``[auth]`` section, through OpenID Connect with Streamlit's own ``st.login``; either way the
session token is kept in the server-side session state and checked against the database on every
run, so a disabled account or an expired session is out at its next click. The principal the
pages use is recomputed from that token on every run, never taken from anything the browser sent.
"""

from __future__ import annotations

import logging
import os
import secrets
from typing import Any

import streamlit as st

from advisor.accounts import Accounts, OidcRefusedError, OrgDisabledError
from advisor.classroom import TRAINER_ROLES
from advisor.db import StoreError
from advisor.principal import LOCAL_PRINCIPAL, Principal, Role
from advisor.store import CaseStore
from advisor.textsafe import md_text
from ui.i18n import current_lang, language_selector, t

log = logging.getLogger(__name__)

TOKEN = "_advisor_session_token"
PRINCIPAL = "_advisor_principal"
MODE_ENV = "ADVISOR_AUTH"

# pages by permission: a role without the permission does not get the page in its menu
PAGE_PERMISSIONS = {"views/cases.py": "cases.read", "views/admin.py": "admin.audit"}
ADMIN_PAGE = ("views/admin.py", "admin.nav", ":material/admin_panel_settings:", "admin")
# Without signing in, a trainee may only join a live class as a guest (the trainer decides
# whether the class admits guests); this principal has no permission at all.
GUEST_PAGE = "views/classroom_join.py"
TRAINER_PAGE = "views/classroom_trainer.py"
GUEST_PAGE_URL = "classroom-join"
GUEST_PRINCIPAL = Principal("guest", "", Role.TRAINEE, via="guest")


def mode(store: CaseStore) -> str:
    """``single-user`` or ``accounts`` (see the module's docstring)."""
    chosen = os.environ.get(MODE_ENV, "").strip().lower()
    if chosen in ("single-user", "accounts"):
        return chosen
    return "accounts" if Accounts(store).count() > 0 else "single-user"


def show_store_failure(exc: StoreError) -> None:
    """A database failure, in the visitor's language, with an incident id; details go to the log
    (never the server's path or the exception to the visitor)."""
    incident = secrets.token_hex(4)
    log.error("incident %s: %s (%s): %s", incident, exc.code, type(exc).__name__, exc)
    try:
        message = t(f"store.{exc.code}")
    except KeyError:
        message = t("store.store_error")
    st.error(t("auth.failure", message=message, incident=incident), icon=":material/error:")


def message(exc: StoreError) -> str:
    """A store error in the session's language: the UI's own wording where it has one."""
    try:
        return t(f"store.{exc.code}", **exc.params)
    except (KeyError, IndexError):
        return exc.text(current_lang())


NO_RIGHTS = Principal("anonymous", "", Role.TRAINEE, via="none")
VIA = "_advisor_session_via"  # how this session's token was obtained (password or oidc)
EXPIRED = "_advisor_expired"  # the session this browser had ended: say so on the sign-in page
OIDC_REFUSED = "_advisor_oidc_refused"  # the identity refused in this session (asked once)


def principal() -> Principal:
    """The principal of this run (set by ``gate``); a no-rights one if the gate did not run."""
    found = st.session_state.get(PRINCIPAL)
    if isinstance(found, Principal):
        return found
    return NO_RIGHTS


def _halt() -> Principal:
    """End this run (the page shown so far stays). ``st.stop`` raises inside a Streamlit run;
    outside one (a bare script, a unit test) it only warns, so the caller still gets a
    principal without any right rather than running on."""
    st.stop()
    return NO_RIGHTS


def gate(raw_store: Any) -> Principal:
    """Return who is using the app, or show the sign-in page and stop the run (see ``_halt``)."""
    st.session_state.pop(PRINCIPAL, None)
    try:
        store = raw_store()
        how = mode(store)
    except StoreError as exc:
        with st.sidebar:
            language_selector()
        show_store_failure(exc)
        return _halt()
    if how == "single-user":
        st.session_state[PRINCIPAL] = LOCAL_PRINCIPAL
        return LOCAL_PRINCIPAL
    acc = Accounts(store)
    try:
        token = st.session_state.get(TOKEN)
        via = st.session_state.get(VIA, "password")
        who = acc.principal_for(token, via=via if via in ("password", "oidc") else "password")
        if who is None and token:  # expired, signed out elsewhere, or the account disabled
            st.session_state.pop(TOKEN, None)
            st.session_state.pop(VIA, None)
            st.session_state[EXPIRED] = True  # the sign-in page says why
        if who is None and _oidc_configured():
            who = _oidc_sign_in(acc)
            if who is NO_RIGHTS:  # refused: the refusal is on the page, the run has ended
                return who
            if who is not None:
                st.session_state.pop(EXPIRED, None)
    except StoreError as exc:
        with st.sidebar:
            language_selector()
        if exc.code.startswith("db_"):
            show_store_failure(exc)
        else:
            st.error(message(exc))
        return _halt()
    if who is not None:
        st.session_state[PRINCIPAL] = who
        return who
    if _joining_a_class():  # a guest may reach the join page, and only it (see ``allowed``)
        st.session_state[PRINCIPAL] = GUEST_PRINCIPAL
        return GUEST_PRINCIPAL
    _sign_in_page(acc)
    return _halt()


def _oidc_sign_in(acc: Accounts) -> Principal | None:
    """The account of the person the identity provider vouched for (``st.user``), with a new
    session; None if nobody signed in there; ``NO_RIGHTS`` (after ``_halt``) if refused.

    A refused identity sees the refusal and a way to sign out of the provider, and is asked
    about once per browser session, not at every click (each attempt is audited)."""
    user = _oidc_user()
    if user is None:
        return None
    subject = str(user.get("sub") or "")
    refused = st.session_state.get(OIDC_REFUSED)
    if refused is None or refused["sub"] != subject:
        verified = user.get("email_verified")
        try:
            session = acc.sign_in_oidc(
                subject,
                user.get("email"),
                None if verified is None else str(verified).lower() == "true",
            )
        except (OidcRefusedError, OrgDisabledError) as exc:
            refused = {"sub": subject, "identity": exc.params.get("identity", subject)}
            if isinstance(exc, OrgDisabledError):  # known, but the organisation is disabled
                refused["org_disabled"] = exc
            st.session_state[OIDC_REFUSED] = refused
        else:
            st.session_state.pop(OIDC_REFUSED, None)
            st.session_state[TOKEN] = session.token
            st.session_state[VIA] = "oidc"
            return session.principal
    with st.sidebar:
        language_selector()
    st.title(t("auth.title"))
    if "org_disabled" in refused:
        st.error(message(refused["org_disabled"]), icon=":material/lock:")
    else:
        identity = md_text(refused["identity"])  # the provider's claim, shown as plain text
        st.error(t("store.oidc_refused", identity=identity), icon=":material/lock:")
    st.button(t("auth.oidc_other"), on_click=_oidc_sign_out, icon=":material/logout:")
    return _halt()


def _oidc_sign_out() -> None:
    st.session_state.pop(OIDC_REFUSED, None)
    st.logout()


def guest_home_page() -> Any:
    """A guest's default page: the way to sign in (the join page keeps its own address)."""

    def home() -> None:
        st.info(t("auth.guest"), icon=":material/person:")

    return st.Page(home, title=t("auth.submit"), icon=":material/login:", url_path="sign-in",
                   default=True)  # fmt: skip


def _joining_a_class() -> bool:
    """Whether this browser asked for the classroom's join page (``/classroom-join``)."""
    try:
        url = st.context.url or ""
    except Exception:  # no browser context (AppTest)
        return False
    path = url.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    return path.endswith("/" + GUEST_PAGE_URL)


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _oidc_problem() -> str | None:
    """Why the ``[auth]`` section cannot be used (Streamlit's own check, for the log), or None."""
    from streamlit.auth_util import is_authlib_installed, validate_auth_credentials
    from streamlit.errors import StreamlitAuthError

    if not is_authlib_installed():
        return "Authlib is not installed (pip install 'streamlit[auth]')"
    try:
        validate_auth_credentials("default")
    except StreamlitAuthError as exc:
        return str(exc)
    return None


def _oidc_user() -> dict[str, Any] | None:
    try:
        user = st.user
        return user.to_dict() if getattr(user, "is_logged_in", False) else None
    except Exception:
        return None


def _sign_in_page(acc: Accounts) -> None:
    with st.sidebar:
        language_selector()
    st.title(t("auth.title"))
    st.caption(t("auth.intro"))
    if st.session_state.pop(EXPIRED, False):
        st.warning(t("auth.expired"))
    if acc.count() == 0:
        st.error(t("auth.no_accounts"))
        return
    with st.form("sign_in", border=True):
        username = st.text_input(t("auth.username"), key="signin_user", max_chars=64)
        password = st.text_input(
            t("auth.password"), type="password", key="signin_password", max_chars=256
        )
        submitted = st.form_submit_button(t("auth.submit"), type="primary")
    if submitted:
        if not username.strip() or not password:
            st.error(t("auth.missing"))
        else:
            try:
                session = acc.sign_in(username, password)
            except StoreError as exc:
                st.error(message(exc), icon=":material/lock:")
            else:
                st.session_state[TOKEN] = session.token
                st.session_state[VIA] = "password"
                st.session_state.pop("signin_password", None)
                st.rerun()
    if _oidc_configured():
        problem = _oidc_problem()
        if problem is None:
            st.button(t("auth.oidc"), on_click=st.login, icon=":material/badge:")
        else:  # a half-filled [auth]: say so, rather than an error page at the click
            log.error("OpenID Connect sign-in is unavailable: %s", " ".join(problem.split()))
            st.warning(t("auth.oidc_unavailable"), icon=":material/badge:")


def sidebar(who: Principal, store: CaseStore) -> None:
    """Who is signed in (or the single-user notice), and the sign-out button."""
    if who.via == "single_user":
        st.warning(t("auth.single_user"), icon=":material/person:")
    elif who.via == "guest":
        st.info(t("auth.guest"), icon=":material/person:")
    else:
        names = Accounts(store).organisation_names()
        st.caption(
            t(
                "auth.signed_in_as",
                name=who.display_name or who.username,
                org=names.get(who.org_id, who.org_id),
                role=t(f"auth.role.{who.role}"),
            )
        )
        if st.button(t("auth.sign_out"), icon=":material/logout:", key="sign_out"):
            token = st.session_state.pop(TOKEN, None)
            st.session_state.pop(VIA, None)
            if token:
                Accounts(store).sign_out(token)
            if who.via == "oidc" or _oidc_user() is not None:
                # else the provider's cookie would sign the person in again. st.logout() only
                # queues a redirect for the browser; a rerun started now would clear that queue
                # before it is sent (Streamlit clears unsent messages when a run starts), so the
                # run ends here and the browser leaves for the provider's sign-out, which sends
                # it back to the sign-in page
                st.logout()
                st.stop()
            st.rerun()
    if store.readonly:
        st.info(t("auth.readonly"), icon=":material/lock:")


def allowed(page_path: str, who: Principal) -> bool:
    """Whether ``who`` gets this page in the menu (a guest: the classroom's join page only)."""
    if who.via == "guest":
        return page_path == GUEST_PAGE
    if page_path == TRAINER_PAGE:  # only trainers and administrators open classes
        return Role(who.role) in TRAINER_ROLES
    need = PAGE_PERMISSIONS.get(page_path)
    return need is None or who.can(need)


def library_caption(store: CaseStore) -> str:
    """What the library holds, for the top of the Cases page (no server path)."""
    who = store.principal
    if who.via == "single_user":
        return t("auth.library_local")
    acc = Accounts(store)
    names = acc.organisation_names()
    below = [o for o in acc.organisations() if o.parent_org == who.org_id]
    if below:  # the hierarchy (migration 0004): the organisations under ours, read-only
        return t(
            "auth.library_scope_below",
            org=names.get(who.org_id, who.org_id),
            below="、".join(o.name for o in below)
            if current_lang() == "zh"
            else ", ".join(o.name for o in below),
        )
    return t("auth.library_scope", org=names.get(who.org_id, who.org_id))


def share_panel(store: CaseStore, rec: Any) -> None:
    """Share one of the organisation's cases with another organisation (read-only or editable)."""
    who = store.principal
    if rec.access != "owner" or not who.can("cases.share") or who.via == "single_user":
        return
    acc = Accounts(store)
    names = acc.organisation_names()
    others = [o for o in names if o not in (who.org_id, "local")]
    current = store.shares(rec.id)
    with st.expander(t("auth.share.title"), icon=":material/share:"):
        if current:
            st.caption(
                t(
                    "auth.share.current",
                    orgs="; ".join(
                        f"{names.get(o, o)} ({t(f'auth.mode.{m}')})" for o, m in current.items()
                    ),
                )
            )
        else:
            st.caption(t("auth.share.none"))
        if not others:
            st.info(t("auth.share.no_orgs"))
            return
        with st.form("share_form", border=False):
            org = st.selectbox(
                t("auth.share.org"), others, format_func=lambda o: f"{names.get(o, o)} ({o})"
            )
            how = st.radio(
                t("auth.share.mode"),
                ["read", "edit"],
                format_func=lambda m: t(f"auth.mode.{m}"),
                horizontal=True,
            )
            c1, c2 = st.columns(2)
            share = c1.form_submit_button(t("auth.share.button"), icon=":material/share:")
            stop = c2.form_submit_button(t("auth.share.stop"), icon=":material/link_off:")
        try:
            if share:
                store.share(rec.id, org, how)
                st.success(
                    t("auth.share.done", org=names.get(org, org), mode=t(f"auth.mode.{how}"))
                )
            elif stop:
                store.unshare(rec.id, org)
                st.success(t("auth.share.stopped", org=names.get(org, org)))
        except StoreError as exc:
            st.error(message(exc))


@st.cache_data(ttl=30, show_spinner=False)
def _org_names(target: str) -> dict[str, str]:
    """Organisation id to name, for labels (kept 30 s: names change rarely)."""
    from ui.services import raw_store

    return Accounts(raw_store()).organisation_names()


def case_label(summary: Any, names: dict[str, str] | None = None) -> str:
    """A case's name and id in a chooser; a shared case, or one of an organisation under the
    user's, says whose it is (by name) and how it may be used."""
    text = f"{summary.name} ({summary.id})"
    if names is None and getattr(summary, "access", "owner") != "owner":
        try:
            from advisor.db import default_target

            names = _org_names(default_target())
        except StoreError:
            names = {}
    if getattr(summary, "below", False):  # an organisation under ours: read-only
        org = (names or {}).get(summary.owner, summary.owner)
        text += t("auth.below_from", org=org, mode=t("auth.mode.read"))
    elif getattr(summary, "access", "owner") != "owner":
        org = (names or {}).get(summary.owner, summary.owner)
        text += t("auth.shared_from", org=org, mode=t(f"auth.mode.{summary.access}"))
    return text
