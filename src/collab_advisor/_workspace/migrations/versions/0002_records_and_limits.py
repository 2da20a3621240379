"""Signed decision records, the server's signing key, and per-link save limits.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decision",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace_id", sa.Integer,
                  sa.ForeignKey("workspace.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("envelope", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
    )
    op.create_index("ix_decision_workspace_id", "decision", ["workspace_id"])
    op.create_table(
        "signing_key",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("private_key", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    with op.batch_alter_table("workspace") as batch:
        batch.add_column(sa.Column("join_window_start", sa.Float, nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("join_window_count", sa.Integer, nullable=False,
                                   server_default="0"))
    with op.batch_alter_table("member") as batch:
        batch.add_column(sa.Column("save_window_start", sa.Float, nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("save_window_count", sa.Integer, nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("member") as batch:
        batch.drop_column("save_window_count")
        batch.drop_column("save_window_start")
    with op.batch_alter_table("workspace") as batch:
        batch.drop_column("join_window_count")
        batch.drop_column("join_window_start")
    op.drop_table("signing_key")
    op.drop_index("ix_decision_workspace_id", "decision")
    op.drop_table("decision")
