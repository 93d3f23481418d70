"""Per-agent model instances keep each agent's static prompt prefix in their own KV cache."""

from collections.abc import AsyncIterator

import pytest

from careerpilot.agents.base import PageContext
from careerpilot.config import Settings
from careerpilot.llm.llamacpp import LlamaCppModel
from careerpilot.pipeline.assistant import NARRATING_AGENTS, Assistant
from careerpilot.retrieval.embedder import OnnxEmbedder


@pytest.fixture
async def assistant(settings: Settings, embedder: OnnxEmbedder) -> AsyncIterator[Assistant]:
    opened = await Assistant.open(settings, embedder=embedder)
    yield opened
    await opened.aclose()


def cached_tokens(model: object) -> list[int]:
    model = getattr(model, "primary", model)  # the llama.cpp instance behind the pool
    assert isinstance(model, LlamaCppModel) and model._llm is not None
    return [int(t) for t in model._llm.input_ids[: model._llm.n_tokens]]


async def test_each_agent_warms_its_own_prefix_and_keeps_it(assistant: Assistant) -> None:
    assert set(assistant.agent_models) == set(NARRATING_AGENTS)
    await assistant.warm_prefixes()
    warmed = {agent: cached_tokens(assistant.agent_models[agent]) for agent in NARRATING_AGENTS}
    job_model = assistant.agent_models["job_assessment"]
    assert isinstance(getattr(job_model, "primary", None), LlamaCppModel)
    # System prompt plus the pinned example: well over a hundred tokens of static prefix.
    assert all(len(tokens) > 150 for tokens in warmed.values()), {
        a: len(t) for a, t in warmed.items()
    }

    events = [
        e
        async for e in assistant.turn(
            "Am I a good fit for this job?", 1, PageContext(type="job", id=3)
        )
    ]
    assert events[-1].type == "done"
    after = cached_tokens(job_model)
    # The real prompt starts with the warmed prefix (all but the generation prompt's last
    # tokens, "<|im_start|>assistant\n", where the real prompt has the member's turn).
    shared = len(warmed["job_assessment"]) - 4
    assert after[:shared] == warmed["job_assessment"][:shared]
    assert len(after) > len(warmed["job_assessment"])
    # Other agents' instances were not touched: their prefixes survive the interleaved turn.
    for agent in NARRATING_AGENTS:
        if agent != "job_assessment":
            assert cached_tokens(assistant.agent_models[agent]) == warmed[agent], agent
