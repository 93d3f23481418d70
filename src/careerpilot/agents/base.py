"""The agent extension point and what a turn hands every agent.

To write an agent, subclass ``Agent`` with a ``name`` (its routing label) and implement ``run``
as an async generator of events. Facts come from skills (``turn.call_skills``), language from
``turn.generate``; the pipeline adds ``route`` before and ``done``/``error`` after.
"""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, Callable, Collection, Mapping, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Protocol

from pydantic import BaseModel

from careerpilot.config import ChainOfThoughtSettings
from careerpilot.deadline import within_deadline
from careerpilot.errors import SkillError
from careerpilot.llm.base import ChatMessage, ChatModel, GenerationOptions, Usage
from careerpilot.pipeline.events import Event, StatusEvent, TextEvent
from careerpilot.pipeline.timing import TurnTimer
from careerpilot.pipeline.trace import current_trace
from careerpilot.skills.base import SkillRegistry

__all__ = ["Agent", "ExampleSource", "PageContext", "SkillCall", "TurnContext"]


class PageContext(BaseModel):
    """What the member is looking at while asking."""

    type: Literal["job", "post", "company"]
    id: int


@dataclass(frozen=True, slots=True)
class SkillCall:
    skill: str
    args: Mapping[str, Any]


class ExampleSource(Protocol):
    """Where agents get few-shot examples (``example_store.ExampleStore``)."""

    async def select(self, agent: str, query: str, k: int) -> list[Any]: ...


@dataclass
class TurnContext:
    question: str
    member_id: int
    page: PageContext | None
    skills: SkillRegistry
    model: ChatModel
    generation: GenerationOptions
    history: Sequence[ChatMessage] = ()
    timer: TurnTimer = field(default_factory=TurnTimer)
    usage: Usage = field(default_factory=Usage)
    skill_outputs: dict[str, Any] = field(default_factory=dict)
    # Optional skills whose API failed this turn: the answer goes on without their data.
    unavailable: list[str] = field(default_factory=list)
    examples: ExampleSource | None = None
    examples_k: int = 1
    # Called when the narration starts: the turn's preparation (routing, skills, planning) is
    # over, and the pipeline lets the next waiting turn start its own.
    on_generate: Callable[[], None] | None = None
    # The planner's model ([tasks] planner); None: ``model``.
    planner_model: ChatModel | None = None
    # Set when this turn's agent reasons before it answers (``agents/reasoning.py``).
    chain_of_thought: ChainOfThoughtSettings | None = None

    async def call_skills(
        self, calls: Sequence[SkillCall], optional: Collection[str] = ()
    ) -> AsyncGenerator[StatusEvent | list[Any], None]:
        """Run skill calls concurrently; yield status events, then the list of results.

        A call to a skill named in ``optional`` that fails upstream (the API answered 5xx, timed
        out or was unreachable: ``SkillError``) gives ``None``, a ``failed`` status and an entry
        in ``unavailable``, and the turn goes on without that data. Any other failure cancels
        the other calls and propagates.
        """
        for call in calls:
            yield StatusEvent(stage="skill", state="started", skill=call.skill)

        async def one(call: SkillCall) -> tuple[Any, float, SkillError | None]:
            start = time.perf_counter()
            try:
                result = await self.skills.get(call.skill).invoke(dict(call.args))
            except SkillError as exc:
                if call.skill not in optional:
                    raise
                return None, (time.perf_counter() - start) * 1000, exc
            return result, (time.perf_counter() - start) * 1000, None

        with self.timer.stage("skills"):
            try:
                async with within_deadline("skill calls"), asyncio.TaskGroup() as group:
                    tasks = [group.create_task(one(call)) for call in calls]
            except ExceptionGroup as group_error:
                # One failed call fails the step; report it, not the group's wrapper.
                raise group_error.exceptions[0] from None
        results = []
        for call, task in zip(calls, tasks, strict=True):
            result, ms, failure = task.result()
            results.append(result)
            if failure is not None:
                self.unavailable.append(call.skill)
                yield StatusEvent(
                    stage="skill",
                    state="failed",
                    skill=call.skill,
                    detail=failure.message,
                    duration_ms=round(ms, 2),
                )
                continue
            self.skill_outputs[call.skill] = result
            yield StatusEvent(
                stage="skill", state="finished", skill=call.skill, duration_ms=round(ms, 2)
            )
        yield results

    async def skills_into(
        self, calls: Sequence[SkillCall], out: list[Any], optional: Collection[str] = ()
    ) -> AsyncGenerator[StatusEvent, None]:
        """``call_skills`` for agents: yield its status events, append its results to ``out``."""
        async with aclosing(self.call_skills(calls, optional)) as steps:
            async for item in steps:
                if isinstance(item, list):
                    out.extend(item)
                else:
                    yield item

    def _begin_generation(self, messages: Sequence[ChatMessage]) -> None:
        trace = current_trace()
        if trace is not None:
            trace.prompts.append([m.to_dict() for m in messages])
        if self.on_generate is not None:
            self.on_generate()

    async def stream_text(
        self, messages: Sequence[ChatMessage], options: GenerationOptions | None = None
    ) -> AsyncGenerator[str, None]:
        """Stream the LLM's text deltas, recording usage (tokens are the caller's to time)."""
        self._begin_generation(messages)
        with self.timer.stage("generation"):
            stream = self.model.stream(messages, options or self.generation)
            try:
                async for chunk in stream:
                    if chunk.usage is not None:
                        self.usage.add(chunk.usage)
                    if chunk.delta:
                        yield chunk.delta
            finally:
                await stream.aclose()  # type: ignore[attr-defined]

    async def generate(self, messages: Sequence[ChatMessage]) -> AsyncGenerator[TextEvent, None]:
        """Stream the LLM's answer as text events, recording TTFT, TBT and usage."""
        # The same loop as ``stream_text``, not a wrapper of it: every answer token passes
        # here, and one more generator layer per token shows in the TBT overhead benchmark.
        self._begin_generation(messages)
        with self.timer.stage("generation"):
            stream = self.model.stream(messages, self.generation)
            try:
                async for chunk in stream:
                    if chunk.usage is not None:
                        self.usage.add(chunk.usage)
                    if chunk.delta:
                        self.timer.token()
                        yield TextEvent(delta=chunk.delta)
            finally:
                await stream.aclose()  # type: ignore[attr-defined]


class Agent(ABC):
    name: ClassVar[str]

    @abstractmethod
    def run(self, turn: TurnContext) -> AsyncGenerator[Event, None]:
        """Answer the turn as a stream of events (never ``route``, ``done`` or ``error``)."""
