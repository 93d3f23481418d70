"""Alembic environment: how a migration run gets its connection.

From the application (``careerpilot.store.migrate``) the caller's open connection arrives in
``config.attributes["connection"]``, inside a transaction that the caller commits. From the
``alembic`` command line (developers writing a revision; see docs/storage.md) the URL comes
from ``-x url=...``, else ``CAREERPILOT_DATABASE_URL``/the default SQLite file. The URL is
never put in the Config, whose ConfigParser interpolation would break on ``%`` in a password,
and no logging configuration is loaded, so the application's loggers stay as they are.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from careerpilot.store.models import Base

config = context.config
target_metadata = Base.metadata


def _command_line_url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url")
    if url:
        return url
    from careerpilot.config import Settings

    return Settings().app_db_url


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # Autogenerate writes SQLite-safe ALTERs (table copies); see docs/storage.md.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def _run(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_from_url(url: str) -> None:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


def _run_offline() -> None:
    context.configure(
        url=_command_line_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    _run_offline()
elif (shared := config.attributes.get("connection")) is not None:
    _run(shared)
else:  # the command line: no event loop is running
    asyncio.run(_run_from_url(_command_line_url()))
