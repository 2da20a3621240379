"""Workspaces, their members and their rounds.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workspace",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("rules_text", sa.Text, nullable=True),
        sa.Column("facilitator_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("member_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("members_joined", sa.Integer, nullable=False),
        sa.Column("current_round", sa.Integer, nullable=False),
        sa.Column("round_open", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("last_active_at", sa.Float, nullable=False),
    )
    op.create_table(
        "member",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace_id", sa.Integer,
                  sa.ForeignKey("workspace.id", ondelete="CASCADE"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("label", sa.String(100), nullable=True),
        sa.Column("role", sa.String(40), nullable=True),
        sa.Column("edit_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("answered_round", sa.Integer, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.UniqueConstraint("workspace_id", "number", name="uq_member_number"),
    )
    op.create_index("ix_member_workspace_id", "member", ["workspace_id"])
    op.create_table(
        "round",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace_id", sa.Integer,
                  sa.ForeignKey("workspace.id", ondelete="CASCADE"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("opened_at", sa.Float, nullable=False),
        sa.Column("closed_at", sa.Float, nullable=True),
        sa.Column("summary", sa.Text, nullable=True),
        sa.UniqueConstraint("workspace_id", "number", name="uq_round_number"),
    )
    op.create_index("ix_round_workspace_id", "round", ["workspace_id"])


def downgrade() -> None:
    op.drop_table("round")
    op.drop_table("member")
    op.drop_table("workspace")
