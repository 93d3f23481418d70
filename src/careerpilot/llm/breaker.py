"""A circuit breaker per LLM endpoint: stop sending requests to an endpoint that keeps failing.

::

    closed ──(``failures`` failures in a row)──▶ open ──(cooldown passed)──▶ half-open
      ▲                                            ▲                              │
      └──────────── a probe succeeds ──────────────┼──────── a probe fails ───────┘

While open, callers skip the endpoint at once (the pool tries the next one in its chain) instead
of waiting for a timeout on every turn. After the cooldown, ``probes`` calls at a time are let
through; the first outcome decides. Each failed probe doubles the cooldown, up to
``max_cooldown_s``. The clock is injectable so that tests can drive it without sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

__all__ = ["CircuitBreaker"]

BreakerState = Literal["closed", "open", "half_open"]


class CircuitBreaker:
    def __init__(
        self,
        *,
        failures: int = 5,
        cooldown_s: float = 10.0,
        max_cooldown_s: float = 120.0,
        probes: int = 1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.threshold = failures
        self.base_cooldown_s = cooldown_s
        self.max_cooldown_s = max_cooldown_s
        self.probes = probes
        self._clock = clock
        self._state: BreakerState = "closed"
        self._failures = 0
        self._cooldown_s = cooldown_s
        self._open_until = 0.0
        self._probing = 0

    @property
    def state(self) -> BreakerState:
        if self._state == "open" and self._clock() >= self._open_until:
            self._state, self._probing = "half_open", 0
        return self._state

    def allow(self) -> bool:
        """Whether a call may go to the endpoint now (a half-open breaker counts it a probe)."""
        state = self.state
        if state == "closed":
            return True
        if state == "half_open" and self._probing < self.probes:
            self._probing += 1
            return True
        return False

    def succeeded(self) -> None:
        self._state, self._failures, self._probing = "closed", 0, 0
        self._cooldown_s = self.base_cooldown_s

    def failed(self) -> None:
        self._failures += 1
        if self._state == "half_open" or self._failures >= self.threshold:
            self._state = "open"
            self._open_until = self._clock() + self._cooldown_s
            self._cooldown_s = min(self._cooldown_s * 2, self.max_cooldown_s)
            self._probing = 0

    def abandoned(self) -> None:
        """A call let through ended without an outcome (cancelled): free its probe."""
        if self._state == "half_open" and self._probing > 0:
            self._probing -= 1

    def retry_after_s(self) -> float:
        """Seconds until an open breaker lets a probe through (0 when it would now)."""
        if self._state != "open":
            return 0.0
        return max(0.0, self._open_until - self._clock())
