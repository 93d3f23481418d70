"""Per-turn timings: stage durations, time to first token (TTFT) and time between tokens (TBT).

A timer also keeps each stage's start and end (``intervals``), so that observability can draw
the turn as spans after it ends, with no work per token. Whoever wants the timers of the turns
started in a block of code (the server, per request) registers a sink with
``collect_timers``; it is a context variable, so it follows the turn into its task.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import NamedTuple

__all__ = ["StageInterval", "TurnTimer", "collect_timers", "percentile"]


def percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks; 0.0 for no values."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = q * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


class StageInterval(NamedTuple):
    """One run of a stage, in ``time.perf_counter`` seconds (a stage may run more than once)."""

    name: str
    start: float
    end: float


_sink: ContextVar[Callable[[TurnTimer], None] | None] = ContextVar(
    "careerpilot_timer_sink", default=None
)


@contextmanager
def collect_timers(sink: Callable[[TurnTimer], None]) -> Iterator[None]:
    """Hand every ``TurnTimer`` created inside this block (and in tasks it starts) to ``sink``."""
    token = _sink.set(sink)
    try:
        yield
    finally:
        _sink.reset(token)


class TurnTimer:
    """Collects a turn's timings in milliseconds, measured from the turn's start."""

    def __init__(self) -> None:
        self._now = time.perf_counter
        self.started = self._now()
        self.started_wall_ns = time.time_ns()  # anchors perf_counter readings to wall time
        self.stages: dict[str, float] = {}
        self.intervals: list[StageInterval] = []
        self.ttft_ms: float | None = None
        self.first_component_ms: float | None = None
        self._last_token: float | None = None
        self._gaps_ms: list[float] = []
        # Hidden chain-of-thought tokens before the answer (None: the agent did not reason).
        self.reasoning_tokens: int | None = None
        sink = _sink.get()
        if sink is not None:
            sink(self)

    def elapsed_ms(self) -> float:
        return (self._now() - self.started) * 1000

    def wall_ns(self, perf: float) -> int:
        """A ``perf_counter`` reading of this turn as nanoseconds since the epoch."""
        return self.started_wall_ns + int((perf - self.started) * 1e9)

    @property
    def gaps_ms(self) -> list[float]:
        """Every time between tokens, in order."""
        return self._gaps_ms

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = self._now()
        try:
            yield
        finally:
            self.add_stage(name, start, self._now())

    def add_stage(self, name: str, start: float, end: float) -> None:
        """Record a stage measured elsewhere (``perf_counter`` readings)."""
        self.stages[name] = self.stages.get(name, 0.0) + (end - start) * 1000
        self.intervals.append(StageInterval(name, start, end))

    def token(self) -> None:
        now = self._now()
        if self.ttft_ms is None:
            self.ttft_ms = (now - self.started) * 1000
        elif self._last_token is not None:
            self._gaps_ms.append((now - self._last_token) * 1000)
        self._last_token = now

    def component(self) -> None:
        if self.first_component_ms is None:
            self.first_component_ms = self.elapsed_ms()

    def summary(self) -> dict[str, float]:
        out = {f"{name}_ms": round(ms, 2) for name, ms in self.stages.items()}
        if self.ttft_ms is not None:
            out["ttft_ms"] = round(self.ttft_ms, 2)
        if self._gaps_ms:
            out["tbt_p50_ms"] = round(percentile(self._gaps_ms, 0.5), 2)
            out["tbt_p99_ms"] = round(percentile(self._gaps_ms, 0.99), 2)
        if self.reasoning_tokens is not None:
            out["reasoning_tokens"] = float(self.reasoning_tokens)
        if self.first_component_ms is not None:
            out["first_component_ms"] = round(self.first_component_ms, 2)
        out["total_ms"] = round(self.elapsed_ms(), 2)
        return out
