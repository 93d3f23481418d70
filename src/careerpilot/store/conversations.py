"""Conversations and messages, persisted with SQLAlchemy 2 (async): SQLite by default,
PostgreSQL when configured (``database.py``). Inputs pass ``values.py`` first, so what one
backend would refuse is refused (or cleaned) the same way on both."""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import JSON, Text, cast, func, insert, select, true, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session, selectinload

from careerpilot.errors import NotFoundError
from careerpilot.store.database import Database
from careerpilot.store.models import ConversationRow, MessageRow
from careerpilot.store.values import bounded, clean, cut, known_id, known_member

__all__ = ["ConversationStore", "ConversationView", "MessageView", "TurnContext"]

HISTORY_MESSAGES = 6
ID_CHARS = 36  # a UUID
TITLE_CHARS = 200


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


class TurnContext(BaseModel):
    """What a new turn needs from its conversation: recent messages and the last agent."""

    history: list[tuple[str, str]]  # (role, text), oldest first
    previous_agent: str | None


def _inserted_id(session: Session, **values: Any) -> int:
    """Insert a message with a Core statement (the ORM's unit of work costs more CPU than the
    write itself) and return its id."""
    inserted = session.execute(
        insert(MessageRow)
        .values(created_at=dt.datetime.now(dt.UTC), **values)
        .returning(MessageRow.id)
    )
    return int(inserted.scalar_one())


class ConversationStore:
    def __init__(self, database: Database | str) -> None:
        self.database = Database(database) if isinstance(database, str) else database
        self.engine: AsyncEngine = self.database.engine

    async def create_schema(self) -> None:
        await self.database.create_schema()

    async def aclose(self) -> None:
        await self.database.aclose()

    async def create_conversation(self, member_id: int, title: str | None = None) -> str:
        ident = str(uuid.uuid4())
        row = ConversationRow(
            id=ident,
            member_id=known_member(member_id),
            title=cut(title, TITLE_CHARS) if title is not None else None,
        )
        await self.database.write(lambda session: session.add(row))
        return ident

    async def _owned(self, session: Any, conversation_id: str, member_id: int) -> ConversationRow:
        conversation_id = known_id("conversation", conversation_id, ID_CHARS)
        known_member(member_id)
        row: ConversationRow | None = await session.get(ConversationRow, conversation_id)
        # Another member's conversation is indistinguishable from a missing one.
        if row is None or row.member_id != member_id:
            raise NotFoundError("conversation", conversation_id)
        return row

    async def check_owner(self, conversation_id: str, member_id: int) -> None:
        async with self.database.reading() as session:
            await self._owned(session, conversation_id, member_id)

    async def turn_context(
        self, conversation_id: str, member_id: int, limit: int = HISTORY_MESSAGES
    ) -> TurnContext:
        """Check ownership and read the last ``limit`` messages in one query (one round trip
        on the request's path). The last agent is that of the latest answer among them."""
        conversation_id = known_id("conversation", conversation_id, ID_CHARS)
        known_member(member_id)
        async with self.database.reading() as session:
            recent = (
                select(MessageRow.id, MessageRow.role, MessageRow.text, MessageRow.agent)
                .where(MessageRow.conversation_id == conversation_id)
                .order_by(MessageRow.id.desc())
                .limit(limit)
                .subquery()
            )
            rows = (
                await session.execute(
                    select(ConversationRow.member_id, recent.c.role, recent.c.text, recent.c.agent)
                    .select_from(ConversationRow)
                    .outerjoin(recent, true())
                    .where(ConversationRow.id == conversation_id)
                    .order_by(recent.c.id.desc())
                )
            ).all()
        if not rows or rows[0].member_id != member_id:
            raise NotFoundError("conversation", conversation_id)
        # An answer that never got a word out (interrupted before its first token) is no
        # history to build on.
        messages = [r for r in rows if r.role is not None and r.text]
        previous_agent = next(
            (r.agent for r in messages if r.role == "assistant" and r.agent), None
        )
        return TurnContext(
            history=[(r.role, r.text) for r in reversed(messages)],
            previous_agent=str(previous_agent) if previous_agent else None,
        )

    async def add_user_message(
        self, conversation_id: str, member_id: int, text: str, context: dict[str, Any] | None
    ) -> int:
        conversation_id = known_id("conversation", conversation_id, ID_CHARS)
        known_member(member_id)
        text = clean(text)

        return await self.database.write(
            lambda session: self._question(session, conversation_id, member_id, text, context)
        )

    @staticmethod
    def _question(
        session: Session,
        conversation_id: str,
        member_id: int,
        text: str,
        context: dict[str, Any] | None,
    ) -> int:
        # Update first: its row count is the owner check, in one statement.
        touched = session.execute(
            update(ConversationRow)
            .where(ConversationRow.id == conversation_id)
            .where(ConversationRow.member_id == member_id)
            .values(
                title=func.coalesce(ConversationRow.title, text[:80]),
                updated_at=dt.datetime.now(dt.UTC),
            )
            .execution_options(synchronize_session=False)
        )
        if getattr(touched, "rowcount", 1) == 0:
            raise NotFoundError("conversation", conversation_id)
        return _inserted_id(
            session,
            conversation_id=conversation_id,
            role="user",
            text=text,
            context=context,
            status="complete",
        )

    async def begin_turn(
        self, conversation_id: str, member_id: int, text: str, context: dict[str, Any] | None
    ) -> tuple[int, int]:
        """Store the question and, in the same transaction, its answer as ``streaming``: if the
        process dies mid-turn, the answer is there to be marked ``interrupted`` on restart
        (``interrupt_abandoned``). Returns (question id, answer id)."""
        conversation_id = known_id("conversation", conversation_id, ID_CHARS)
        known_member(member_id)
        text = clean(text)

        def write(session: Session) -> tuple[int, int]:
            question = self._question(session, conversation_id, member_id, text, context)
            answer = _inserted_id(
                session,
                conversation_id=conversation_id,
                role="assistant",
                text="",
                status="streaming",
            )
            return question, answer

        return await self.database.write(write)

    async def finish_answer(
        self,
        answer_id: int,
        *,
        text: str,
        status: str,
        agent: str | None,
        events: list[dict[str, Any]] | str,
        usage: dict[str, int] | None,
        timings: dict[str, float] | None,
    ) -> None:
        """Complete the answer ``begin_turn`` opened (see ``add_assistant_message``)."""
        values = self._answer_values(text, status, agent, events, usage, timings)

        def write(session: Session) -> None:
            session.execute(
                update(MessageRow)
                .where(MessageRow.id == answer_id)
                .values(**values)
                .execution_options(synchronize_session=False)
            )

        await self.database.write(write)

    async def interrupt_abandoned(self, older_than: dt.timedelta | None = None) -> int:
        """Mark answers still ``streaming`` (their process died mid-turn) as ``interrupted``;
        with ``older_than``, only those begun that long ago (other replicas' turns in flight
        are younger than their deadline). Returns how many."""
        cutoff = dt.datetime.now(dt.UTC) - older_than if older_than is not None else None

        def write(session: Session) -> int:
            statement = update(MessageRow).where(MessageRow.status == "streaming")
            if cutoff is not None:
                statement = statement.where(MessageRow.created_at < cutoff)
            done = session.execute(
                statement.values(status="interrupted").execution_options(synchronize_session=False)
            )
            return int(getattr(done, "rowcount", 0) or 0)

        return await self.database.write(write)

    def _answer_values(
        self,
        text: str,
        status: str,
        agent: str | None,
        events: list[dict[str, Any]] | str,
        usage: dict[str, int] | None,
        timings: dict[str, float] | None,
    ) -> dict[str, Any]:
        events_value: Any = events
        if isinstance(events, str):
            raw = type_coerce(events, Text)
            events_value = raw if self.engine.dialect.name == "sqlite" else cast(raw, JSON)
        return {
            "text": clean(text),
            "status": bounded("status", status, 16),
            "agent": bounded("agent", agent, 40) if agent is not None else None,
            "events": events_value,
            "usage": usage,
            "timings": timings,
        }

    async def add_assistant_message(
        self,
        conversation_id: str,
        *,
        text: str,
        status: str,
        agent: str | None,
        events: list[dict[str, Any]] | str,
        usage: dict[str, int] | None,
        timings: dict[str, float] | None,
    ) -> int:
        """Store an answer. ``events`` may be a JSON array already (the events as they were
        sent): the end of a turn then stores it without decoding and encoding it again."""
        conversation_id = known_id("conversation", conversation_id, ID_CHARS)
        values = self._answer_values(text, status, agent, events, usage, timings)
        return await self.database.write(
            functools.partial(
                _inserted_id, conversation_id=conversation_id, role="assistant", **values
            )
        )

    async def tokens_used_since(self, member_id: int, since: dt.datetime) -> int:
        """LLM tokens the member's answers used since ``since`` (their ``done`` usage)."""
        known_member(member_id)
        async with self.database.reading() as session:
            usages = (
                await session.execute(
                    select(MessageRow.usage)
                    .join(ConversationRow, ConversationRow.id == MessageRow.conversation_id)
                    .where(
                        ConversationRow.member_id == member_id,
                        MessageRow.role == "assistant",
                        MessageRow.created_at >= since,
                    )
                )
            ).scalars()
            return sum(int((usage or {}).get("total_tokens", 0)) for usage in usages)

    async def get_conversation(self, conversation_id: str, member_id: int) -> ConversationView:
        conversation_id = known_id("conversation", conversation_id, ID_CHARS)
        known_member(member_id)
        async with self.database.reading() as session:
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

    async def list_conversations(self, member_id: int, limit: int = 50) -> list[dict[str, Any]]:
        known_member(member_id)
        async with self.database.reading() as session:
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
