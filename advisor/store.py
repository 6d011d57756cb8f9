"""The case library: saved case profiles and the history of their assessments, in SQLite.

A *case* is one saved :class:`~advisor.models.CaseProfile`, keyed by the profile's ``id``, with a
``version`` that goes up by one on every change. An update names the version it was based on and is
refused (:class:`StaleCaseError`) when someone else saved in between, so two sessions editing the
same case never silently overwrite each other.

Every operation opens its own connection (the web UI runs each rerun in a new thread, and several
sessions or processes may share the file); the database is in WAL mode with a busy timeout, and
every write runs in one ``BEGIN IMMEDIATE`` transaction, so a failed operation changes nothing.

The file is created on first use: ``$ADVISOR_DB`` if set, else
``~/.local/share/coproduction-advisor/cases.sqlite3``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from advisor.errors import AdvisorError, FieldProblem, ProfileError
from advisor.io import parse_document, profile_from_data, profile_to_json, profile_to_yaml
from advisor.models import Assessment, CaseProfile

ENV_VAR = "ADVISOR_DB"
DEFAULT_PATH = Path.home() / ".local" / "share" / "coproduction-advisor" / "cases.sqlite3"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 15_000
MAX_IMPORT_CASES = 500

ExportFormat = Literal["json", "yaml"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cases (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    profile     TEXT NOT NULL,
    version     INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS assessments (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id       TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    case_version  INTEGER NOT NULL,
    at            TEXT NOT NULL,
    summary       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS assessments_by_case ON assessments(case_id, seq);
"""


# --------------------------------------------------------------------------- errors


class StoreError(AdvisorError):
    """A case-library operation was refused; nothing in the library changed."""

    code = "store_error"

    def __init__(self, message: str, **params: Any) -> None:
        self.params = params
        super().__init__(message)


class CaseNotFoundError(StoreError):
    """No case with that id (it may have been deleted in another session)."""

    code = "case_not_found"


class CaseExistsError(StoreError):
    """A new case was saved under an id that is already taken."""

    code = "case_exists"


class StaleCaseError(StoreError):
    """The case changed since the caller read it; the caller must reload before saving."""

    code = "stale_case"


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class CaseSummary:
    """One line of the library listing."""

    id: str
    name: str
    version: int
    created_at: str
    updated_at: str
    assessments: int


@dataclass(frozen=True)
class CaseRecord:
    """A saved case: the profile and the version it was read at."""

    id: str
    name: str
    version: int
    created_at: str
    updated_at: str
    profile: CaseProfile


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded assessment of a case: when, at which case version, and its summary."""

    seq: int
    case_id: str
    case_version: int
    at: str
    summary: dict[str, Any]


def default_path() -> Path:
    """The database path: ``$ADVISOR_DB`` or the per-user default."""
    env = os.environ.get(ENV_VAR, "").strip()
    return Path(env).expanduser() if env else DEFAULT_PATH


def _now() -> str:
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


# --------------------------------------------------------------------------- the store


class CaseStore:
    """The case library in one SQLite file; safe to share between threads and processes."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._read() as con:  # executescript manages its own transaction
            con.executescript(
                f"BEGIN IMMEDIATE; {_SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
            )

    # -- connections

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        con.row_factory = sqlite3.Row
        con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        con.execute("PRAGMA foreign_keys = ON")
        if con.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            con.execute("PRAGMA journal_mode = WAL")
        con.execute("PRAGMA synchronous = NORMAL")
        return con

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with closing(self._connect()) as con:
            yield con

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed whole on success, rolled back whole on any error."""
        with closing(self._connect()) as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    # -- reading

    def list(self) -> list[CaseSummary]:
        """Every case, most recently changed first."""
        with self._read() as con:
            rows = con.execute(
                "SELECT c.id, c.name, c.version, c.created_at, c.updated_at,"
                " (SELECT COUNT(*) FROM assessments a WHERE a.case_id = c.id) AS n"
                " FROM cases c ORDER BY c.updated_at DESC, c.id"
            ).fetchall()
        return [
            CaseSummary(r["id"], r["name"], r["version"], r["created_at"], r["updated_at"], r["n"])
            for r in rows
        ]

    def get(self, case_id: str) -> CaseRecord:
        """The case with that id; raise CaseNotFoundError if there is none."""
        with self._read() as con:
            row = con.execute("SELECT * FROM cases WHERE id = ?", (case_id,)).fetchone()
        if row is None:
            raise _not_found(case_id)
        return _record(row)

    def exists(self, case_id: str) -> bool:
        with self._read() as con:
            return (
                con.execute("SELECT 1 FROM cases WHERE id = ?", (case_id,)).fetchone() is not None
            )

    # -- writing

    def save(self, profile: CaseProfile, expected_version: int | None = None) -> CaseRecord:
        """Save a case and return it at its new version.

        With ``expected_version`` None the case must be new (CaseExistsError if the id is taken);
        otherwise the stored case must still be at that version (StaleCaseError if someone saved
        in between, CaseNotFoundError if it was deleted).
        """
        profile = CaseProfile.model_validate(profile.model_dump())
        now = _now()
        body = profile.model_dump_json()
        with self._write() as con:
            row = con.execute("SELECT version FROM cases WHERE id = ?", (profile.id,)).fetchone()
            if expected_version is None:
                if row is not None:
                    raise CaseExistsError(
                        f"a case with id {profile.id!r} is already in the library; open it to "
                        "update it, or give this case another id",
                        case_id=profile.id,
                    )
                con.execute(
                    "INSERT INTO cases (id, name, profile, version, created_at, updated_at)"
                    " VALUES (?, ?, ?, 1, ?, ?)",
                    (profile.id, profile.name, body, now, now),
                )
            else:
                _check_version(row, profile.id, expected_version)
                con.execute(
                    "UPDATE cases SET name = ?, profile = ?, version = version + 1,"
                    " updated_at = ? WHERE id = ? AND version = ?",
                    (profile.name, body, now, profile.id, expected_version),
                )
            out = con.execute("SELECT * FROM cases WHERE id = ?", (profile.id,)).fetchone()
        return _record(out)

    def rename(
        self, case_id: str, new_name: str, expected_version: int | None = None
    ) -> CaseRecord:
        """Change a case's display name (its id stays); validated like any profile name."""
        with self._write() as con:
            row = con.execute("SELECT * FROM cases WHERE id = ?", (case_id,)).fetchone()
            if row is None:
                raise _not_found(case_id)
            if expected_version is not None:
                _check_version(row, case_id, expected_version)
            data = json.loads(row["profile"])
            data["name"] = new_name
            profile = profile_from_data(data)
            con.execute(
                "UPDATE cases SET name = ?, profile = ?, version = version + 1, updated_at = ?"
                " WHERE id = ?",
                (profile.name, profile.model_dump_json(), _now(), case_id),
            )
            out = con.execute("SELECT * FROM cases WHERE id = ?", (case_id,)).fetchone()
        return _record(out)

    def duplicate(
        self, case_id: str, new_id: str | None = None, new_name: str | None = None
    ) -> CaseRecord:
        """Copy a case under a new id (default: ``<id>-copy``, ``<id>-copy-2`` ...)."""
        with self._write() as con:
            row = con.execute("SELECT * FROM cases WHERE id = ?", (case_id,)).fetchone()
            if row is None:
                raise _not_found(case_id)
            taken = {r[0] for r in con.execute("SELECT id FROM cases")}
            if new_id is None:
                new_id = _free_id(case_id, taken)
            elif new_id in taken:
                raise CaseExistsError(
                    f"a case with id {new_id!r} is already in the library", case_id=new_id
                )
            data = json.loads(row["profile"])
            data["id"] = new_id
            data["name"] = new_name if new_name is not None else row["name"]
            profile = profile_from_data(data)
            now = _now()
            con.execute(
                "INSERT INTO cases (id, name, profile, version, created_at, updated_at)"
                " VALUES (?, ?, ?, 1, ?, ?)",
                (profile.id, profile.name, profile.model_dump_json(), now, now),
            )
            out = con.execute("SELECT * FROM cases WHERE id = ?", (profile.id,)).fetchone()
        return _record(out)

    def delete(self, case_id: str, expected_version: int | None = None) -> None:
        """Delete a case and its history; refuse if it changed since ``expected_version``."""
        with self._write() as con:
            row = con.execute("SELECT version FROM cases WHERE id = ?", (case_id,)).fetchone()
            if row is None:
                raise _not_found(case_id)
            if expected_version is not None:
                _check_version(row, case_id, expected_version)
            con.execute("DELETE FROM cases WHERE id = ?", (case_id,))

    # -- import and export

    def import_text(
        self, text: str | bytes, source: str = "import", replace: bool = False
    ) -> list[CaseRecord]:
        """Add the profile (or list of profiles) in a JSON or YAML document.

        Everything is validated before anything is written, in one transaction: on any problem
        ProfileError lists every one (prefixed ``[n]`` for the n-th profile of a list) and the
        library is unchanged. An id already in the library is a problem unless ``replace``.
        """
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
        now = _now()
        with self._write() as con:
            taken = {r[0] for r in con.execute("SELECT id FROM cases")}
            clash = [p.id for p in profiles if p.id in taken]
            if clash and not replace:
                raise ProfileError(
                    [
                        FieldProblem("id", f"{cid!r} is already in the library (nothing imported)")
                        for cid in clash
                    ],
                    source,
                )
            for p in profiles:
                body = p.model_dump_json()
                if p.id in taken:
                    con.execute(
                        "UPDATE cases SET name = ?, profile = ?, version = version + 1,"
                        " updated_at = ? WHERE id = ?",
                        (p.name, body, now, p.id),
                    )
                else:
                    con.execute(
                        "INSERT INTO cases (id, name, profile, version, created_at, updated_at)"
                        " VALUES (?, ?, ?, 1, ?, ?)",
                        (p.id, p.name, body, now, now),
                    )
            rows = [
                con.execute("SELECT * FROM cases WHERE id = ?", (p.id,)).fetchone()
                for p in profiles
            ]
        return [_record(r) for r in rows]

    def export(self, case_id: str, fmt: ExportFormat = "json") -> str:
        """The case's profile as JSON or YAML text (what import_text reads back)."""
        profile = self.get(case_id).profile
        if fmt == "json":
            return profile_to_json(profile)
        if fmt == "yaml":
            return profile_to_yaml(profile)
        raise ValueError(f"unknown export format {fmt!r}; expected json or yaml")

    def export_all(self, fmt: ExportFormat = "json") -> str:
        """Every case as one JSON or YAML list."""
        with self._read() as con:
            rows = con.execute("SELECT profile FROM cases ORDER BY id").fetchall()
        data = [json.loads(r["profile"]) for r in rows]
        if fmt == "yaml":
            return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    # -- history

    def record_assessment(self, case_id: str, assessment: Assessment) -> HistoryEntry:
        """Keep the summary of an assessment of a saved case, stamped with the time (UTC)."""
        summary = assessment_summary(assessment)
        now = _now()
        with self._write() as con:
            row = con.execute("SELECT version FROM cases WHERE id = ?", (case_id,)).fetchone()
            if row is None:
                raise _not_found(case_id)
            cur = con.execute(
                "INSERT INTO assessments (case_id, case_version, at, summary) VALUES (?, ?, ?, ?)",
                (case_id, row["version"], now, json.dumps(summary, ensure_ascii=False)),
            )
            seq = int(cur.lastrowid or 0)
        return HistoryEntry(seq, case_id, int(row["version"]), now, summary)

    def history(self, case_id: str) -> list[HistoryEntry]:
        """The recorded assessments of a case, oldest first."""
        with self._read() as con:
            if con.execute("SELECT 1 FROM cases WHERE id = ?", (case_id,)).fetchone() is None:
                raise _not_found(case_id)
            rows = con.execute(
                "SELECT * FROM assessments WHERE case_id = ? ORDER BY seq", (case_id,)
            ).fetchall()
        return [
            HistoryEntry(
                r["seq"], r["case_id"], r["case_version"], r["at"], json.loads(r["summary"])
            )
            for r in rows
        ]

    def integrity_check(self) -> str:
        """SQLite's own integrity check: ``ok`` when the file is sound."""
        with self._read() as con:
            return str(con.execute("PRAGMA integrity_check").fetchone()[0])


# --------------------------------------------------------------------------- helpers


def _record(row: sqlite3.Row) -> CaseRecord:
    return CaseRecord(
        id=row["id"],
        name=row["name"],
        version=int(row["version"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        profile=CaseProfile.model_validate_json(row["profile"]),
    )


def _not_found(case_id: str) -> CaseNotFoundError:
    return CaseNotFoundError(
        f"there is no case {case_id!r} in the library "
        "(it may have been deleted in another session)",
        case_id=case_id,
    )


def _check_version(row: sqlite3.Row | None, case_id: str, expected: int) -> None:
    if row is None:
        raise _not_found(case_id)
    if int(row["version"]) != expected:
        raise StaleCaseError(
            f"case {case_id!r} was changed in another session since you opened it (you edited "
            f"version {expected}, the library holds version {row['version']}); nothing was saved: "
            "reload the case and make your change again",
            case_id=case_id,
            expected=expected,
            actual=int(row["version"]),
        )


def _free_id(base: str, taken: set[str]) -> str:
    stem = re.sub(r"-copy(-\d+)?$", "", base)[:52]
    candidate = f"{stem}-copy"
    n = 2
    while candidate in taken:
        candidate = f"{stem}-copy-{n}"
        n += 1
    return candidate
