"""API tokens and the live classroom in the case library's store, inside the organisations.

An API token belongs to an organisation (a reference now, not a free name), acts in one of the
accounts' roles and remembers the account that created it (when one did). A live class belongs to
the trainer's organisation; a participant is a guest name or a signed-in trainee account.

Before this revision the API kept ``api_tokens`` and the classroom ``classroom_sessions`` /
``classroom_participants`` in interim tables of the same SQLite file. Where those exist they are
renamed ``interim_*`` (kept, never dropped: no file or row is destroyed) and their rows copied
where they map: a token whose organisation names an existing organisation id (with the interim
role names ``agency_planner`` and ``administrator`` read as ``planner`` and ``admin``), and every
class into the single-user organisation ``local``. A token that maps to no organisation stays in
``interim_api_tokens`` only and no longer opens the API: create a new one for an organisation.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_INTERIM = ("api_tokens", "classroom_sessions", "classroom_participants")


def upgrade() -> None:
    bind = op.get_bind()
    existing = set(sa.inspect(bind).get_table_names())
    interim = [name for name in _INTERIM if name in existing]
    for name in interim:
        op.rename_table(name, f"interim_{name}")
    if "classroom_participants" in interim:
        op.execute("DROP INDEX IF EXISTS classroom_participants_by_session")

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("secret_sha256", sa.Text, nullable=False, unique=True),
        sa.Column("org_id", sa.Text, sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("label", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("revoked_at", sa.Text, nullable=True),
        sa.Column("revoked_by", sa.Text, nullable=True),
    )
    op.create_index("api_tokens_by_org", "api_tokens", ["org_id", "created_at"])
    op.create_table(
        "classroom_sessions",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("code", sa.Text, nullable=False, unique=True),
        sa.Column("org_id", sa.Text, sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("pack", sa.Text, nullable=False),
        sa.Column("trainer_key_sha256", sa.Text, nullable=False),
        sa.Column("allow_guests", sa.Boolean, nullable=False),
        sa.Column("roster", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("revealed_at", sa.Text, nullable=True),
    )
    op.create_index("classroom_sessions_by_org", "classroom_sessions", ["org_id", "created_at"])
    op.create_table(
        "classroom_participants",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column(
            "session_id",
            sa.Text,
            sa.ForeignKey("classroom_sessions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("name_key", sa.Text, nullable=False),
        sa.Column("key_sha256", sa.Text, nullable=False, unique=True),
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("joined_at", sa.Text, nullable=False),
        sa.Column("ranking", sa.Text, nullable=True),
        sa.Column("answered_at", sa.Text, nullable=True),
        sa.UniqueConstraint("session_id", "name_key", name="classroom_participant_name"),
    )
    op.create_index(
        "classroom_participants_by_session", "classroom_participants", ["session_id", "seq"]
    )

    if "api_tokens" in interim:
        op.execute(
            "INSERT INTO api_tokens (id, secret_sha256, org_id, role, created_by, label,"
            " created_at, revoked_at)"
            " SELECT t.id, t.secret_sha256, t.organisation,"
            " CASE t.role WHEN 'agency_planner' THEN 'planner'"
            " WHEN 'administrator' THEN 'admin' ELSE t.role END,"
            " 'interim', t.label, t.created_at, t.revoked_at"
            " FROM interim_api_tokens t JOIN organisations o ON o.id = t.organisation"
        )
    if "classroom_sessions" in interim:
        op.execute(
            "INSERT INTO classroom_sessions (id, code, org_id, created_by, pack,"
            " trainer_key_sha256, allow_guests, roster, state, created_at, revealed_at)"
            " SELECT id, code, 'local', 'interim', pack, trainer_key_sha256,"
            " allow_guests <> 0, roster, state, created_at, revealed_at"
            " FROM interim_classroom_sessions"
        )
    if "classroom_participants" in interim:
        op.execute(
            "INSERT INTO classroom_participants (id, seq, session_id, name, name_key,"
            " key_sha256, joined_at, ranking, answered_at)"
            " SELECT id, rowid, session_id, name, name_key, key_sha256, joined_at, ranking,"
            " answered_at FROM interim_classroom_participants"
        )


def downgrade() -> None:
    op.drop_index("classroom_participants_by_session", table_name="classroom_participants")
    op.drop_table("classroom_participants")
    op.drop_index("classroom_sessions_by_org", table_name="classroom_sessions")
    op.drop_table("classroom_sessions")
    op.drop_index("api_tokens_by_org", table_name="api_tokens")
    op.drop_table("api_tokens")
