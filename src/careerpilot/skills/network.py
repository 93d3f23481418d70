"""Skills over the internal REST API (``/api/v1``), made from its OpenAPI spec.

The client's base URL is configurable, so a separately deployed API works the same as the
bundled one, which runs in process behind ``httpx.ASGITransport``. Descriptions are written for
the LLM where the spec's are thin; outputs are validated into the network's typed models.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel

from careerpilot.network.api import openapi_spec
from careerpilot.network.schemas import Company, Job, Member, Page, Post
from careerpilot.skills.base import SkillRegistry
from careerpilot.skills.http import NetworkApi
from careerpilot.skills.openapi import skill_from_openapi

__all__ = ["NETWORK_SKILLS", "network_skills"]

# operation id -> (LLM-facing description, typed output)
NETWORK_SKILLS: dict[str, tuple[str, type[BaseModel]]] = {
    "get_job": (
        "Fetch one job posting by id: title, company, location, remote, seniority, salary "
        "range, required and nice-to-have skills, description.",
        Job,
    ),
    "get_member": (
        "Fetch a member's public profile by id: headline, summary, positions with dates, "
        "education, skills.",
        Member,
    ),
    "get_company": (
        "Fetch a company by id: industry, size, headquarters, locations, specialties.",
        Company,
    ),
    "get_post": (
        "Fetch a post by id: author, topic, title, full body, reaction counts.",
        Post,
    ),
    "search_jobs": (
        "Search job postings: q describes the job (title, skills, field; best match first); "
        "filters: location (city or country), remote, seniority "
        "(entry|mid|senior|lead|principal), company_id, family, skill, posted_after.",
        Page[Job],
    ),
    "match_jobs": (
        "Jobs that fit a member's profile (their title, field and skills), best fit first. "
        "Optional filters: location, remote, seniority, family, posted_after.",
        Page[Job],
    ),
    "search_companies": ("Find companies by name words and/or industry.", Page[Company]),
    "search_posts": (
        "Search posts: q says what they are about (best match first); filters: topic, "
        "author_id, company_id.",
        Page[Post],
    ),
    "search_people": (
        "Search members: q is a name, role, skills or field (best match first); filters: "
        "title, company_id, location (city or country), skill.",
        Page[Member],
    ),
}


@cache
def _spec() -> dict[str, Any]:
    return openapi_spec()


def network_skills(api: NetworkApi) -> SkillRegistry:
    registry = SkillRegistry()
    for operation_id, (description, output) in NETWORK_SKILLS.items():
        registry.register(
            skill_from_openapi(
                _spec(), operation_id, api, description=description, output_model=output
            )
        )
    return registry
