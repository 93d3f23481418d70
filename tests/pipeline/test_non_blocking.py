"""No blocking call on the event loop anywhere in a turn: BlockBuster raises inside the loop
thread on blocking I/O, sleeps and locks (file reads, sqlite3, time.sleep, socket calls...),
and asyncio's debug mode reports any callback that holds the loop for long (CPU-bound work
such as embedding or index search that should run in a worker thread)."""

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator

import pytest
from blockbuster import BlockBuster, blockbuster_ctx

from careerpilot.agents.base import PageContext
from careerpilot.config import Settings
from careerpilot.llm.llamacpp import LlamaCppModel
from careerpilot.llm.testing import ScriptedModel
from careerpilot.pipeline.assistant import Assistant
from careerpilot.retrieval.embedder import OnnxEmbedder

TURNS = [
    ("Am I a good fit for this job?", PageContext(type="job", id=3)),
    ("Am I a good fit for the Data Engineer role at Northwind?", None),
    ("Summarise this post", PageContext(type="post", id=4)),
    ("What does this company do?", PageContext(type="company", id=2)),
    ("What skills should I learn next?", None),
    ("What is a notice period?", None),
    ("Give me a recipe for lasagna", None),
]


@pytest.fixture
def blockbuster() -> Iterator[BlockBuster]:
    with blockbuster_ctx() as detector:
        yield detector


@pytest.fixture(params=["scripted", "llamacpp"])
async def assistant(
    request: pytest.FixtureRequest, settings: Settings, embedder: OnnxEmbedder
) -> AsyncIterator[Assistant]:
    model = (
        ScriptedModel("A short answer [1]. {{chip: What next?}}")
        if request.param == "scripted"
        else LlamaCppModel(settings.llm)
    )
    opened = await Assistant.open(settings, model=model, embedder=embedder)
    await opened.warm_prefixes()  # loading a model is start-up work, not a turn's
    yield opened
    await opened.aclose()


# Generous for a loaded 2-core machine; a CPU-bound stage on the loop takes far longer.
SLOW_CALLBACK_S = 0.1


async def test_every_agent_turn_runs_without_blocking_the_loop(
    assistant: Assistant, blockbuster: BlockBuster, caplog: pytest.LogCaptureFixture
) -> None:
    # A first pass: blocking calls fail it too, but one-off first-use costs (imports, caches
    # built on first use) may hold the loop once; the second pass must not hold it at all.
    for question, page in TURNS:
        events = [e async for e in assistant.turn(question, 1, page)]
        assert events[-1].type == "done", (question, events[-1])
    loop = asyncio.get_running_loop()
    loop.set_debug(True)
    loop.slow_callback_duration = SLOW_CALLBACK_S
    try:
        with caplog.at_level(logging.WARNING, logger="asyncio"):
            for question, page in TURNS:
                events = [e async for e in assistant.turn(question, 1, page)]
                assert events[-1].type == "done", (question, events[-1])
    finally:
        loop.set_debug(False)
    slow = [r.getMessage() for r in caplog.records if "took" in r.getMessage()]
    assert not slow, slow


async def test_the_detector_is_live(blockbuster: BlockBuster) -> None:
    import time

    with pytest.raises(Exception, match="Blocking call"):
        time.sleep(0.001)  # noqa: ASYNC251 (the blocking call under test)
