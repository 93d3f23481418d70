from collections.abc import AsyncIterator

import httpx
import pytest
import yaml
from pydantic import ValidationError

from careerpilot.config import Settings
from careerpilot.errors import NotFoundError, SkillError
from careerpilot.network.api import create_network_app, openapi_spec
from careerpilot.network.repository import NetworkRepository
from careerpilot.network.schemas import Job, Page
from careerpilot.skills.http import NetworkApi
from careerpilot.skills.network import NETWORK_SKILLS, network_skills
from careerpilot.skills.openapi import JsonResult, skill_from_openapi


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[NetworkApi]:
    repo = NetworkRepository(settings.network_db_path)
    transport = httpx.ASGITransport(app=create_network_app(repo))
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        yield NetworkApi(client)
    await repo.aclose()


def test_input_model_carries_types_bounds_and_enums() -> None:
    skill = skill_from_openapi(openapi_spec(), "search_jobs", NetworkApi(httpx.AsyncClient()))
    model = skill.input_model
    ok = model.model_validate({"seniority": "senior", "remote": "true", "limit": 5})
    assert ok.model_dump(exclude_none=True) == {
        "seniority": "senior",
        "remote": True,
        "limit": 5,
        "offset": 0,
    }
    for bad in ({"seniority": "guru"}, {"limit": 0}, {"limit": 101}, {"color": "red"}):
        with pytest.raises(ValidationError):
            model.model_validate(bad)
    assert set(
        skill_from_openapi(
            openapi_spec(), "get_job", NetworkApi(httpx.AsyncClient())
        ).input_model.model_json_schema()["required"]
    ) == {"job_id"}


async def test_generated_skills_call_the_real_api(api: NetworkApi) -> None:
    skills = network_skills(api)
    assert set(skills.names()) == set(NETWORK_SKILLS)
    job = await skills.get("get_job").invoke({"job_id": 3})
    assert isinstance(job, Job) and job.id == 3
    page = await skills.get("search_jobs").invoke({"seniority": "senior", "limit": 5})
    assert isinstance(page, Page)
    assert page.items and all(j.seniority == "senior" for j in page.items)
    with pytest.raises(NotFoundError, match="job 999999"):
        await skills.get("get_job").invoke({"job_id": 999_999})
    with pytest.raises(SkillError, match="invalid arguments") as info:
        await skills.get("search_jobs").invoke({"seniority": "guru"})
    assert not info.value.retryable


THIRD_PARTY = {
    "openapi": "3.1.0",
    "paths": {
        "/teams/{team_id}/openings": {
            "get": {
                "operationId": "list_openings",
                "summary": "Open roles in a team",
                "parameters": [
                    {
                        "name": "team_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    },
                    {
                        "name": "level",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["junior", "senior"]},
                    },
                ],
            }
        },
        "/teams": {"post": {"operationId": "create_team", "summary": "Create"}},
    },
}


async def test_any_spec_becomes_a_skill_with_retries_and_timeouts() -> None:
    seen: list[httpx.Request] = []
    failures = iter([503])

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        status = next(failures, 200)
        return httpx.Response(status, json={"openings": [1, 2]} if status == 200 else {})

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url="http://hr")
    skill = skill_from_openapi(THIRD_PARTY, "list_openings", NetworkApi(client))
    result = await skill.invoke({"team_id": 7, "level": "senior"})
    assert isinstance(result, JsonResult) and result.root == {"openings": [1, 2]}
    assert len(seen) == 2  # the 503 was retried once
    assert seen[-1].url.path == "/teams/7/openings"
    assert seen[-1].url.params["level"] == "senior"
    with pytest.raises(ValueError, match="only GET"):
        skill_from_openapi(THIRD_PARTY, "create_team", NetworkApi(client))
    with pytest.raises(ValueError, match="no operation"):
        skill_from_openapi(THIRD_PARTY, "nope", NetworkApi(client))


async def test_a_dead_upstream_is_a_retryable_skill_error() -> None:
    client = httpx.AsyncClient(base_url="http://127.0.0.1:9")
    skill = skill_from_openapi(THIRD_PARTY, "list_openings", NetworkApi(client))
    with pytest.raises(SkillError, match="unreachable") as info:
        await skill.invoke({"team_id": 1})
    assert info.value.retryable
    assert "ERROR from list_openings" in info.value.for_llm()


def test_registry_describes_skills_compactly_for_prompts(api: NetworkApi) -> None:
    text = network_skills(api).describe(["get_job", "search_jobs"])
    entries = yaml.safe_load(text)
    assert [e["name"] for e in entries] == ["get_job", "search_jobs"]
    args = entries[1]["args"]
    assert args["seniority"] == "entry|mid|senior|lead|principal"
    assert args["limit"].startswith("int, default 20")
    assert entries[0]["args"] == {"job_id": "int, required"}
