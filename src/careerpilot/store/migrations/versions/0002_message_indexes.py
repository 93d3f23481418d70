"""Indexes on messages for the reads that scan them: the analytics window, the daily token
budget, the start-up sweep of answers left streaming (docs/storage.md, "Indexes").

- ``ix_messages_created_at_role`` (created_at, role): ``/v1/analytics`` reads the answers of
  a time window.
- ``ix_messages_conversation_id_role_created_at`` replaces ``ix_messages_conversation_id``
  (its prefix serves every lookup by conversation): the daily budget reads a member's answers
  since midnight, conversation by conversation.
- ``ix_messages_streaming`` (created_at) where status = 'streaming': a partial index holding
  only the turns in flight, for ``interrupt_abandoned`` at start-up.

Each index is created only if missing: on a large PostgreSQL database an operator may build
them beforehand with ``CREATE INDEX CONCURRENTLY`` (same names), which a migration inside a
transaction cannot do, and the upgrade then only records the revision.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STREAMING = "status = 'streaming'"


def upgrade() -> None:
    op.create_index(
        "ix_messages_created_at_role", "messages", ["created_at", "role"], if_not_exists=True
    )
    op.create_index(
        "ix_messages_conversation_id_role_created_at",
        "messages",
        ["conversation_id", "role", "created_at"],
        if_not_exists=True,
    )
    op.drop_index("ix_messages_conversation_id", "messages", if_exists=True)
    op.create_index(
        "ix_messages_streaming",
        "messages",
        ["created_at"],
        sqlite_where=sa.text(_STREAMING),
        postgresql_where=sa.text(_STREAMING),
        if_not_exists=True,
    )


def downgrade() -> None:
    op.drop_index("ix_messages_streaming", "messages", if_exists=True)
    op.create_index(
        "ix_messages_conversation_id", "messages", ["conversation_id"], if_not_exists=True
    )
    op.drop_index("ix_messages_conversation_id_role_created_at", "messages", if_exists=True)
    op.drop_index("ix_messages_created_at_role", "messages", if_exists=True)
