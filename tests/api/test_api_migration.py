"""Migration 0003: a library that had the interim token and classroom tables keeps its data;
`advisor tokens` works on either engine."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from api_helpers import cli, ensure_org

from advisor.api.tokens import TokenStore, digest
from advisor.classroom import Classroom
from advisor.db import make_engine
from advisor.pipeline import preset
from advisor.store import CaseStore, _alembic_config, head_revision
from advisor.trainer.exercise import create_pack, pack_to_text

INTERIM = """
CREATE TABLE api_tokens (id TEXT PRIMARY KEY, secret_sha256 TEXT NOT NULL UNIQUE,
    organisation TEXT NOT NULL, role TEXT NOT NULL, label TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL, revoked_at TEXT);
CREATE TABLE classroom_sessions (id TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE,
    pack TEXT NOT NULL, trainer_key_sha256 TEXT NOT NULL, allow_guests INTEGER NOT NULL,
    roster TEXT NOT NULL, state TEXT NOT NULL, created_at TEXT NOT NULL, revealed_at TEXT);
CREATE TABLE classroom_participants (id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES classroom_sessions(id) ON DELETE CASCADE,
    name TEXT NOT NULL, name_key TEXT NOT NULL, key_sha256 TEXT NOT NULL UNIQUE,
    joined_at TEXT NOT NULL, ranking TEXT, answered_at TEXT, UNIQUE (session_id, name_key));
CREATE INDEX classroom_participants_by_session ON classroom_participants(session_id, joined_at);
"""


def test_interim_tables_are_kept_and_their_rows_carried_over(tmp_path: Path) -> None:
    """A library at 0002 with the interim tables: after the upgrade a token of an existing
    organisation works (its interim role name mapped), one naming no organisation does not,
    the class and its participant are in 'local'; the interim tables are still there."""
    db = tmp_path / "cases.sqlite3"
    engine = make_engine(db)
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0002")
    engine.dispose()
    good = "adv_abcd1234_" + "k" * 43
    lost = "adv_efgh5678_" + "m" * 43
    pack = pack_to_text(create_pack(preset("case-y"), max_actions=4), "json")
    with sqlite3.connect(db) as con:
        con.executescript(INTERIM)
        con.executemany(
            "INSERT INTO api_tokens VALUES (?, ?, ?, ?, '', '2026-01-01T00:00:00+00:00', NULL)",
            [
                ("abcd1234", digest(good), "local", "administrator"),
                ("efgh5678", digest(lost), "朝阳街道", "official"),
            ],
        )
        con.execute(
            "INSERT INTO classroom_sessions VALUES ('s1', 'ABCDEF', ?, 'x', 1, '[]', 'open',"
            " '2026-01-01T00:00:00+00:00', NULL)",
            (pack,),
        )
        con.execute(
            "INSERT INTO classroom_participants VALUES ('p1', 's1', '王芳', '王芳', 'h',"
            " '2026-01-01T00:00:01+00:00', NULL, NULL)"
        )
    store = CaseStore(db)
    assert store.upgraded == ("0002", head_revision()) and head_revision() >= "0003"
    tokens = TokenStore(store)
    who = tokens.verify(good).principal()
    assert (who.org_id, who.role) == ("local", "admin")
    assert tokens.verify(lost) is None
    room = Classroom(store)
    session = room.session("abcdef")
    assert session.org_id == "local"
    assert [p.name for p in room.participants(session)] == ["王芳"]
    with store._read() as conn:
        names = set(sa.inspect(conn).get_table_names())
        kept = conn.exec_driver_sql("SELECT count(*) FROM interim_api_tokens").scalar()
    assert {"interim_api_tokens", "interim_classroom_sessions"} <= names and kept == 2
    store.dispose()


def test_tokens_cli_on_either_engine(db_target: str) -> None:
    """`advisor tokens create|list|revoke --db` on SQLite and on PostgreSQL; an unknown
    organisation is refused by name."""
    ensure_org(db_target, "street-b", "朝阳街道办事处")
    code, out, err = cli(["tokens", "create", "--db", db_target, "--org", "street-b",
                          "--role", "official", "--label", "智慧社区"])  # fmt: skip
    assert code == 0, err
    token = out.strip()
    assert TokenStore(db_target).verify(token).principal().org_id == "street-b"
    code, out, _ = cli(["tokens", "list", "--db", db_target, "--org", "street-b"])
    assert code == 0 and "智慧社区" in out and token.split("_", 2)[2] not in out
    code, _o, err = cli(["tokens", "create", "--db", db_target, "--org", "朝阳街道",
                         "--role", "official"])  # fmt: skip
    assert code == 2 and "朝阳街道" in err
    assert cli(["tokens", "revoke", "--db", db_target, token.split("_")[1]])[0] == 0
    code, out, _ = cli(["tokens", "list", "--db", db_target, "--all"])
    row = next(line.split("\t") for line in out.splitlines() if "street-b" in line)
    assert row[6] != "-"  # the revoked column holds the time
