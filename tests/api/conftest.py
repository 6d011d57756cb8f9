"""Fixtures of the API tests: a case library and token table in a temporary file per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_helpers import client, tokens_by_role
from fastapi.testclient import TestClient


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cases.sqlite3"
    monkeypatch.setenv("ADVISOR_DB", str(path))
    monkeypatch.delenv("ADVISOR_API_OPEN", raising=False)
    return path


@pytest.fixture
def api(db: Path) -> Iterator[TestClient]:
    with client(db) as c:
        yield c


@pytest.fixture
def auth(db: Path) -> dict[str, dict[str, str]]:
    """role -> headers carrying a token of that role."""
    return {role: {"Authorization": value} for role, value in tokens_by_role(db).items()}


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[object]:
    """h15's throw-away PostgreSQL cluster (tests/store/pg_cluster.py) for the API tests."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "store"))
    from pg_cluster import Cluster

    cluster = Cluster()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty library: a SQLite file, or a new database on the PostgreSQL cluster."""
    if request.param == "sqlite":
        return str(tmp_path / "cases.sqlite3")
    return request.getfixturevalue("pg_cluster").new_database()
