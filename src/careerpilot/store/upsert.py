"""Insert-or-update in one statement, on SQLite and PostgreSQL.

Reading a row and then inserting it races on a server database: two requests both find
nothing, both insert, and the second fails on the unique key (a 500). ``INSERT ... ON CONFLICT
DO UPDATE`` cannot: PostgreSQL and SQLite (3.24+) both have it, with the same SQLAlchemy API.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session

__all__ = ["upsert"]


def upsert(
    session: Session,
    model: type[DeclarativeBase],
    values: Mapping[str, Any],
    *,
    key: Sequence[str],
    update: Sequence[str],
) -> None:
    """Insert ``values``; when a row with the same ``key`` columns exists, set ``update`` on
    it to the new values instead (the other columns, such as ``created_at``, stay)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        pg = postgresql.insert(model).values(**values)
        statement: Any = pg.on_conflict_do_update(
            index_elements=list(key), set_={c: pg.excluded[c] for c in update}
        )
    elif dialect == "sqlite":
        lite = sqlite.insert(model).values(**values)
        statement = lite.on_conflict_do_update(
            index_elements=list(key), set_={c: lite.excluded[c] for c in update}
        )
    else:  # pragma: no cover - only the two backends above are supported
        raise NotImplementedError(f"no upsert for the {dialect} dialect")
    session.execute(statement)
