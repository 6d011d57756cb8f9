"""API tokens: who calls the API, for which organisation, in which role, on whose behalf.

A token is ``adv_<id>_<secret>``: ``id`` is public (it names the token in listings, logs and the
audit trail), ``secret`` is 32 random bytes shown once at creation. Only the SHA-256 of the whole
token is stored, so a copy of the database does not give anyone a working token. (A slow password
hash is not needed: the secret is random, not chosen by a person.)

Tokens live in the case library's store (table ``api_tokens``, migration 0003), on SQLite or
PostgreSQL like everything else there. A token belongs to an organisation of the accounts and acts
in one of the accounts' roles (:class:`~advisor.principal.Role`); it may name the account that
asked for it. :meth:`TokenStore.verify` gives a :class:`~advisor.principal.Principal` exactly
like a signed-in user's (``username`` ``token:<id>``, ``via`` ``api``, ``user_id`` the account's),
which the API hands to the same store calls the web UI makes. A token stops working when it is
revoked, when its organisation is disabled, or when the account it was made for is disabled.
Creating and revoking a token are in the audit trail.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa

from advisor import schema as T
from advisor.audit import record
from advisor.errors import AdvisorError, FieldProblem, ProfileError
from advisor.principal import ROLE_LABELS, Principal, Role
from advisor.store import CaseStore, now

#: The accounts' roles; a token acts in exactly one of them.
ROLES = tuple(r.value for r in Role)
#: Names the interim token table used, still accepted on the command line.
ROLE_ALIASES = {"agency_planner": "planner", "administrator": "admin"}
PREFIX = "adv_"
CACHE_SECONDS = 2.0  # a revoked token stops working within this time in every worker

_TOKEN_RE = re.compile(r"^adv_([a-z0-9]{8})_([A-Za-z0-9_-]{20,80})$")


class TokenError(AdvisorError):
    """A token operation was refused (unknown id, already revoked)."""


@dataclass(frozen=True)
class TokenInfo:
    """A token as listed: never its secret."""

    id: str
    organisation: str
    role: str
    label: str
    created_at: str
    revoked_at: str | None
    created_by: str = ""
    user_id: int | None = None
    username: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def principal(self) -> Principal:
        """Who calls with this token: its organisation and role, ``via`` ``api``."""
        shown = self.label or (self.username or "")
        return Principal(
            f"token:{self.id}", self.organisation, Role(self.role), "api", self.user_id, shown
        )


def digest(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _select() -> sa.Select:
    return sa.select(T.api_tokens, T.users.c.username.label("username")).outerjoin(
        T.users, T.users.c.id == T.api_tokens.c.user_id
    )


class TokenStore:
    """The ``api_tokens`` table of a case library; safe across threads, processes and servers.

    ``TokenStore(store)`` shares the store's engine and acts for ``store.principal`` (recorded in
    the audit trail when it creates or revokes); ``TokenStore(path_or_url)`` opens the library
    itself, acting as the single-user mode's administrator.
    """

    def __init__(self, store: CaseStore | str | object | None = None) -> None:
        self.store = store if isinstance(store, CaseStore) else CaseStore(store)  # type: ignore[arg-type]
        self._cache: dict[str, tuple[float, TokenInfo | None]] = {}

    def create(
        self,
        organisation: str,
        role: str,
        label: str = "",
        username: str | None = None,
    ) -> tuple[str, TokenInfo]:
        """Create a token; return ``(token, info)``. The token text is not kept anywhere.

        ``organisation`` must be the id of an organisation of the accounts, ``role`` one of
        :data:`ROLES`; with ``username`` the token is made for that account, which must belong to
        the organisation and may not get a role other than its own. Raises ProfileError naming
        every field that is wrong (in both languages).
        """
        organisation = organisation.strip()
        role = ROLE_ALIASES.get(role.strip(), role.strip())
        problems: list[FieldProblem] = []
        if role not in ROLES:
            problems.append(
                FieldProblem(
                    "role",
                    f"unknown role {role!r}; expected one of {', '.join(ROLES)}",
                    f"无效角色 {role!r}；可选：{'、'.join(ROLES)}",
                )
            )
        who = self.store.principal
        with self.store._write() as conn:
            org = conn.execute(
                sa.select(T.organisations).where(T.organisations.c.id == organisation)
            ).first()
            if not organisation:
                problems.insert(0, FieldProblem("organisation", "must not be empty", "不能为空"))
            elif org is None:
                known = conn.execute(
                    sa.select(T.organisations.c.id).order_by(T.organisations.c.id)
                ).scalars()
                listed = ", ".join(known)
                problems.insert(
                    0,
                    FieldProblem(
                        "organisation",
                        f"there is no organisation {organisation!r} (known: {listed}; an "
                        "administrator adds one with `advisor users add-org` or on the "
                        "administration page)",
                        f"没有编号为 {organisation!r} 的单位（现有：{listed}；"
                        "管理员可用 `advisor users add-org` 或在管理页面添加）",
                    ),
                )
            elif org.disabled:
                problems.insert(
                    0,
                    FieldProblem(
                        "organisation",
                        f"the organisation {organisation!r} is disabled",
                        f"单位 {organisation!r} 已停用",
                    ),
                )
            user = None
            if username:
                user = conn.execute(
                    sa.select(T.users).where(T.users.c.username == username.strip().lower())
                ).first()
                if user is None:
                    problems.append(
                        FieldProblem(
                            "user", f"there is no user {username!r}", f"没有用户 {username}"
                        )
                    )
                elif user.org_id != organisation or user.role != role:
                    problems.append(
                        FieldProblem(
                            "user",
                            f"{username!r} is {user.role} of {user.org_id}: a token made for an "
                            "account has the account's organisation and role",
                            f"{username} 是 {user.org_id} 的{ROLE_LABELS[Role(user.role)]['zh']}"
                            "：为账户创建的令牌须与账户的单位和角色一致",
                        )
                    )
                elif user.disabled:
                    problems.append(
                        FieldProblem("user", f"the account {username!r} is disabled", "账户已停用")
                    )
            if problems:
                raise ProfileError(problems)
            token_id = secrets.token_hex(4)
            token = f"{PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
            stamp = now()
            clean_label = " ".join(label.split())[:200]
            conn.execute(
                T.api_tokens.insert().values(
                    id=token_id,
                    secret_sha256=digest(token),
                    org_id=organisation,
                    role=role,
                    user_id=user.id if user is not None else None,
                    created_by=who.username,
                    label=clean_label,
                    created_at=stamp,
                )
            )
            record(
                conn,
                who,
                "token_create",
                organisation,
                token=token_id,
                role=role,
                label=clean_label,
                user=user.username if user is not None else None,
            )
        info = TokenInfo(
            token_id,
            organisation,
            role,
            clean_label,
            stamp,
            None,
            who.username,
            user.id if user is not None else None,
            user.username if user is not None else None,
        )
        return token, info

    def list(self, include_revoked: bool = True, org_id: str | None = None) -> list[TokenInfo]:
        """Every token (of one organisation), oldest first; revoked ones unless told not to."""
        q = _select().order_by(T.api_tokens.c.created_at, T.api_tokens.c.id)
        if org_id is not None:
            q = q.where(T.api_tokens.c.org_id == org_id)
        with self.store._read() as conn:
            out = [_info(r) for r in conn.execute(q)]
        return [t for t in out if include_revoked or t.active]

    def revoke(self, token_id: str) -> TokenInfo:
        """Revoke a token by its id; raise TokenError if there is none or it is already revoked."""
        token_id = token_id.strip()
        with self.store._write() as conn:
            row = conn.execute(_select().where(T.api_tokens.c.id == token_id)).first()
            if row is None:
                raise TokenError(f"there is no token {token_id!r} (see `advisor tokens list`)")
            if row.revoked_at:
                raise TokenError(f"token {token_id!r} was already revoked on {row.revoked_at}")
            who = self.store.principal
            conn.execute(
                T.api_tokens.update()
                .where(T.api_tokens.c.id == token_id)
                .values(revoked_at=now(), revoked_by=who.username)
            )
            record(conn, who, "token_revoke", row.org_id, token=token_id, role=row.role)
            row = conn.execute(_select().where(T.api_tokens.c.id == token_id)).first()
        self._cache.clear()
        return _info(row)  # type: ignore[arg-type]

    def verify(self, token: str) -> TokenInfo | None:
        """The active token's info, or None for an unknown, malformed or revoked token, one of a
        disabled organisation, or one made for an account that is now disabled.

        Answers are cached for ``CACHE_SECONDS`` per process so a busy API does not read the
        database on every request; a revocation reaches every worker within that time.
        """
        if not _TOKEN_RE.match(token):
            return None
        found, info = self.cached(token)
        if found:
            return info
        key = digest(token)
        stamp = time.monotonic()
        q = (
            sa.select(
                T.api_tokens,
                T.users.c.username.label("username"),
                T.users.c.disabled.label("user_disabled"),
                T.organisations.c.disabled.label("org_disabled"),
            )
            .join(T.organisations, T.organisations.c.id == T.api_tokens.c.org_id)
            .outerjoin(T.users, T.users.c.id == T.api_tokens.c.user_id)
            .where(T.api_tokens.c.secret_sha256 == key)
        )
        with self.store._read() as conn:
            row = conn.execute(q).first()
        ok = (
            row is not None
            and not row.revoked_at
            and not row.org_disabled
            and not (row.user_id is not None and row.user_disabled)
            and row.role in ROLES
        )
        info = _info(row) if ok else None  # type: ignore[arg-type]
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[key] = (stamp, info)
        return info

    def cached(self, token: str) -> tuple[bool, TokenInfo | None]:
        """``(True, answer)`` when a fresh answer for ``token`` is cached (no database read)."""
        hit = self._cache.get(digest(token))
        if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
            return True, hit[1]
        return False, None


def _info(row: sa.Row) -> TokenInfo:
    return TokenInfo(
        row.id,
        row.org_id,
        row.role,
        row.label,
        row.created_at,
        row.revoked_at,
        row.created_by,
        row.user_id,
        row.username,
    )
