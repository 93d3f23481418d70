"""The general knowledge agent: sources first (citation events), then an answer citing them."""

from collections.abc import AsyncIterator

import httpx
import pytest

from careerpilot.agents.base import TurnContext
from careerpilot.agents.general import GeneralAgent
from careerpilot.config import Settings
from careerpilot.llm.base import GenerationOptions
from careerpilot.llm.testing import ScriptedModel
from careerpilot.pipeline.events import (
    CitationEvent,
    ComponentEvent,
    Event,
    StatusEvent,
    TextEvent,
)
from careerpilot.skills.base import SkillRegistry
from careerpilot.skills.corpus import CORPUS_URL_PREFIX
from careerpilot.skills.defaults import default_skills
from careerpilot.skills.http import NetworkApi


@pytest.fixture
async def registry(settings: Settings) -> AsyncIterator[SkillRegistry]:
    async with httpx.AsyncClient(base_url="http://unused") as client:
        yield default_skills(NetworkApi(client), settings)


async def run(model: ScriptedModel, registry: SkillRegistry, question: str) -> list[Event]:
    ctx = TurnContext(question, 1, None, registry, model, GenerationOptions(seed=7))
    return [e async for e in GeneralAgent().run(ctx)]


async def test_sources_are_cited_before_the_answer(registry: SkillRegistry) -> None:
    model = ScriptedModel("A notice period is the time between resigning and leaving [1].")
    events = await run(model, registry, "What is a notice period?")
    skills = [e.skill for e in events if isinstance(e, StatusEvent) and e.state == "started"]
    assert skills == ["web_search"]
    citations = [e for e in events if isinstance(e, CitationEvent)]
    assert [c.index for c in citations] == [1, 2, 3]
    assert all(c.url.startswith(CORPUS_URL_PREFIX) for c in citations)
    assert citations[0].url.endswith("/notice-period")
    first_text = next(i for i, e in enumerate(events) if isinstance(e, TextEvent))
    assert max(events.index(c) for c in citations) < first_text
    prompt = model.calls[0].messages[-1].content
    for n, c in enumerate(citations, start=1):
        assert f"[{n}] {c.title}: {c.snippet}" in prompt


async def test_no_source_means_no_guess(registry: SkillRegistry) -> None:
    model = ScriptedModel("should not be called")
    events = await run(model, registry, "zxqv blorft")
    assert not any(isinstance(e, CitationEvent) for e in events)
    notices = [e.component for e in events if isinstance(e, ComponentEvent)]
    assert [n["type"] for n in notices] == ["notice"]
    assert notices[0]["level"] == "warning" and "could not find a source" in notices[0]["text"]
    assert model.calls == []
