"""Counters of how planning went, per LLM backend (exported as metrics by the server)."""

from __future__ import annotations

import threading
from collections import defaultdict

from careerpilot.pipeline.trace import current_trace

__all__ = ["PLAN_COUNTERS", "PlanMetrics"]

PLAN_COUNTERS = (
    "plans",
    "schema_errors",
    "repairs",
    "reasks",
    "fallbacks",
    "steps_started_in_stream",
)


class PlanMetrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: defaultdict[str, dict[str, int]] = defaultdict(
            lambda: dict.fromkeys(PLAN_COUNTERS, 0)
        )

    def incr(self, backend: str, counter: str, n: int = 1) -> None:
        if counter not in PLAN_COUNTERS:
            raise ValueError(f"unknown plan counter {counter!r}")
        with self._lock:
            self._counts[backend][counter] += n
        trace = current_trace()
        if trace is not None:  # the turn's own counts, for evaluation
            trace.plan[counter] += n

    def snapshot(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return {backend: dict(counts) for backend, counts in self._counts.items()}
