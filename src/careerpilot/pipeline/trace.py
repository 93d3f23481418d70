"""What happened inside one turn, beyond its events: each skill call with its arguments and
output, and the planner's counters. Evaluation reads it (groundedness checks a turn's answer
against its skill outputs; the planner evaluator counts schema errors and repairs).

It lives in a context variable, so it follows the turn into the tasks its skill calls run in
without being passed around; outside ``tracing()`` nothing is recorded and nothing is kept.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

__all__ = ["SkillTrace", "TurnTrace", "current_trace", "tracing"]


@dataclass
class SkillTrace:
    skill: str
    args: dict[str, Any]
    output: Any = None  # JSON-ready (model_dump) when the call succeeded
    error: str | None = None
    ms: float = 0.0


@dataclass
class TurnTrace:
    skills: list[SkillTrace] = field(default_factory=list)
    plan: Counter[str] = field(default_factory=Counter)
    # the messages of each narration the turn generated (for fine-tuning exports)
    prompts: list[list[dict[str, str]]] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)


_current: ContextVar[TurnTrace | None] = ContextVar("careerpilot_turn_trace", default=None)


def current_trace() -> TurnTrace | None:
    return _current.get()


@contextmanager
def tracing() -> Iterator[TurnTrace]:
    """Record what the turns run inside this block do (set it before iterating ``turn``)."""
    trace = TurnTrace()
    token = _current.set(trace)
    try:
        yield trace
    finally:
        _current.reset(token)
