"""Bring the application database to the latest schema with the package's Alembic migrations.

Run from Python at start-up (``Database.create_schema``: the server's lifespan, the CLI), so
users need neither ``alembic.ini`` nor the ``alembic`` command. Everything happens on the
caller's connection in one transaction: on PostgreSQL DDL is transactional, so a failed
upgrade leaves the schema as it was, and an advisory lock makes replicas that start together
migrate one after the other. A database made by ``create_all`` before migrations existed has
no version table; the baseline revision adopts it (see ``versions/0001_baseline.py``).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["MIGRATIONS", "alembic_config", "current_revision", "head_revision", "migrate"]

MIGRATIONS = Path(__file__).parent / "migrations"
# Any fixed number: the key of the PostgreSQL advisory lock held while migrating.
_LOCK_KEY = 724_031_008


def alembic_config() -> Config:
    """The migrations' configuration, without a file (and without a URL: see env.py)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the package ships at least the baseline revision"
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _upgrade(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # Released when the transaction ends: a second replica waits, then finds nothing to do.
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})")
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def migrate(engine: AsyncEngine) -> None:
    """Upgrade the database to the head revision (nothing to do when it is there already)."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)
