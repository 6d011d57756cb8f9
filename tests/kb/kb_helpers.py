"""Helpers for the knowledge-base tests: broken fixtures laid over a copy of the shipped data."""

from __future__ import annotations

import shutil
from pathlib import Path

from knowledge_base.loader import DATA_DIR, LoadProblem
from knowledge_base.validate import validate

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def overlay(name: str, tmp_path: Path) -> Path:
    """A copy of the shipped data with fixture ``name`` laid over it.

    The fixture is a tiny data folder: its files replace or add to the copy, and the paths
    listed in its ``_delete.txt`` are removed from the copy.
    """
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    fixture = FIXTURES / name
    for src in fixture.rglob("*"):
        if src.is_file() and src.name != "_delete.txt":
            dest = target / src.relative_to(fixture)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
    deletions = fixture / "_delete.txt"
    if deletions.exists():
        for rel in deletions.read_text(encoding="utf-8").split():
            (target / rel).unlink()
    return target


def key(p: LoadProblem) -> tuple[str, str, str, str]:
    return (p.file, p.item, p.field, p.message)


def new_problems(data: Path) -> list[LoadProblem]:
    """The problems of ``data`` that the shipped knowledge base does not have."""
    baseline = {key(p) for p in validate(DATA_DIR)}
    return [p for p in validate(data) if key(p) not in baseline]
