"""A bound on how many turns prepare their answer at once.

A turn's preparation (routing, skill calls, planning) is CPU work on the event loop and in its
worker threads. When a burst of turns starts together, running all of their preparations at
once makes every one of them slow: skill calls time out, and the streams already answering
stutter. Past ``limit``, turns wait here in arrival order, and a turn gives its slot back the
moment its narration starts (or when it ends, whichever comes first), so the streams in flight
are never what is waited for.
"""

from __future__ import annotations

import asyncio

__all__ = ["PreparationGate", "PreparationSlot"]


class PreparationSlot:
    """One turn's place; ``release`` is idempotent (called at narration and again at the end)."""

    def __init__(self, semaphore: asyncio.Semaphore) -> None:
        self._semaphore: asyncio.Semaphore | None = semaphore

    def release(self) -> None:
        if self._semaphore is not None:
            self._semaphore.release()
            self._semaphore = None


class PreparationGate:
    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("the preparation limit must be at least 1")
        self.limit = limit
        self._semaphore = asyncio.Semaphore(limit)
        self.waiting = 0

    async def acquire(self) -> PreparationSlot:
        """Wait for a slot (first come, first served); cancelling the wait takes none."""
        self.waiting += 1
        try:
            await self._semaphore.acquire()
        finally:
            self.waiting -= 1
        return PreparationSlot(self._semaphore)

    @property
    def preparing(self) -> int:
        """Slots in use now."""
        return self.limit - self._semaphore._value
