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
