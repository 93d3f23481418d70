"""Every agent end to end with the real embedded model on the seeded network: the route is
right, the expected skills were called, the component's facts are right, the answer streams."""

import sqlite3
from collections.abc import AsyncIterator

import pytest

from careerpilot.agents.base import PageContext
from careerpilot.config import Settings
from careerpilot.llm.llamacpp import LlamaCppModel
from careerpilot.pipeline.assistant import Assistant
from careerpilot.pipeline.events import Event
from careerpilot.retrieval.embedder import OnnxEmbedder


@pytest.fixture
async def assistant(settings: Settings, embedder: OnnxEmbedder) -> AsyncIterator[Assistant]:
    model = LlamaCppModel(settings.llm)
    opened = await Assistant.open(settings, model=model, embedder=embedder)
    yield opened
    await opened.aclose()


async def turn(
    assistant: Assistant, question: str, page: PageContext | None = None, member: int = 1
) -> tuple[list[Event], dict[str, object] | None, str, set[str]]:
    events = [e async for e in assistant.turn(question, member, page)]
    assert events[-1].type == "done", events[-1]
    component = next((e.component for e in events if e.type == "component"), None)
    text = "".join(e.delta for e in events if e.type == "text")
    skills = {e.skill for e in events if e.type == "status" and e.state == "started" and e.skill}
    return events, component, text, skills


def count(settings: Settings, sql: str, *args: object) -> int:
    with sqlite3.connect(settings.network_db_path) as conn:
        return int(conn.execute(sql, args).fetchone()[0])


async def test_job_assessment(assistant: Assistant) -> None:
    events, fit, text, skills = await turn(
        assistant, "Am I a good fit for this job?", PageContext(type="job", id=3)
    )
    assert events[0].agent == "job_assessment"
    assert skills == {"get_job", "get_member"}
    assert fit is not None and fit["type"] == "job_fit"
    member = assistant.network_repository
    assert member is not None
    job = await member.get_job(3)
    profile = await member.get_member(1)
    from careerpilot.agents.job_fit import normalise_skill

    held = {normalise_skill(s) for s in profile.skills}
    expected = [s for s in job.required_skills if normalise_skill(s) in held]
    assert fit["matched_required"] == expected  # the set intersection, in the job's order
    assert text.strip()


async def test_post_takeaways(assistant: Assistant) -> None:
    events, card, text, skills = await turn(
        assistant, "What are the key takeaways?", PageContext(type="post", id=4)
    )
    assert events[0].agent == "post_takeaways"
    assert "get_post" in skills
    assert card is not None and card["type"] == "post_takeaways"
    post = await assistant.network_repository.get_post(4)  # type: ignore[union-attr]
    for point in card["takeaways"]:
        assert post.body[point["start"] : point["end"]] == point["quote"]
    assert text.strip()


async def test_company(assistant: Assistant, settings: Settings) -> None:
    events, card, text, skills = await turn(
        assistant, "What does this company do?", PageContext(type="company", id=2)
    )
    assert events[0].agent == "company"
    assert {"get_company", "search_jobs"} <= skills
    assert card is not None and card["type"] == "company_card"
    assert card["open_jobs"] == count(settings, "SELECT count(*) FROM jobs WHERE company_id = ?", 2)
    assert text.strip()


async def test_career_advice(assistant: Assistant) -> None:
    events, plan, text, skills = await turn(
        assistant, "What skills should I learn next to grow my career?"
    )
    assert events[0].agent == "career_advice"
    assert "get_member" in skills
    assert plan is not None and plan["type"] == "action_plan"
    profile = await assistant.network_repository.get_member(1)  # type: ignore[union-attr]
    held = {s.lower() for s in profile.skills}
    assert all(s["skill"].lower() not in held for s in plan["skills_to_learn"])
    assert text.strip()


async def test_general(assistant: Assistant) -> None:
    events, _component, text, skills = await turn(assistant, "What is a notice period?")
    assert events[0].agent == "general"
    assert skills == {"web_search"}
    # The sources travel in one citations component, before the text; each [n] the model
    # wrote became a citation event for a source the turn has, never raw text.
    sources = next(e for e in events if e.type == "component").component
    assert sources["type"] == "citations"
    assert sources["sources"][0]["url"].endswith("/notice-period")
    urls = {s["url"] for s in sources["sources"]}
    assert all(e.url in urls for e in events if e.type == "citation")
    assert "[1]" not in text and "{{" not in text
    assert text.strip()


async def test_out_of_scope(assistant: Assistant) -> None:
    events, _component, text, skills = await turn(assistant, "Give me a recipe for lasagna")
    assert events[0].agent == "out_of_scope"
    assert skills == set()
    assert "work and careers" in text
    chips = [e.component for e in events if e.type == "component"]
    assert [c["type"] for c in chips] == ["suggestion_chips"] and chips[0]["chips"]
