"""Alembic's environment for the case library: runs on the connection the store passes in.

``advisor db upgrade`` (and every ``CaseStore`` on first use) calls Alembic with
``config.attributes["connection"]`` set; run by hand, ``alembic`` reads the database from
``$ADVISOR_DB`` like the rest of the advisor.
"""

from __future__ import annotations

from alembic import context

from advisor.db import default_target, make_engine

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(default_target())
    with engine.connect() as conn:
        context.configure(connection=conn, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
