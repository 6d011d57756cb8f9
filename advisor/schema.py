"""The case library's tables as SQLAlchemy Core objects: what the code reads and writes.

The migrations under ``migrations/`` create the tables; this module describes their final state,
column by column, with their keys, unique constraints and indexes. The two are held in step by
``tests/store/test_schema_matches_migrations.py``, which upgrades a fresh database on each engine
and compares what it finds there with this metadata (Alembic's ``compare_metadata``): a new
migration that this module does not follow, or the reverse, fails it."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

organisations = sa.Table(
    "organisations",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False),
    sa.Column("parent_org", sa.Text),  # the organisation directly above (migration 0004)
    sa.Index("organisations_by_parent", "parent_org"),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.Text, nullable=False, unique=True),
    sa.Column("display_name", sa.Text, nullable=False),
    sa.Column("org_id", sa.Text, sa.ForeignKey("organisations.id"), nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("password_hash", sa.Text),
    sa.Column("oidc_subject", sa.Text, unique=True),
    sa.Column("disabled", sa.Boolean, nullable=False),
    sa.Column("failed_logins", sa.Integer, nullable=False),
    sa.Column("locked_until", sa.Text),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("updated_at", sa.Text, nullable=False),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("token_hash", sa.Text, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("expires_at", sa.Text, nullable=False),
)

cases = sa.Table(
    "case_library",
    metadata,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("org_id", sa.Text, sa.ForeignKey("organisations.id"), nullable=False),
    sa.Column("case_id", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("profile", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("updated_at", sa.Text, nullable=False),
    sa.Column("created_by", sa.Text),
    sa.Column("updated_by", sa.Text),
    sa.Column("deleted_at", sa.Text),
    sa.Column("deleted_by", sa.Text),
    sa.UniqueConstraint("org_id", "case_id", name="case_library_org_case"),
)

assessments = sa.Table(
    "case_assessments",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "case_pk",
        sa.Integer,
        sa.ForeignKey("case_library.pk", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("case_version", sa.Integer, nullable=False),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("by_user", sa.Text),
    sa.Index("case_assessments_by_case", "case_pk", "seq"),
)

shares = sa.Table(
    "case_shares",
    metadata,
    sa.Column(
        "case_pk",
        sa.Integer,
        sa.ForeignKey("case_library.pk", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("org_id", sa.Text, sa.ForeignKey("organisations.id"), primary_key=True),
    sa.Column("mode", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("created_by", sa.Text),
)

audit = sa.Table(
    "audit",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("actor_org", sa.Text),
    sa.Column("via", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("org_id", sa.Text),
    sa.Column("case_id", sa.Text),
    sa.Column("from_version", sa.Integer),
    sa.Column("to_version", sa.Integer),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Index("audit_by_org", "org_id", "seq"),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("secret_sha256", sa.Text, nullable=False, unique=True),
    sa.Column("org_id", sa.Text, sa.ForeignKey("organisations.id"), nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("revoked_at", sa.Text),
    sa.Column("revoked_by", sa.Text),
    sa.Index("api_tokens_by_org", "org_id", "created_at"),
)

classroom_sessions = sa.Table(
    "classroom_sessions",
    metadata,
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
    sa.Column("revealed_at", sa.Text),
    sa.Index("classroom_sessions_by_org", "org_id", "created_at"),
)

classroom_participants = sa.Table(
    "classroom_participants",
    metadata,
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
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
    sa.Column("joined_at", sa.Text, nullable=False),
    sa.Column("ranking", sa.Text),
    sa.Column("answered_at", sa.Text),
    sa.UniqueConstraint("session_id", "name_key", name="classroom_participant_name"),
    sa.Index("classroom_participants_by_session", "session_id", "seq"),
)
