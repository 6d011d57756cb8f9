"""Backups of the case library: one consistent copy, taken while the app runs.

The file's name says what it holds, and a name that does not fit is refused (never a silently
different format):

- ``*.sqlite3``, ``*.sqlite`` or ``*.db`` (a SQLite library only): a real SQLite database file,
  made with SQLite's own online-backup API from one read snapshot, in rollback-journal mode so
  that the one file is the whole copy; ``sqlite3`` or DB Browser opens it, and pointing
  ``ADVISOR_DB`` at it runs the app on it.
- ``*.jsonl.gz`` (or any ``*.gz``; either engine): the portable backup, below.

The portable backup is gzip-compressed JSON lines: a header (format, schema revision, time, row
counts), then one line per row of every table (organisations, users, cases, history, shares,
audit trail; sessions are not kept, everyone signs in again). It is read inside one transaction
(a SQLite read snapshot in WAL mode; PostgreSQL's REPEATABLE READ), so a save made meanwhile is
either wholly in it or wholly not. The same file restores into SQLite or PostgreSQL, which is
also how a district moves from the embedded file to a database server; so does a SQLite backup
file (``restore`` tells the two apart by their content).

A restore goes into an empty library only (a new file or a new database) and is one transaction:
it never overwrites a library, and a failed restore leaves the target empty.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from advisor import schema as T
from advisor.audit import record
from advisor.db import StoreError, make_engine
from advisor.store import CaseStore, current_revision, head_revision, now

FORMAT = "coproduction-advisor-backup"
FORMAT_VERSION = 1
TABLES: list[sa.Table] = [
    T.organisations,
    T.users,
    T.cases,
    T.assessments,
    T.shares,
    T.audit,
]
SQLITE_SUFFIXES = (".sqlite3", ".sqlite", ".db")
PORTABLE_SUFFIX = ".jsonl.gz"
SQLITE_MAGIC = b"SQLite format 3\x00"
SERIAL = {"users": "id", "case_library": "pk", "case_assessments": "seq", "audit": "seq"}


class BackupError(StoreError):
    """A backup or restore was refused; nothing was written."""

    code = "backup_error"


def kind_for(backend: str, dest: str | Path) -> str:
    """``"sqlite"`` or ``"portable"``: what a backup named ``dest`` of a library on ``backend``
    (``sqlite`` or ``postgresql``) holds; BackupError (naming the choices) for a name that says
    neither, or a SQLite file of a PostgreSQL library."""
    name = Path(dest).name.lower()
    if name.endswith(SQLITE_SUFFIXES):
        if backend != "sqlite":
            raise BackupError(
                f"{Path(dest).name}: a .sqlite3/.db backup is a copy of a SQLite library's file, "
                f"and this library is on PostgreSQL; name the file *{PORTABLE_SUFFIX} for the "
                "portable backup (it restores into PostgreSQL or SQLite), or use PostgreSQL's "
                "own pg_dump",
                f"{Path(dest).name}：.sqlite3/.db 备份是 SQLite 案例库文件的副本，而本案例库使用 "
                f"PostgreSQL；请把文件名改为以 {PORTABLE_SUFFIX} 结尾，得到通用备份（可恢复到 "
                "PostgreSQL 或 SQLite），或使用 PostgreSQL 自带的 pg_dump。",
                file=Path(dest).name,
            )
        return "sqlite"
    if name.endswith(".gz"):
        return "portable"
    raise BackupError(
        f"{Path(dest).name}: the file name must say which backup to write: end it in .sqlite3 "
        "(or .db) for a SQLite database file that sqlite3 opens (SQLite libraries only), or in "
        f"{PORTABLE_SUFFIX} for the portable backup (either engine)",
        f"{Path(dest).name}：文件名须表明备份的格式：以 .sqlite3（或 .db）结尾得到可用 sqlite3 "
        f"直接打开的 SQLite 数据库文件（仅限 SQLite 案例库），以 {PORTABLE_SUFFIX} "
        "结尾得到通用备份（两种数据库均可）。",
        file=Path(dest).name,
    )


def backup(store: CaseStore, dest: str | Path) -> dict[str, int]:
    """Write a consistent copy of the library to ``dest`` (which must not exist), in the format
    its name says (see :func:`kind_for`); row counts per table."""
    dest = Path(dest)
    kind = kind_for(store.backend, dest)
    if dest.exists() or dest.is_symlink():
        raise BackupError(
            f"{dest} already exists; choose a new file name (a backup never replaces a file)",
            f"{dest} 已存在；请换一个文件名（备份不会覆盖已有文件）。",
        )
    counts: dict[str, Any] = {}
    if kind == "sqlite":
        with _new_file(dest) as tmp, store._guard():
            counts = _sqlite_copy(store, tmp)
        _audit_backup(store, dest, "sqlite", counts)
        return counts
    with _new_file(dest) as tmp, store._guard(), store.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin(), gzip.open(tmp, "wt", encoding="utf-8") as out:
            rev = current_revision(conn)
            for table in TABLES:
                counts[table.name] = int(
                    conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()  # type: ignore[arg-type]
                )
            header = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "revision": rev,
                "at": now(),
                "source": store.backend,
                "counts": counts,
            }
            out.write(json.dumps(header, ensure_ascii=False) + "\n")
            for table in TABLES:
                key = next(iter(table.primary_key.columns))
                for row in conn.execute(sa.select(table).order_by(key)).mappings():
                    out.write(
                        json.dumps({"t": table.name, "r": dict(row)}, ensure_ascii=False) + "\n"
                    )
    _audit_backup(store, dest, "portable", counts)
    return counts


@contextlib.contextmanager
def _new_file(dest: Path) -> Iterator[Path]:
    """A temporary file beside ``dest`` for the block to write; linked to ``dest`` when the block
    ends well (a link fails rather than replace a file made meanwhile); removed in every case."""
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    try:
        yield tmp
        os.link(tmp, dest)
    except FileExistsError:
        raise BackupError(f"{dest} already exists", f"{dest} 已存在。") from None
    finally:
        tmp.unlink(missing_ok=True)


def _audit_backup(store: CaseStore, dest: Path, kind: str, counts: dict[str, Any]) -> None:
    if not store.readonly:
        with store._write() as conn:
            record(conn, store.principal, "db_backup", None, file=dest.name, kind=kind, **counts)


def _sqlite_copy(store: CaseStore, tmp: Path) -> dict[str, int]:
    """Copy the SQLite library into ``tmp`` with SQLite's online-backup API (all pages in one
    step, so from one read snapshot; writers in WAL mode are not held up), then make the copy
    a self-contained rollback-journal file without sessions, and check it; row counts."""
    raw = store.engine.raw_connection()
    try:
        src = raw.driver_connection
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)  # type: ignore[union-attr]
            dst.execute("PRAGMA journal_mode = DELETE")
            dst.execute("DELETE FROM sessions")  # as in the portable backup: sign in again
            dst.commit()
            problem = dst.execute("PRAGMA quick_check").fetchone()[0]
            if problem != "ok":
                raise BackupError(
                    f"the copy failed SQLite's check ({problem}); nothing written",
                    f"副本未通过 SQLite 的检查（{problem}），未写入任何文件。",
                )
            counts = {
                t.name: int(dst.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0])
                for t in TABLES
            }
            dst.commit()
        finally:
            dst.close()
    finally:
        raw.close()
    return counts


def _not_a_backup(src: str | Path) -> BackupError:
    return BackupError(
        f"{src} is not a case-library backup (made by advisor db backup)",
        f"{src} 不是案例库的备份文件（应由 advisor db backup 生成）。",
    )


def _is_sqlite_file(src: str | Path) -> bool:
    try:
        with open(src, "rb") as f:
            return f.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def read_header(src: str | Path) -> dict[str, Any]:
    """The backup's header (format, revision, counts); BackupError if it is not a backup.

    A SQLite backup (or library file) has no header of its own: its revision and row counts
    are read from it, read-only."""
    if _is_sqlite_file(src):
        engine = make_engine(Path(src), readonly=True)
        try:
            with engine.connect() as conn:
                rev = current_revision(conn)
                counts = {
                    t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar())  # type: ignore[arg-type]
                    for t in TABLES
                }
        except (sa.exc.SQLAlchemyError, sqlite3.Error, OSError):
            raise _not_a_backup(src) from None
        finally:
            engine.dispose()
        if rev is None:  # a SQLite file, but not a case library made by a migrated advisor
            raise _not_a_backup(src)
        return {"format": FORMAT, "revision": rev, "source": "sqlite-file", "counts": counts}
    try:
        with gzip.open(src, "rt", encoding="utf-8") as f:
            header = json.loads(f.readline())
    except (OSError, EOFError, ValueError, UnicodeDecodeError):
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise _not_a_backup(src)
    return header


def restore(store: CaseStore, src: str | Path) -> dict[str, int]:
    """Load a backup (either kind, told by its content) into an empty library in one
    transaction; row counts per table."""
    header = read_header(src)
    if header.get("revision") != head_revision():
        raise BackupError(
            f"the backup has schema {header.get('revision')}, this advisor {head_revision()}; "
            "restore it with the version of the advisor that made it, then upgrade",
            f"备份的结构版本为 {header.get('revision')}，本工具为 {head_revision()}；"
            "请用生成备份的版本恢复后再升级。",
        )
    by_name = {t.name: t for t in TABLES}
    counts: dict[str, Any] = dict.fromkeys(by_name, 0)
    with store._write() as conn:
        busy = any(
            conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
            for t in (T.users, T.cases, T.audit)
        )
        other_orgs = conn.execute(
            sa.select(T.organisations.c.id).where(T.organisations.c.id != "local")
        ).first()
        if busy or other_orgs:
            raise BackupError(
                "the target library is not empty; restore into a new file or a new database "
                "(a restore never overwrites a library)",
                "目标案例库不是空的；请恢复到新的文件或新的数据库（恢复不会覆盖已有案例库）。",
            )
        conn.execute(T.organisations.delete())
        try:
            if header.get("source") == "sqlite-file":
                _load_sqlite(conn, src, counts)
            else:
                _load(conn, src, by_name, counts)
        except (
            EOFError, OSError, ValueError, KeyError, TypeError, sqlite3.Error, sa.exc.DBAPIError
        ) as exc:  # fmt: skip
            raise BackupError(
                f"the backup cannot be read to the end ({type(exc).__name__}); nothing restored",
                f"备份文件无法完整读取（{type(exc).__name__}），未恢复任何内容。",
            ) from None
        if counts != header.get("counts", counts):
            raise BackupError(
                "the backup is incomplete (its rows do not match its header); nothing restored",
                "备份文件不完整（行数与文件头不符），未恢复任何内容。",
            )
        if conn.dialect.name == "postgresql":
            for name, col in SERIAL.items():
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{name}', '{col}'),"
                    f" COALESCE((SELECT MAX({col}) FROM {name}), 0) + 1, false)"
                )
        record(conn, store.principal, "db_restore", None, file=Path(src).name, **counts)
    return counts


def _load(
    conn: sa.Connection, src: str | Path, by_name: dict[str, sa.Table], counts: dict[str, int]
) -> None:
    batch: list[dict[str, Any]] = []
    current: sa.Table | None = None
    with gzip.open(src, "rt", encoding="utf-8") as f:
        f.readline()
        for line in f:
            item = json.loads(line)
            table = by_name.get(item.get("t"))
            if table is None:
                raise BackupError(f"unknown table {item.get('t')!r} in the backup")
            if table is not current or len(batch) >= 500:
                if batch and current is not None:
                    conn.execute(current.insert(), batch)
                batch, current = [], table
            batch.append(item["r"])
            counts[table.name] += 1
    if batch and current is not None:
        conn.execute(current.insert(), batch)


def _load_sqlite(conn: sa.Connection, src: str | Path, counts: dict[str, int]) -> None:
    """Copy every table's rows from a SQLite backup file (opened read-only) into ``conn``."""
    engine = make_engine(Path(src), readonly=True)
    try:
        with engine.connect() as source:
            for table in TABLES:
                key = next(iter(table.primary_key.columns))
                result = source.execute(sa.select(table).order_by(key)).mappings()
                while batch := [dict(r) for r in result.fetchmany(500)]:
                    conn.execute(table.insert(), batch)
                    counts[table.name] += len(batch)
    finally:
        engine.dispose()
