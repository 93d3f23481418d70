"""The reads that scan ``messages`` on a large SQLite store, before and after revision 0002's
indexes (docs/storage.md, "Indexes").

Stores ``--answers`` answers (and as many questions) spread evenly over ``--days`` days, in
conversations of 10 turns among ``--members`` members, in a database at the baseline revision
(0001); times each read (median of ``--repeat`` runs, warm page cache); migrates to the head
revision (timing the index builds); times the reads again.

    .venv/bin/python benchmarks/analytics_query.py [--answers 200000] [--days 30]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from careerpilot.observability.analytics import turn_analytics
from careerpilot.ops.capacity import measured_turns
from careerpilot.store.conversations import ConversationStore
from careerpilot.store.migrate import alembic_config, migrate

TURNS_PER_CONVERSATION = 10


def _baseline(conn: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = conn
    command.upgrade(config, "0001")


def fill(path: Path, answers: int, days: int, members: int, now: dt.datetime) -> float:
    """Store the turns; returns the database's size in MiB."""
    events = json.dumps([{"event": "token", "data": {"text": "word "}}] * 25)
    answer = "An answer of a few sentences. " * 20
    usage = json.dumps({"prompt_tokens": 900, "completion_tokens": 180, "total_tokens": 1080})
    step = dt.timedelta(days=days) / answers
    start = now - dt.timedelta(days=days)
    db = sqlite3.connect(path)
    conversations = []
    messages: list[tuple[Any, ...]] = []
    for turn in range(answers):
        number = turn // TURNS_PER_CONVERSATION
        cid = f"{number:036d}"
        at = (start + step * turn).strftime("%Y-%m-%d %H:%M:%S.%f")
        if turn % TURNS_PER_CONVERSATION == 0:
            conversations.append((cid, number % members + 1, "a title", at, at))
        timings = json.dumps({"ttft_ms": 300 + turn % 500, "total_ms": 2000 + turn % 3000})
        messages.append((cid, "user", "What jobs fit me?", "complete", None, None, None, None, at))
        messages.append((cid, "assistant", answer, "complete", "jobs", events, usage, timings, at))
    with db:
        db.executemany("INSERT INTO conversations VALUES (?, ?, ?, ?, ?)", conversations)
        db.executemany(
            "INSERT INTO messages (conversation_id, role, text, status, agent, events, usage,"
            " timings, created_at, context) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
            messages,
        )
    db.close()
    return path.stat().st_size / 2**20


async def timed(run: Callable[[], Awaitable[Any]], repeat: int) -> float:
    await run()  # warm
    times = []
    for _ in range(repeat):
        begun = time.perf_counter()
        await run()
        times.append((time.perf_counter() - begun) * 1000)
    return statistics.median(times)


async def measure(store: ConversationStore, now: dt.datetime, repeat: int) -> dict[str, float]:
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    database = store.database
    reads: dict[str, Callable[[], Awaitable[Any]]] = {
        "turn_analytics, 1 h window": lambda: turn_analytics(database, 3600, now=now),
        "turn_analytics, 24 h window": lambda: turn_analytics(database, 86400, now=now),
        "tokens_used_since (budget)": lambda: store.tokens_used_since(1, midnight),
        "interrupt_abandoned (start-up)": lambda: store.interrupt_abandoned(),
        "measured_turns(1000) (capacity)": lambda: measured_turns(database, 1000),
    }
    return {name: await timed(run, repeat) for name, run in reads.items()}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    now = dt.datetime.now(dt.UTC)
    with tempfile.TemporaryDirectory(prefix="careerpilot-analytics-") as directory:
        await run(Path(directory) / "app.sqlite3", args, now)


async def run(path: Path, args: argparse.Namespace, now: dt.datetime) -> None:
    url = f"sqlite+aiosqlite:///{path}"

    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.begin() as conn:
        await conn.run_sync(_baseline)
    begun = time.perf_counter()
    mib = fill(path, args.answers, args.days, args.members, now)
    print(
        f"{args.answers:,} answers over {args.days} days, {args.members:,} members "
        f"({mib:,.0f} MiB, stored in {time.perf_counter() - begun:.1f} s)"
    )

    store = ConversationStore(url)
    window = await turn_analytics(store.database, 3600, now=now)
    print(f"{window.turns} answers in the last hour")
    before = await measure(store, now, args.repeat)
    begun = time.perf_counter()
    await migrate(engine)
    built = time.perf_counter() - begun
    after = await measure(store, now, args.repeat)
    await store.aclose()
    await engine.dispose()

    print(f"migration to head (building the indexes): {built:.1f} s\n")
    print(f"{'median of ' + str(args.repeat):34} {'0001 (ms)':>10} {'head (ms)':>10} {'x':>7}")
    for name, ms in before.items():
        print(f"{name:34} {ms:10.1f} {after[name]:10.1f} {ms / after[name]:7.1f}")


if __name__ == "__main__":
    asyncio.run(main())
