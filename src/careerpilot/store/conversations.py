"""Conversations and messages, persisted with SQLAlchemy 2 (async); SQLite by default."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import selectinload

from careerpilot.errors import NotFoundError
from careerpilot.store.models import Base, ConversationRow, MessageRow

__all__ = ["ConversationStore", "ConversationView", "MessageView"]


class MessageView(BaseModel):
    id: int
    role: Literal["user", "assistant"]
    text: str
    context: dict[str, Any] | None
    status: str
    agent: str | None
    events: list[dict[str, Any]] | None
    usage: dict[str, int] | None
    timings: dict[str, float] | None
    created_at: dt.datetime


class ConversationView(BaseModel):
    id: str
    member_id: int
    title: str | None
    created_at: dt.datetime
    messages: list[MessageView]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers proceed while a turn is being written; busy_timeout rides out short locks.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class ConversationStore:
    def __init__(self, url: str) -> None:
        self.engine: AsyncEngine = create_async_engine(url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    async def create_schema(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)

    async def aclose(self) -> None:
        await self.engine.dispose()

    async def create_conversation(self, member_id: int, title: str | None = None) -> str:
        ident = str(uuid.uuid4())
        async with self._sessions.begin() as session:
            session.add(ConversationRow(id=ident, member_id=member_id, title=title))
        return ident

    async def _owned(self, session: Any, conversation_id: str, member_id: int) -> ConversationRow:
        row: ConversationRow | None = await session.get(ConversationRow, conversation_id)
        # Another member's conversation is indistinguishable from a missing one.
        if row is None or row.member_id != member_id:
            raise NotFoundError("conversation", conversation_id)
        return row

    async def check_owner(self, conversation_id: str, member_id: int) -> None:
        async with self._sessions() as session:
            await self._owned(session, conversation_id, member_id)

    async def add_user_message(
        self, conversation_id: str, member_id: int, text: str, context: dict[str, Any] | None
    ) -> int:
        async with self._sessions.begin() as session:
            conversation = await self._owned(session, conversation_id, member_id)
            if conversation.title is None:
                conversation.title = text[:80]
            conversation.updated_at = dt.datetime.now(dt.UTC)
            row = MessageRow(
                conversation_id=conversation_id, role="user", text=text, context=context
            )
            session.add(row)
            await session.flush()
            return row.id

    async def add_assistant_message(
        self,
        conversation_id: str,
        *,
        text: str,
        status: str,
        agent: str | None,
        events: list[dict[str, Any]],
        usage: dict[str, int] | None,
        timings: dict[str, float] | None,
    ) -> int:
        async with self._sessions.begin() as session:
            row = MessageRow(
                conversation_id=conversation_id,
                role="assistant",
                text=text,
                status=status,
                agent=agent,
                events=events,
                usage=usage,
                timings=timings,
            )
            session.add(row)
            await session.flush()
            return row.id

    async def get_conversation(self, conversation_id: str, member_id: int) -> ConversationView:
        async with self._sessions() as session:
            result = await session.execute(
                select(ConversationRow)
                .where(ConversationRow.id == conversation_id)
                .options(selectinload(ConversationRow.messages))
            )
            row = result.scalar_one_or_none()
            if row is None or row.member_id != member_id:
                raise NotFoundError("conversation", conversation_id)
            return ConversationView(
                id=row.id,
                member_id=row.member_id,
                title=row.title,
                created_at=row.created_at,
                messages=[
                    MessageView.model_validate(m, from_attributes=True) for m in row.messages
                ],
            )

    async def last_agent(self, conversation_id: str) -> str | None:
        """The agent that gave the conversation's last answer (None before the first one)."""
        async with self._sessions() as session:
            agent = (
                await session.execute(
                    select(MessageRow.agent)
                    .where(
                        MessageRow.conversation_id == conversation_id,
                        MessageRow.role == "assistant",
                    )
                    .order_by(MessageRow.id.desc())
                    .limit(1)
                )
            ).scalar()
        return str(agent) if agent else None

    async def history(self, conversation_id: str, limit: int = 6) -> list[tuple[str, str]]:
        """The last ``limit`` (role, text) pairs, oldest first, for follow-up questions."""
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(MessageRow.role, MessageRow.text)
                    .where(MessageRow.conversation_id == conversation_id)
                    .order_by(MessageRow.id.desc())
                    .limit(limit)
                )
            ).all()
        return [(r, t) for r, t in reversed(rows)]

    async def list_conversations(self, member_id: int, limit: int = 50) -> list[dict[str, Any]]:
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(ConversationRow)
                    .where(ConversationRow.member_id == member_id)
                    .order_by(ConversationRow.updated_at.desc())
                    .limit(limit)
                )
            ).scalars()
            return [
                {"id": r.id, "title": r.title, "created_at": r.created_at.isoformat()} for r in rows
            ]
