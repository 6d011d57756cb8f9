"""The organisations' hierarchy: each organisation may name the one directly above it.

``organisations.parent_org`` is the id of the organisation above (a community's street office, a
street office's district civil-affairs bureau), or NULL at the top and for organisations outside
the district's administration (a social-work agency, a training class). The store lets a
principal READ the live cases of every organisation below its own (all levels), never change
them: a change needs an editable share, as before (``advisor/store.py``, ``_resolve``).

No foreign key on the column (adding one to an existing SQLite table means rebuilding the table
every other table refers to); ``advisor.accounts.Accounts.set_parent`` checks that the parent
exists and that no organisation ends up above itself. Existing organisations get NULL: nothing
that was visible before becomes visible to anyone else by this upgrade.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("organisations", sa.Column("parent_org", sa.Text, nullable=True))
    op.create_index("organisations_by_parent", "organisations", ["parent_org"])


def downgrade() -> None:
    op.drop_index("organisations_by_parent", "organisations")
    op.drop_column("organisations", "parent_org")
