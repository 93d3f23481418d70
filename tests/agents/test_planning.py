"""The planner with scripted model replies (shapes of output) and with the real embedded model."""

import json
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import httpx
import pytest
from pydantic import BaseModel

from careerpilot.agents.base import SkillCall, TurnContext
from careerpilot.agents.planning import Plan, PlanExample, Planner, PlanOutcome, PlanStep
from careerpilot.config import Settings
from careerpilot.errors import SkillError
from careerpilot.llm.base import ChatModel, GenerationOptions
from careerpilot.llm.testing import ScriptedModel
from careerpilot.network.api import create_network_app
from careerpilot.network.repository import NetworkRepository
from careerpilot.skills.base import Skill, SkillRegistry
from careerpilot.skills.http import NetworkApi
from careerpilot.skills.network import network_skills

ALLOWED = ["search_jobs", "search_companies", "search_people"]


@pytest.fixture
async def registry(settings: Settings) -> AsyncIterator[SkillRegistry]:
    repo = NetworkRepository(settings.network_db_path)
    transport = httpx.ASGITransport(app=create_network_app(repo))
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        yield network_skills(NetworkApi(client))
    await repo.aclose()


def turn(model: ChatModel, registry: SkillRegistry) -> TurnContext:
    return TurnContext(
        question="q",
        member_id=1,
        page=None,
        skills=registry,
        model=model,
        generation=GenerationOptions(seed=7),
    )


def fallback() -> list[SkillCall]:
    return [SkillCall("search_jobs", {"q": "engineer", "limit": 3})]


async def run(
    planner: Planner, ctx: TurnContext, request: str = "remote python jobs"
) -> tuple[list[Any], PlanOutcome]:
    events = [e async for e in planner.run(ctx, skills=ALLOWED, request=request, fallback=fallback)]
    outcome = events[-1]
    assert isinstance(outcome, PlanOutcome)
    return events[:-1], outcome


GOOD = json.dumps(
    {
        "thought": "Search remote Python jobs, then companies.",
        "steps": [
            {"skill": "search_jobs", "args": {"q": "python", "remote": True, "limit": 3}},
            {"skill": "search_companies", "args": {"name": "labs"}},
        ],
    }
)


async def test_a_valid_plan_runs_its_steps(registry: SkillRegistry) -> None:
    model = ScriptedModel(GOOD)
    planner = Planner()
    events, outcome = await run(planner, turn(model, registry))
    assert outcome.source == "llm"
    assert [s.call.skill for s in outcome.steps] == ["search_jobs", "search_companies"]
    jobs = outcome.steps[0].output
    assert jobs.items and all(j.remote for j in jobs.items)
    assert [e.state for e in events if e.skill == "search_jobs"] == ["started", "finished"]
    # Each step reports its own duration, timed from its start (its span in a trace).
    finished = [e for e in events if e.state == "finished"]
    assert len(finished) == 2 and all(e.duration_ms and e.duration_ms > 0 for e in finished)
    counts = planner.metrics.snapshot()["scripted"]
    assert counts["plans"] == 1 and counts["steps_started_in_stream"] == 2
    assert counts["schema_errors"] == counts["fallbacks"] == 0
    # the schema the backend was asked to decode with admits only the allowed skills
    schema = model.calls[0].options.json_schema
    assert schema is not None
    names = {
        v["properties"]["skill"]["const"] for v in schema["properties"]["steps"]["items"]["anyOf"]
    }
    assert names == set(ALLOWED)


class Recorder(Skill[BaseModel, BaseModel]):
    """Wraps a skill; records whether the model had finished when the skill started."""

    name: ClassVar[str] = "search_jobs"
    description: ClassVar[str] = "search jobs"

    def __init__(self, inner: Skill[Any, Any], model: ScriptedModel) -> None:
        self.inner = inner
        self.model = model
        self.input_model = inner.input_model  # type: ignore[misc]
        self.output_model = inner.output_model  # type: ignore[misc]
        self.model_done_at_start: list[int] = []

    async def run(self, args: BaseModel) -> BaseModel:
        self.model_done_at_start.append(self.model.completed)
        result: BaseModel = await self.inner.run(args)
        return result


async def test_steps_start_while_the_plan_is_still_streaming(registry: SkillRegistry) -> None:
    long_tail = json.loads(GOOD)
    long_tail["steps"].append({"skill": "search_people", "args": {"q": " ".join(["word"] * 40)}})
    model = ScriptedModel(json.dumps(long_tail), delay_s=0.005)
    recorder = Recorder(registry.get("search_jobs"), model)
    registry._skills["search_jobs"] = recorder
    _, outcome = await run(Planner(), turn(model, registry))
    assert outcome.source == "llm"
    assert recorder.model_done_at_start == [0]  # started before the model finished


async def test_sloppy_output_is_repaired_not_rejected(registry: SkillRegistry) -> None:
    sloppy = (
        "Sure! Here is the plan:\n```yaml\nthought: find jobs\nsteps:\n"
        "  - skill: search_jobs\n    args:\n      q: python\n      remote: yes\n"
        "      limit: '3'\n```"
    )
    _, outcome = await run(Planner(), turn(ScriptedModel(sloppy), registry))
    assert outcome.source == "llm"
    assert outcome.repairs
    assert outcome.steps[0].call.args == {"q": "python", "remote": True, "limit": 3, "offset": 0}


async def test_an_invalid_plan_is_re_asked_once_with_the_error(registry: SkillRegistry) -> None:
    bad = json.dumps({"thought": "x", "steps": [{"skill": "delete_everything", "args": {}}]})
    model = ScriptedModel([bad, GOOD])
    planner = Planner()
    _, outcome = await run(planner, turn(model, registry))
    assert outcome.source == "reask"
    reask = model.calls[1].messages[-1].content
    assert "delete_everything" in reask and "invalid" in reask
    counts = planner.metrics.snapshot()["scripted"]
    assert counts["schema_errors"] == 1 and counts["reasks"] == 1 and counts["fallbacks"] == 0


async def test_two_bad_plans_fall_back_to_the_deterministic_plan(registry: SkillRegistry) -> None:
    wrong_args = json.dumps(
        {"thought": "x", "steps": [{"skill": "search_jobs", "args": {"seniority": "guru"}}]}
    )
    model = ScriptedModel(["no plan here, sorry", wrong_args])
    planner = Planner()
    _, outcome = await run(planner, turn(model, registry))
    assert outcome.source == "fallback"
    assert [s.call for s in outcome.steps] == fallback()
    assert outcome.steps[0].output.items
    assert any("seniority" in p for p in outcome.problems)
    assert planner.metrics.snapshot()["scripted"]["fallbacks"] == 1


async def test_a_failing_skill_is_reported_not_fatal(registry: SkillRegistry) -> None:
    class Broken(Skill[BaseModel, BaseModel]):
        name: ClassVar[str] = "search_people"
        description: ClassVar[str] = "broken"
        input_model = registry.get("search_people").input_model
        output_model = registry.get("search_people").output_model
        retries = 0

        async def run(self, args: BaseModel) -> BaseModel:
            raise SkillError("search_people", "upstream 503")

    registry._skills["search_people"] = Broken()
    plan = Plan(
        thought="t",
        steps=[
            PlanStep(skill="search_people", args={"q": "ann"}),
            PlanStep(skill="search_jobs", args={"q": "nurse"}),
        ],
    )
    events, outcome = await run(Planner(), turn(ScriptedModel(plan.model_dump_json()), registry))
    assert outcome.steps[0].error is not None
    assert "upstream 503" in outcome.steps[0].error.message
    assert outcome.steps[1].output is not None
    assert any(e.state == "failed" for e in events)


async def test_the_real_model_writes_a_plan_the_planner_can_use(
    registry: SkillRegistry, settings: Settings
) -> None:
    from careerpilot.llm.llamacpp import LlamaCppModel

    model = LlamaCppModel(settings.llm)
    examples = [
        PlanExample(
            "Show me remote junior marketing jobs",
            Plan(
                thought="Search remote entry-level marketing jobs.",
                steps=[
                    PlanStep(
                        skill="search_jobs",
                        args={"q": "marketing", "remote": True, "seniority": "entry"},
                    )
                ],
            ),
        )
    ]
    planner = Planner()
    events = [
        e
        async for e in planner.run(
            turn(model, registry),
            skills=ALLOWED,
            request="Find remote data engineer jobs",
            examples=examples,
            fallback=fallback,
        )
    ]
    outcome = events[-1]
    assert isinstance(outcome, PlanOutcome)
    # constrained decoding: the plan parses and validates, so no fallback is needed
    assert outcome.source in {"llm", "reask"}, outcome.problems
    assert all(s.call.skill in ALLOWED for s in outcome.steps)
    await model.aclose()
