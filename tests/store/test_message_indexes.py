"""The indexes of revision 0002 are the ones the reads that scan ``messages`` use: each query
is captured as careerpilot sends it, then explained on the same database (SQLite: ``EXPLAIN
QUERY PLAN``; PostgreSQL: ``EXPLAIN`` with sequential scans off, as an empty table would be
scanned anyway). Also: the revision downgrades to the baseline and upgrades again."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Connection, Engine, event, inspect
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from careerpilot.observability.analytics import turn_analytics
from careerpilot.ops.capacity import measured_turns
from careerpilot.store.conversations import ConversationStore
from careerpilot.store.migrate import alembic_config, current_revision, head_revision, migrate

NEW_INDEXES = {
    "ix_messages_created_at_role",
    "ix_messages_conversation_id_role_created_at",
    "ix_messages_streaming",
}


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[ConversationStore]:
    opened = ConversationStore(database_url)
    await opened.create_schema()
    cid = await opened.create_conversation(7)
    await opened.begin_turn(cid, 7, "a question", None)
    yield opened
    await opened.aclose()


@contextmanager
def _statements() -> Iterator[list[tuple[str, Any]]]:
    """Every statement any engine sends meanwhile (SQLite writes use their own engine)."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


async def _plan(store: ConversationStore, run: Callable[[], Awaitable[Any]], verb: str) -> str:
    """The plan of the statement ``run`` sends that starts with ``verb`` and reads messages."""
    with _statements() as seen:
        await run()
    statement, parameters = next(
        (s, p) for s, p in reversed(seen) if s.lstrip().upper().startswith(verb) and "messages" in s
    )
    async with store.engine.connect() as conn:
        if store.engine.dialect.name == "sqlite":
            rows = await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            plan = "\n".join(str(row[-1]) for row in rows)
        else:
            await conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            rows = await conn.exec_driver_sql(f"EXPLAIN {statement}", parameters)
            plan = "\n".join(str(row[0]) for row in rows)
        await conn.rollback()  # nothing of an EXPLAIN'd UPDATE is kept (it is not run anyway)
    return plan


async def test_the_analytics_window_is_read_through_its_index(store: ConversationStore) -> None:
    plan = await _plan(store, lambda: turn_analytics(store.database, 3600), "SELECT")
    assert "ix_messages_created_at_role" in plan, plan


async def test_the_daily_budget_reads_the_members_conversations_by_index(
    store: ConversationStore,
) -> None:
    midnight = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    plan = await _plan(store, lambda: store.tokens_used_since(7, midnight), "SELECT")
    assert "ix_messages_conversation_id_role_created_at" in plan, plan
    if store.engine.dialect.name == "sqlite":
        # Driven by the member's conversations, not by every answer since midnight.
        assert plan.splitlines()[0].startswith("SEARCH conversations USING INDEX"), plan


async def test_the_start_up_sweep_reads_only_the_streaming_answers(
    store: ConversationStore,
) -> None:
    for older_than in (None, dt.timedelta(seconds=75)):
        sweep = functools.partial(store.interrupt_abandoned, older_than)
        plan = await _plan(store, sweep, "UPDATE")
        assert "ix_messages_streaming" in plan, plan


async def test_capacity_still_reads_the_latest_answers_without_sorting(
    store: ConversationStore,
) -> None:
    # The last N complete answers: newest first along the primary key, stopping after N. An
    # index led by role would make SQLite sort every answer instead.
    plan = await _plan(store, lambda: measured_turns(store.database, 1000), "SELECT")
    if store.engine.dialect.name == "sqlite":
        assert plan == "SCAN messages", plan


def _indexes(conn: Connection) -> dict[str, list[str]]:
    return {
        str(i["name"]): [str(c) for c in i["column_names"]]
        for i in inspect(conn).get_indexes("messages")
    }


def _partial_predicate(conn: Connection) -> str:
    if conn.dialect.name == "sqlite":
        sql = "SELECT sql FROM sqlite_master WHERE name = 'ix_messages_streaming'"
    else:
        sql = "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_messages_streaming'"
    return str(conn.exec_driver_sql(sql).scalar_one())


def _to(revision: str) -> Callable[[Connection], None]:
    def run(conn: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = conn
        if revision == "head":
            command.upgrade(config, revision)
        else:
            command.downgrade(config, revision)

    return run


async def test_revision_0002_downgrades_to_the_baseline_and_back(database_url: str) -> None:
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        await migrate(engine)
        async with engine.connect() as conn:
            indexes = await conn.run_sync(_indexes)
            predicate = await conn.run_sync(_partial_predicate)
        assert set(indexes) >= NEW_INDEXES
        assert "ix_messages_conversation_id" not in indexes  # the new one's prefix serves it
        assert indexes["ix_messages_created_at_role"] == ["created_at", "role"]
        assert "status = 'streaming'" in predicate.replace("(", "").replace(")", "").replace(
            "::text", ""
        )

        async with engine.begin() as conn:
            await conn.run_sync(_to("0001"))
        async with engine.connect() as conn:
            assert await conn.run_sync(current_revision) == "0001"
            assert set(await conn.run_sync(_indexes)) == {"ix_messages_conversation_id"}

        async with engine.begin() as conn:
            await conn.run_sync(_to("head"))
        async with engine.connect() as conn:
            assert await conn.run_sync(current_revision) == head_revision()
            assert set(await conn.run_sync(_indexes)) == NEW_INDEXES
    finally:
        await engine.dispose()
