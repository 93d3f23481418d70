"""The career advice agent on the seeded network: the jobs that fit, a named goal, a job page."""

import re
from collections.abc import AsyncIterator
from importlib import resources
from typing import Any, ClassVar

import httpx
import pytest
import yaml
from pydantic import BaseModel

from careerpilot.agents.base import PageContext, TurnContext
from careerpilot.agents.career_advice import CareerAdviceAgent
from careerpilot.config import Settings
from careerpilot.llm.base import ChatModel, GenerationOptions
from careerpilot.llm.testing import ScriptedModel
from careerpilot.network.api import create_network_app
from careerpilot.network.generator import REFERENCE_DATE
from careerpilot.network.repository import JobFilters, NetworkRepository
from careerpilot.network.schemas import Job, Member, Page
from careerpilot.network.taxonomy import base_title
from careerpilot.pipeline.events import ComponentEvent, Event, StatusEvent, TextEvent
from careerpilot.retrieval.embedder import OnnxEmbedder
from careerpilot.retrieval.query_facets import facets
from careerpilot.retrieval.setup import SearchStack, refresh_indexes
from careerpilot.skills.base import Skill, SkillRegistry
from careerpilot.skills.http import NetworkApi
from careerpilot.skills.network import network_skills

NARRATIVE = "Learn the skills the matching jobs ask for, then apply."
MEMBER_ID = 1


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
async def network(settings: Settings) -> tuple[Member, list[Job]]:
    repo = NetworkRepository(settings.network_db_path)
    try:
        member = await repo.get_member(MEMBER_ID)
        jobs = await repo.search_jobs(JobFilters(), 1000, 0)
        return member, jobs.items
    finally:
        await repo.aclose()


async def run(
    model: ChatModel,
    registry: SkillRegistry,
    question: str,
    page: PageContext | None = None,
    options: GenerationOptions | None = None,
) -> tuple[list[Event], TurnContext]:
    options = options or GenerationOptions(seed=7)
    ctx = TurnContext(question, MEMBER_ID, page, registry, model, options)
    agent = CareerAdviceAgent(today=lambda: REFERENCE_DATE)
    return [e async for e in agent.run(ctx)], ctx


def started(events: list[Event]) -> list[str]:
    return [e.skill or "" for e in events if isinstance(e, StatusEvent) and e.state == "started"]


def plan_of(events: list[Event]) -> dict[str, Any]:
    component = next(e for e in events if isinstance(e, ComponentEvent)).component
    assert component["type"] == "action_plan"
    return component


def text_of(events: list[Event]) -> str:
    return "".join(e.delta for e in events if isinstance(e, TextEvent))


def lower(skills: list[str]) -> set[str]:
    return {s.lower() for s in skills}


def check_plan(plan: dict[str, Any], member: Member, targets: list[Job]) -> None:
    """Recount everything the plan states from the target jobs and the profile."""
    held = lower(member.skills)
    asking: dict[str, int] = {}
    for job in targets:
        for skill in lower(job.required_skills) - held:
            asking[skill] = asking.get(skill, 0) + 1
    chosen = plan["skills_to_learn"]
    assert chosen
    for item in chosen:
        assert item["skill"].lower() not in held
        assert item["jobs_asking"] == asking[item["skill"].lower()]
        assert item["jobs_considered"] == len(targets)
        assert f"required by {item['jobs_asking']} of {len(targets)} " in item["why"]
    cards = {c["job_id"] for c in plan["matching_jobs"]}
    by_id = {j.id: j for j in targets}
    assert len(plan["matching_jobs"]) == min(3, len(targets))
    assert cards <= set(by_id)
    lacking = {j.id: len(lower(j.required_skills) - held) for j in targets}
    others = [lacking[i] for i in by_id if i not in cards]
    assert max(lacking[i] for i in cards) <= min(others, default=99)
    assert len(plan["steps"]) == 3
    assert plan["steps"][0] == f"learn {chosen[0]['skill']}"


async def test_what_to_learn_next_comes_from_the_jobs_that_fit(
    registry: SkillRegistry, network: tuple[Member, list[Job]]
) -> None:
    member, _ = network
    model = ScriptedModel(NARRATIVE)
    events, ctx = await run(model, registry, "What should I learn next?")
    assert set(started(events)) == {"get_member", "match_jobs"}
    targets = ctx.skill_outputs["match_jobs"].items
    plan = plan_of(events)
    check_plan(plan, member, targets)
    held = lower(member.skills)
    asking: dict[str, int] = {}
    for job in targets:
        for skill in lower(job.required_skills) - held:
            asking[skill] = asking.get(skill, 0) + 1
    chosen = {s["skill"].lower() for s in plan["skills_to_learn"]}
    # The most frequent missing skills: none left out is asked more often than one chosen.
    assert min(asking[s] for s in chosen) >= max(
        (n for s, n in asking.items() if s not in chosen), default=0
    )
    assert plan["goal"].endswith(member.positions[0].title)
    component_at = next(i for i, e in enumerate(events) if isinstance(e, ComponentEvent))
    assert component_at < next(i for i, e in enumerate(events) if isinstance(e, TextEvent))
    assert text_of(events) == NARRATIVE
    assert len(model.calls) == 1


async def test_a_named_title_searches_its_jobs(
    registry: SkillRegistry, network: tuple[Member, list[Job]]
) -> None:
    member, jobs = network
    current = member.positions[0].family
    elsewhere = next(j for j in jobs if j.family != current)
    title = base_title(elsewhere.title)
    question = f"How do I become a {title.lower()}?"
    assert facets(question).titles == {title}
    events, ctx = await run(ScriptedModel(NARRATIVE), registry, question)
    assert set(started(events)) == {"get_member", "search_jobs"}
    targets = ctx.skill_outputs["search_jobs"].items
    plan = plan_of(events)
    check_plan(plan, member, targets)
    by_id = {j.id: j for j in targets}
    assert {by_id[c["job_id"]].family for c in plan["matching_jobs"]} == {elsewhere.family}
    assert title in plan["goal"]
    assert all(f" {title} jobs" in s["why"] for s in plan["skills_to_learn"])


async def test_an_open_job_is_the_target(
    registry: SkillRegistry, network: tuple[Member, list[Job]]
) -> None:
    member, jobs = network
    held = lower(member.skills)
    # A job the member lacks required skills for, so there is something to learn for it.
    job = next(j for j in jobs if len(lower(j.required_skills) - held) >= 3)
    page = PageContext(type="job", id=job.id)
    events, ctx = await run(ScriptedModel(NARRATIVE), registry, "What do I need for this?", page)
    assert started(events) == ["get_member", "get_job", "search_jobs"]
    assert ctx.skill_outputs["get_job"].id == job.id
    similar = [j for j in ctx.skill_outputs["search_jobs"].items if j.id != job.id]
    targets = [job, *similar][:10]
    plan = plan_of(events)
    check_plan(plan, member, targets)
    # What the open job requires comes first; it is the goal and the job to apply to.
    assert all(s["skill"].lower() in lower(job.required_skills) for s in plan["skills_to_learn"])
    assert plan["goal"] == f"qualify for the {job.title} role at {job.company_name}"
    assert plan["steps"][-1] == f"apply to the {job.title} role at {job.company_name}"


def _example_prefixes() -> list[str]:
    path = resources.files("careerpilot.agents").joinpath("examples/career_advice.yaml")
    example = yaml.safe_load(path.read_text(encoding="utf-8"))["examples"][0]
    return [line.split(":", 1)[0] for line in example["facts"].strip().splitlines()]


def _covered_days(member: Member) -> int:
    days: set[int] = set()
    for p in member.positions:
        end = min(p.end_date or REFERENCE_DATE, REFERENCE_DATE)
        days.update(range(p.start_date.toordinal(), end.toordinal()))
    return len(days)


async def test_the_narrative_gets_the_plan_as_facts(
    registry: SkillRegistry, network: tuple[Member, list[Job]]
) -> None:
    member, _ = network
    model = ScriptedModel(NARRATIVE)
    events, _ctx = await run(model, registry, "What should I learn next?")
    plan = plan_of(events)
    system, question = model.calls[0].messages[0], model.calls[0].messages[-1]
    assert system.role == "system" and "encourage" in system.content
    facts = question.content.split("\n\nQuestion:")[0].splitlines()
    assert [line.split(":", 1)[0] for line in facts] == _example_prefixes()
    years = round(_covered_days(member) / 365.25)
    current = member.positions[0]
    assert facts[0].startswith(f"You: {current.title}, {years} year")
    assert facts[0].endswith(f"; skills: {', '.join(member.skills)}")
    assert facts[1] == f"Goal: {plan['goal']}"
    learn = [
        f"{s['skill']} (in {s['jobs_asking']} of {s['jobs_considered']} matching jobs)"
        for s in plan["skills_to_learn"]
    ]
    assert facts[2] == f"Skills to learn: {', '.join(learn)}"
    jobs = [f"{c['title']} at {c['company_name']}" for c in plan["matching_jobs"]]
    assert facts[3] == f"Matching jobs: {'; '.join(jobs)}"
    assert re.fullmatch(r"Steps: 1\. .+; 2\. .+; 3\. apply to the .+ role at .+", facts[4])


class _Args(BaseModel):
    member_id: int
    limit: int = 10


class _Fixed(Skill[_Args, BaseModel]):
    """A skill that returns a fixed output (for the profiles and results the network lacks)."""

    description: ClassVar[str] = "test double"
    input_model: ClassVar[type[BaseModel]] = _Args
    output: BaseModel

    async def run(self, args: _Args) -> BaseModel:
        return self.output


def _with(real: SkillRegistry, *doubles: _Fixed) -> SkillRegistry:
    registry = SkillRegistry()
    for double in doubles:
        registry.register(double)
    for name in real.names():
        if name not in {d.name for d in doubles}:
            registry.register(real.get(name))
    return registry


class _MemberWithoutPositions(_Fixed):
    name: ClassVar[str] = "get_member"
    output_model: ClassVar[type[BaseModel]] = Member


class _NoMatches(_Fixed):
    name: ClassVar[str] = "match_jobs"
    output_model: ClassVar[type[BaseModel]] = Page[Job]


async def test_a_member_without_positions_still_gets_a_plan(
    registry: SkillRegistry, network: tuple[Member, list[Job]]
) -> None:
    member, _ = network
    double = _MemberWithoutPositions()
    double.output = member.model_copy(update={"positions": []})
    model = ScriptedModel(NARRATIVE)
    events, _ctx = await run(model, _with(registry, double), "What should I learn next?")
    assert plan_of(events)["goal"] == "find a role that fits your skills"
    assert model.calls[0].messages[-1].content.startswith("You: no positions yet; skills: ")
    assert text_of(events) == NARRATIVE


async def test_no_target_jobs_is_said_plainly(registry: SkillRegistry) -> None:
    double = _NoMatches()
    double.output = Page[Job](items=[], total=0, limit=10, offset=0)
    model = ScriptedModel("should not be called")
    events, _ctx = await run(model, _with(registry, double), "What should I learn next?")
    assert not any(isinstance(e, ComponentEvent) for e in events)
    assert "could not find jobs" in text_of(events)
    assert model.calls == []


async def test_the_real_model_words_the_plan(registry: SkillRegistry, settings: Settings) -> None:
    from careerpilot.llm.llamacpp import LlamaCppModel

    # One thread: on a busy machine llama.cpp's threads wait on each other at every token
    # (seconds with one thread, minutes with two on a contended 2-core host).
    model = LlamaCppModel(settings.llm.model_copy(update={"n_threads": 1}))
    try:
        # A short answer is enough to show the plan reaches the model and text comes back.
        options = GenerationOptions(max_tokens=40, temperature=0.0, seed=7)
        events, _ctx = await run(model, registry, "What should I learn next?", None, options)
    finally:
        await model.aclose()
    assert plan_of(events)["skills_to_learn"]
    assert text_of(events).strip()
