"""The case library: saved case profiles, their assessment history, shares and the audit trail.

A *case* is one saved :class:`~advisor.models.CaseProfile` of an organisation, keyed by the
organisation and the profile's ``id``, with a ``version`` that goes up by one on every change. An
update names the version it was based on and is refused (:class:`StaleCaseError`) when someone
else saved in between, so two sessions (or two app servers) editing the same case never silently
overwrite each other: the ``UPDATE`` itself carries ``WHERE version = <expected>``.

Every call acts for a :class:`~advisor.principal.Principal` (``CaseStore(...).as_principal(p)``;
without one, the single-user mode's local administrator). It sees its organisation's cases and
those shared with it; a shared case is referred to as ``<owner organisation>/<case id>``. A case
that is not visible is reported exactly like one that does not exist. Every create, update,
delete, restore, import, export and share is written to the append-only audit trail in the same
transaction as the change, so a failed operation leaves neither.

The database is ``$ADVISOR_DB`` (a SQLite file, the embedded default, or a ``postgresql://`` URL;
see :mod:`advisor.db`), on SQLAlchemy 2 with Alembic migrations applied on first use. Database and
disk failures become :class:`~advisor.db.DatabaseProblem` errors with a message in English and
Chinese; a read-only SQLite file is opened read-only (reading works, saving says why it cannot).
"""

from __future__ import annotations

import builtins
import copy
import datetime as dt
import json
import logging
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
import yaml
from sqlalchemy import exc as sa_exc

from advisor import schema as T
from advisor.db import (
    DEFAULT_PATH,
    ENV_VAR,
    DatabaseProblem,
    DatabaseReadOnly,
    DatabaseSchemaNewer,
    StoreError,
    default_target,
    is_url,
    make_engine,
    redacted,
    sqlite_is_readonly,
    translate,
)
from advisor.errors import FieldProblem, ProfileError
from advisor.io import parse_document, profile_from_data, profile_to_json, profile_to_yaml
from advisor.models import Assessment, CaseProfile
from advisor.principal import LOCAL_PRINCIPAL, Principal

__all__ = [
    "DEFAULT_PATH",
    "ENV_VAR",
    "MAX_IMPORT_CASES",
    "BelowReadOnlyError",
    "CaseExistsError",
    "CaseNotFoundError",
    "CaseRecord",
    "CaseStore",
    "CaseSummary",
    "DatabaseProblem",
    "ForbiddenError",
    "HistoryEntry",
    "ReadOnlyShareError",
    "StaleCaseError",
    "StoreError",
    "default_path",
]

log = logging.getLogger(__name__)

SCHEMA_VERSION = 4  # the Alembic head revision, as a number
MAX_IMPORT_CASES = 500
SHARE_MODES = ("read", "edit")

ExportFormat = Literal["json", "yaml"]


# --------------------------------------------------------------------------- errors


class CaseNotFoundError(StoreError):
    """No case with that id visible to the caller (it may have been deleted in another session)."""

    code = "case_not_found"


class CaseExistsError(StoreError):
    """A new case was saved under an id that is already taken in the organisation."""

    code = "case_exists"


class StaleCaseError(StoreError):
    """The case changed since the caller read it; the caller must reload before saving."""

    code = "stale_case"


class ForbiddenError(StoreError):
    """The caller's role does not allow the operation (or the case is shared read-only)."""

    code = "forbidden"


class ReadOnlyShareError(ForbiddenError):
    """The case is another organisation's, shared read-only (or not deletable by a sharer)."""

    code = "share_read_only"


class BelowReadOnlyError(ReadOnlyShareError):
    """The case belongs to an organisation under the caller's: readable, not changeable."""

    code = "below_read_only"


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class CaseSummary:
    """One line of the library listing. ``owner`` is the organisation holding the case,
    ``access`` is ``owner``, ``edit`` or ``read`` (a share), ``ref`` what to pass back."""

    id: str
    name: str
    version: int
    created_at: str
    updated_at: str
    assessments: int
    owner: str = LOCAL_PRINCIPAL.org_id
    access: str = "owner"
    below: bool = False  # read through the hierarchy: ``owner`` is under the caller's org

    @property
    def ref(self) -> str:
        return self.id if self.access == "owner" else f"{self.owner}/{self.id}"


@dataclass(frozen=True)
class CaseRecord:
    """A saved case: the profile and the version it was read at."""

    id: str
    name: str
    version: int
    created_at: str
    updated_at: str
    profile: CaseProfile
    owner: str = LOCAL_PRINCIPAL.org_id
    access: str = "owner"
    below: bool = False  # read through the hierarchy: ``owner`` is under the caller's org

    @property
    def ref(self) -> str:
        return self.id if self.access == "owner" else f"{self.owner}/{self.id}"


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded assessment of a case: when, at which case version, and its summary."""

    seq: int
    case_id: str
    case_version: int
    at: str
    summary: dict[str, Any]


@dataclass(frozen=True)
class DeletedCase:
    """A soft-deleted case, for an administrator to restore."""

    key: int
    org_id: str
    case_id: str
    name: str
    version: int
    deleted_at: str
    deleted_by: str


def default_path() -> Path:
    """The database path when ``$ADVISOR_DB`` is a path (or unset): the file to open."""
    target = default_target()
    return Path(target).expanduser() if not is_url(target) else DEFAULT_PATH


def now() -> str:
    """The current time, UTC, ISO 8601 with microseconds (sorts as text)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def assessment_summary(assessment: Assessment) -> dict[str, Any]:
    """The part of an assessment kept in a case's history (small, and stable across versions)."""
    return {
        "engine_version": assessment.engine_version,
        "knowledge_base_version": assessment.knowledge_base_version,
        "dependence": assessment.dependence.model_dump(),
        "third_party_dependence": assessment.third_party_dependence.model_dump(),
        "asymmetry": assessment.asymmetry.model_dump(),
        "coproduction": assessment.coproduction.model_dump(),
        "diagnoses": [d.id for d in assessment.diagnoses],
        "actions": [a.id for a in sorted(assessment.actions, key=lambda a: a.rank)],
    }


# --------------------------------------------------------------------------- migrations


def _alembic_config(connection: sa.Connection | None = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest migration's revision id."""
    from alembic.script import ScriptDirectory

    return str(ScriptDirectory.from_config(_alembic_config()).get_current_head())


@lru_cache(maxsize=1)
def _known_revisions() -> frozenset[str]:
    from alembic.script import ScriptDirectory

    return frozenset(
        s.revision for s in ScriptDirectory.from_config(_alembic_config()).walk_revisions()
    )


def current_revision(conn: sa.Connection) -> str | None:
    """The revision the database is at (None: empty, or made before migrations existed)."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def upgrade(conn: sa.Connection) -> tuple[str | None, str]:
    """Bring the database to the newest schema in the caller's transaction; (from, to).

    A library made by the hand-written schema of earlier versions is recognised by its ``cases``
    table and stamped as revision 0001 first.
    """
    from alembic import command

    if conn.dialect.name == "postgresql":  # two app servers starting at once migrate once
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(741520)")
    before = current_revision(conn)
    if before is not None and before not in _known_revisions():
        raise DatabaseSchemaNewer(
            f"the case library was made by a newer version of the advisor (schema {before}); "
            "upgrade the advisor before opening it",
            f"案例库由更新版本的工具创建（结构版本 {before}），请先升级本工具再打开。",
            revision=before,
        )
    if before == head_revision():
        return before, before
    cfg = _alembic_config(conn)
    if before is None and sa.inspect(conn).has_table("cases"):
        command.stamp(cfg, "0001")
        before = "0001"
    command.upgrade(cfg, "head")
    return before, head_revision()


# --------------------------------------------------------------------------- the store


class CaseStore:
    """The case library in one database; safe to share between threads, processes and servers.

    ``CaseStore(target)`` opens (and on first use creates and migrates) the database; its calls
    act for the single-user mode's local administrator until ``as_principal`` gives a user.
    """

    def __init__(
        self,
        path: str | Path | None = None,
        principal: Principal | None = None,
        readonly: bool | None = None,
    ) -> None:
        self.target = str(path) if path is not None else default_target()
        self.is_sqlite = not is_url(self.target)
        self.path: Path | None = Path(self.target).expanduser() if self.is_sqlite else None
        self.principal = principal or LOCAL_PRINCIPAL
        with self._guard():
            if self.path is not None and readonly is None:
                readonly = sqlite_is_readonly(self.path)
            self.readonly = bool(readonly)
            if self.path is not None and not self.readonly:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self.engine = make_engine(self.target, readonly=self.readonly)
            self._prepare()

    def as_principal(self, principal: Principal) -> CaseStore:
        """The same library, acting for ``principal`` (shares the connections)."""
        other = copy.copy(self)
        other.principal = principal
        return other

    @property
    def location(self) -> str:
        """Where the library is, for administrators (a URL's password hidden)."""
        return redacted(self.target)

    @property
    def backend(self) -> str:
        return "sqlite" if self.is_sqlite else "postgresql"

    def _prepare(self) -> None:
        if self.readonly:
            with self.engine.connect() as conn:
                rev = current_revision(conn)
            self.upgraded = (rev, rev)
            if rev != head_revision():
                raise DatabaseReadOnly(
                    "the case library is read-only and was made by another version of the "
                    "advisor; it cannot be upgraded here (ask the administrator)",
                    "案例库为只读，且由其他版本的工具创建，无法在此升级（请联系管理员）。",
                    where=self.location,
                )
            return
        with self._write() as conn:
            self.upgraded = upgrade(conn)

    # -- connections

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn database and disk failures into the project's errors (logged in full)."""
        try:
            yield
        except StoreError:
            raise
        except (sa_exc.SQLAlchemyError, sqlite3.Error, OSError) as exc:
            err = translate(exc, self.target)
            if err is None:
                raise
            log.warning("case library %s: %s: %r", self.location, err.code, exc)
            raise err from None

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        with self._guard(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        """One write transaction: committed whole on success, rolled back whole on any error."""
        if self.readonly:
            raise DatabaseReadOnly(
                "the case library is read-only here: you can read cases, but saving is "
                "unavailable (ask the administrator to make the database writable)",
                "案例库在此处为只读：可以查看案例，但无法保存（请管理员将数据库设为可写）。",
                where=self.location,
            )
        with self._guard(), self.engine.connect() as conn:
            conn.execution_options(advisor_write=True)
            with conn.begin():
                yield conn

    def dispose(self) -> None:
        """Close pooled connections (PostgreSQL); the store can still be used afterwards."""
        self.engine.dispose()

    # -- access

    def _need(self, permission: str) -> None:
        if not self.principal.can(permission):
            raise ForbiddenError(
                f"your role ({self.principal.role}) does not allow this ({permission})",
                f"您的角色（{self.principal.role}）无权执行此操作（{permission}）。",
                role=str(self.principal.role),
                permission=permission,
            )

    def _below(self, conn: sa.Connection) -> frozenset[str]:
        """The organisations under the caller's (every level; see migration 0004)."""
        return organisations_below(conn, self.principal.org_id)

    def _resolve(self, conn: sa.Connection, ref: str, mode: str = "read") -> tuple[Any, str]:
        """The live case row ``ref`` names for the principal, and the access it has.

        The one place that decides who reaches which case: the caller's organisation's own cases
        (``owner``); another organisation's case shared with it (``read`` or ``edit``, as shared);
        a case of an organisation under the caller's in the hierarchy (``read``: read, export,
        copy, see the history; a change needs an editable share). ``mode`` is ``read`` or
        ``edit``; a case the principal may not see at all is reported as not found (the caller
        learns nothing about other organisations).
        """
        self._need("cases.read" if mode == "read" else "cases.write")
        org = self.principal.org_id
        owner, _, case_id = ref.rpartition("/")
        owner = owner or org
        row = conn.execute(
            sa.select(T.cases).where(
                T.cases.c.org_id == owner,
                T.cases.c.case_id == case_id,
                T.cases.c.deleted_at.is_(None),
            )
        ).first()
        if row is None:
            raise _not_found(ref)
        if owner == org:
            return row, "owner"
        share = conn.execute(
            sa.select(T.shares.c.mode).where(T.shares.c.case_pk == row.pk, T.shares.c.org_id == org)
        ).scalar()
        if share is None:
            if owner not in self._below(conn):
                raise _not_found(ref)
            if mode == "edit":
                raise BelowReadOnlyError(
                    f"case {ref!r} belongs to {owner}, an organisation under yours: you can read "
                    "it; to change it, that organisation must share it with yours as editable",
                    f"案例 {ref} 属于贵单位下属的 {owner}：贵单位可以查看，但不能修改；"
                    "如需修改，须由该单位以“可编辑”方式共享给贵单位。",
                    case_id=ref,
                    org=owner,
                    permission="edit",
                    role=str(self.principal.role),
                )
            return row, "below"
        if mode == "edit" and share != "edit":
            raise ReadOnlyShareError(
                f"case {ref!r} is shared with your organisation read-only",
                f"案例 {ref} 以只读方式共享给贵单位，不能修改。",
                case_id=ref,
                permission="edit",
                role=str(self.principal.role),
            )
        return row, share

    def _audit(
        self,
        conn: sa.Connection,
        action: str,
        org_id: str | None = None,
        case_id: str | None = None,
        from_version: int | None = None,
        to_version: int | None = None,
        **detail: Any,
    ) -> None:
        from advisor.audit import record

        record(conn, self.principal, action, org_id, case_id, from_version, to_version, **detail)

    # -- reading

    def list(self) -> list[CaseSummary]:
        """The caller's organisation's cases and those shared with it, most recent first.

        A role without a case library (trainee, reviewer) gets an empty list.
        """
        if not self.principal.can("cases.read"):
            return []
        org = self.principal.org_id
        n = (
            sa.select(sa.func.count())
            .where(T.assessments.c.case_pk == T.cases.c.pk)
            .scalar_subquery()
        )
        live = T.cases.c.deleted_at.is_(None)
        own = sa.select(T.cases, n.label("n"), sa.literal("owner").label("access")).where(
            T.cases.c.org_id == org, live
        )
        shared = (
            sa.select(T.cases, n.label("n"), T.shares.c.mode.label("access"))
            .join(T.shares, T.shares.c.case_pk == T.cases.c.pk)
            .where(T.shares.c.org_id == org, T.cases.c.org_id != org, live)
        )
        with self._read() as conn:
            rows = [*conn.execute(own), *conn.execute(shared)]
            below = self._below(conn)
            if below:  # the cases of organisations under ours that no share already lists
                seen = {r.pk for r in rows}
                under = sa.select(T.cases, n.label("n"), sa.literal("below").label("access"))
                rows += [
                    r
                    for r in conn.execute(under.where(T.cases.c.org_id.in_(sorted(below)), live))
                    if r.pk not in seen
                ]
        rows.sort(key=lambda r: (r.case_id, r.org_id))
        rows.sort(key=lambda r: r.updated_at, reverse=True)
        return [_summary(r) for r in rows]

    def get(self, case_id: str) -> CaseRecord:
        """The case ``case_id`` (or ``owner/case_id`` for a shared one) names; CaseNotFoundError
        if there is none the caller may see."""
        with self._read() as conn:
            row, access = self._resolve(conn, case_id)
        return _record(row, access)

    def exists(self, case_id: str) -> bool:
        """Whether the caller can see a case with that reference."""
        try:
            self.get(case_id)
        except CaseNotFoundError:
            return False
        return True

    # -- writing

    def save(self, profile: CaseProfile, expected_version: int | None = None) -> CaseRecord:
        """Save a case of the caller's organisation and return it at its new version.

        With ``expected_version`` None the case must be new (CaseExistsError if the id is taken);
        otherwise the stored case must still be at that version (StaleCaseError if someone saved
        in between, CaseNotFoundError if it was deleted).
        """
        return self.save_as(profile.id, profile, expected_version)

    def save_as(
        self, ref: str, profile: CaseProfile, expected_version: int | None = None
    ) -> CaseRecord:
        """Save ``profile`` as the case ``ref`` names (a shared editable case: ``owner/id``)."""
        profile = CaseProfile.model_validate(profile.model_dump())
        owner, _, ref_id = ref.rpartition("/")
        if ref_id != profile.id:
            raise ProfileError(
                [FieldProblem("id", f"the id of a saved case cannot change (it is {ref_id!r})")]
            )
        stamp = now()
        who = self.principal.username
        try:
            with self._write() as conn:
                if expected_version is None:
                    self._need("cases.write")
                    if owner and owner != self.principal.org_id:
                        raise _not_found(ref)
                    org = self.principal.org_id
                    conn.execute(T.cases.insert().values(_new_case_row(org, profile, stamp, who)))
                    self._audit(conn, "create", org, profile.id, None, 1, name=profile.name)
                else:
                    row, access = self._resolve(conn, ref, "edit")
                    self._update(
                        conn,
                        row,
                        ref,
                        expected_version,
                        profile.name,
                        profile.model_dump_json(),
                        stamp,
                    )
                    self._audit(
                        conn,
                        "update",
                        row.org_id,
                        row.case_id,
                        expected_version,
                        expected_version + 1,
                        name=profile.name,
                    )
                out, access = self._resolve(conn, ref)
        except sa_exc.IntegrityError:
            raise _exists(profile.id) from None
        return _record(out, access)

    def _update(
        self,
        conn: sa.Connection,
        row: Any,
        ref: str,
        expected: int | None,
        name: str,
        body: str,
        stamp: str,
    ) -> None:
        """The optimistic update: it matches only the version the caller read."""
        cond = [T.cases.c.pk == row.pk, T.cases.c.deleted_at.is_(None)]
        if expected is not None:
            cond.append(T.cases.c.version == expected)
        res = conn.execute(
            T.cases.update()
            .where(*cond)
            .values(
                name=name,
                profile=body,
                version=T.cases.c.version + 1,
                updated_at=stamp,
                updated_by=self.principal.username,
            )
        )
        if res.rowcount != 1:
            current = conn.execute(
                sa.select(T.cases.c.version, T.cases.c.deleted_at).where(T.cases.c.pk == row.pk)
            ).first()
            if current is None or current.deleted_at is not None:
                raise _not_found(ref)
            raise _stale(ref, expected or 0, int(current.version))

    def rename(
        self, case_id: str, new_name: str, expected_version: int | None = None
    ) -> CaseRecord:
        """Change a case's display name (its id stays); validated like any profile name."""
        with self._write() as conn:
            row, access = self._resolve(conn, case_id, "edit")
            if expected_version is not None and int(row.version) != expected_version:
                raise _stale(case_id, expected_version, int(row.version))
            data = json.loads(row.profile)
            data["name"] = new_name
            profile = profile_from_data(data)
            version = int(row.version)
            self._update(
                conn, row, case_id, version, profile.name, profile.model_dump_json(), now()
            )
            self._audit(
                conn, "rename", row.org_id, row.case_id, version, version + 1, name=profile.name
            )
            out, access = self._resolve(conn, case_id)
        return _record(out, access)

    def duplicate(
        self, case_id: str, new_id: str | None = None, new_name: str | None = None
    ) -> CaseRecord:
        """Copy a case into the caller's organisation under a new id (default ``<id>-copy``)."""
        self._need("cases.write")
        org = self.principal.org_id
        try:
            with self._write() as conn:
                row, _ = self._resolve(conn, case_id)
                taken = set(
                    conn.execute(
                        sa.select(T.cases.c.case_id).where(T.cases.c.org_id == org)
                    ).scalars()
                )
                if new_id is None:
                    new_id = _free_id(row.case_id, taken)
                elif new_id in taken:
                    raise _exists(new_id)
                data = json.loads(row.profile)
                data["id"] = new_id
                data["name"] = new_name if new_name is not None else row.name
                profile = profile_from_data(data)
                stamp = now()
                conn.execute(
                    T.cases.insert().values(
                        _new_case_row(org, profile, stamp, self.principal.username)
                    )
                )
                self._audit(
                    conn, "create", org, profile.id, None, 1, copied_from=case_id, name=profile.name
                )
                out, access = self._resolve(conn, profile.id)
        except sa_exc.IntegrityError:
            raise _exists(str(new_id)) from None
        return _record(out, access)

    def delete(self, case_id: str, expected_version: int | None = None) -> None:
        """Delete a case of the caller's organisation (soft: an administrator can restore it);
        refuse if it changed since ``expected_version``."""
        with self._write() as conn:
            row, access = self._resolve(conn, case_id, "edit")
            if access != "owner":
                raise ReadOnlyShareError(
                    f"case {case_id!r} belongs to another organisation; only it can delete it",
                    f"案例 {case_id} 属于其他单位，只有该单位可以删除。",
                    case_id=case_id,
                    permission="delete",
                    role=str(self.principal.role),
                )
            if expected_version is not None and int(row.version) != expected_version:
                raise _stale(case_id, expected_version, int(row.version))
            # the id is freed for a new case; the profile keeps it for a restore
            conn.execute(
                T.cases.update()
                .where(T.cases.c.pk == row.pk, T.cases.c.version == row.version)
                .values(
                    case_id=f"{row.case_id}~{row.pk}",
                    deleted_at=now(),
                    deleted_by=self.principal.username,
                )
            )
            self._audit(conn, "delete", row.org_id, row.case_id, int(row.version), None)

    def deleted(self, org_id: str | None = None) -> builtins.list[DeletedCase]:
        """Soft-deleted cases (an administrator's view; all organisations unless ``org_id``)."""
        self._need("admin.undelete")
        q = sa.select(T.cases).where(T.cases.c.deleted_at.is_not(None))
        if org_id is not None:
            q = q.where(T.cases.c.org_id == org_id)
        with self._read() as conn:
            rows = conn.execute(q.order_by(T.cases.c.deleted_at.desc())).all()
        return [
            DeletedCase(
                r.pk,
                r.org_id,
                r.case_id.split("~", 1)[0],
                r.name,
                int(r.version),
                r.deleted_at,
                r.deleted_by or "",
            )
            for r in rows
        ]

    def restore(self, key: int) -> DeletedCase:
        """Undo a soft delete (administrators); refused if the id was taken again meanwhile."""
        self._need("admin.undelete")
        with self._write() as conn:
            row = conn.execute(
                sa.select(T.cases).where(T.cases.c.pk == key, T.cases.c.deleted_at.is_not(None))
            ).first()
            if row is None:
                raise _not_found(str(key))
            case_id = row.case_id.split("~", 1)[0]
            clash = conn.execute(
                sa.select(T.cases.c.pk).where(
                    T.cases.c.org_id == row.org_id, T.cases.c.case_id == case_id
                )
            ).first()
            if clash is not None:
                raise _exists(case_id)
            conn.execute(
                T.cases.update()
                .where(T.cases.c.pk == key)
                .values(case_id=case_id, deleted_at=None, deleted_by=None)
            )
            self._audit(conn, "restore", row.org_id, case_id, None, int(row.version))
        return DeletedCase(key, row.org_id, case_id, row.name, int(row.version), row.deleted_at, "")

    # -- sharing

    def share(self, case_id: str, org_id: str, mode: str = "read") -> None:
        """Share one of the organisation's cases with another organisation, ``read`` or ``edit``
        (sharing again changes the mode)."""
        self._need("cases.share")
        if mode not in SHARE_MODES:
            raise ValueError(f"share mode must be read or edit, not {mode!r}")
        with self._write() as conn:
            row, access = self._resolve(conn, case_id)
            if access != "owner":
                raise _not_found(case_id)
            target = conn.execute(
                sa.select(T.organisations.c.id, T.organisations.c.disabled).where(
                    T.organisations.c.id == org_id
                )
            ).first()
            if target is None or org_id == row.org_id:
                raise StoreError(
                    f"there is no other organisation {org_id!r} to share with",
                    f"没有可共享的单位 {org_id}。",
                    org_id=org_id,
                )
            if target.disabled:  # its accounts cannot sign in: a share would reach no one
                raise StoreError(
                    f"organisation {org_id!r} is disabled on this server; enable it first "
                    "(advisor users enable-org) to share a case with it",
                    f"单位 {org_id} 已在本服务器停用，不能向它共享案例；"
                    "如需共享，请先由管理员启用该单位（advisor users enable-org）。",
                    org_id=org_id,
                )
            conn.execute(
                T.shares.delete().where(T.shares.c.case_pk == row.pk, T.shares.c.org_id == org_id)
            )
            conn.execute(
                T.shares.insert().values(
                    case_pk=row.pk,
                    org_id=org_id,
                    mode=mode,
                    created_at=now(),
                    created_by=self.principal.username,
                )
            )
            self._audit(
                conn, "share", row.org_id, row.case_id, int(row.version), None, to=org_id, mode=mode
            )

    def unshare(self, case_id: str, org_id: str) -> None:
        """Stop sharing a case with an organisation."""
        self._need("cases.share")
        with self._write() as conn:
            row, access = self._resolve(conn, case_id)
            if access != "owner":
                raise _not_found(case_id)
            conn.execute(
                T.shares.delete().where(T.shares.c.case_pk == row.pk, T.shares.c.org_id == org_id)
            )
            self._audit(conn, "unshare", row.org_id, row.case_id, int(row.version), None, to=org_id)

    def shares(self, case_id: str) -> dict[str, str]:
        """The organisations a case of ours is shared with, and how."""
        with self._read() as conn:
            row, access = self._resolve(conn, case_id)
            if access != "owner":
                return {}
            rows = conn.execute(
                sa.select(T.shares.c.org_id, T.shares.c.mode).where(T.shares.c.case_pk == row.pk)
            ).all()
        return {r.org_id: r.mode for r in rows}

    # -- import and export

    def import_text(
        self, text: str | bytes, source: str = "import", replace: bool = False
    ) -> builtins.list[CaseRecord]:
        """Add the profile (or list of profiles) in a JSON or YAML document to the caller's
        organisation.

        Everything is validated before anything is written, in one transaction: on any problem
        ProfileError lists every one (prefixed ``[n]`` for the n-th profile of a list) and the
        library is unchanged. An id already in the organisation is a problem unless ``replace``;
        ids of other organisations never clash (and are never touched).
        """
        self._need("cases.write")
        raw = text.encode("utf-8") if isinstance(text, str) else text
        data = parse_document(raw, source)
        docs = data if isinstance(data, list) else [data]
        if not docs:
            raise ProfileError([FieldProblem("", "the file holds an empty list")], source)
        if len(docs) > MAX_IMPORT_CASES:
            raise ProfileError(
                [FieldProblem("", f"{len(docs)} profiles; the limit is {MAX_IMPORT_CASES}")],
                source,
            )
        profiles: list[CaseProfile] = []
        problems: list[FieldProblem] = []
        for i, doc in enumerate(docs):
            prefix = f"[{i + 1}] " if isinstance(data, list) else ""
            try:
                profiles.append(profile_from_data(doc))
            except ProfileError as exc:
                problems += [
                    FieldProblem(p.path, prefix + p.message, prefix + p.zh if p.zh else None)
                    for p in exc.problems
                ]
        seen: set[str] = set()
        for p in profiles:
            if p.id in seen:
                problems.append(FieldProblem("id", f"{p.id!r} appears twice in the file"))
            seen.add(p.id)
        if problems:
            raise ProfileError(problems, source)
        stamp = now()
        org = self.principal.org_id
        who = self.principal.username
        try:
            with self._write() as conn:
                taken = {
                    r.case_id: r
                    for r in conn.execute(
                        sa.select(T.cases).where(
                            T.cases.c.org_id == org,
                            T.cases.c.case_id.in_([p.id for p in profiles]),
                        )
                    )
                }
                clash = [p.id for p in profiles if p.id in taken]
                if clash and not replace:
                    raise ProfileError(
                        [
                            FieldProblem(
                                "id", f"{cid!r} is already in the library (nothing imported)"
                            )
                            for cid in clash
                        ],
                        source,
                    )
                for p in profiles:
                    if p.id in taken:
                        row = taken[p.id]
                        self._update(conn, row, p.id, None, p.name, p.model_dump_json(), stamp)
                        self._audit(
                            conn,
                            "import",
                            org,
                            p.id,
                            int(row.version),
                            int(row.version) + 1,
                            source=source[:200],
                            replaced=True,
                        )
                    else:
                        conn.execute(T.cases.insert().values(_new_case_row(org, p, stamp, who)))
                        self._audit(conn, "import", org, p.id, None, 1, source=source[:200])
                rows = [self._resolve(conn, p.id)[0] for p in profiles]
        except sa_exc.IntegrityError:
            raise ProfileError(
                [FieldProblem("id", "a case with one of these ids was added meanwhile")], source
            ) from None
        return [_record(r, "owner") for r in rows]

    def export(self, case_id: str, fmt: ExportFormat = "json") -> str:
        """The case's profile as JSON or YAML text (what import_text reads back); audited."""
        if fmt not in ("json", "yaml"):
            raise ValueError(f"unknown export format {fmt!r}; expected json or yaml")
        self._need("cases.export")
        with self._read() as conn:
            row, access = self._resolve(conn, case_id)
        profile = _record(row, access).profile
        self._log_export(row.org_id, row.case_id, int(row.version), fmt)
        return profile_to_json(profile) if fmt == "json" else profile_to_yaml(profile)

    def export_all(self, fmt: ExportFormat = "json") -> str:
        """Every case of the caller's organisation (not those shared with it) as one list."""
        self._need("cases.export")
        with self._read() as conn:
            rows = conn.execute(
                sa.select(T.cases.c.profile)
                .where(T.cases.c.org_id == self.principal.org_id, T.cases.c.deleted_at.is_(None))
                .order_by(T.cases.c.case_id)
            ).all()
        data = [json.loads(r.profile) for r in rows]
        self._log_export(self.principal.org_id, None, None, fmt, count=len(data))
        if fmt == "yaml":
            return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    def _log_export(
        self, org: str, case_id: str | None, version: int | None, fmt: str, **detail: Any
    ) -> None:
        if self.readonly:  # reading a read-only library is allowed; the log cannot be written
            return
        with self._write() as conn:
            action = "export" if case_id else "export_all"
            self._audit(conn, action, org, case_id, version, None, format=fmt, **detail)

    # -- history

    def record_assessment(self, case_id: str, assessment: Assessment) -> HistoryEntry:
        """Keep the summary of an assessment of a saved case, stamped with the time (UTC)."""
        summary = assessment_summary(assessment)
        stamp = now()
        with self._write() as conn:
            row, _ = self._resolve(conn, case_id, "edit")
            res = conn.execute(
                T.assessments.insert().values(
                    case_pk=row.pk,
                    case_version=row.version,
                    at=stamp,
                    summary=json.dumps(summary, ensure_ascii=False),
                    by_user=self.principal.username,
                )
            )
            seq = int(res.inserted_primary_key[0])  # type: ignore[index]
            self._audit(conn, "assess", row.org_id, row.case_id, int(row.version), None, seq=seq)
        return HistoryEntry(seq, row.case_id, int(row.version), stamp, summary)

    def history(self, case_id: str) -> builtins.list[HistoryEntry]:
        """The recorded assessments of a case, oldest first."""
        with self._read() as conn:
            row, _ = self._resolve(conn, case_id)
            rows = conn.execute(
                sa.select(T.assessments)
                .where(T.assessments.c.case_pk == row.pk)
                .order_by(T.assessments.c.seq)
            ).all()
        return [
            HistoryEntry(r.seq, row.case_id, r.case_version, r.at, json.loads(r.summary))
            for r in rows
        ]

    def integrity_check(self) -> str:
        """The database's own check: ``ok`` when sound (SQLite's integrity_check), else its
        first finding."""
        problems = self.integrity_problems()
        return problems[0] if problems else "ok"

    def integrity_problems(self, limit: int = 100) -> builtins.list[str]:
        """The database's own findings, empty when sound (SQLite's ``integrity_check`` and
        foreign-key check; PostgreSQL: the connection and the schema's revision)."""
        with self._read() as conn:
            if not self.is_sqlite:
                conn.exec_driver_sql("SELECT 1")
                rev = current_revision(conn)
                return [] if rev == head_revision() else [f"schema revision {rev}"]
            rows = conn.exec_driver_sql(f"PRAGMA integrity_check({int(limit)})").all()
            found = [str(r[0]) for r in rows if str(r[0]) != "ok"]
            for r in conn.exec_driver_sql("PRAGMA foreign_key_check").all()[:limit]:
                found.append(f"row {r[1]} of {r[0]} refers to a missing row of {r[2]}")
        return found


# --------------------------------------------------------------------------- helpers


# ---- one mapping between a row of ``case_library`` (``schema.cases``) and the models


def _new_case_row(org_id: str, profile: CaseProfile, stamp: str, who: str | None) -> dict[str, Any]:
    """The columns of a new case's row (version 1, created and updated at ``stamp`` by ``who``)."""
    return {
        "org_id": org_id,
        "case_id": profile.id,
        "name": profile.name,
        "profile": profile.model_dump_json(),
        "version": 1,
        "created_at": stamp,
        "updated_at": stamp,
        "created_by": who,
        "updated_by": who,
    }


def _summary(row: Any) -> CaseSummary:
    """A library row (with its assessments' count ``n`` and the caller's ``access``) as listed."""
    return CaseSummary(
        row.case_id,
        row.name,
        int(row.version),
        row.created_at,
        row.updated_at,
        int(row.n),
        row.org_id,
        "read" if row.access == "below" else row.access,
        row.access == "below",
    )


def _record(row: Any, access: str) -> CaseRecord:
    """A library row as the case it holds, seen with the caller's ``access``."""
    return CaseRecord(
        id=row.case_id,
        name=row.name,
        version=int(row.version),
        created_at=row.created_at,
        updated_at=row.updated_at,
        profile=CaseProfile.model_validate_json(row.profile),
        owner=row.org_id,
        access="read" if access == "below" else access,
        below=access == "below",
    )


def organisations_below(conn: sa.Connection, org_id: str) -> frozenset[str]:
    """Every organisation under ``org_id`` in the hierarchy (``parent_org``), at any depth;
    safe against a cycle (which ``Accounts.set_parent`` refuses anyway)."""
    children: dict[str, list[str]] = {}
    for oid, parent in conn.execute(
        sa.select(T.organisations.c.id, T.organisations.c.parent_org).where(
            T.organisations.c.parent_org.is_not(None)
        )
    ):
        children.setdefault(parent, []).append(oid)
    found: set[str] = set()
    todo = list(children.get(org_id, ()))
    while todo:
        oid = todo.pop()
        if oid in found or oid == org_id:
            continue
        found.add(oid)
        todo.extend(children.get(oid, ()))
    return frozenset(found)


def _not_found(case_id: str) -> CaseNotFoundError:
    return CaseNotFoundError(
        f"there is no case {case_id!r} in the library "
        "(it may have been deleted in another session)",
        f"案例库中没有编号为 {case_id} 的案例（可能已在其他会话中删除）。",
        case_id=case_id,
    )


def _exists(case_id: str) -> CaseExistsError:
    return CaseExistsError(
        f"a case with id {case_id!r} is already in the library; open it to "
        "update it, or give this case another id",
        f"案例库中已有编号为 {case_id} 的案例；请打开它再修改，或换一个编号。",
        case_id=case_id,
    )


def _stale(case_id: str, expected: int, actual: int) -> StaleCaseError:
    return StaleCaseError(
        f"case {case_id!r} was changed in another session since you opened it (you edited "
        f"version {expected}, the library holds version {actual}); nothing was saved: "
        "reload the case and make your change again",
        f"案例 {case_id} 在您打开之后已被其他会话修改（您编辑的是第 {expected} 版，"
        f"案例库中已是第 {actual} 版），本次没有保存。请重新载入案例后再修改。",
        case_id=case_id,
        expected=expected,
        actual=actual,
    )


def _free_id(base: str, taken: set[str]) -> str:
    stem = re.sub(r"-copy(-\d+)?$", "", base)[:52]
    candidate = f"{stem}-copy"
    n = 2
    while candidate in taken:
        candidate = f"{stem}-copy-{n}"
        n += 1
    return candidate
