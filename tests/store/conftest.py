"""Store fixtures: one PostgreSQL cluster per test session, and a store per test on each engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pg_cluster import Cluster

from advisor.store import CaseStore


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """A PostgreSQL server for the whole session, stopped and removed at the end."""
    cluster = Cluster()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty library location: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "sub" / "cases.sqlite3")
    return request.getfixturevalue("pg_cluster").new_database()


@pytest.fixture
def store(db_target: str) -> Iterator[CaseStore]:
    """An empty case library on each engine."""
    s = CaseStore(db_target)
    yield s
    s.dispose()
