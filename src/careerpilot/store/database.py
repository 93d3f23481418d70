"""The application database (SQLite by default): one engine, its sessions, and write ordering.

Every store in this package (conversations, annotations) shares one ``Database``, so that their
writers queue on the same lock.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from careerpilot.store.models import Base

__all__ = ["Database"]


def _sqlite_pragmas(busy_timeout_ms: int) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # WAL lets readers proceed while a turn is being written; busy_timeout rides out
        # another process's short write locks (this process's writers queue on the lock).
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return on_connect


class Database:
    def __init__(self, url: str, *, busy_timeout_ms: int = 10_000) -> None:
        self.engine: AsyncEngine = create_async_engine(url)
        # SQLite has one writer at a time. A write transaction holds that lock across several
        # awaits, and on a busy event loop each await can take tens of ms: writers waiting in
        # SQLite's busy handler then time out ("database is locked"). They queue here instead,
        # in order and without a timeout. PostgreSQL takes concurrent writers as they come.
        self._write_lock: asyncio.Lock | None = None
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas(busy_timeout_ms))
            self._write_lock = asyncio.Lock()
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    def reading(self) -> AsyncSession:
        """A session for reads (``async with database.reading() as session``)."""
        return self._sessions()

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncSession]:
        """A write transaction, committed on exit; serialised in this process on SQLite."""
        async with contextlib.AsyncExitStack() as stack:
            if self._write_lock is not None:
                await stack.enter_async_context(self._write_lock)
            yield await stack.enter_async_context(self._sessions.begin())

    async def create_schema(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)

    async def aclose(self) -> None:
        await self.engine.dispose()
