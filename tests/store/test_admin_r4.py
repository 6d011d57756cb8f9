"""What a district's IT office needs from the administrator's commands: how each account signs
in (`advisor users list`), backups an office can open (`advisor db backup`), and organisations
whose contract has ended (`advisor users disable-org`)."""

from __future__ import annotations

import json
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
from advisor.accounts import AccountError, Accounts
from advisor.models import CaseProfile
from advisor.principal import Principal, Role
from advisor.store import CaseStore

ROOT = Path(__file__).resolve().parents[2]
ADMIN = Principal("ada", "local", Role.ADMIN)
PW = "a long password"


def cli(*args: str, db: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "advisor.cli.main", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "ADVISOR_DB": db, "LANG": "C.UTF-8", **(env or {})},
        timeout=120,
    )


def test_users_list_says_how_each_account_signs_in(tmp_path: Path) -> None:
    """Password, OIDC bound or still to be bound by e-mail, locked, disabled, last sign-in: as a
    table in the chosen language (columns aligned by display width) and as JSON."""
    db = str(tmp_path / "u.sqlite3")
    acc = Accounts(CaseStore(db, principal=ADMIN))
    acc.add_organisation("office-b", "东城街道办事处", "street_office")
    acc.add_user("bob", "office-b", "official", PW)
    acc.add_user("li@x.cn", "office-b", "planner")
    acc.add_user("wang", "office-b", "admin", PW, oidc_subject="sub-1")
    acc.add_user("zoe", "office-b", "official", PW)
    acc.sign_in("bob", PW)
    for _ in range(5):
        try:
            acc.sign_in("wang", "wrong")
        except AccountError:  # SignInError, then LockedOutError
            continue
    acc.set_disabled("zoe")

    res = cli("users", "list", "--lang", "zh", db=db)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].split() == ["用户名", "单位", "角色", "登录方式", "状态", "最近登录（UTC）"]
    by_name = {line.split()[0]: line for line in lines[2:]}
    assert (
        "密码" in by_name["bob"] and "正常" in by_name["bob"] and "从未登录" not in by_name["bob"]
    )
    assert "统一身份认证（未绑定：首次登录时按邮箱匹配）" in by_name["li@x.cn"]
    assert "密码＋统一身份认证（已绑定）" in by_name["wang"] and "锁定至" in by_name["wang"]
    assert "已停用" in by_name["zoe"] and "从未登录" in by_name["zoe"]
    # the state column starts at the same terminal cell on every row
    from advisor.cli.admin import _width

    starts = {
        _width(line[: line.index(w)])
        for line, w in zip(lines[2:], ["正常", "正常", "锁定至", "已停用"], strict=True)
    }
    assert len(starts) == 1, res.stdout

    en = cli("users", "--lang", "en", "list", db=db, env={"LANG": "zh_CN.UTF-8"}).stdout
    assert "Signs in with" in en and "OIDC (bound)" in en and "locked until" in en

    rows = {
        r["username"]: r for r in json.loads(cli("users", "list", "--format", "json", db=db).stdout)
    }
    assert rows["bob"]["sign_in_methods"] == ["password"] and rows["bob"]["last_sign_in"]
    assert rows["li@x.cn"]["sign_in_methods"] == ["oidc"] and not rows["li@x.cn"]["oidc_bound"]
    assert rows["wang"]["state"] == "locked" and rows["wang"]["oidc_bound"]
    assert rows["zoe"]["state"] == "disabled" and rows["zoe"]["last_sign_in"] is None
    assert rows["bob"]["has_password"] and "password_hash" not in rows["bob"]


def _profile(**kw: Any) -> CaseProfile:
    return CaseProfile.model_validate(profile_data(**kw))


def test_backup_format_follows_the_file_name(
    store: CaseStore, tmp_path: Path, pg_cluster: Any
) -> None:
    """`NAME.sqlite3` on SQLite is a real SQLite file (consistent while another thread saves;
    sqlite3 opens it; it restores into both engines); on PostgreSQL it is refused, naming the
    portable suffix; a name that says neither is refused; no file is ever replaced."""
    acc = Accounts(store.as_principal(ADMIN))
    acc.add_organisation("office-b", "东城街道办事处", "street_office")
    acc.add_user("bob", "office-b", "official", PW)
    bob = store.as_principal(Principal("bob", "office-b", Role.OFFICIAL))
    bob.save(_profile())

    for name in ("cases.bak", "cases.json", "cases"):
        with pytest.raises(backup.BackupError, match=r"\.sqlite3.*\.jsonl\.gz"):
            backup.backup(store, tmp_path / name)
        assert not (tmp_path / name).exists()
    portable = backup.backup(store, tmp_path / "p.jsonl.gz")
    assert portable["case_library"] == 1

    if store.backend == "postgresql":
        with pytest.raises(backup.BackupError, match=r"PostgreSQL.*\.jsonl\.gz") as err:
            backup.backup(store, tmp_path / "cases.sqlite3")
        assert "PostgreSQL" in err.value.text("zh") and not (tmp_path / "cases.sqlite3").exists()
        return

    stop = threading.Event()

    def writer() -> None:
        i = 0
        while not stop.is_set():
            bob.save(_profile(case_id=f"w-{i}"))
            i += 1

    t = threading.Thread(target=writer)
    t.start()
    try:
        counts = backup.backup(store, tmp_path / "copy.sqlite3")
    finally:
        stop.set()
        t.join()
    con = sqlite3.connect(tmp_path / "copy.sqlite3")  # what the IT office does
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file, whole
    assert con.execute("SELECT count(*) FROM case_library").fetchone()[0] == counts["case_library"]
    con.close()
    assert not list(tmp_path.glob("copy.sqlite3-*")) and not list(tmp_path.glob(".copy*"))
    before = (tmp_path / "copy.sqlite3").read_bytes()
    with pytest.raises(backup.BackupError, match="already exists"):
        backup.backup(store, tmp_path / "copy.sqlite3")
    assert (tmp_path / "copy.sqlite3").read_bytes() == before
    for target in (str(tmp_path / "r.sqlite3"), pg_cluster.new_database()):
        fresh = CaseStore(target, principal=ADMIN)
        assert backup.restore(fresh, tmp_path / "copy.sqlite3") == counts
        rbob = fresh.as_principal(Principal("bob", "office-b", Role.OFFICIAL))
        assert len(rbob.list()) == counts["case_library"]
        assert Accounts(fresh).sign_in("bob", PW).principal.org_id == "office-b"
        rbob.save(_profile(case_id="after-restore"))  # the sequences continue
        fresh.dispose()
    assert (tmp_path / "copy.sqlite3").read_bytes() == before  # the restore only read it
    # the copy is a library the app can run on
    on_copy = CaseStore(tmp_path / "copy.sqlite3").as_principal(bob.principal)
    assert len(on_copy.list()) == counts["case_library"]


def test_db_backup_cli_refuses_a_name_in_the_users_language(tmp_path: Path) -> None:
    db = str(tmp_path / "c.sqlite3")
    CaseStore(db).dispose()
    res = cli("db", "backup", str(tmp_path / "c.bak"), "--lang", "zh", db=db)
    assert res.returncode == 1 and "以 .sqlite3（或 .db）结尾" in res.stderr, res.stderr
    # on PostgreSQL the name is refused before any connection is tried (none could be here)
    res = cli("db", "backup", str(tmp_path / "c.sqlite3"), db="postgresql://nobody@127.0.0.1:1/x")
    assert res.returncode == 1 and ".jsonl.gz" in res.stderr and "PostgreSQL" in res.stderr
    res = cli("db", "backup", str(tmp_path / "c.db"), db=db)
    assert res.returncode == 0 and "SQLite database file" in res.stdout, res.stderr
    res = cli(
        "db", "restore", str(tmp_path / "c.db"), "--lang", "zh", db=str(tmp_path / "n.sqlite3")
    )
    assert res.returncode == 0 and res.stdout.startswith("已恢复："), res.stderr


def test_restore_refuses_a_sqlite_file_that_is_not_a_case_library(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    store = CaseStore(tmp_path / "t.sqlite3")
    with pytest.raises(backup.BackupError, match="not a case-library backup") as err:
        backup.restore(store, other)
    assert "不是案例库的备份文件" in err.value.text("zh")
    assert store.list() == []
