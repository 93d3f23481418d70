"""Baseline: the schema ``Base.metadata.create_all`` made before migrations existed.

A database made by ``create_all`` has no ``alembic_version`` table; ``migrate`` runs this
revision on it as on an empty one. Each table (with its indexes) is created only if it is
missing, so an old database keeps its rows, and one made by an older careerpilot (before the
annotation tables) gains what it lacks. Later revisions assume exactly this schema.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _missing(table: str) -> bool:
    if op.get_context().as_sql:  # offline (--sql): a script for an empty database
        return True
    return not sa.inspect(op.get_bind()).has_table(table)


def upgrade() -> None:
    if _missing("conversations"):
        op.create_table(
            "conversations",
            sa.Column("id", sa.String(length=36), nullable=False),
            sa.Column("member_id", sa.Integer(), nullable=False),
            sa.Column("title", sa.String(length=200), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_conversations_member_id", "conversations", ["member_id"])
    if _missing("messages"):
        op.create_table(
            "messages",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("conversation_id", sa.String(length=36), nullable=False),
            sa.Column("role", sa.String(length=16), nullable=False),
            sa.Column("text", sa.Text(), nullable=False),
            sa.Column("context", sa.JSON(), nullable=True),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("agent", sa.String(length=40), nullable=True),
            sa.Column("events", sa.JSON(), nullable=True),
            sa.Column("usage", sa.JSON(), nullable=True),
            sa.Column("timings", sa.JSON(), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"]),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_messages_conversation_id", "messages", ["conversation_id"])
    if _missing("annotation_items"):
        op.create_table(
            "annotation_items",
            sa.Column("id", sa.String(length=80), nullable=False),
            sa.Column("suite", sa.String(length=80), nullable=False),
            sa.Column("case_id", sa.String(length=80), nullable=False),
            sa.Column("agent", sa.String(length=40), nullable=True),
            sa.Column("question", sa.Text(), nullable=False),
            sa.Column("answer", sa.Text(), nullable=False),
            sa.Column("components", sa.JSON(), nullable=False),
            sa.Column("judge", sa.JSON(), nullable=False),
            sa.Column("automatic", sa.JSON(), nullable=False),
            sa.Column("priority", sa.Float(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_annotation_items_case_id", "annotation_items", ["case_id"])
        op.create_index("ix_annotation_items_priority", "annotation_items", ["priority"])
    if _missing("annotation_labels"):
        op.create_table(
            "annotation_labels",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("item_id", sa.String(length=80), nullable=False),
            sa.Column("annotator", sa.String(length=80), nullable=False),
            sa.Column("scores", sa.JSON(), nullable=False),
            sa.Column("comment", sa.Text(), nullable=False),
            sa.Column("guidelines", sa.String(length=20), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(["item_id"], ["annotation_items.id"]),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("item_id", "annotator"),
        )
        op.create_index("ix_annotation_labels_item_id", "annotation_labels", ["item_id"])
        op.create_index("ix_annotation_labels_annotator", "annotation_labels", ["annotator"])


def downgrade() -> None:
    op.drop_table("annotation_labels")
    op.drop_table("annotation_items")
    op.drop_table("messages")
    op.drop_table("conversations")
