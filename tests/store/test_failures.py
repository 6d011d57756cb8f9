"""A damaged, read-only or full database gives a clear message in both languages, never a raw
sqlite3 error, and nothing half-written (issue 18, item 4)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fs_support import fill, remount, small_fs
from sample_profiles import profile_data
from sqlalchemy import event

from advisor.db import (
    DatabaseCorrupt,
    DatabaseFull,
    DatabaseReadOnly,
    DatabaseUnavailable,
)
from advisor.models import CaseProfile
from advisor.store import CaseStore

ROOT = Path(__file__).resolve().parents[2]


def profile(**kw: Any) -> CaseProfile:
    return CaseProfile.model_validate(profile_data(**kw))


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "advisor.cli.main", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@pytest.mark.parametrize(
    "content",
    [b"this is not a database\n" * 200, b"SQLite format 3\x00" + b"\xff" * 5000],
    ids=["text-file", "damaged-header"],
)
def test_corrupt_file_is_named_not_a_traceback(tmp_path: Path, content: bytes) -> None:
    """A file that is not a case library is refused with a message in both languages, unchanged."""
    path = tmp_path / "cases.sqlite3"
    path.write_bytes(content)
    with pytest.raises(DatabaseCorrupt) as info:
        CaseStore(path)
    assert "damaged or is not a case library" in str(info.value)
    assert "已损坏" in info.value.text("zh")
    assert path.read_bytes() == content  # nothing was written to it


def test_truncated_library_is_refused_and_left_alone(tmp_path: Path) -> None:
    """A real library cut in half on disk is reported as damaged; the bytes stay as they were."""
    path = tmp_path / "cases.sqlite3"
    store = CaseStore(path)
    for i in range(30):
        store.save(profile(case_id=f"c-{i}"))
    store.dispose()
    data = path.read_bytes()
    half = data[: len(data) // 2]
    path.write_bytes(half)
    with pytest.raises(DatabaseCorrupt) as info:
        CaseStore(path).list()
    assert "DatabaseError" not in str(info.value)
    assert path.read_bytes() == half


def test_corrupt_database_in_the_cli_exits_1_with_a_message(tmp_path: Path) -> None:
    """The CLI says the file is damaged, in the user's language, exit 1, no traceback."""
    bad = tmp_path / "bad.sqlite3"
    bad.write_text("hello\n" * 500)
    for lang, needle in (("en_US.UTF-8", "damaged"), ("zh_CN.UTF-8", "已损坏")):
        res = cli("db", "info", env={"ADVISOR_DB": str(bad), "LANG": lang})
        assert res.returncode == 1
        assert needle in res.stderr
        assert "Traceback" not in res.stderr + res.stdout
    res = cli("trainer", "roadmap", "--db", str(bad), "--case", "x")
    assert "Traceback" not in res.stderr
    assert res.returncode in (1, 2)


def test_unreachable_postgresql_is_a_clear_message() -> None:
    """A PostgreSQL URL nobody answers at gives 'cannot be reached', without the password."""
    with pytest.raises(DatabaseUnavailable) as info:
        CaseStore("postgresql://u:s3cret@127.0.0.1:9/none")
    assert "cannot be reached" in str(info.value)
    assert "s3cret" not in str(info.value)


def _readonly_library(tmp_path: Path) -> tuple[Path, Any, bool | None]:
    """A library with one case, then made read-only by the best means this machine allows: a
    read-only mount (root with the right to mount), file permissions (not root), or else (root
    without mounts, where permissions do not bind) the store told explicitly."""
    where = tmp_path / "ro"
    ctx = small_fs(where, 4096)
    mounted = ctx.__enter__()
    path = where / "cases.sqlite3"
    store = CaseStore(path)
    store.save(profile())
    store.dispose()
    if mounted is not None:
        remount(where, "ro")
        return path, ctx, None
    if os.geteuid() != 0:
        path.chmod(0o444)
        where.chmod(0o555)
        return path, ctx, None
    return path, ctx, True


def test_read_only_library_opens_for_reading_and_says_saving_is_unavailable(
    tmp_path: Path,
) -> None:
    """On a read-only file system the library opens read-only: reading works, saving is refused
    with a message in both languages, and the file is unchanged."""
    path, ctx, forced = _readonly_library(tmp_path)
    try:
        before = path.read_bytes()
        store = CaseStore(path, readonly=forced)
        assert store.readonly
        assert [c.id for c in store.list()] == ["case-a"]
        assert store.get("case-a").profile == profile()
        assert store.history("case-a") == []
        assert store.export("case-a", "json")  # exporting is reading
        with pytest.raises(DatabaseReadOnly) as info:
            store.save(profile(name="Changed"), expected_version=1)
        assert "saving is unavailable" in str(info.value)
        assert "无法保存" in info.value.text("zh")
        with pytest.raises(DatabaseReadOnly):
            store.delete("case-a")
        assert path.read_bytes() == before
        if forced is None:  # detected from the file system, also by the CLI
            res = cli("db", "info", env={"ADVISOR_DB": str(path)})
            assert res.returncode == 0 and "read-only: yes" in res.stdout
    finally:
        if ctx is not None:
            ctx.__exit__(None, None, None)


def test_explicitly_read_only_store_never_writes(tmp_path: Path) -> None:
    """readonly=True opens the file with mode=ro whatever its permissions."""
    path = tmp_path / "c.sqlite3"
    CaseStore(path).save(profile())
    ro = CaseStore(path, readonly=True)
    assert ro.get("case-a").version == 1
    with pytest.raises(DatabaseReadOnly):
        ro.import_text(ro.export("case-a"), replace=True)


def _cap_pages(store: CaseStore, pages: int) -> None:
    """SQLite's own 'database or disk is full' (SQLITE_FULL), the same error a full disk gives."""

    @event.listens_for(store.engine, "connect")
    def _cap(dbapi_con: Any, _rec: Any) -> None:
        dbapi_con.execute(f"PRAGMA max_page_count = {pages}")


def test_full_disk_simulated_by_sqlite_full(tmp_path: Path) -> None:
    """SQLITE_FULL on save: a clear message in both languages, and the library as it was."""
    store = CaseStore(tmp_path / "c.sqlite3")
    store.save(profile())
    with store.engine.connect() as conn:
        used = conn.exec_driver_sql("PRAGMA page_count").scalar()
    _cap_pages(store, int(used))
    big = profile(case_id="big", name="x" * 150)
    batch = (
        "["
        + ",".join(
            CaseProfile.model_validate(profile_data(f"b-{i}", "n" * 150)).model_dump_json()
            for i in range(400)
        )
        + "]"
    )
    with pytest.raises(DatabaseFull) as info:
        store.import_text(batch)
    assert "disk holding the case library is full" in str(info.value)
    assert "磁盘已满" in info.value.text("zh")
    assert [c.id for c in store.list()] == ["case-a"]  # nothing of the import was kept
    assert store.integrity_check() == "ok"
    del big


def test_full_disk_on_a_small_file_system(tmp_path: Path) -> None:
    """On a real tmpfs filled to the last byte, saves fail cleanly and succeed once space is
    freed; no case is half-written and the file stays sound."""
    where = tmp_path / "small"
    with small_fs(where, 1024) as mounted:
        if mounted is None:  # no right to mount here: the SQLITE_FULL test above covers it
            test_full_disk_simulated_by_sqlite_full(tmp_path)
            return
        store = CaseStore(where / "cases.sqlite3")
        store.save(profile())
        filler = fill(where)
        failed, done = set(), {"case-a"}
        for i in range(40):
            try:
                store.save(profile(case_id=f"c-{i}", name="n" * 150))
                done.add(f"c-{i}")
            except DatabaseFull as exc:
                failed.add(f"c-{i}")
                assert "full" in str(exc) and "磁盘已满" in exc.text("zh")
        assert failed
        filler.unlink()
        assert {c.id for c in store.list()} == done  # each save wholly there or wholly not
        for c in done:
            assert store.get(c).version == 1
        store.save(profile(case_id="after", name="after"))
        assert store.integrity_check() == "ok"
        store.dispose()
