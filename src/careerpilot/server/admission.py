"""Who may start a turn now: a bound on concurrent turns, and a rate limit per member.

``TurnAdmission`` bounds the turns streaming at once in this process. A new message waits for
a place at most ``wait_s`` (a short, bounded queue absorbs a burst); past that it gets 429 with
``Retry-After``, estimated from how long turns have been taking. The place is held for the whole
stream and given back when the stream ends, however it ends.

``MemberRateLimiter`` is a token bucket per member: ``per_minute`` messages a minute on
average, up to ``burst`` at once. Past it, 429 with the seconds until the next token.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable

__all__ = ["AdmissionTicket", "MemberRateLimiter", "TurnAdmission"]


class AdmissionTicket:
    """A place among the concurrent turns; ``release`` is idempotent."""

    def __init__(self, admission: TurnAdmission) -> None:
        self._admission: TurnAdmission | None = admission
        self._started = time.monotonic()

    def release(self) -> None:
        if self._admission is not None:
            self._admission._finished(time.monotonic() - self._started)
            self._admission = None


class TurnAdmission:
    def __init__(self, limit: int, wait_s: float) -> None:
        self.limit = limit
        self.wait_s = wait_s
        self._slots = asyncio.Semaphore(limit)
        self.waiting = 0
        self.rejected = 0
        # A running mean of how long an admitted turn holds its place, for Retry-After.
        self._turn_s = 5.0

    @property
    def active(self) -> int:
        return self.limit - self._slots._value

    async def admit(self) -> AdmissionTicket | None:
        """A ticket, or None when no place freed up within ``wait_s``."""
        self.waiting += 1
        try:
            async with asyncio.timeout(self.wait_s):
                await self._slots.acquire()
        except TimeoutError:
            self.rejected += 1
            return None
        finally:
            self.waiting -= 1
        return AdmissionTicket(self)

    def retry_after_s(self) -> int:
        """Whole seconds (at least 1) until a place is likely free: the turns ahead, each
        holding a place for about the mean turn time, spread over the places."""
        ahead = self.waiting + 1
        return max(1, min(120, math.ceil(self._turn_s * ahead / self.limit)))

    def _finished(self, held_s: float) -> None:
        self._slots.release()
        self._turn_s = 0.9 * self._turn_s + 0.1 * held_s


class MemberRateLimiter:
    def __init__(
        self, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = burst
        self._clock = clock
        self._buckets: dict[int, tuple[float, float]] = {}  # member -> (tokens, at)

    def take(self, member_id: int) -> float:
        """0 when the member may send now (a token is taken), else seconds until they may."""
        now = self._clock()
        tokens, at = self._buckets.get(member_id, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - at) * self.rate)
        if tokens >= 1:
            self._buckets[member_id] = (tokens - 1, now)
            self._forget_idle(now)
            return 0.0
        self._buckets[member_id] = (tokens, now)
        return (1 - tokens) / self.rate

    def _forget_idle(self, now: float) -> None:
        # Members whose bucket has refilled need no entry: keeps the map bounded.
        if len(self._buckets) > 10_000:
            full = self.burst / self.rate
            self._buckets = {m: b for m, b in self._buckets.items() if now - b[1] < full}
