from collections.abc import AsyncIterator

import httpx
import pytest

from careerpilot.config import Settings
from careerpilot.network.api import create_network_app
from careerpilot.network.repository import NetworkRepository


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    repo = NetworkRepository(settings.network_db_path)
    transport = httpx.ASGITransport(app=create_network_app(repo))
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as c:
        yield c
    await repo.aclose()


async def test_get_entities(client: httpx.AsyncClient) -> None:
    job = (await client.get("/api/v1/jobs/1")).json()
    assert job["id"] == 1 and job["required_skills"]
    company = (await client.get(f"/api/v1/companies/{job['company_id']}")).json()
    assert company["name"] == job["company_name"]
    member = (await client.get("/api/v1/members/1")).json()
    assert member["positions"] and member["skills"]
    # private fields never leave through the public profile
    assert "email" not in member and "phone" not in member
    post = (await client.get("/api/v1/posts/1")).json()
    assert post["body"].count("\n\n") >= 2


async def test_unknown_ids_are_typed_404s(client: httpx.AsyncClient) -> None:
    beyond_32_bits = 2**63  # no row has it, and the driver cannot bind it: 404, not 500
    paths = ["/api/v1/jobs/999999", "/api/v1/members/999999", "/api/v1/companies/999999"]
    paths += [f"/api/v1/{kind}/{beyond_32_bits}" for kind in ("jobs", "members", "posts")]
    paths.append("/api/v1/posts/0")
    for path in paths:
        response = await client.get(path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


async def test_invalid_parameters_are_typed_422s(client: httpx.AsyncClient) -> None:
    for path in (
        "/api/v1/jobs/abc",
        "/api/v1/jobs?limit=0",
        "/api/v1/jobs?seniority=guru",
        f"/api/v1/jobs?company_id={2**31}",
        f"/api/v1/posts?author_id={2**63}",
        "/api/v1/people?offset=10001",
    ):
        response = await client.get(path)
        assert response.status_code == 422, path
        body = response.json()["error"]
        assert body["code"] == "invalid_input" and body["details"]


async def test_job_search_filters_and_pagination(client: httpx.AsyncClient) -> None:
    everything = (await client.get("/api/v1/jobs", params={"limit": 100})).json()
    assert everything["total"] == 250
    remote = (await client.get("/api/v1/jobs", params={"remote": True, "limit": 100})).json()
    assert 0 < remote["total"] < 250
    assert all(j["remote"] for j in remote["items"])
    senior = (await client.get("/api/v1/jobs", params={"seniority": "senior"})).json()
    assert all(j["seniority"] == "senior" for j in senior["items"])
    skill = everything["items"][0]["required_skills"][0]
    by_skill = (await client.get("/api/v1/jobs", params={"skill": skill.lower()})).json()
    assert by_skill["total"] >= 1
    assert all(skill in j["required_skills"] + j["nice_to_have_skills"] for j in by_skill["items"])
    page1 = (await client.get("/api/v1/jobs", params={"limit": 5, "offset": 0})).json()
    page2 = (await client.get("/api/v1/jobs", params={"limit": 5, "offset": 5})).json()
    assert {j["id"] for j in page1["items"]}.isdisjoint({j["id"] for j in page2["items"]})
    word = everything["items"][0]["title"].split()[-1]
    by_word = (await client.get("/api/v1/jobs", params={"q": word})).json()
    assert by_word["total"] >= 1


async def test_company_post_and_people_search(client: httpx.AsyncClient) -> None:
    company = (await client.get("/api/v1/companies/3")).json()
    found = (
        await client.get("/api/v1/companies", params={"name": company["name"].split()[0]})
    ).json()
    assert company["id"] in [c["id"] for c in found["items"]]
    post = (await client.get("/api/v1/posts/2")).json()
    by_author = (await client.get("/api/v1/posts", params={"author_id": post["author_id"]})).json()
    assert all(p["author_id"] == post["author_id"] for p in by_author["items"])
    by_topic = (await client.get("/api/v1/posts", params={"topic": post["topic"]})).json()
    assert post["id"] in [p["id"] for p in by_topic["items"]] or by_topic["total"] > 20
    member = (await client.get("/api/v1/members/1")).json()
    people = (await client.get("/api/v1/people", params={"q": member["last_name"]})).json()
    assert 1 in [m["id"] for m in people["items"]]
    skilled = (await client.get("/api/v1/people", params={"skill": member["skills"][0]})).json()
    assert 1 in [m["id"] for m in skilled["items"]] or skilled["total"] > 20


async def test_openapi_spec_names_operations(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    operations = {op["operationId"] for path in spec["paths"].values() for op in path.values()}
    assert {
        "get_job",
        "search_jobs",
        "get_member",
        "get_company",
        "search_companies",
        "get_post",
        "search_posts",
        "search_people",
    } <= operations
