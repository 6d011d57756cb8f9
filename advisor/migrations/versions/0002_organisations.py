"""Organisations, accounts and roles, shares, and an append-only audit trail.

Cases now belong to an organisation: the key is (organisation, case id), so two organisations can
each hold a case ``case-a`` without either learning of the other's. Every case of an older library
goes to the organisation ``local`` (the single-user mode's). A delete is soft (``deleted_at``) so
an administrator can undo it. The audit trail refuses UPDATE and DELETE at the database itself.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    now = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    orgs = op.create_table(
        "organisations",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.bulk_insert(
        orgs,
        [
            {
                "id": "local",
                "name": "本机 Local",
                "kind": "other",
                "created_at": now,
                "disabled": False,
            }
        ],
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.Text, nullable=False, unique=True),
        sa.Column("display_name", sa.Text, nullable=False),
        sa.Column("org_id", sa.Text, sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=True),
        sa.Column("oidc_subject", sa.Text, nullable=True, unique=True),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", sa.Text, nullable=True),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Text, nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.Text, primary_key=True),
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("expires_at", sa.Text, nullable=False),
    )
    op.create_table(
        "case_library",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("org_id", sa.Text, sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("case_id", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("profile", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Text, nullable=False),
        sa.Column("created_by", sa.Text, nullable=True),
        sa.Column("updated_by", sa.Text, nullable=True),
        sa.Column("deleted_at", sa.Text, nullable=True),
        sa.Column("deleted_by", sa.Text, nullable=True),
        sa.UniqueConstraint("org_id", "case_id", name="case_library_org_case"),
    )
    op.create_table(
        "case_assessments",
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
        sa.Column("by_user", sa.Text, nullable=True),
    )
    op.create_index("case_assessments_by_case", "case_assessments", ["case_pk", "seq"])
    op.create_table(
        "case_shares",
        sa.Column(
            "case_pk",
            sa.Integer,
            sa.ForeignKey("case_library.pk", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("org_id", sa.Text, sa.ForeignKey("organisations.id"), primary_key=True),
        sa.Column("mode", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("created_by", sa.Text, nullable=True),
    )
    op.create_table(
        "audit",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("actor_org", sa.Text, nullable=True),
        sa.Column("via", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("org_id", sa.Text, nullable=True),
        sa.Column("case_id", sa.Text, nullable=True),
        sa.Column("from_version", sa.Integer, nullable=True),
        sa.Column("to_version", sa.Integer, nullable=True),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("audit_by_org", "audit", ["org_id", "seq"])

    # existing cases and their history go to the single-user organisation
    op.execute(
        "INSERT INTO case_library (org_id, case_id, name, profile, version, created_at,"
        " updated_at) SELECT 'local', id, name, profile, version, created_at, updated_at"
        " FROM cases"
    )
    op.execute(
        "INSERT INTO case_assessments (case_pk, case_version, at, summary)"
        " SELECT c.pk, a.case_version, a.at, a.summary FROM assessments a"
        " JOIN case_library c ON c.org_id = 'local' AND c.case_id = a.case_id ORDER BY a.seq"
    )
    op.drop_index("assessments_by_case", table_name="assessments")
    op.drop_table("assessments")
    op.drop_table("cases")

    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_append_only_{verb.lower()} BEFORE {verb} ON audit"
                " BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit"
            " FOR EACH ROW EXECUTE FUNCTION audit_append_only()"
        )


def downgrade() -> None:
    raise NotImplementedError(
        "the case library cannot be taken back to one organisation without losing data; "
        "restore a backup made before the upgrade instead"
    )
