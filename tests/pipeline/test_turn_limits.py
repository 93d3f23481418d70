"""A turn's deadline and token budget: the turn ends with what it streamed and a typed error."""

from collections.abc import AsyncIterator

import pytest

from careerpilot.agents.base import PageContext
from careerpilot.config import Settings
from careerpilot.llm.accounting import estimate_tokens
from careerpilot.llm.testing import ScriptedModel
from careerpilot.pipeline.assistant import Assistant
from careerpilot.retrieval.embedder import OnnxEmbedder

JOB = PageContext(type="job", id=1)


@pytest.fixture
async def make(settings: Settings, embedder: OnnxEmbedder) -> AsyncIterator[object]:
    opened: list[Assistant] = []

    async def build(model: ScriptedModel, **limits: object) -> Assistant:
        assistant = await Assistant.open(
            settings.model_copy(update=limits), model=model, embedder=embedder
        )
        opened.append(assistant)
        return assistant

    yield build
    for assistant in opened:
        await assistant.aclose()


async def test_past_the_deadline_the_turn_keeps_what_it_streamed(make) -> None:
    model = ScriptedModel("word " * 200, delay_s=0.02)
    assistant = await make(model, turn_deadline_s=1.0)
    events = [e async for e in assistant.turn("Am I a good fit for this job?", 1, JOB)]
    kinds = [e.type for e in events]
    assert kinds[0] == "route" and "component" in kinds
    assert 5 < kinds.count("text") < 60  # it was cut mid-answer, not at the start
    error = events[-1]
    assert error.type == "error" and error.code == "deadline_exceeded" and error.retryable
    assert "deadline" in error.message
    assert model.closed_early == 1  # the generation itself was stopped


async def test_the_token_budget_bounds_the_answer_and_the_cost_is_reported(make) -> None:
    model = ScriptedModel("word " * 200)
    assistant = await make(model, turn_token_budget=None)
    unbounded = [e async for e in assistant.turn("Am I a good fit for this job?", 1, JOB)]
    done = unbounded[-1]
    assert done.type == "done" and done.cost_usd == 0.0  # the embedded default is free
    # Room for the prompt (as the pool estimates it) and seven tokens of answer.
    budget = estimate_tokens(model.last_messages) + 7
    limited_model = ScriptedModel("word " * 200)
    limited = await make(limited_model, turn_token_budget=budget)
    events = [e async for e in limited.turn("Am I a good fit for this job?", 1, JOB)]
    assert events[-1].type == "done"
    assert limited_model.calls[-1].options.max_tokens == 7
    assert sum(e.type == "text" for e in events) == 7
    # A budget the prompt alone does not fit in: the turn ends with a typed error.
    starved = await make(ScriptedModel("word " * 200), turn_token_budget=20)
    events = [e async for e in starved.turn("Am I a good fit for this job?", 1, JOB)]
    assert "component" in [e.type for e in events]  # the card was already sent
    assert events[-1].type == "error" and events[-1].code == "budget_exceeded"
