"""The migrations' final state is the schema ``advisor/schema.py`` describes, on both engines.

The Alembic migrations create the tables; ``advisor.schema`` is what the code reads and writes.
A fresh library is upgraded to the head revision (as ``CaseStore`` does on first use) and the
database found there is compared with the metadata by Alembic's own ``compare_metadata``: every
table, column, type, nullability, key, unique constraint and index must agree, so a migration that
``schema.py`` does not follow (or the reverse) fails here and not in a user's library.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from advisor import schema
from advisor.store import CaseStore


def _differences(store: CaseStore) -> list[Any]:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, schema.metadata))


def test_the_upgraded_database_is_the_schema(store: CaseStore) -> None:
    """Upgrading an empty library gives exactly the tables of advisor/schema.py."""
    assert _differences(store) == []


def test_the_comparison_sees_a_difference(store: CaseStore) -> None:
    """An index dropped from the database is reported (the check can fail)."""
    with store.engine.begin() as conn:
        conn.execute(sa.text("DROP INDEX audit_by_org"))
    found = _differences(store)
    assert [d[0] for d in found] == ["add_index"], found
    assert found[0][1].name == "audit_by_org"
