"""Hybrid search behind the REST API: ranked by relevance, filters exact, jobs that fit."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from careerpilot.config import Settings
from careerpilot.network.api import create_network_app
from careerpilot.network.repository import NetworkRepository
from careerpilot.network.taxonomy import FAMILIES
from careerpilot.retrieval.documents import place_keys
from careerpilot.retrieval.embedder import OnnxEmbedder
from careerpilot.retrieval.setup import SearchStack, refresh_indexes


@pytest.fixture
async def stack(settings: Settings, embedder: OnnxEmbedder) -> SearchStack:
    stack = SearchStack.open(settings, embedder)
    await refresh_indexes(settings, stack)
    return stack


@pytest.fixture
async def api(settings: Settings, stack: SearchStack) -> AsyncIterator[httpx.AsyncClient]:
    repo = NetworkRepository(settings.network_db_path)
    app = create_network_app(repo, stack.network)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c
    await repo.aclose()


async def test_a_job_is_found_by_its_own_title_and_company(api: httpx.AsyncClient) -> None:
    job = (await api.get("/api/v1/jobs/17")).json()
    page = await api.get("/api/v1/jobs", params={"q": f"{job['title']} {job['company_name']}"})
    top = [j["id"] for j in page.json()["items"][:3]]
    assert job["id"] in top


async def test_filters_hold_exactly_with_a_ranked_query(api: httpx.AsyncClient) -> None:
    page = (await api.get("/api/v1/jobs", params={"q": "engineer", "remote": "true"})).json()
    assert page["items"] and all(j["remote"] for j in page["items"])
    city = page["items"][0]["location"].split(",")[0]
    located = await api.get("/api/v1/jobs", params={"q": "manager", "location": city.lower()})
    items = located.json()["items"]
    assert items and all(city.lower() in place_keys(j["location"]) for j in items)
    assert located.json()["total"] >= len(items)


async def test_ranked_pages_do_not_overlap(api: httpx.AsyncClient) -> None:
    first = (await api.get("/api/v1/jobs", params={"q": "data", "limit": 5})).json()
    second = (await api.get("/api/v1/jobs", params={"q": "data", "limit": 5, "offset": 5})).json()
    ids = [j["id"] for j in first["items"]] + [j["id"] for j in second["items"]]
    assert len(ids) == len(set(ids)) == 10


async def test_jobs_that_fit_a_member_are_in_their_field(api: httpx.AsyncClient) -> None:
    member = (await api.get("/api/v1/members/1")).json()
    family = member["positions"][0]["family"]
    page = (await api.get("/api/v1/members/1/job-matches", params={"limit": 10})).json()
    allowed = {family, *FAMILIES[family].related}
    assert page["items"] and all(j["family"] in allowed for j in page["items"])
    held = set(member["skills"])
    best = page["items"][0]
    assert held & set(best["required_skills"])


async def test_job_matches_need_the_indexes(settings: Settings) -> None:
    repo = NetworkRepository(settings.network_db_path)
    app = create_network_app(repo)  # no search: ranked matching is impossible
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/api/v1/members/1/job-matches")
        plain = await client.get("/api/v1/jobs", params={"q": "engineer"})
    await repo.aclose()
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "index_not_built"
    assert plain.status_code == 200  # q falls back to the words filter


async def test_people_and_posts_are_ranked(api: httpx.AsyncClient) -> None:
    member = (await api.get("/api/v1/members/3")).json()
    people = (
        await api.get(
            "/api/v1/people", params={"q": f"{member['first_name']} {member['last_name']}"}
        )
    ).json()
    assert member["id"] in [m["id"] for m in people["items"][:3]]
    post = (await api.get("/api/v1/posts/5")).json()
    # Titles repeat across posts ("Notes on promotions"); the opening words do not.
    opening = f"{post['title']} {' '.join(post['body'].split()[:12])}"
    posts = (await api.get("/api/v1/posts", params={"q": opening, "topic": post["topic"]})).json()
    assert post["id"] in [p["id"] for p in posts["items"][:3]]
    assert all(p["topic"] == post["topic"] for p in posts["items"])


async def test_an_up_to_date_start_reads_no_documents(
    settings: Settings,
    stack: SearchStack,
) -> None:
    reports = await refresh_indexes(settings, stack)
    assert [r.collection for r in reports] == ["knowledge"]  # network collections skipped
    assert not any(r.changed for r in reports)
