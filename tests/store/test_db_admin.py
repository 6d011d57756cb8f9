"""Migrations, backup and restore, and the ``advisor db|users|audit`` commands."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from sample_profiles import profile_data

from advisor import backup
from advisor.accounts import Accounts
from advisor.models import CaseProfile
from advisor.principal import Principal, Role
from advisor.store import CaseStore, StaleCaseError, head_revision

ROOT = Path(__file__).resolve().parents[2]
ADMIN = Principal("ada", "local", Role.ADMIN)


def profile(**kw: Any) -> CaseProfile:
    return CaseProfile.model_validate(profile_data(**kw))


def cli(
    *args: str, db: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "advisor.cli.main", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        input=stdin,
        env={**os.environ, "ADVISOR_DB": db, "LANG": "C.UTF-8", **(env or {})},
        timeout=120,
    )


def test_library_of_the_hand_written_schema_is_upgraded(tmp_path: Path) -> None:
    """A library made before migrations (tables cases/assessments, user_version 1) keeps every
    case, version and history entry, now in the 'local' organisation."""
    path = tmp_path / "old.sqlite3"
    con = sqlite3.connect(path)
    con.executescript(
        """
        CREATE TABLE cases (id TEXT PRIMARY KEY, name TEXT NOT NULL, profile TEXT NOT NULL,
            version INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
        CREATE TABLE assessments (seq INTEGER PRIMARY KEY AUTOINCREMENT,
            case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
            case_version INTEGER NOT NULL, at TEXT NOT NULL, summary TEXT NOT NULL);
        CREATE INDEX assessments_by_case ON assessments(case_id, seq);
        PRAGMA user_version = 1;
        """
    )
    con.execute(
        "INSERT INTO cases VALUES ('case-a', 'Old', ?, 4, '2025-01-01', '2025-02-01')",
        (profile(name="Old").model_dump_json(),),
    )
    con.execute(
        "INSERT INTO assessments (case_id, case_version, at, summary) VALUES"
        " ('case-a', 3, '2025-01-15', '{\"asymmetry\": {\"level\": \"high\"}}')"
    )
    con.commit()
    con.close()
    store = CaseStore(path)
    assert store.upgraded == ("0001", head_revision())
    rec = store.get("case-a")
    assert (rec.name, rec.version, rec.owner) == ("Old", 4, "local")
    [h] = store.history("case-a")
    assert (h.case_version, h.summary["asymmetry"]["level"]) == (3, "high")
    assert CaseStore(path).upgraded == (head_revision(), head_revision())


def test_backup_while_writing_then_restore_across_engines(
    store: CaseStore, tmp_path: Path, pg_cluster: Any
) -> None:
    """A backup taken while another thread keeps saving is consistent (its counts match its rows,
    every case whole), and restores into an empty SQLite file and an empty PostgreSQL database;
    a restore never goes into a library that holds anything."""
    acc = Accounts(store.as_principal(ADMIN))
    acc.add_organisation("office-b", "东城街道办事处", "street_office")
    acc.add_user("bob", "office-b", "official", "a long password")
    bob = store.as_principal(Principal("bob", "office-b", Role.OFFICIAL))
    bob.save(profile())
    stop = threading.Event()

    def writer() -> None:
        i = 0
        while not stop.is_set():
            rec = bob.get("case-a")
            with contextlib.suppress(StaleCaseError):
                bob.save(profile(volunteers=i), expected_version=rec.version)
            bob.save(profile(case_id=f"w-{i}"))
            i += 1

    t = threading.Thread(target=writer)
    t.start()
    try:
        counts = backup.backup(store, tmp_path / "b.jsonl.gz")
    finally:
        stop.set()
        t.join()
    with pytest.raises(backup.BackupError, match="already exists"):
        backup.backup(store, tmp_path / "b.jsonl.gz")
    for target in (str(tmp_path / "r.sqlite3"), pg_cluster.new_database()):
        fresh = CaseStore(target, principal=ADMIN)
        restored = backup.restore(fresh, tmp_path / "b.jsonl.gz")
        assert restored == counts
        rbob = fresh.as_principal(Principal("bob", "office-b", Role.OFFICIAL))
        assert len(rbob.list()) == counts["case_library"]
        assert Accounts(fresh).sign_in("bob", "a long password").principal.org_id == "office-b"
        rbob.save(profile(case_id="after-restore"))  # the sequences continue
        with pytest.raises(backup.BackupError, match="not empty"):
            backup.restore(fresh, tmp_path / "b.jsonl.gz")
        fresh.dispose()


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    """A random or truncated file is refused by name; the target stays empty."""
    junk = tmp_path / "junk.gz"
    junk.write_bytes(b"\x1f\x8b not really")
    store = CaseStore(tmp_path / "t.sqlite3")
    with pytest.raises(backup.BackupError, match="not a case-library backup"):
        backup.restore(store, junk)
    src = CaseStore(tmp_path / "s.sqlite3")
    for i in range(50):
        src.save(profile(case_id=f"c-{i}"))
    backup.backup(src, tmp_path / "full.gz")
    data = (tmp_path / "full.gz").read_bytes()
    (tmp_path / "cut.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(backup.BackupError):
        backup.restore(store, tmp_path / "cut.gz")
    assert store.list() == []


def test_cli_users_audit_and_db(tmp_path: Path) -> None:
    """The administrator's commands: add an account, list it, lock it out, reset, disable; read
    the audit trail; back up and restore; each with exit 0, or 1 and a message."""
    db = str(tmp_path / "c.sqlite3")
    res = cli(
        "users", "add", "bob", "--org", "office-b", "--org-name", "东城街道办事处",
        "--org-kind", "street_office", "--role", "official", "--password-stdin",
        db=db, stdin="a long password\n",
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    res = cli("users", "add", "eve", "--org", "office-b", "--role", "official",
              "--password-stdin", db=db, stdin="short\n")  # fmt: skip
    assert res.returncode == 1 and "at least" in res.stderr
    assert "bob" in cli("users", "list", db=db).stdout
    acc = Accounts(CaseStore(db, principal=ADMIN))
    for _ in range(5):
        with pytest.raises(Exception):  # noqa: B017 - SignInError, then LockedOutError
            acc.sign_in("bob", "wrong")
    assert "locked" in cli("users", "list", db=db).stdout
    res = cli("users", "reset-password", "bob", "--password-stdin", db=db, stdin="new long pass\n")
    assert res.returncode == 0, res.stderr
    assert acc.sign_in("bob", "new long pass")
    assert cli("users", "disable", "bob", db=db).returncode == 0
    assert "disabled" in cli("users", "list", db=db).stdout
    trail = cli("audit", db=db).stdout
    for action in ("user_add", "sign_in_failed", "locked_out", "password_reset", "user_disable"):
        assert action in trail
    assert cli("db", "backup", str(tmp_path / "b.gz"), db=db).returncode == 0
    res = cli("db", "restore", str(tmp_path / "b.gz"), db=str(tmp_path / "new.sqlite3"))
    assert res.returncode == 0, res.stderr
    res = cli("db", "restore", str(tmp_path / "b.gz"), db=db)
    assert res.returncode == 1 and "not empty" in res.stderr
    assert "up to date" in cli("db", "upgrade", db=db).stdout
    assert cli("db", "check", db=db).stdout.strip() == (
        "The case library's database is sound: SQLite's own check found no problem."
    )


def test_db_check_speaks_plain_words_in_the_cli_language(tmp_path: Path) -> None:
    """`advisor db check`: every line a sentence in the CLI's language, never a Python repr
    (a damaged file used to print the logged exception's repr on stderr first)."""
    good = str(tmp_path / "good.sqlite3")
    CaseStore(good).dispose()
    zh = {"LANG": "zh_CN.UTF-8"}
    res = cli("db", "check", db=good, env=zh)
    assert (
        res.returncode == 0
        and res.stdout == "案例库数据库完好：SQLite 自身的完整性检查未发现问题。\n"
    )
    assert res.stderr == ""
    # a file that is not a database: one plain line on stderr, in the CLI's language
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 40)
    for env, words in ((zh, "已损坏或不是案例库"), ({}, "is damaged or is not a case library")):
        res = cli("db", "check", db=str(bad), env=env)
        assert res.returncode == 1 and res.stdout == ""
        lines = res.stderr.splitlines()
        assert len(lines) == 1 and words in lines[0], res.stderr
        assert "Error(" not in res.stderr and "sqlite3." not in res.stderr
    # a library whose rows break its own references: counted, listed with --details
    con = sqlite3.connect(good)  # foreign keys are off in a bare connection
    con.execute(
        "INSERT INTO case_library (org_id, case_id, name, profile, version, created_at, "
        "updated_at) VALUES ('ghost', 'x', 'x', '{}', 1, 'now', 'now')"
    )
    con.commit()
    con.close()
    res = cli("db", "check", db=good, env=zh)
    assert res.returncode == 1
    assert res.stdout.splitlines() == [
        "案例库数据库已损坏：SQLite 自身的完整性检查发现 1 处问题。"
        "请从备份恢复到新的案例库（advisor db restore）。",
        "  （加 --details 重新运行可列出这些问题）",
    ]
    res = cli("db", "check", "--details", db=good)
    assert res.returncode == 1
    assert res.stdout.splitlines()[1] == (
        "  problem 1: row 1 of case_library refers to a missing row of organisations"
    )


def test_users_orgs_shows_the_hierarchy(tmp_path: Path) -> None:
    """`advisor users add-org --parent`, `set-parent` and `orgs` (indented under the parent)."""
    db = str(tmp_path / "h.sqlite3")
    acc = Accounts(CaseStore(db, principal=ADMIN))
    acc.add_organisation("civil", "XX区民政局", "civil_affairs")
    acc.add_organisation("comm-1", "和平社区", "community")
    res = cli("users", "add-org", "street-d", "--name", "东城街道", "--kind", "street_office",
              "--parent", "civil", db=db)  # fmt: skip
    assert res.returncode == 0 and "under civil" in res.stdout, res.stderr
    res = cli("users", "set-parent", "comm-1", "street-d", db=db)
    assert res.returncode == 0 and "under street-d" in res.stdout, res.stderr
    res = cli("users", "set-parent", "civil", "comm-1", db=db, env={"LANG": "zh_CN.UTF-8"})
    assert res.returncode == 1 and "不能位于自己之上" in res.stderr
    lines = cli("users", "orgs", db=db).stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["civil", "street-d", "comm-1", "local"]
    assert lines[1].startswith("  street-d") and lines[2].startswith("    comm-1")
