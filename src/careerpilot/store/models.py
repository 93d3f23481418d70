"""ORM models of what the assistant writes: conversations and their messages, and human
annotation (items to review and the labels annotators gave them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "AnnotationItemRow",
    "Base",
    "ConversationRow",
    "LabelRow",
    "MessageRow",
    "UTCDateTime",
]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _as_utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """``TIMESTAMP WITH TIME ZONE`` that always gives back an aware UTC datetime.

    PostgreSQL returns aware values, SQLite naive ones (it stores the text without an offset);
    without this the same row would serialise as ``...+00:00`` on one backend and without an
    offset on the other. Naive values written are taken to be UTC, as every writer here uses
    ``datetime.now(UTC)``. The column DDL is plain ``DateTime(timezone=True)``, so the schema
    (and the migrations) are unchanged by it."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        return _as_utc(value)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        return _as_utc(value)


class Base(DeclarativeBase):
    pass


class ConversationRow(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    member_id: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=_now)
    messages: Mapped[list[MessageRow]] = relationship(
        back_populates="conversation", order_by="MessageRow.id", cascade="all, delete-orphan"
    )


_STREAMING = text("status = 'streaming'")


class MessageRow(Base):
    __tablename__ = "messages"
    # What the reads need (revision 0002; docs/storage.md, "Indexes"):
    __table_args__ = (
        # /v1/analytics: role = 'assistant' AND created_at >= since. created_at leads so that
        # no other query (the budget's, capacity's) is planned through it by SQLite.
        Index("ix_messages_created_at_role", "created_at", "role"),
        # A conversation's messages (history, the FK); the daily budget's answers of a
        # member's conversations since midnight.
        Index(
            "ix_messages_conversation_id_role_created_at", "conversation_id", "role", "created_at"
        ),
        # Start-up: answers left streaming. Partial: only the turns in flight are in it.
        Index(
            "ix_messages_streaming",
            "created_at",
            sqlite_where=_STREAMING,
            postgresql_where=_STREAMING,
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"))
    role: Mapped[str] = mapped_column(String(16))  # user | assistant
    text: Mapped[str] = mapped_column(Text)
    context: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # assistant messages: the turn as sent
    status: Mapped[str] = mapped_column(
        String(16), default="complete"
    )  # complete|error|interrupted
    agent: Mapped[str | None] = mapped_column(String(40))
    events: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    usage: Mapped[dict[str, int] | None] = mapped_column(JSON)
    timings: Mapped[dict[str, float] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=_now)
    conversation: Mapped[ConversationRow] = relationship(back_populates="messages")


class AnnotationItemRow(Base):
    """An answer to review: imported from an evaluation run, with the judge's view of it."""

    __tablename__ = "annotation_items"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    suite: Mapped[str] = mapped_column(String(80))
    case_id: Mapped[str] = mapped_column(String(80), index=True)
    agent: Mapped[str | None] = mapped_column(String(40))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    components: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    judge: Mapped[dict[str, float | None]] = mapped_column(JSON)  # judge.* metrics
    automatic: Mapped[dict[str, float | None]] = mapped_column(JSON)  # the other metrics
    priority: Mapped[float] = mapped_column(Float, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=_now)


class LabelRow(Base):
    """One annotator's rubric scores for one item (the latest wins)."""

    __tablename__ = "annotation_labels"
    __table_args__ = (UniqueConstraint("item_id", "annotator"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("annotation_items.id"), index=True)
    annotator: Mapped[str] = mapped_column(String(80), index=True)
    scores: Mapped[dict[str, Any]] = mapped_column(JSON)
    comment: Mapped[str] = mapped_column(Text, default="")
    guidelines: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=_now)
