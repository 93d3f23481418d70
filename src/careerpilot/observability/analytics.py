"""Turn analytics over the stored answers (so every replica sees every turn): turns, outcomes,
latency percentiles and errors over a recent window, in time buckets, for the ``/analytics``
page. Only ``MessageRow``'s status, agent, created_at and two timings are read — never text.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select

from careerpilot.pipeline import timing
from careerpilot.store.database import Database
from careerpilot.store.models import MessageRow

__all__ = ["AnalyticsBucket", "Latency", "TurnAnalytics", "percentile", "turn_analytics"]


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (as the turn's own TBT figures); None for no
    values."""
    return round(timing.percentile(values, q), 2) if values else None


class Latency(BaseModel):
    n: int = Field(description="turns with a value")
    p50: float | None
    p95: float | None
    p99: float | None

    @classmethod
    def of(cls, values: Sequence[float]) -> Latency:
        return cls(
            n=len(values),
            p50=percentile(values, 0.5),
            p95=percentile(values, 0.95),
            p99=percentile(values, 0.99),
        )


class AnalyticsBucket(BaseModel):
    start: dt.datetime
    turns: int
    complete: int
    errors: int
    interrupted: int
    ttft_ms: Latency


class TurnAnalytics(BaseModel):
    window_s: int
    bucket_s: int
    since: dt.datetime
    until: dt.datetime
    turns: int
    outcomes: dict[str, int] = Field(description="complete, error, interrupted")
    agents: dict[str, int]
    error_rate: float | None = Field(description="errors / turns; None without turns")
    ttft_ms: Latency
    total_ms: Latency
    buckets: list[AnalyticsBucket] = Field(description="oldest first, every bucket present")


@dataclass
class _Row:
    at: dt.datetime
    status: str
    agent: str | None
    ttft_ms: float | None
    total_ms: float | None


def _utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; the store writes UTC.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


async def _rows(database: Database, since: dt.datetime) -> list[_Row]:
    query = select(MessageRow.created_at, MessageRow.status, MessageRow.agent, MessageRow.timings)
    query = query.where(MessageRow.role == "assistant", MessageRow.created_at >= since)
    async with database.reading() as session:
        result = await session.execute(query)
        rows = result.all()
    out = []
    for created_at, status, agent, timings in rows:
        timings = timings if isinstance(timings, dict) else {}
        out.append(
            _Row(
                _utc(created_at),
                status,
                agent,
                _number(timings.get("ttft_ms")),
                _number(timings.get("total_ms")),
            )
        )
    return out


async def turn_analytics(
    database: Database,
    window_s: int = 3600,
    bucket_s: int | None = None,
    *,
    now: dt.datetime | None = None,
) -> TurnAnalytics:
    """The answers stored in the last ``window_s`` seconds, in buckets of ``bucket_s`` (by
    default 60 buckets per window), aligned to multiples of the bucket size."""
    bucket_s = bucket_s or max(window_s // 60, 1)
    until = _utc(now or dt.datetime.now(dt.UTC))
    step = dt.timedelta(seconds=bucket_s)
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    last = epoch + step * ((until - epoch) // step)  # the bucket holding `until`
    count = max(-(-window_s // bucket_s), 1)
    first = last - step * (count - 1)
    since = max(until - dt.timedelta(seconds=window_s), first)
    rows = [r for r in await _rows(database, since) if r.at <= until]

    per_bucket: list[list[_Row]] = [[] for _ in range(count)]
    for row in rows:
        per_bucket[min(max((row.at - first) // step, 0), count - 1)].append(row)
    buckets = []
    for index, members in enumerate(per_bucket):
        statuses = Counter(r.status for r in members)
        buckets.append(
            AnalyticsBucket(
                start=first + step * index,
                turns=len(members),
                complete=statuses["complete"],
                errors=statuses["error"],
                interrupted=statuses["interrupted"],
                ttft_ms=Latency.of([r.ttft_ms for r in members if r.ttft_ms is not None]),
            )
        )
    outcomes = Counter(r.status for r in rows)
    return TurnAnalytics(
        window_s=window_s,
        bucket_s=bucket_s,
        since=since,
        until=until,
        turns=len(rows),
        outcomes={key: outcomes[key] for key in ("complete", "error", "interrupted")}
        | {k: v for k, v in outcomes.items() if k not in ("complete", "error", "interrupted")},
        agents=dict(Counter(r.agent or "none" for r in rows).most_common()),
        error_rate=round(outcomes["error"] / len(rows), 4) if rows else None,
        ttft_ms=Latency.of([r.ttft_ms for r in rows if r.ttft_ms is not None]),
        total_ms=Latency.of([r.total_ms for r in rows if r.total_ms is not None]),
        buckets=buckets,
    )
