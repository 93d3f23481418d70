"""The job assessment agent on the seeded network: a job in context, by id, or named in words."""

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from careerpilot.agents.base import PageContext, TurnContext
from careerpilot.agents.job_assessment import JobAssessmentAgent
from careerpilot.agents.registry import default_agents
from careerpilot.config import Settings
from careerpilot.llm.base import ChatModel, GenerationOptions
from careerpilot.llm.testing import ScriptedModel
from careerpilot.network.api import create_network_app
from careerpilot.network.repository import NetworkRepository
from careerpilot.network.schemas import Job
from careerpilot.pipeline.events import ComponentEvent, Event, StatusEvent, TextEvent
from careerpilot.retrieval.embedder import OnnxEmbedder
from careerpilot.retrieval.setup import SearchStack, refresh_indexes
from careerpilot.skills.base import SkillRegistry
from careerpilot.skills.http import NetworkApi
from careerpilot.skills.network import network_skills

NARRATIVE = "You match most of the required skills."


@pytest.fixture
async def registry(settings: Settings, embedder: OnnxEmbedder) -> AsyncIterator[SkillRegistry]:
    stack = SearchStack.open(settings, embedder)
    await refresh_indexes(settings, stack)
    repo = NetworkRepository(settings.network_db_path)
    app = create_network_app(repo, stack.network)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://a") as c:
        yield network_skills(NetworkApi(c))
    await repo.aclose()


@pytest.fixture
async def job(settings: Settings) -> Job:
    repo = NetworkRepository(settings.network_db_path)
    try:
        return await repo.get_job(42)
    finally:
        await repo.aclose()


def agent() -> JobAssessmentAgent:
    found = default_agents()["job_assessment"]
    assert isinstance(found, JobAssessmentAgent)
    return found


async def run(
    model: ChatModel, registry: SkillRegistry, question: str, page: PageContext | None = None
) -> list[Event]:
    ctx = TurnContext(question, 1, page, registry, model, GenerationOptions(seed=7))
    return [e async for e in agent().run(ctx)]


def fit_of(events: list[Event]) -> dict[str, object]:
    component = next(e for e in events if isinstance(e, ComponentEvent)).component
    assert component["type"] == "job_fit"
    return component


async def test_a_job_in_context_needs_no_planning(registry: SkillRegistry) -> None:
    model = ScriptedModel(NARRATIVE)
    events = await run(model, registry, "Am I a good fit?", PageContext(type="job", id=7))
    assert fit_of(events)["job"]["job_id"] == 7  # type: ignore[index]
    assert len(model.calls) == 1  # the narrative only


async def test_a_too_broad_plan_still_picks_the_named_job(
    registry: SkillRegistry, job: Job
) -> None:
    broad = {"thought": "x", "steps": [{"skill": "search_jobs", "args": {"q": job.company_name}}]}
    model = ScriptedModel([json.dumps(broad), NARRATIVE])
    question = f"Am I a good fit for the {job.title} role at {job.company_name}?"
    assert fit_of(await run(model, registry, question))["job"]["job_id"] == job.id  # type: ignore[index]


async def test_a_job_named_in_words_is_found_by_the_planned_search(
    registry: SkillRegistry, job: Job
) -> None:
    plan = {
        "thought": "Find that job.",
        "steps": [{"skill": "search_jobs", "args": {"q": f"{job.title} {job.company_name}"}}],
    }
    model = ScriptedModel([json.dumps(plan), NARRATIVE])
    question = f"Am I a good fit for the {job.title} role at {job.company_name}?"
    events = await run(model, registry, question)
    started = [e.skill for e in events if isinstance(e, StatusEvent) and e.state == "started"]
    assert started[0] == "search_jobs"
    assert fit_of(events)["job"]["job_id"] == job.id  # type: ignore[index]
    assert model.calls[0].options.json_schema is not None  # constrained where offered
    assert "".join(e.delta for e in events if isinstance(e, TextEvent)) == NARRATIVE


async def test_an_unusable_plan_falls_back_to_searching_the_question(
    registry: SkillRegistry, job: Job
) -> None:
    model = ScriptedModel(["no idea", "still no idea", NARRATIVE])
    question = f"Am I a good fit for the {job.title} role at {job.company_name}?"
    assessor = agent()
    ctx = TurnContext(question, 1, None, registry, model, GenerationOptions(seed=7))
    events = [e async for e in assessor.run(ctx)]
    assert assessor.planner.metrics.snapshot()["scripted"]["fallbacks"] == 1
    assert fit_of(events)["job"]["job_id"] == job.id  # type: ignore[index]


async def test_nothing_found_says_so_without_a_component(registry: SkillRegistry) -> None:
    empty = {
        "thought": "x",
        "steps": [{"skill": "search_jobs", "args": {"q": "x", "company_id": 99999}}],
    }
    model = ScriptedModel(json.dumps(empty))
    events = await run(model, registry, "Am I a fit for the job at Nowhere Corp?")
    assert not any(isinstance(e, ComponentEvent) for e in events)
    assert "could not find" in "".join(e.delta for e in events if isinstance(e, TextEvent))


async def test_the_real_model_finds_a_named_job(
    registry: SkillRegistry, settings: Settings, job: Job
) -> None:
    from careerpilot.llm.llamacpp import LlamaCppModel

    model = LlamaCppModel(settings.llm)
    try:
        question = f"Am I a good fit for the {job.title} job at {job.company_name}?"
        events = await run(model, registry, question)
    finally:
        await model.aclose()
    # Whatever the 135M model planned (or the fallback searched), the hybrid search ranks
    # the named job first and the card is about it.
    assert fit_of(events)["job"]["job_id"] == job.id  # type: ignore[index]


@pytest.mark.parametrize(
    ("question", "query"),
    [
        (
            "Am I a good fit for the DevOps Engineer role at Novaforge?",
            "DevOps Engineer at Novaforge",
        ),
        ("should i apply to the senior C# developer job at AT&T", "senior C# developer at AT&T"),
        ("am I a fit?", "am I a fit?"),  # nothing names a job: search the question as asked
    ],
)
def test_the_fallback_searches_the_words_that_name_the_job(question: str, query: str) -> None:
    from careerpilot.agents.job_assessment import lookup_query

    assert lookup_query(question) == query
