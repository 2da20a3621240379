"""The workspace tables, as SQLAlchemy Core metadata (the migrations build the same)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

HASH = 64
"""Length of a SHA-256 in hex: the only form in which a link's token is kept."""

workspace = Table(
    "workspace", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("rules_text", Text, nullable=True),
    Column("facilitator_hash", String(HASH), nullable=False, unique=True),
    Column("member_hash", String(HASH), nullable=False, unique=True),
    Column("members_joined", Integer, nullable=False, default=0),
    Column("current_round", Integer, nullable=False, default=1),
    Column("round_open", Boolean, nullable=False, default=True),
    Column("created_at", Float, nullable=False),
    Column("last_active_at", Float, nullable=False),
    Column("join_window_start", Float, nullable=False, default=0.0),
    Column("join_window_count", Integer, nullable=False, default=0),
)

member = Table(
    "member", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("workspace_id", Integer, ForeignKey("workspace.id", ondelete="CASCADE"),
           nullable=False, index=True),
    Column("number", Integer, nullable=False),
    Column("label", String(100), nullable=True),
    Column("role", String(40), nullable=True),
    Column("edit_hash", String(HASH), nullable=False, unique=True),
    Column("answers", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("answered_round", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("save_window_start", Float, nullable=False, default=0.0),
    Column("save_window_count", Integer, nullable=False, default=0),
    UniqueConstraint("workspace_id", "number", name="uq_member_number"),
)

round_ = Table(
    "round", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("workspace_id", Integer, ForeignKey("workspace.id", ondelete="CASCADE"),
           nullable=False, index=True),
    Column("number", Integer, nullable=False),
    Column("opened_at", Float, nullable=False),
    Column("closed_at", Float, nullable=True),
    Column("summary", Text, nullable=True),
    UniqueConstraint("workspace_id", "number", name="uq_round_number"),
)

decision = Table(
    "decision", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("workspace_id", Integer, ForeignKey("workspace.id", ondelete="CASCADE"),
           nullable=False, index=True),
    Column("created_at", Float, nullable=False),
    Column("envelope", Text, nullable=False),
    Column("sha256", String(HASH), nullable=False),
)

signing_key = Table(
    "signing_key", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("private_key", LargeBinary, nullable=False),
    Column("created_at", Float, nullable=False),
)

TABLES_OF_A_WORKSPACE = (member, round_, decision)
"""Every table whose rows belong to one workspace (deleted with it)."""

__all__ = ["decision", "member", "metadata", "round_", "signing_key", "workspace"]
