import json
from collections.abc import AsyncIterator

import httpx
import pytest

from careerpilot.config import Settings
from careerpilot.network.api import create_network_app
from careerpilot.network.repository import NetworkRepository
from careerpilot.skills.http import NetworkApi
from careerpilot.skills.network import network_skills
from careerpilot.skills.views import render, view


@pytest.fixture
async def skills(settings: Settings) -> AsyncIterator[object]:
    repo = NetworkRepository(settings.network_db_path)
    transport = httpx.ASGITransport(app=create_network_app(repo))
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        yield network_skills(NetworkApi(client))
    await repo.aclose()


async def test_views_keep_the_facts_and_drop_the_bulk(skills) -> None:
    job = await skills.get("get_job").invoke({"job_id": 1})
    member = await skills.get("get_member").invoke({"member_id": 1})
    job_text = render(view(job))
    for skill in job.required_skills + job.nice_to_have_skills:
        assert skill in job_text
    assert job.title in job_text and job.company_name in job_text
    assert job.description not in job_text
    assert len(job_text) < len(job.model_dump_json()) / 3
    member_text = render(view(member))
    for position in member.positions:
        assert position.title in member_text and position.company_name in member_text
    assert all(s in member_text for s in member.skills)


async def test_pages_render_item_by_item(skills) -> None:
    page = await skills.get("search_jobs").invoke({"limit": 3})
    text = render(view(page))
    assert text.startswith(f"total: {page.total}")
    assert text.count("- job: ") == 3
    assert "{" not in text and '"' not in text


def test_render_is_compact_and_skips_empty_fields() -> None:
    value = {"a": 1, "b": "", "c": [], "d": None, "e": ["x", "y"], "f": {"g": "h"}}
    assert render(value) == "a: 1\ne:\n  - x\n  - y\nf:\n  g: h"
    assert render(view({"plain": "dict"})) == "plain: dict"
    assert json.loads(json.dumps(view({"k": [1]}))) == {"k": [1]}
