"""Backups of the case library: one consistent copy, taken while the app runs, in one format for
both engines.

A backup is gzip-compressed JSON lines: a header (format, schema revision, time, row counts), then
one line per row of every table (organisations, users, cases, history, shares, audit trail;
sessions are not kept, everyone signs in again). It is read inside one transaction (a SQLite read
snapshot in WAL mode; PostgreSQL's REPEATABLE READ), so a save made meanwhile is either wholly in
it or wholly not. The same file restores into SQLite or PostgreSQL, which is also how a district
moves from the embedded file to a database server.

A restore goes into an empty library only (a new file or a new database) and is one transaction:
it never overwrites a library, and a failed restore leaves the target empty.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from advisor import schema as T
from advisor.audit import record
from advisor.db import StoreError
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
SERIAL = {"users": "id", "case_library": "pk", "case_assessments": "seq", "audit": "seq"}


class BackupError(StoreError):
    """A backup or restore was refused; nothing was written."""

    code = "backup_error"


def backup(store: CaseStore, dest: str | Path) -> dict[str, int]:
    """Write a consistent copy of the library to ``dest`` (which must not exist); row counts."""
    dest = Path(dest)
    if dest.exists() or dest.is_symlink():
        raise BackupError(
            f"{dest} already exists; choose a new file name (a backup never replaces a file)",
            f"{dest} 已存在；请换一个文件名（备份不会覆盖已有文件）。",
        )
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    counts: dict[str, Any] = {}
    try:
        with store._guard(), store.engine.connect() as conn:
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
            os.link(tmp, dest)  # fails rather than replace a file made meanwhile
    except FileExistsError:
        raise BackupError(f"{dest} already exists", f"{dest} 已存在。") from None
    finally:
        tmp.unlink(missing_ok=True)
    if not store.readonly:
        with store._write() as conn:
            record(conn, store.principal, "db_backup", None, file=dest.name, **counts)
    return counts


def read_header(src: str | Path) -> dict[str, Any]:
    """The backup's header (format, revision, counts); BackupError if it is not a backup."""
    try:
        with gzip.open(src, "rt", encoding="utf-8") as f:
            header = json.loads(f.readline())
    except (OSError, EOFError, ValueError, UnicodeDecodeError):
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError(
            f"{src} is not a case-library backup (made by advisor db backup)",
            f"{src} 不是案例库的备份文件（应由 advisor db backup 生成）。",
        )
    return header


def restore(store: CaseStore, src: str | Path) -> dict[str, int]:
    """Load a backup into an empty library in one transaction; row counts per table."""
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
            _load(conn, src, by_name, counts)
        except (EOFError, OSError, ValueError, KeyError, TypeError) as exc:
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
