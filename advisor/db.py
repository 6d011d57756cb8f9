"""The database behind the case library: where it is, how to connect, what its errors mean.

``ADVISOR_DB`` names it: a file path (SQLite, the embedded default, one server) or a
``postgresql://user:password@host:port/db`` URL (PostgreSQL through psycopg 3, for several app
instances over one database). Without it the per-user default file is used.

Every failure of the database or the disk is turned here into a :class:`DatabaseProblem` whose
``code`` names the cause (``db_corrupt``, ``db_readonly``, ``db_full``, ``db_unavailable``,
``db_locked``, ``db_schema_newer``) with a message in English and Chinese; no ``sqlite3`` or
``psycopg`` exception leaves the store. A transaction that fails is rolled back whole.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from advisor.errors import AdvisorError

ENV_VAR = "ADVISOR_DB"
DEFAULT_PATH = Path.home() / ".local" / "share" / "coproduction-advisor" / "cases.sqlite3"
BUSY_TIMEOUT_MS = 15_000
LOW_SPACE = 4 * 1024 * 1024  # below this, a disk I/O error is reported as a full disk


class StoreError(AdvisorError):
    """A case-library operation was refused; nothing in the library changed.

    ``code`` names the kind (the UI's message key is ``store.<code>``), ``params`` fill the
    message, ``zh`` is the message in Chinese where we have it.
    """

    code = "store_error"

    def __init__(self, message: str, zh: str | None = None, **params: Any) -> None:
        self.params = params
        self.zh = zh
        super().__init__(message)

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` (zh or en)."""
        return self.zh if lang == "zh" and self.zh else str(self)


class DatabaseProblem(StoreError):
    """The database or its disk failed; the operation changed nothing."""

    code = "db_error"


class DatabaseCorrupt(DatabaseProblem):
    code = "db_corrupt"


class DatabaseReadOnly(DatabaseProblem):
    code = "db_readonly"


class DatabaseFull(DatabaseProblem):
    code = "db_full"


class DatabaseUnavailable(DatabaseProblem):
    code = "db_unavailable"


class DatabaseLocked(DatabaseProblem):
    code = "db_locked"


class DatabaseSchemaNewer(DatabaseProblem):
    code = "db_schema_newer"


def default_target() -> str:
    """``$ADVISOR_DB`` (a path or a URL) or the per-user default path."""
    env = os.environ.get(ENV_VAR, "").strip()
    return env if env else str(DEFAULT_PATH)


def is_url(target: str | Path) -> bool:
    return "://" in str(target)


def sqlalchemy_url(target: str | Path) -> str:
    """The SQLAlchemy URL for a path or a ``postgresql://`` URL (psycopg 3 driver)."""
    text = str(target)
    if not is_url(text):
        return f"sqlite:///{Path(text).expanduser().resolve()}"
    url = make_url(text)
    if url.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        url = url.set(drivername="postgresql+psycopg")
    if not url.drivername.startswith(("postgresql", "sqlite")):
        raise DatabaseUnavailable(
            f"{ENV_VAR} must be a file path or a postgresql:// URL, not {url.drivername}://",
            f"{ENV_VAR} 须为文件路径或 postgresql:// 地址，而不是 {url.drivername}://",
            where=url.drivername,
        )
    return url.render_as_string(hide_password=False)


def redacted(target: str | Path) -> str:
    """The target with any password hidden (for logs and messages to administrators)."""
    text = str(target)
    if not is_url(text):
        return text
    return make_url(text).render_as_string(hide_password=True)


def sqlite_is_readonly(path: Path) -> bool:
    """Whether an existing SQLite file (or its folder, needed for the journal) is not writable."""
    return path.exists() and (
        not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK | os.X_OK)
    )


def make_engine(target: str | Path, readonly: bool = False) -> Engine:
    """An engine for ``target``; SQLite connections get WAL, a busy timeout and foreign keys.

    With ``readonly`` a SQLite file is opened with ``mode=ro`` (nothing can be written, even by
    mistake). Writes through :func:`begin_write` start with ``BEGIN IMMEDIATE`` on SQLite, so two
    writers queue instead of failing half-way.
    """
    url = sqlalchemy_url(target)
    if url.startswith("sqlite"):
        path = Path(make_url(url).database or "")

        def connect() -> sqlite3.Connection:
            if readonly:
                con = _connect_readonly(path)
            else:
                con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
            con.isolation_level = None  # we emit BEGIN ourselves (see _begin below)
            con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            con.execute("PRAGMA foreign_keys = ON")
            if not readonly:
                if con.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    con.execute("PRAGMA journal_mode = WAL")
                con.execute("PRAGMA synchronous = NORMAL")
            return con

        # A connection per use, as before: several processes share the file, and a pooled
        # connection would keep a WAL read snapshot and file handles open between reruns.
        engine = create_engine("sqlite://", creator=connect, poolclass=NullPool)

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            write = conn.get_execution_options().get("advisor_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write and not readonly else "BEGIN")

        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
        pool_timeout=BUSY_TIMEOUT_MS / 1000,
        connect_args={"connect_timeout": 10},
    )


def _connect_readonly(path: Path) -> sqlite3.Connection:
    """Open a SQLite file so that nothing can be written.

    ``mode=ro`` first; a WAL-mode file in a folder we cannot write has no shared-memory file to
    coordinate with, so SQLite cannot open it that way: then ``immutable=1`` (nobody can write
    there either, so the file cannot change under us).
    """
    last: sqlite3.Error | None = None
    for query in ("mode=ro", "mode=ro&immutable=1"):
        con = sqlite3.connect(
            f"{path.as_uri()}?{query}",
            uri=True,
            timeout=BUSY_TIMEOUT_MS / 1000,
            check_same_thread=False,
        )
        try:
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return con
        except sqlite3.OperationalError as exc:
            con.close()
            last = exc
    assert last is not None
    raise last


def translate(exc: BaseException, target: str | Path) -> StoreError | None:
    """The project's error for a database or disk failure, or None if it is not one."""
    if isinstance(exc, sa_exc.IntegrityError):
        return None  # a constraint: the store says which (a taken id), not a failure
    orig: BaseException = getattr(exc, "orig", None) or exc
    text = str(orig).lower()
    where = redacted(target)
    if isinstance(orig, OSError) and orig.errno == errno.ENOSPC:
        return _full(where)
    if "disk is full" in text or "no space left" in text or "disk full" in text:
        return _full(where)
    if "disk i/o error" in text:
        # SQLite reports a full disk as an I/O error when it cannot grow the journal or the
        # shared-memory file: tell the two apart by the space left where the file is
        if not is_url(target) and _free_bytes(Path(str(target)).expanduser()) < LOW_SPACE:
            return _full(where)
        return DatabaseProblem(
            "the disk holding the case library failed to read or write; nothing was saved",
            "案例库所在的磁盘读写失败，本次没有保存。",
            where=where,
        )
    if "readonly database" in text or "read-only" in text or "read only" in text:
        return DatabaseReadOnly(
            "the case library is read-only here: you can read cases, but saving is unavailable "
            "(ask the administrator to make the database writable)",
            "案例库在此处为只读：可以查看案例，但无法保存（请管理员将数据库设为可写）。",
            where=where,
        )
    if (
        "file is not a database" in text
        or "malformed" in text
        or "file is encrypted" in text
        or "not a database" in text
    ):
        return DatabaseCorrupt(
            "the case library's database file is damaged or is not a case library "
            f"({where}); nothing was changed. Restore it from a backup "
            "(advisor db restore) or point ADVISOR_DB to the right file",
            f"案例库的数据库文件已损坏或不是案例库（{where}），未做任何修改。"
            "请从备份恢复（advisor db restore），或把 ADVISOR_DB 指向正确的文件。",
            where=where,
        )
    if "database is locked" in text or "database table is locked" in text:
        return DatabaseLocked(
            "the case library is busy (another program holds it); nothing was saved: try again",
            "案例库正忙（被其他程序占用），本次没有保存，请稍后重试。",
            where=where,
        )
    if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError) or (
        "unable to open" in text or "connection" in text or "could not connect" in text
    ):
        return DatabaseUnavailable(
            f"the case library's database cannot be reached ({where}); nothing was changed",
            f"无法连接案例库的数据库（{where}），未做任何修改。",
            where=where,
        )
    if isinstance(exc, sa_exc.DBAPIError | sqlite3.Error):
        return DatabaseProblem(
            f"the case library's database failed ({type(orig).__name__}); nothing was changed",
            f"案例库的数据库出错（{type(orig).__name__}），未做任何修改。",
            where=where,
        )
    return None


def _free_bytes(path: Path) -> int:
    try:
        return shutil.disk_usage(path.parent).free
    except OSError:
        return 0


def _full(where: str) -> DatabaseFull:
    return DatabaseFull(
        "the disk holding the case library is full; nothing was saved "
        "(free some space, then save again)",
        "案例库所在的磁盘已满，本次没有保存（请释放空间后再保存）。",
        where=where,
    )
