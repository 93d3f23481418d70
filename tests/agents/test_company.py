"""The company agent on the seeded network: a company page, a job page, by id, or named in words."""

import sqlite3
from collections.abc import AsyncIterator

import httpx
import pytest
import yaml

from careerpilot.agents.base import PageContext, TurnContext
from careerpilot.agents.company import CompanyAgent, lookup_words
from careerpilot.agents.example_store import bundled_examples_dir
from careerpilot.config import Settings
from careerpilot.llm.base import ChatModel, GenerationOptions
from careerpilot.llm.testing import ScriptedModel
from careerpilot.network.api import create_network_app
from careerpilot.network.repository import JobFilters, NetworkRepository
from careerpilot.pipeline.events import (
    ComponentEvent,
    Event,
    StatusEvent,
    SuggestionsEvent,
    TextEvent,
)
from careerpilot.retrieval.embedder import OnnxEmbedder
from careerpilot.retrieval.setup import SearchStack, refresh_indexes
from careerpilot.skills.base import SkillRegistry
from careerpilot.skills.http import NetworkApi
from careerpilot.skills.network import network_skills

NARRATIVE = "It is a company."
PROFILE_SKILLS = {"get_company", "search_jobs", "search_people", "search_posts"}


@pytest.fixture
async def registry(settings: Settings, embedder: OnnxEmbedder) -> AsyncIterator[SkillRegistry]:
    stack = SearchStack.open(settings, embedder)
    await refresh_indexes(settings, stack)
    repo = NetworkRepository(settings.network_db_path)
    app = create_network_app(repo, stack.network)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://a") as c:
        yield network_skills(NetworkApi(c))
    await repo.aclose()


def query(settings: Settings, sql: str, *args: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(settings.network_db_path) as db:
        return db.execute(sql, args).fetchall()


def busiest_company(settings: Settings) -> tuple[int, str]:
    """The company with the most members on the network (ties: lowest id)."""
    rows = query(
        settings,
        "SELECT c.id, c.name FROM companies c JOIN members m ON m.current_company_id = c.id "
        "GROUP BY c.id ORDER BY count(*) DESC, c.id LIMIT 1",
    )
    ident, name = rows[0]
    assert isinstance(ident, int) and isinstance(name, str)
    return ident, name


async def run(
    model: ChatModel, registry: SkillRegistry, question: str, page: PageContext | None = None
) -> list[Event]:
    ctx = TurnContext(question, 1, page, registry, model, GenerationOptions(seed=7))
    return [e async for e in CompanyAgent().run(ctx)]


def started(events: list[Event]) -> list[str]:
    return [
        e.skill
        for e in events
        if isinstance(e, StatusEvent) and e.state == "started" and e.skill is not None
    ]


def card_of(events: list[Event]) -> dict[str, object]:
    component = next(e for e in events if isinstance(e, ComponentEvent)).component
    assert component["type"] == "company_card"
    return component


def text_of(events: list[Event]) -> str:
    return "".join(e.delta for e in events if isinstance(e, TextEvent))


async def test_a_company_page_gets_a_card_with_counts_from_the_network(
    registry: SkillRegistry, settings: Settings
) -> None:
    company_id, name = busiest_company(settings)
    model = ScriptedModel(NARRATIVE)
    events = await run(
        model, registry, "Tell me about this company", PageContext(type="company", id=company_id)
    )
    assert set(started(events)) == PROFILE_SKILLS
    card = card_of(events)
    assert (card["company_id"], card["name"]) == (company_id, name)

    # Counted independently: the repository's own total and plain SQL.
    repo = NetworkRepository(settings.network_db_path)
    try:
        jobs_total = (await repo.search_jobs(JobFilters(company_id=company_id), limit=1)).total
    finally:
        await repo.aclose()
    [(jobs_sql,)] = query(settings, "SELECT count(*) FROM jobs WHERE company_id = ?", company_id)
    [(members_sql,)] = query(
        settings, "SELECT count(*) FROM members WHERE current_company_id = ?", company_id
    )
    assert card["open_jobs"] == jobs_total == jobs_sql
    assert card["members_on_network"] == members_sql
    assert isinstance(members_sql, int) and members_sql > 0

    titles = card["top_titles"]
    assert isinstance(titles, list) and 0 < len(titles) <= 3 and len(set(titles)) == len(titles)
    company_titles = {
        t
        for (t,) in query(
            settings,
            "SELECT json_extract(doc, '$.title') FROM jobs WHERE company_id = ?",
            company_id,
        )
    }
    assert set(titles) <= company_titles
    posts = card["recent_posts"]
    assert isinstance(posts, list) and len(posts) <= 3
    for post in posts:
        [(owner,)] = query(settings, "SELECT company_id FROM posts WHERE id = ?", post["post_id"])
        assert owner == company_id

    # The card comes before the narrative, which is the only LLM call.
    kinds = [type(e) for e in events]
    assert kinds.index(ComponentEvent) < kinds.index(TextEvent)
    assert text_of(events) == NARRATIVE
    assert len(model.calls) == 1
    suggestions = next(e for e in events if isinstance(e, SuggestionsEvent)).suggestions
    assert f"Show me open jobs at {name}" in suggestions


async def test_a_job_page_resolves_to_the_jobs_company(
    registry: SkillRegistry, settings: Settings
) -> None:
    [(company_id,)] = query(settings, "SELECT company_id FROM jobs WHERE id = 42")
    events = await run(
        ScriptedModel(NARRATIVE),
        registry,
        "What does this company do?",
        PageContext(type="job", id=42),
    )
    assert started(events)[0] == "get_job"
    assert set(started(events)) == PROFILE_SKILLS | {"get_job"}
    assert card_of(events)["company_id"] == company_id


async def test_a_company_named_by_id_needs_no_lookup(registry: SkillRegistry) -> None:
    events = await run(ScriptedModel(NARRATIVE), registry, "tell me about company 7")
    assert set(started(events)) == PROFILE_SKILLS
    assert card_of(events)["company_id"] == 7


async def test_every_company_named_in_words_is_found(
    registry: SkillRegistry, settings: Settings
) -> None:
    # Names share words ("Johnson & Hill", "Johnson Institute", "Golden Johnson Press"): the
    # name that shares the most words with the question wins.
    for company_id, name in query(settings, "SELECT id, name FROM companies ORDER BY id"):
        assert isinstance(name, str)
        for question in (f"What does {name} do?", f"how big is {name.lower()}"):
            events = await run(ScriptedModel(NARRATIVE), registry, question)
            assert "search_companies" in started(events), question
            assert card_of(events)["company_id"] == company_id, question


@pytest.mark.parametrize(
    "question",
    [
        "What does Zyxqorp Quantum do?",  # no such company
        "Tell me about the insurance company",  # a generic word names no one company
        "what about company 99999",  # no such id
        "tell me about them",  # nothing to look up
    ],
)
async def test_an_unknown_company_is_said_plainly(registry: SkillRegistry, question: str) -> None:
    model = ScriptedModel(NARRATIVE)
    events = await run(model, registry, question)
    assert not any(isinstance(e, ComponentEvent) for e in events)
    assert "could not find" in text_of(events)
    assert isinstance(events[-1], SuggestionsEvent)
    assert model.calls == []


async def test_the_narrative_gets_the_facts_in_the_examples_format(
    registry: SkillRegistry, settings: Settings
) -> None:
    company_id, name = busiest_company(settings)
    [(open_jobs,)] = query(settings, "SELECT count(*) FROM jobs WHERE company_id = ?", company_id)
    model = ScriptedModel(NARRATIVE)
    await run(model, registry, f"What does {name} do?")
    [system, user] = model.last_messages
    assert system.role == "system" and "only the facts" in system.content
    assert name in user.content
    assert f"Open jobs on the network: {open_jobs} (top titles: " in user.content

    # Line for line, the facts carry the same labels as the example store's company examples.
    def labels(facts: str) -> list[str]:
        return [line.split(":", 1)[0] for line in facts.strip().splitlines()]

    facts = user.content.split("\n\nQuestion:", 1)[0]
    examples = yaml.safe_load((bundled_examples_dir() / "company.yaml").read_text("utf-8"))
    for example in examples["examples"]:
        assert labels(example["facts"]) == labels(facts)


def test_lookup_words_are_the_distinctive_ones_capitalised_first() -> None:
    assert lookup_words("is Walker AI hiring engineers?") == ["walker", "engineers"]
    assert lookup_words("Tell me about Novaforge's culture") == ["novaforge"]
    assert lookup_words("what does the company do") == []


async def test_the_real_model_describes_the_company(
    registry: SkillRegistry, settings: Settings
) -> None:
    from careerpilot.llm.llamacpp import LlamaCppModel

    company_id, _ = busiest_company(settings)
    model = LlamaCppModel(settings.llm)
    try:
        events = await run(
            model,
            registry,
            "Tell me about this company",
            PageContext(type="company", id=company_id),
        )
    finally:
        await model.aclose()
    assert card_of(events)["company_id"] == company_id
    assert text_of(events).strip()
