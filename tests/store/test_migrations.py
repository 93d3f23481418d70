"""The package's Alembic migrations, on SQLite and PostgreSQL: they build exactly the models'
schema, adopt a database made by ``create_all`` before migrations existed, and are idempotent."""

import asyncio
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, func, inspect, select
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from careerpilot.store.conversations import ConversationStore
from careerpilot.store.migrate import current_revision, head_revision, migrate
from careerpilot.store.models import Base, ConversationRow, MessageRow


def _differences(conn: Connection) -> list[Any]:
    return list(compare_metadata(MigrationContext.configure(conn), Base.metadata))


def _schema(conn: Connection) -> dict[str, Any]:
    found = inspect(conn)
    return {
        table: (
            [(c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(table)],
            sorted(i["name"] or "" for i in found.get_indexes(table)),
            found.get_unique_constraints(table),
            found.get_foreign_keys(table),
        )
        for table in sorted(found.get_table_names())
    }


async def test_the_migrations_build_exactly_the_models_schema(database_url: str) -> None:
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        await migrate(engine)
        async with engine.connect() as conn:
            assert await conn.run_sync(current_revision) == head_revision()
            assert await conn.run_sync(_differences) == []
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert tables == set(Base.metadata.tables) | {"alembic_version"}
    finally:
        await engine.dispose()


async def test_a_database_made_by_create_all_is_adopted_with_its_rows(database_url: str) -> None:
    engine = create_async_engine(database_url, poolclass=NullPool)
    async with engine.begin() as conn:  # what careerpilot did before migrations existed
        await conn.run_sync(Base.metadata.create_all)
    await engine.dispose()
    store = ConversationStore(database_url)
    try:
        cid = await store.create_conversation(3)
        await store.add_user_message(cid, 3, "kept across the upgrade", None)
        await store.create_schema()
        assert [m.text for m in (await store.get_conversation(cid, 3)).messages] == [
            "kept across the upgrade"
        ]
        async with store.engine.connect() as conn:
            assert await conn.run_sync(current_revision) == head_revision()
            assert await conn.run_sync(_differences) == []
    finally:
        await store.aclose()


async def test_an_older_database_gains_the_tables_it_lacks(database_url: str) -> None:
    # Before annotation, create_all made only the conversation tables.
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(
                Base.metadata.create_all, tables=[ConversationRow.__table__, MessageRow.__table__]
            )
        await migrate(engine)
        async with engine.connect() as conn:
            assert await conn.run_sync(_differences) == []
    finally:
        await engine.dispose()


async def test_migrating_twice_changes_nothing(database_url: str) -> None:
    store = ConversationStore(database_url)
    try:
        await store.create_schema()
        cid = await store.create_conversation(5)
        await store.add_user_message(cid, 5, "still here", None)
        async with store.engine.connect() as conn:
            before = await conn.run_sync(_schema)
        await store.create_schema()
        async with store.engine.connect() as conn:
            assert await conn.run_sync(_schema) == before
            assert await conn.run_sync(current_revision) == head_revision()
            count = await conn.scalar(select(func.count()).select_from(MessageRow))
        assert count == 1
    finally:
        await store.aclose()


async def test_replicas_starting_together_migrate_one_after_the_other(
    postgres_url: str,
) -> None:
    # Two processes migrating one empty PostgreSQL database at once: without the advisory
    # lock both would create the tables and one would fail.
    engines = [create_async_engine(postgres_url, poolclass=NullPool) for _ in range(3)]
    try:
        await asyncio.gather(*(migrate(engine) for engine in engines))
        async with engines[0].connect() as conn:
            assert await conn.run_sync(current_revision) == head_revision()
            assert await conn.run_sync(_differences) == []
    finally:
        for engine in engines:
            await engine.dispose()


async def test_an_in_memory_database_is_migrated_too() -> None:
    store = ConversationStore("sqlite+aiosqlite:///:memory:")
    try:
        await store.create_schema()
        cid = await store.create_conversation(1)
        assert (await store.get_conversation(cid, 1)).messages == []
    finally:
        await store.aclose()
