"""The case library keeps every save, refuses stale and invalid writes, and survives concurrency
(every test here runs on SQLite and on PostgreSQL)."""

from __future__ import annotations

import json
import multiprocessing as mp
import sqlite3
import sys
import threading
import types
from pathlib import Path
from typing import Any

import pytest
import yaml
from sample_profiles import profile_data

from advisor.errors import ProfileError
from advisor.models import CaseProfile
from advisor.store import (
    CaseExistsError,
    CaseNotFoundError,
    CaseStore,
    StaleCaseError,
    default_path,
)


def profile(**kw: Any) -> CaseProfile:
    return CaseProfile.model_validate(profile_data(**kw))


def test_created_on_first_use_in_wal_mode(tmp_path: Path) -> None:
    """The file and its folders are created, and the journal is WAL."""
    path = tmp_path / "a" / "b" / "c.sqlite3"
    CaseStore(path)
    assert path.exists()
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_path_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """ADVISOR_DB chooses the file; without it the per-user default is used."""
    monkeypatch.setenv("ADVISOR_DB", str(tmp_path / "x.sqlite3"))
    assert default_path() == tmp_path / "x.sqlite3"
    assert CaseStore().path == tmp_path / "x.sqlite3"
    monkeypatch.delenv("ADVISOR_DB")
    assert default_path().name == "cases.sqlite3"
    assert "coproduction-advisor" in str(default_path())


def test_save_get_list_round_trip(store: CaseStore) -> None:
    """A saved profile comes back equal, at version 1, and is listed."""
    rec = store.save(profile())
    assert rec.version == 1
    assert store.get("case-a").profile == profile()
    [row] = store.list()
    assert (row.id, row.name, row.version, row.assessments) == ("case-a", "Case A", 1, 0)


def test_new_case_with_taken_id_is_refused(store: CaseStore) -> None:
    """Saving a new case under an existing id names the id and changes nothing."""
    store.save(profile())
    with pytest.raises(CaseExistsError, match="case-a"):
        store.save(profile(name="Other"))
    assert store.get("case-a").name == "Case A"


def test_update_bumps_version_and_stale_save_is_refused(store: CaseStore) -> None:
    """Two editors read version 1; the first save wins, the second is refused, nothing is lost."""
    store.save(profile())
    first = profile(volunteers=20)
    second = profile(volunteers=30)
    assert store.save(first, expected_version=1).version == 2
    with pytest.raises(StaleCaseError, match="another session") as info:
        store.save(second, expected_version=1)
    assert info.value.params == {"case_id": "case-a", "expected": 1, "actual": 2}
    assert store.get("case-a").profile.human_resources.volunteers == 20


def test_rename_duplicate_delete(store: CaseStore) -> None:
    """Rename keeps the id, duplicate picks a free id, delete removes case and history."""
    store.save(profile())
    assert store.rename("case-a", "New name").name == "New name"
    assert store.get("case-a").profile.name == "New name"
    copy = store.duplicate("case-a")
    copy2 = store.duplicate("case-a")
    assert (copy.id, copy2.id) == ("case-a-copy", "case-a-copy-2")
    assert copy.profile.name == "New name"
    with pytest.raises(CaseExistsError):
        store.duplicate("case-a", new_id="case-a-copy")
    store.delete("case-a-copy")
    assert {c.id for c in store.list()} == {"case-a", "case-a-copy-2"}
    with pytest.raises(CaseNotFoundError):
        store.get("case-a-copy")
    with pytest.raises(CaseNotFoundError):
        store.delete("case-a-copy")


def test_rename_to_blank_is_refused(store: CaseStore) -> None:
    """A blank name is a profile error naming the field; the old name stays."""
    store.save(profile())
    with pytest.raises(ProfileError, match="name"):
        store.rename("case-a", "   ")
    assert store.get("case-a").name == "Case A"


def test_stale_delete_is_refused(store: CaseStore) -> None:
    """Deleting a case someone changed since you read it is refused."""
    store.save(profile())
    store.rename("case-a", "B")
    with pytest.raises(StaleCaseError):
        store.delete("case-a", expected_version=1)
    assert store.exists("case-a")


def test_html_name_is_stored_verbatim(store: CaseStore) -> None:
    """A name holding markup is data: stored and returned exactly, never interpreted."""
    name = "<script>alert(1)</script><b>x</b>"
    store.save(profile(name=name))
    assert store.get("case-a").name == name


def test_export_import_round_trip_json_and_yaml(store: CaseStore, tmp_path: Path) -> None:
    """Export then import into another library gives the same profile, in both formats."""
    store.save(profile())
    for fmt in ("json", "yaml"):
        text = store.export("case-a", fmt)
        other = CaseStore(tmp_path / f"other-{fmt}.sqlite3")  # across engines too
        [rec] = other.import_text(text)
        assert rec.profile == profile()
    assert json.loads(store.export("case-a", "json"))["id"] == "case-a"
    assert yaml.safe_load(store.export("case-a", "yaml"))["id"] == "case-a"


def test_import_list_is_all_or_nothing(store: CaseStore) -> None:
    """One bad profile in a list refuses the whole file with every reason; nothing is added."""
    bad = profile_data("case-c")
    bad["funding"]["charity"] = 0.9
    del bad["linkage"]
    doc = json.dumps([profile_data("case-b"), bad])
    with pytest.raises(ProfileError) as info:
        store.import_text(doc)
    text = "\n".join(str(p) for p in info.value.problems)
    assert "[2] funding shares sum to" in text
    assert "linkage: [2] required field is missing" in text
    assert store.list() == []


@pytest.mark.parametrize(
    ("raw", "needle"),
    [("", "empty"), ("{ not json", "malformed JSON"), ("a: [1", "malformed YAML"), ("[]", "empty")],
)
def test_unreadable_import_is_refused(store: CaseStore, raw: str, needle: str) -> None:
    """Empty or malformed text is refused with a reason."""
    with pytest.raises(ProfileError, match=needle):
        store.import_text(raw)
    assert store.list() == []


def test_import_clash_needs_replace(store: CaseStore) -> None:
    """Importing an id already present is refused unless replace is asked for."""
    store.save(profile())
    text = json.dumps(profile_data(name="Imported"))
    with pytest.raises(ProfileError, match="already in the library"):
        store.import_text(text)
    assert store.get("case-a").name == "Case A"
    [rec] = store.import_text(text, replace=True)
    assert (rec.name, rec.version) == ("Imported", 2)


def test_history_in_order(store: CaseStore) -> None:
    """Recorded assessments come back oldest first with the case version they were made at."""
    from advisor.models import Assessment

    store.save(profile())
    dims = {"legitimacy": 0.9, "funding": 0.8, "human_resources": 0.7, "knowledge": 0.6}
    a = Assessment.model_validate(
        {
            "profile_id": "case-a",
            "engine_version": "t",
            "knowledge_base_version": "k",
            "dependence": dims,
            "third_party_dependence": dict.fromkeys(dims, 0.0),
            "asymmetry": {
                "force_on_government": 0.8,
                "government_on_force": 0.2,
                "index": 0.6,
                "level": "high",
            },
            "coproduction": {"score": 1, "stage": "x"},
            "diagnoses": [],
            "actions": [],
        }
    )
    store.record_assessment("case-a", a)
    store.save(profile(volunteers=5), expected_version=1)
    store.record_assessment("case-a", a)
    hist = store.history("case-a")
    assert [h.case_version for h in hist] == [1, 2]
    assert hist[0].at < hist[1].at
    assert hist[0].summary["asymmetry"]["level"] == "high"
    assert store.list()[0].assessments == 2
    with pytest.raises(CaseNotFoundError):
        store.record_assessment("nope", a)


def _bump(path: str, case_id: str, n: int) -> int:
    """Optimistic read-modify-write of the volunteer count, retried on a stale save."""
    s = CaseStore(path)
    done = 0
    while done < n:
        rec = s.get(case_id)
        p = rec.profile.model_copy(deep=True)
        p.human_resources.volunteers += 1
        try:
            s.save(p, expected_version=rec.version)
            done += 1
        except StaleCaseError:
            continue
    return done


def _create_many(path: str, prefix: str, n: int) -> None:
    s = CaseStore(path)
    for i in range(n):
        s.save(profile(case_id=f"{prefix}-{i}", name=f"{prefix} {i}"))


def test_threads_lose_no_update(store: CaseStore) -> None:
    """8 threads x 25 increments of one case: the count is exactly 200, the file is sound."""
    store.save(profile(volunteers=0))
    threads = [threading.Thread(target=_bump, args=(store.target, "case-a", 25)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rec = store.get("case-a")
    assert rec.profile.human_resources.volunteers == 200
    assert rec.version == 201
    assert store.integrity_check() == "ok"


def test_processes_lose_nothing(store: CaseStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """4 processes creating cases and 4 bumping one case: every save is there, the file is sound."""
    store.save(profile(volunteers=0))
    ctx = mp.get_context("spawn")
    path = store.target
    procs = [ctx.Process(target=_create_many, args=(path, f"p{i}", 15)) for i in range(4)]
    procs += [ctx.Process(target=_bump, args=(path, "case-a", 15)) for _ in range(4)]
    # A spawned child re-imports the parent's ``__main__``; after an in-process Streamlit test
    # (AppTest) that can be a page script, which must not run again in the children.
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    for p in procs:
        p.start()
    for p in procs:
        p.join(900)  # a bound against a hang, not a speed target (a loaded machine is slow)
        assert p.exitcode == 0
    assert len(store.list()) == 1 + 4 * 15
    assert store.get("case-a").profile.human_resources.volunteers == 60
    assert store.integrity_check() == "ok"
