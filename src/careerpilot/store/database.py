"""The application database: its engines, sessions, schema, and how writes run.

Every store in this package (conversations, annotations) shares one ``Database``. The URL picks
the backend: SQLite by default (a file in the data directory), PostgreSQL (asyncpg) when
``CAREERPILOT_DATABASE_URL`` names one; docs/storage.md compares them. Reads use the async
engine. A write is a plain function of a ``Session`` handed to ``write``:

* on SQLite it runs whole on one dedicated writer thread, with a synchronous engine. SQLite has
  one writer at a time anyway; this way writers queue in order, without a busy timeout, and a
  write costs one thread hop instead of one per statement (aiosqlite), which at the end of a
  streamed answer is CPU taken from whoever is reading it;
* on a server database (PostgreSQL) it runs in an async session (``run_sync``), concurrently.
  Writes are written so that concurrency cannot fail them (upserts, not read-then-insert).

The schema comes from the package's Alembic migrations (``migrate.py``), not ``create_all``.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session, sessionmaker

from careerpilot.store.migrate import migrate

__all__ = ["Database"]

T = TypeVar("T")


def _sqlite_pragmas(busy_timeout_ms: int) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # WAL lets readers proceed while a turn is being written; busy_timeout rides out
        # another process's short write locks (this process's writers queue on one thread).
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return on_connect


def _engine_options(backend: str) -> dict[str, Any]:
    """Pool options for a server database; SQLite keeps SQLAlchemy's defaults.

    Each process holds at most ``pool_size + max_overflow`` connections: keep replicas × 20
    under PostgreSQL's ``max_connections`` (100 by default). Pre-ping drops connections the
    server closed (a restart, an idle timeout) instead of failing the next request on them."""
    if backend != "postgresql":
        return {}
    return {
        "pool_size": 10,
        "max_overflow": 10,
        "pool_timeout": 5,
        "pool_pre_ping": True,
        "pool_recycle": 1800,
        "connect_args": {
            "server_settings": {"application_name": "careerpilot"},
            "command_timeout": 30,
        },
    }


class Database:
    def __init__(self, url: str, *, busy_timeout_ms: int = 10_000) -> None:
        parsed = make_url(url)
        self.backend = parsed.get_backend_name()
        self.engine: AsyncEngine = create_async_engine(url, **_engine_options(self.backend))
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._sync_engine: Engine | None = None
        self._writer: ThreadPoolExecutor | None = None
        self._pending: set[asyncio.Future[Any]] = set()  # shielded async writes under way
        if self.backend == "sqlite":
            pragmas = _sqlite_pragmas(busy_timeout_ms)
            event.listen(self.engine.sync_engine, "connect", pragmas)
            if parsed.database not in (None, "", ":memory:"):
                self._sync_engine = create_engine(parsed.set(drivername="sqlite"))
                event.listen(self._sync_engine, "connect", pragmas)
                self._writer = ThreadPoolExecutor(1, thread_name_prefix="careerpilot-db-writer")
        self._write_sessions = sessionmaker(self._sync_engine, expire_on_commit=False)

    def reading(self) -> AsyncSession:
        """A session for reads (``async with database.reading() as session``)."""
        return self._sessions()

    async def write(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in one transaction, committed when it returns (rolled back if it raises).

        If the caller is cancelled, a write that has started still completes."""
        if self._writer is None:
            # Shielded, like the thread below: a disconnect must not drop a stored answer.
            task = asyncio.ensure_future(self._write_async(work))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)
            return await asyncio.shield(task)
        return await asyncio.get_running_loop().run_in_executor(
            self._writer, functools.partial(self._write_in_thread, work)
        )

    async def _write_async(self, work: Callable[[Session], T]) -> T:
        async with self._sessions.begin() as session:
            return await session.run_sync(work)

    def _write_in_thread(self, work: Callable[[Session], T]) -> T:
        with self._write_sessions.begin() as session:
            return work(session)

    async def create_schema(self) -> None:
        """Migrate the database to the latest schema (creating it if it is empty)."""
        await migrate(self.engine)

    async def aclose(self) -> None:
        if self._writer is not None:
            # Queued writes finish first: an answer being stored is not dropped at shutdown.
            await asyncio.to_thread(self._writer.shutdown, wait=True)
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)
        if self._sync_engine is not None:
            self._sync_engine.dispose()
        await self.engine.dispose()
