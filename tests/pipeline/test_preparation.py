"""The preparation gate: a bounded number of turns route and call skills at once, in order."""

import asyncio
from collections.abc import AsyncIterator

import pytest

from careerpilot.agents.base import PageContext
from careerpilot.config import Settings
from careerpilot.llm.testing import ScriptedModel
from careerpilot.pipeline.assistant import Assistant
from careerpilot.pipeline.preparation import PreparationGate
from careerpilot.retrieval.embedder import OnnxEmbedder


async def test_the_gate_admits_its_limit_in_arrival_order() -> None:
    gate = PreparationGate(2)
    admitted: list[int] = []
    slots = []

    async def turn(n: int) -> None:
        slots.append(await gate.acquire())
        admitted.append(n)

    tasks = [asyncio.create_task(turn(n)) for n in range(5)]
    await asyncio.sleep(0.01)
    assert admitted == [0, 1] and gate.preparing == 2 and gate.waiting == 3
    slots[0].release()
    slots[0].release()  # idempotent: one slot back, not two
    await asyncio.sleep(0.01)
    assert admitted == [0, 1, 2] and gate.preparing == 2
    # a turn that gives up waiting takes no slot with it
    tasks[3].cancel()
    for slot in slots[1:]:
        slot.release()
    await asyncio.sleep(0.01)
    assert admitted == [0, 1, 2, 4]
    slots[-1].release()
    assert gate.preparing == 0 and gate.waiting == 0
    with pytest.raises(ValueError, match="at least 1"):
        PreparationGate(0)


@pytest.fixture
async def assistant(settings: Settings, embedder: OnnxEmbedder) -> AsyncIterator[Assistant]:
    # Two tokens a second: the first turn is still narrating long after its preparation.
    model = ScriptedModel("You match most of the required skills.", delay_s=0.05)
    limited = settings.model_copy(update={"max_preparing_turns": 1})
    opened = await Assistant.open(limited, model=model, embedder=embedder)
    yield opened
    await opened.aclose()


async def test_a_turn_gives_its_slot_back_when_its_narration_starts(assistant: Assistant) -> None:
    log: list[tuple[int, str]] = []

    async def turn(n: int) -> dict[str, float]:
        timings: dict[str, float] = {}
        page = PageContext(type="job", id=n + 1)
        async for event in assistant.turn("Am I a good fit for this job?", n + 1, page):
            if event.type in ("route", "component", "done") and (n, event.type) not in log:
                log.append((n, event.type))
            if event.type == "done":
                timings = event.timings
        return timings

    first, second = await asyncio.gather(turn(0), turn(1))
    # The second turn waited for the first one's preparation (its card comes before its
    # narration), not for its whole answer.
    assert log.index((0, "component")) < log.index((1, "route")) < log.index((0, "done"))
    assert second["queued_ms"] > first["queued_ms"]
    assert assistant.preparation.preparing == 0


async def test_a_failed_turn_gives_its_slot_back(assistant: Assistant) -> None:
    events = [
        e async for e in assistant.turn("Am I a good fit?", 1, PageContext(type="job", id=10**9))
    ]
    assert events[-1].type == "error"
    assert assistant.preparation.preparing == 0
