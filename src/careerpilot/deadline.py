"""A turn's deadline, carried in a context variable to every stage that waits.

``Assistant.turn`` opens a ``deadline_scope``; routing, skill calls and every model request read
``current_deadline()`` and wait with ``asyncio.timeout_at`` around each single await (never
across a ``yield``: a timeout spanning a suspended generator would cancel whoever consumes it).
Past the deadline they raise ``DeadlineExceededError`` (retryable), and the turn ends with what
it has streamed plus an ``error`` event.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass

from careerpilot.errors import DeadlineExceededError

__all__ = ["Deadline", "current_deadline", "deadline_scope", "within_deadline"]


@dataclass(frozen=True, slots=True)
class Deadline:
    at: float  # on the event loop's clock
    seconds: float  # the budget it was opened with, for messages

    def remaining(self) -> float:
        return self.at - asyncio.get_running_loop().time()

    def expired(self) -> bool:
        return self.remaining() <= 0

    def error(self, stage: str) -> DeadlineExceededError:
        return DeadlineExceededError(
            f"the turn ran past its {self.seconds:g} s deadline during {stage}"
        )


_current: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar(
    "careerpilot_deadline", default=None
)


def current_deadline() -> Deadline | None:
    return _current.get()


@contextmanager
def deadline_scope(seconds: float | None) -> Iterator[Deadline | None]:
    """Set the deadline for everything awaited inside (None: no deadline)."""
    if seconds is None:
        yield None
        return
    deadline = Deadline(asyncio.get_running_loop().time() + seconds, seconds)
    token = _current.set(deadline)
    try:
        yield deadline
    finally:
        _current.reset(token)


@asynccontextmanager
async def within_deadline(stage: str, limit_s: float | None = None) -> AsyncIterator[None]:
    """Wait for at most ``limit_s`` and never past the turn's deadline.

    Past the deadline: ``DeadlineExceededError``. Past ``limit_s`` only: ``TimeoutError``, for
    the caller to handle (an endpoint's own timeout is not the turn's)."""
    loop = asyncio.get_running_loop()
    deadline = current_deadline()
    ends = [loop.time() + limit_s] if limit_s is not None else []
    if deadline is not None:
        if deadline.expired():
            raise deadline.error(stage)
        ends.append(deadline.at)
    if not ends:
        yield
        return
    try:
        async with asyncio.timeout_at(min(ends)):
            yield
    except TimeoutError:
        if deadline is not None and deadline.expired():
            raise deadline.error(stage) from None
        raise
