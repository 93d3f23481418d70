"""How many turns per second an LLM endpoint holds, and how many replicas a load needs.

A turn holds one of an endpoint's concurrent slots for its LLM calls. The endpoint pool
measures that hold (``llm_hold_ms`` in the turn's timings) and capacity plans from it. For
figures without it (given on the command line, or turns stored before it was recorded) the
hold is estimated as the time to the first token plus one gap per further token
(``TTFT + (tokens - 1) x TBT``). That estimate over-states the hold of a loaded endpoint:
its TTFT includes the routing and skill calls before the model, and the wait for a slot.

By Little's law an endpoint serving ``concurrency`` streams at once completes
``concurrency / hold`` turns a second (``benchmarks/capacity_check.py`` saturates one and
compares). Run it at ``headroom`` (say 70%) so that queueing stays short, and a target of
``target_tps`` turns a second needs ``ceil(target_tps / (capacity x headroom))`` replicas.

The API processes are sized the same way from the CPU a turn costs them (routing, skills, the
store, the SSE writes: 20-27 ms per turn measured by benchmarks/sse_concurrency.py).

TBT grows with the number of streams a server batches: measure TTFT and TBT at the concurrency
you plan for (a load test), not on an idle server.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from careerpilot.store.database import Database
from careerpilot.store.models import MessageRow

__all__ = ["Capacity", "TurnFigures", "measured_turns", "plan_capacity"]


@dataclass(frozen=True, slots=True)
class TurnFigures:
    """One turn's measured figures, or their typical value over many turns."""

    ttft_ms: float
    tbt_ms: float
    completion_tokens: float
    prompt_tokens: float = 0.0
    # The slot hold the endpoint pool measured (None: estimate it from TTFT and TBT).
    llm_hold_ms: float | None = None

    @property
    def hold_s(self) -> float:
        """How long the turn holds an endpoint slot."""
        if self.llm_hold_ms is not None:
            return self.llm_hold_ms / 1000
        return self.estimated_hold_s

    @property
    def estimated_hold_s(self) -> float:
        """The hold as TTFT + (tokens - 1) x TBT."""
        return (self.ttft_ms + max(self.completion_tokens - 1, 0) * self.tbt_ms) / 1000


@dataclass(frozen=True, slots=True)
class Capacity:
    figures: TurnFigures
    concurrency: int
    headroom: float
    target_tps: float
    endpoint_tps: float  # turns per second one replica completes at full use
    endpoint_replicas: int
    tokens_per_s: float  # prompt + completion tokens one replica processes at full use
    api_cpu_ms: float
    api_cores: float  # API cores the target needs at the headroom

    def rows(self) -> list[tuple[str, str]]:
        f = self.figures
        return [
            ("time to first token", f"{f.ttft_ms:,.0f} ms"),
            ("time between tokens", f"{f.tbt_ms:,.1f} ms"),
            ("tokens per answer", f"{f.completion_tokens:,.0f} (prompt {f.prompt_tokens:,.0f})"),
            (
                "slot held per turn",
                f"{f.hold_s:,.2f} s ({'measured' if f.llm_hold_ms is not None else 'estimated'})",
            ),
            ("streams per replica", f"{self.concurrency}"),
            ("turns/s per replica (full)", f"{self.endpoint_tps:,.2f}"),
            ("tokens/s per replica (full)", f"{self.tokens_per_s:,.0f}"),
            (
                f"LLM replicas for {self.target_tps:g} turns/s",
                f"{self.endpoint_replicas} (at {self.headroom:.0%} use)",
            ),
            (
                "API cores for that load",
                f"{self.api_cores:,.1f} (at {self.api_cpu_ms:g} ms CPU per turn)",
            ),
        ]


def plan_capacity(
    figures: TurnFigures,
    *,
    concurrency: int,
    target_tps: float,
    headroom: float = 0.7,
    api_cpu_ms: float = 27.0,
) -> Capacity:
    if concurrency < 1 or not 0 < headroom <= 1 or target_tps < 0:
        raise ValueError("concurrency >= 1, 0 < headroom <= 1 and target_tps >= 0 are required")
    hold = max(figures.hold_s, 1e-6)
    endpoint_tps = concurrency / hold
    replicas = math.ceil(target_tps / (endpoint_tps * headroom)) if target_tps else 0
    return Capacity(
        figures=figures,
        concurrency=concurrency,
        headroom=headroom,
        target_tps=target_tps,
        endpoint_tps=endpoint_tps,
        endpoint_replicas=replicas,
        tokens_per_s=endpoint_tps * (figures.prompt_tokens + figures.completion_tokens),
        api_cpu_ms=api_cpu_ms,
        api_cores=target_tps * api_cpu_ms / 1000 / headroom,
    )


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def typical(turns: Sequence[TurnFigures], q: float = 0.5) -> TurnFigures:
    """Each figure's ``q`` quantile over the turns (0.9: plan for the slower turns)."""
    if not turns:
        raise ValueError("no measured turns")
    holds = [t.llm_hold_ms for t in turns if t.llm_hold_ms is not None]
    return TurnFigures(
        ttft_ms=_percentile([t.ttft_ms for t in turns], q),
        tbt_ms=_percentile([t.tbt_ms for t in turns], q),
        completion_tokens=_percentile([t.completion_tokens for t in turns], q),
        prompt_tokens=_percentile([t.prompt_tokens for t in turns], q),
        # Measured holds only when every turn has one: a mix would plan from a subset.
        llm_hold_ms=_percentile(holds, q) if len(holds) == len(turns) else None,
    )


async def measured_turns(database: Database, limit: int = 1000) -> list[TurnFigures]:
    """The figures of the last ``limit`` complete answers stored (their ``done`` timings)."""
    async with database.reading() as session:
        rows = (
            await session.execute(
                select(MessageRow.timings, MessageRow.usage)
                .where(MessageRow.role == "assistant", MessageRow.status == "complete")
                .order_by(MessageRow.id.desc())
                .limit(limit)
            )
        ).all()
    out: list[TurnFigures] = []
    for timings, usage in rows:
        figures = _figures(timings or {}, usage or {})
        if figures is not None:
            out.append(figures)
    return out


def _figures(timings: dict[str, Any], usage: dict[str, Any]) -> TurnFigures | None:
    if "ttft_ms" not in timings or not usage.get("completion_tokens"):
        return None  # an answer without narration (out of scope) holds no LLM slot
    return TurnFigures(
        ttft_ms=float(timings["ttft_ms"]),
        tbt_ms=float(timings.get("tbt_p50_ms", 0.0)),
        completion_tokens=float(usage["completion_tokens"]),
        prompt_tokens=float(usage.get("prompt_tokens", 0)),
        llm_hold_ms=float(timings["llm_hold_ms"]) if "llm_hold_ms" in timings else None,
    )
