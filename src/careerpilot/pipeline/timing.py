"""Per-turn timings: stage durations, time to first token (TTFT) and time between tokens (TBT)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["TurnTimer"]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = q * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


class TurnTimer:
    """Collects a turn's timings in milliseconds, measured from the turn's start."""

    def __init__(self) -> None:
        self._now = time.perf_counter
        self.started = self._now()
        self.stages: dict[str, float] = {}
        self.ttft_ms: float | None = None
        self.first_component_ms: float | None = None
        self._last_token: float | None = None
        self._gaps_ms: list[float] = []

    def elapsed_ms(self) -> float:
        return (self._now() - self.started) * 1000

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = self._now()
        try:
            yield
        finally:
            self.stages[name] = self.stages.get(name, 0.0) + (self._now() - start) * 1000

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
            out["tbt_p50_ms"] = round(_percentile(self._gaps_ms, 0.5), 2)
            out["tbt_p99_ms"] = round(_percentile(self._gaps_ms, 0.99), 2)
        if self.first_component_ms is not None:
            out["first_component_ms"] = round(self.first_component_ms, 2)
        out["total_ms"] = round(self.elapsed_ms(), 2)
        return out
