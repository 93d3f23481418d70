"""Alembic migrations of the application database (SQLite and PostgreSQL), run by
``careerpilot.store.migrate`` at start-up. A package so that it ships with careerpilot."""
