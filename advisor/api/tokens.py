"""API tokens: who calls the API, for which organisation, in which role.

A token is ``adv_<id>_<secret>``: ``id`` is public (it names the token in listings and logs),
``secret`` is 32 random bytes shown once at creation. Only the SHA-256 of the whole token is
stored, so a copy of the database does not give anyone a working token. (A slow password hash is
not needed: the secret is random, not chosen by a person.)

The tokens live in a small table of their own, ``api_tokens``, in the same SQLite file as the
case library (``$ADVISOR_DB``; WAL, a busy timeout, one write transaction per change). This is an
interim home: the organisations and accounts of the case library will absorb it into their store,
and ``organisation`` then becomes a reference to an organisation instead of a name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from advisor.errors import AdvisorError, FieldProblem, ProfileError
from advisor.store import default_path

#: The roles of the case library's accounts; a token acts in exactly one of them.
ROLES = ("official", "agency_planner", "trainer", "trainee", "reviewer", "administrator")
ROLE_LABELS = {
    "official": ("street-office or civil-affairs official", "街道或民政干部"),
    "agency_planner": ("social-work agency planner", "社工机构策划人员"),
    "trainer": ("trainer", "培训师"),
    "trainee": ("trainee", "学员"),
    "reviewer": ("reviewer", "审阅人"),
    "administrator": ("administrator", "管理员"),
}
PREFIX = "adv_"
BUSY_TIMEOUT_MS = 15_000
CACHE_SECONDS = 2.0  # a revoked token stops working within this time in every worker

_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_tokens (
    id            TEXT PRIMARY KEY,
    secret_sha256 TEXT NOT NULL UNIQUE,
    organisation  TEXT NOT NULL,
    role          TEXT NOT NULL,
    label         TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    revoked_at    TEXT
);
"""
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

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def digest(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenStore:
    """The ``api_tokens`` table; safe across threads and processes (a connection per call)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, TokenInfo | None]] = {}
        with self._write() as con:
            con.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        con.row_factory = sqlite3.Row
        con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if con.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            con.execute("PRAGMA journal_mode = WAL")
        return con

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock, closing(self._connect()) as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    def create(self, organisation: str, role: str, label: str = "") -> tuple[str, TokenInfo]:
        """Create a token; return ``(token, info)``. The token text is not kept anywhere.

        Raises ProfileError naming the field when the organisation is blank or the role unknown.
        """
        organisation = " ".join(organisation.split())
        problems = []
        if not organisation:
            problems.append(FieldProblem("organisation", "must not be empty", "不能为空"))
        elif len(organisation) > 200:
            problems.append(
                FieldProblem("organisation", "is too long (at most 200 characters)", "过长")
            )
        if role not in ROLES:
            problems.append(
                FieldProblem(
                    "role",
                    f"unknown role {role!r}; expected one of {', '.join(ROLES)}",
                    f"无效角色 {role!r}；可选：{'、'.join(ROLES)}",
                )
            )
        if problems:
            raise ProfileError(problems)
        token_id = secrets.token_hex(4)
        token = f"{PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
        info = TokenInfo(token_id, organisation, role, label.strip()[:200], _now(), None)
        with self._write() as con:
            con.execute(
                "INSERT INTO api_tokens (id, secret_sha256, organisation, role, label, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (info.id, digest(token), info.organisation, info.role, info.label, info.created_at),
            )
        return token, info

    def list(self, include_revoked: bool = True) -> list[TokenInfo]:
        """Every token, oldest first (revoked ones too unless ``include_revoked`` is False)."""
        with closing(self._connect()) as con:
            rows = con.execute("SELECT * FROM api_tokens ORDER BY created_at, id").fetchall()
        out = [_info(r) for r in rows]
        return [t for t in out if include_revoked or t.active]

    def revoke(self, token_id: str) -> TokenInfo:
        """Revoke a token by its id; raise TokenError if there is none or it is already revoked."""
        with self._write() as con:
            row = con.execute("SELECT * FROM api_tokens WHERE id = ?", (token_id,)).fetchone()
            if row is None:
                raise TokenError(f"there is no token {token_id!r} (see `advisor tokens list`)")
            if row["revoked_at"]:
                raise TokenError(f"token {token_id!r} was already revoked on {row['revoked_at']}")
            con.execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ?", (_now(), token_id))
            row = con.execute("SELECT * FROM api_tokens WHERE id = ?", (token_id,)).fetchone()
        self._cache.clear()
        return _info(row)

    def verify(self, token: str) -> TokenInfo | None:
        """The active token's info, or None for an unknown, malformed or revoked token.

        Answers are cached for ``CACHE_SECONDS`` per process so a busy API does not read the
        database on every request; a revocation reaches every worker within that time.
        """
        if not _TOKEN_RE.match(token):
            return None
        found, info = self.cached(token)
        if found:
            return info
        key = digest(token)
        now = time.monotonic()
        with closing(self._connect()) as con:
            row = con.execute("SELECT * FROM api_tokens WHERE secret_sha256 = ?", (key,)).fetchone()
        info = _info(row) if row is not None and not row["revoked_at"] else None
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[key] = (now, info)
        return info

    def cached(self, token: str) -> tuple[bool, TokenInfo | None]:
        """``(True, answer)`` when a fresh answer for ``token`` is cached (no database read)."""
        hit = self._cache.get(digest(token))
        if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
            return True, hit[1]
        return False, None


def _info(row: sqlite3.Row) -> TokenInfo:
    return TokenInfo(
        row["id"],
        row["organisation"],
        row["role"],
        row["label"],
        row["created_at"],
        row["revoked_at"],
    )
