"""Accounts: organisations, users with roles, sign-in with lock-out, and sessions that expire.

Passwords are hashed with argon2id (``argon2-cffi``'s defaults, RFC 9106's low-memory profile).
After ``MAX_FAILED_SIGN_INS`` wrong passwords in a row an account is locked for ``LOCK_MINUTES``;
a session lasts ``SESSION_HOURS`` and is checked on every page, so disabling a user ends their
sessions at their next click. These three numbers are ours (common practice for an intranet
application), not the paper's. Every sign-in, failure, lock-out and account change is audited.

A user signed in through OpenID Connect (Streamlit's ``st.login``) is matched to an account by its
``oidc_subject`` or, failing that, by its e-mail as user name (unless the provider says the address
is unverified, or the account is already bound to another subject): the identity provider says
who the person is, the district's administrator says which organisation and role they have. An
unknown identity, or a disabled account, is refused (``OidcRefusedError``) and audited; so is an
account of a disabled organisation (``OrgDisabledError``, also for a password), whose sessions
end at the next click (``principal_for``).

Everything here reduces to a :class:`~advisor.principal.Principal`, which the store takes. An API
token can later map to the same (see ``docs/DEPLOY.md``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from advisor import schema as T
from advisor.audit import record
from advisor.db import StoreError
from advisor.principal import ROLE_LABELS, Principal, Role
from advisor.store import CaseStore, ForbiddenError, now

MAX_FAILED_SIGN_INS = 5
LOCK_MINUTES = 15
SESSION_HOURS = 8
MIN_PASSWORD_LENGTH = 10
ORG_KINDS = ("street_office", "community", "agency", "training", "civil_affairs", "other")
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")

_hasher = PasswordHasher()
# verified against when the user name is unknown, so the answer takes as long either way
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class AccountError(StoreError):
    """An account operation was refused; nothing changed."""

    code = "account_error"


class SignInError(AccountError):
    """Wrong user name or password, or a disabled account (the message does not say which)."""

    code = "sign_in_failed"


class OidcRefusedError(SignInError):
    """The identity provider vouched for a person this library has no (enabled) account for."""

    code = "oidc_refused"


class OrgDisabledError(SignInError):
    """The person is who they say, but their organisation is disabled (its contract ended)."""

    code = "org_disabled"


def _org_disabled(org_id: str, name: str) -> OrgDisabledError:
    return OrgDisabledError(
        f"your organisation ({name}) is disabled on this server, so its accounts cannot sign in; "
        "its cases are kept. Ask the district's administrator if this is a mistake",
        f"您所在的单位（{name}）已在本系统停用，其账户无法登录；该单位的案例仍予保留。"
        "如有疑问，请联系本区的系统管理员。",
        org=org_id,
        name=name,
    )


class LockedOutError(AccountError):
    """Too many wrong passwords: the account is locked for a while."""

    code = "locked_out"


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str
    kind: str
    created_at: str
    disabled: bool
    parent_org: str | None = None  # the organisation directly above (migration 0004)


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    org_id: str
    role: str
    disabled: bool
    failed_sign_ins: int
    locked_until: str | None
    has_password: bool
    oidc_subject: str | None
    created_at: str

    def principal(self, via: str) -> Principal:
        return Principal(
            self.username, self.org_id, Role(self.role), via, self.id, self.display_name
        )


@dataclass(frozen=True)
class Session:
    """A signed-in session: the token to keep (client side), and who it is."""

    token: str
    principal: Principal
    expires_at: str


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _later(**delta: Any) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(**delta)).isoformat(timespec="microseconds")


def _user(row: Any) -> User:
    return User(
        row.id,
        row.username,
        row.display_name,
        row.org_id,
        row.role,
        bool(row.disabled),
        int(row.failed_logins),
        row.locked_until,
        row.password_hash is not None,
        row.oidc_subject,
        row.created_at,
    )


def check_password(password: str) -> None:
    """Refuse a password too short to resist guessing (the message names the rule)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"the password must have at least {MIN_PASSWORD_LENGTH} characters",
            f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符。",
        )


class Accounts:
    """Organisations, users and sessions in the case library's database.

    ``Accounts(store)`` acts for ``store.principal``; managing accounts needs the
    ``admin.users`` permission, signing in needs nothing.
    """

    def __init__(self, store: CaseStore) -> None:
        self.store = store

    @property
    def actor(self) -> Principal:
        return self.store.principal

    def _need_admin(self) -> None:
        if not self.actor.can("admin.users"):
            raise ForbiddenError(
                "only an administrator can manage accounts",
                "只有管理员可以管理账户。",
                role=str(self.actor.role),
                permission="admin.users",
            )

    # -- organisations

    def add_organisation(
        self, org_id: str, name: str, kind: str = "other", parent: str | None = None
    ) -> Organisation:
        """Add an organisation (a street office, a community, an agency, a training class),
        optionally under ``parent`` (see :meth:`set_parent`)."""
        self._need_admin()
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", org_id):
            raise AccountError(
                "an organisation id is 1-64 characters of a-z, 0-9, '-' and '_'",
                "单位编号须为 1–64 个字符，只能使用 a-z、0-9、“-”和“_”。",
            )
        if kind not in ORG_KINDS:
            raise AccountError(
                f"organisation kind must be one of {', '.join(ORG_KINDS)}",
                f"单位类型须为以下之一：{', '.join(ORG_KINDS)}",
            )
        if not name.strip():
            raise AccountError("an organisation needs a name", "单位名称不能为空。")
        stamp = now()
        try:
            with self.store._write() as conn:
                conn.execute(
                    T.organisations.insert().values(
                        id=org_id, name=name.strip(), kind=kind, created_at=stamp, disabled=False
                    )
                )
                record(conn, self.actor, "org_add", org_id, name=name.strip(), kind=kind)
                if parent is not None:
                    self._set_parent(conn, org_id, parent)
        except sa.exc.IntegrityError:
            raise AccountError(
                f"there is already an organisation {org_id!r}", f"已有单位 {org_id}。"
            ) from None
        return Organisation(org_id, name.strip(), kind, stamp, False, parent)

    def set_parent(self, org_id: str, parent: str | None) -> Organisation:
        """Put ``org_id`` under ``parent`` (None: at the top). Users of ``parent``, and of every
        organisation above it, then READ ``org_id``'s cases (not change them: that needs an
        editable share). Refused if either does not exist or ``org_id`` would be above itself."""
        self._need_admin()
        with self.store._write() as conn:
            self._set_parent(conn, org_id, parent)
        [org] = [o for o in self.organisations() if o.id == org_id]
        return org

    def _set_parent(self, conn: sa.Connection, org_id: str, parent: str | None) -> None:
        from advisor.store import organisations_below

        rows = conn.execute(sa.select(T.organisations.c.id, T.organisations.c.parent_org))
        known = {r.id: r.parent_org for r in rows}
        for oid in (org_id, parent):
            if oid is not None and oid not in known:
                raise AccountError(f"there is no organisation {oid!r}", f"没有单位 {oid}。")
        if parent is not None and (parent == org_id or parent in organisations_below(conn, org_id)):
            raise AccountError(
                f"{parent!r} is {org_id!r} itself or under it: an organisation cannot be above "
                "itself",
                f"{parent} 是 {org_id} 本身或其下属单位：单位不能位于自己之上。",
            )
        conn.execute(
            T.organisations.update().where(T.organisations.c.id == org_id).values(parent_org=parent)
        )
        record(conn, self.actor, "org_parent", org_id, before=known[org_id], parent=parent)

    def organisations(self) -> list[Organisation]:
        with self.store._read() as conn:
            rows = conn.execute(sa.select(T.organisations).order_by(T.organisations.c.id)).all()
        return [
            Organisation(r.id, r.name, r.kind, r.created_at, bool(r.disabled), r.parent_org)
            for r in rows
        ]

    def organisation_names(self) -> dict[str, str]:
        """Organisation id to name (for listings and share choices)."""
        return {o.id: o.name for o in self.organisations()}

    def set_org_disabled(self, org_id: str, disabled: bool = True) -> Organisation:
        """Disable (or enable again) an organisation, e.g. an agency whose contract has ended.

        Its users can no longer sign in (password or OIDC) and their open sessions end now; its
        cases, their history and their shares stay as they are (an organisation it shared a case
        with keeps that access, an organisation above it keeps reading it; an administrator reads
        it with ``--org``); enabling it again restores everything. The acting administrator's
        own organisation cannot be disabled (that would lock its administrators out). Audited.
        """
        self._need_admin()
        if disabled and org_id == self.actor.org_id:
            raise AccountError(
                f"{org_id!r} is your own organisation: disabling it would lock its administrators "
                "out",
                f"{org_id} 是您自己所在的单位：停用它会把其管理员关在系统之外。",
                org=org_id,
            )
        with self.store._write() as conn:
            row = conn.execute(
                sa.select(T.organisations).where(T.organisations.c.id == org_id)
            ).first()
            if row is None:
                raise AccountError(
                    f"there is no organisation {org_id!r}", f"没有单位 {org_id}。", org=org_id
                )
            conn.execute(
                T.organisations.update()
                .where(T.organisations.c.id == org_id)
                .values(disabled=disabled)
            )
            ended = 0
            if disabled:
                members = sa.select(T.users.c.id).where(T.users.c.org_id == org_id)
                ended = conn.execute(
                    T.sessions.delete().where(T.sessions.c.user_id.in_(members))
                ).rowcount
            action = "org_disable" if disabled else "org_enable"
            record(conn, self.actor, action, org_id, before=bool(row.disabled), sessions=ended)
        [org] = [o for o in self.organisations() if o.id == org_id]
        return org

    def _org_row(self, conn: sa.Connection, org_id: str) -> Any:
        return conn.execute(
            sa.select(T.organisations).where(T.organisations.c.id == org_id)
        ).first()

    # -- users

    def add_user(
        self,
        username: str,
        org_id: str,
        role: str,
        password: str | None = None,
        display_name: str = "",
        oidc_subject: str | None = None,
    ) -> User:
        """Create an account; it needs a password or an OpenID Connect subject (or e-mail)."""
        self._need_admin()
        username = username.strip().lower()
        if not NAME_RE.match(username):
            raise AccountError(
                "a user name is 1-64 characters of a-z, 0-9, '.', '_', '@' and '-'",
                "用户名须为 1–64 个字符，只能使用 a-z、0-9、“.”“_”“@”和“-”。",
            )
        try:
            role = Role(role)
        except ValueError:
            raise AccountError(
                f"role must be one of {', '.join(r.value for r in Role)}",
                "角色须为以下之一：" + "、".join(ROLE_LABELS[r]["zh"] for r in Role),
            ) from None
        if password is not None:
            check_password(password)
        stamp = now()
        try:
            with self.store._write() as conn:
                org = self._org_row(conn, org_id)
                if org is None:
                    raise AccountError(
                        f"there is no organisation {org_id!r} (add it first)",
                        f"没有单位 {org_id}（请先添加）。",
                    )
                if org.disabled:
                    raise AccountError(
                        f"the organisation {org_id!r} is disabled (advisor users enable-org first)",
                        f"单位 {org_id} 已停用（请先用 advisor users enable-org 启用）。",
                    )
                res = conn.execute(
                    T.users.insert().values(
                        username=username,
                        display_name=display_name.strip() or username,
                        org_id=org_id,
                        role=role.value,
                        password_hash=_hasher.hash(password) if password else None,
                        oidc_subject=oidc_subject,
                        disabled=False,
                        failed_logins=0,
                        locked_until=None,
                        created_at=stamp,
                        updated_at=stamp,
                    )
                )
                record(conn, self.actor, "user_add", org_id, user=username, role=role.value)
                uid = int(res.inserted_primary_key[0])  # type: ignore[index]
        except sa.exc.IntegrityError:
            raise AccountError(
                f"there is already a user {username!r}", f"已有用户 {username}。"
            ) from None
        del uid
        return self.user(username)

    def user(self, username: str) -> User:
        with self.store._read() as conn:
            row = conn.execute(
                sa.select(T.users).where(T.users.c.username == username.strip().lower())
            ).first()
        if row is None:
            raise AccountError(f"there is no user {username!r}", f"没有用户 {username}。")
        return _user(row)

    def users(self, org_id: str | None = None) -> list[User]:
        """Every account (of one organisation), by user name."""
        q = sa.select(T.users).order_by(T.users.c.username)
        if org_id:
            q = q.where(T.users.c.org_id == org_id)
        with self.store._read() as conn:
            return [_user(r) for r in conn.execute(q)]

    def last_sign_ins(self) -> dict[str, str]:
        """User name to the time of its last successful sign-in, as the audit trail records it
        (an account that never signed in, or whose entries predate the trail, is absent)."""
        q = (
            sa.select(T.audit.c.actor, sa.func.max(T.audit.c.at))
            .where(T.audit.c.action == "sign_in")
            .group_by(T.audit.c.actor)
        )
        with self.store._read() as conn:
            return {str(actor): str(at) for actor, at in conn.execute(q)}

    def count(self) -> int:
        """How many accounts exist (0: the app may run in single-user mode)."""
        with self.store._read() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(T.users)).scalar())  # type: ignore[arg-type]

    def set_disabled(self, username: str, disabled: bool = True) -> User:
        """Disable (or enable again) an account; a disabled account's sessions end."""
        self._need_admin()
        user = self.user(username)
        with self.store._write() as conn:
            conn.execute(
                T.users.update()
                .where(T.users.c.id == user.id)
                .values(disabled=disabled, updated_at=now())
            )
            if disabled:
                conn.execute(T.sessions.delete().where(T.sessions.c.user_id == user.id))
            action = "user_disable" if disabled else "user_enable"
            record(conn, self.actor, action, user.org_id, user=user.username)
        return self.user(username)

    def reset_password(self, username: str, password: str) -> User:
        """Set a new password; it also lifts a lock-out and ends the user's sessions."""
        self._need_admin()
        check_password(password)
        user = self.user(username)
        with self.store._write() as conn:
            conn.execute(
                T.users.update()
                .where(T.users.c.id == user.id)
                .values(
                    password_hash=_hasher.hash(password),
                    failed_logins=0,
                    locked_until=None,
                    updated_at=now(),
                )
            )
            conn.execute(T.sessions.delete().where(T.sessions.c.user_id == user.id))
            record(conn, self.actor, "password_reset", user.org_id, user=user.username)
        return self.user(username)

    # -- signing in

    def sign_in(self, username: str, password: str) -> Session:
        """Check a password and open a session; SignInError or LockedOutError otherwise.

        Every attempt is audited; the failure message never says whether the user exists. The
        hash is checked outside any transaction (argon2 is slow on purpose, and a write lock held
        meanwhile would queue every other sign-in and save behind it); the outcome is then
        written in one short transaction that re-reads the account, and the failure count goes
        up in the database itself, so concurrent wrong guesses all count.
        """
        name = username.strip().lower()
        failed = SignInError(
            "wrong user name or password, or the account is disabled",
            "用户名或密码错误，或账户已停用。",
        )
        with self.store._read() as conn:
            row = conn.execute(sa.select(T.users).where(T.users.c.username == name)).first()
        ok = False
        new_hash = None
        if row is None or row.password_hash is None:
            with contextlib.suppress(VerificationError):
                _hasher.verify(_DUMMY_HASH, password + "x")
        elif not (row.locked_until and row.locked_until > now()):
            try:
                ok = _hasher.verify(row.password_hash, password)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                ok = False
            if ok and _hasher.check_needs_rehash(row.password_hash):
                new_hash = _hasher.hash(password)
        with self.store._write() as conn:
            if row is not None:
                row = conn.execute(sa.select(T.users).where(T.users.c.id == row.id)).first()
            attempt = Principal(name[:64] or "?", row.org_id if row else "", Role.TRAINEE)
            if row is None or row.password_hash is None:
                record(conn, attempt, "sign_in_failed", None, reason="unknown")
                err: AccountError = failed
            elif row.locked_until and row.locked_until > now():
                record(conn, attempt, "sign_in_failed", row.org_id, reason="locked")
                err = _locked(row.locked_until)
            elif row.disabled:
                record(conn, attempt, "sign_in_failed", row.org_id, reason="disabled")
                err = failed
            elif ok and (org := self._org_row(conn, row.org_id)) is not None and org.disabled:
                record(conn, attempt, "sign_in_failed", row.org_id, reason="org_disabled")
                err = _org_disabled(org.id, org.name)
            elif ok:
                token = secrets.token_urlsafe(32)
                expires = _later(hours=SESSION_HOURS)
                values: dict[str, Any] = {"failed_logins": 0, "locked_until": None}
                if new_hash:
                    values["password_hash"] = new_hash
                conn.execute(T.users.update().where(T.users.c.id == row.id).values(**values))
                conn.execute(T.sessions.delete().where(T.sessions.c.expires_at < now()))
                conn.execute(
                    T.sessions.insert().values(
                        token_hash=_hash_token(token),
                        user_id=row.id,
                        created_at=now(),
                        expires_at=expires,
                    )
                )
                principal = _user(row).principal("password")
                record(conn, principal, "sign_in", row.org_id)
                return Session(token, principal, expires)
            else:
                conn.execute(
                    T.users.update()
                    .where(T.users.c.id == row.id)
                    .values(failed_logins=T.users.c.failed_logins + 1)
                )
                fails = int(
                    conn.execute(  # type: ignore[arg-type]
                        sa.select(T.users.c.failed_logins).where(T.users.c.id == row.id)
                    ).scalar()
                )
                err = failed
                if fails >= MAX_FAILED_SIGN_INS:
                    until = _later(minutes=LOCK_MINUTES)
                    conn.execute(
                        T.users.update()
                        .where(T.users.c.id == row.id)
                        .values(locked_until=until, failed_logins=0)
                    )
                    record(conn, attempt, "locked_out", row.org_id, failures=fails)
                    err = _locked(until)
                record(conn, attempt, "sign_in_failed", row.org_id, reason="password")
        # the failure is committed (the count and the audit entry), then reported
        raise err

    def sign_in_oidc(
        self, subject: str, email: str | None = None, email_verified: bool | None = None
    ) -> Session:
        """Open a session for a person the identity provider vouched for (``st.user``).

        The account is found by ``oidc_subject`` (the provider's stable id for the person), else
        by the e-mail as user name, and the subject is then recorded on that account so the next
        sign-in no longer depends on the e-mail. The e-mail is not used when the provider says it
        is unverified (``email_verified`` false), nor for an account already tied to another
        subject (a re-used or changed address must not open someone else's account). An unknown
        person, or a disabled account, is refused with :class:`OidcRefusedError` and audited.
        """
        subject = (subject or "").strip()
        address = (email or "").strip().lower()
        identity = (address or subject or "?")[:64]
        with self.store._write() as conn:
            row = None
            if subject:
                row = conn.execute(
                    sa.select(T.users).where(T.users.c.oidc_subject == subject)
                ).first()
            reason = "oidc-unknown"
            if row is None and subject and address:
                by_mail = conn.execute(
                    sa.select(T.users).where(T.users.c.username == address)
                ).first()
                if by_mail is None:
                    pass
                elif email_verified is False:
                    reason = "oidc-email-unverified"
                elif by_mail.oidc_subject is not None:
                    reason = "oidc-other-subject"
                else:
                    row = by_mail
            if row is not None and row.disabled:
                reason, row = "oidc-disabled", None
            org = self._org_row(conn, row.org_id) if row is not None else None
            if row is not None and org is not None and org.disabled:
                attempt = Principal(row.username, row.org_id, Role.TRAINEE, via="oidc")
                record(conn, attempt, "sign_in_failed", row.org_id, reason="oidc-org-disabled")
                failure: AccountError = _org_disabled(org.id, org.name)
            elif row is None:
                attempt = Principal(identity, "", Role.TRAINEE, via="oidc")
                record(conn, attempt, "sign_in_failed", None, reason=reason, subject=subject[:128])
                failure = OidcRefusedError(
                    f"your identity ({identity}) is not registered here, or its account is "
                    "disabled: ask the administrator for an account",
                    f"您的身份（{identity}）尚未在本系统登记，或其账户已停用，请向管理员申请账户。",
                    identity=identity,
                )
            else:
                if row.oidc_subject is None:
                    conn.execute(
                        T.users.update().where(T.users.c.id == row.id).values(oidc_subject=subject)
                    )
                token = secrets.token_urlsafe(32)
                expires = _later(hours=SESSION_HOURS)
                conn.execute(T.sessions.delete().where(T.sessions.c.expires_at < now()))
                conn.execute(
                    T.sessions.insert().values(
                        token_hash=_hash_token(token),
                        user_id=row.id,
                        created_at=now(),
                        expires_at=expires,
                    )
                )
                principal = _user(row).principal("oidc")
                record(conn, principal, "sign_in", row.org_id)
                return Session(token, principal, expires)
        raise failure

    def principal_for(self, token: str | None, via: str = "password") -> Principal | None:
        """Who holds this session token, or None if it is unknown, expired, or its account or
        organisation is disabled."""
        if not token:
            return None
        with self.store._read() as conn:
            row = conn.execute(
                sa.select(
                    T.users,
                    T.sessions.c.expires_at,
                    T.organisations.c.disabled.label("org_disabled"),
                )
                .join(T.sessions, T.sessions.c.user_id == T.users.c.id)
                .join(T.organisations, T.organisations.c.id == T.users.c.org_id)
                .where(T.sessions.c.token_hash == _hash_token(token))
            ).first()
        if row is None or row.disabled or row.org_disabled or row.expires_at <= now():
            return None
        return _user(row).principal(via)

    def sign_out(self, token: str) -> None:
        """End a session (audited)."""
        principal = self.principal_for(token)
        with self.store._write() as conn:
            conn.execute(T.sessions.delete().where(T.sessions.c.token_hash == _hash_token(token)))
            if principal is not None:
                record(conn, principal, "sign_out", principal.org_id)

    def audit(self, **filters: Any) -> list[Any]:
        """The audit trail, newest first (administrators only; see ``advisor.audit.read``)."""
        from advisor.audit import read

        if not self.actor.can("admin.audit"):
            raise ForbiddenError(
                "only an administrator can read the audit trail",
                "只有管理员可以查看审计记录。",
                role=str(self.actor.role),
                permission="admin.audit",
            )
        with self.store._read() as conn:
            return read(conn, **filters)


def _locked(until: str) -> LockedOutError:
    return LockedOutError(
        f"too many wrong passwords: the account is locked until {until[:16].replace('T', ' ')} "
        "UTC (an administrator can unlock it with a new password)",
        f"密码错误次数过多，账户已锁定至 {until[:16].replace('T', ' ')}（UTC）；"
        "管理员可通过重设密码解锁。",
        until=until,
    )


def org_tree(orgs: list[Organisation]) -> list[tuple[int, Organisation]]:
    """Organisations in hierarchy order, each with its depth (children under their parent,
    by id); one whose parent is unknown is shown at the top."""
    ids = {o.id for o in orgs}
    children: dict[str | None, list[Organisation]] = {}
    for o in orgs:
        parent = o.parent_org if o.parent_org in ids else None
        children.setdefault(parent, []).append(o)
    out: list[tuple[int, Organisation]] = []
    seen: set[str] = set()

    def walk(parent: str | None, depth: int) -> None:
        for o in sorted(children.get(parent, []), key=lambda o: o.id):
            if o.id not in seen:
                seen.add(o.id)
                out.append((depth, o))
                walk(o.id, depth + 1)

    walk(None, 0)
    out += [(0, o) for o in orgs if o.id not in seen]  # a cycle (refused by set_parent anyway)
    return out
