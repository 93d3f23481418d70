"""Skills over the internal REST API (``/api/v1``), reached through an ``httpx.AsyncClient``.

The client's base URL is configurable, so a separately deployed API works the same as the
bundled one, which runs in process behind ``httpx.ASGITransport``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import httpx
from pydantic import BaseModel, Field

from careerpilot.errors import NotFoundError, SkillError
from careerpilot.network.schemas import Company, Job, Member
from careerpilot.skills.base import Skill, SkillRegistry

__all__ = [
    "CompanyRef",
    "GetCompany",
    "GetJob",
    "GetMember",
    "JobRef",
    "MemberRef",
    "NetworkApi",
    "network_skills",
]


_SINGULAR = {"jobs": "job", "members": "member", "companies": "company", "posts": "post"}


class NetworkApi:
    """A thin JSON client that maps HTTP failures onto careerpilot's error types."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def get(self, skill: str, path: str, params: dict[str, Any] | None = None) -> Any:
        try:
            response = await self.client.get(path, params=params)
        except httpx.TimeoutException as exc:
            raise SkillError(skill, f"the API timed out ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise SkillError(
                skill, f"the API is unreachable at {self.client.base_url}: {exc}"
            ) from exc
        if response.status_code == 404:
            collection, _, ident = path.strip("/").rpartition("/")
            kind = _SINGULAR.get(collection.rsplit("/", 1)[-1], "entity")
            raise NotFoundError(kind, ident)
        if response.status_code >= 500:
            raise SkillError(skill, f"the API answered {response.status_code}")
        if response.status_code >= 400:
            raise SkillError(
                skill,
                f"the API refused the call ({response.status_code}): {response.text[:200]}",
                retryable=False,
            )
        try:
            return response.json()
        except ValueError as exc:
            raise SkillError(skill, "the API answered with malformed JSON") from exc


class JobRef(BaseModel):
    job_id: int = Field(ge=1, description="the job's id")


class MemberRef(BaseModel):
    member_id: int = Field(ge=1, description="the member's id")


class CompanyRef(BaseModel):
    company_id: int = Field(ge=1, description="the company's id")


class GetJob(Skill[JobRef, Job]):
    name: ClassVar[str] = "get_job"
    description: ClassVar[str] = (
        "Fetch one job posting: title, company, location, remote, seniority, salary range, "
        "required and nice-to-have skills, description."
    )
    input_model = JobRef
    output_model = Job

    def __init__(self, api: NetworkApi) -> None:
        self.api = api

    async def run(self, args: JobRef) -> Job:
        return Job.model_validate(await self.api.get(self.name, f"/api/v1/jobs/{args.job_id}"))


class GetMember(Skill[MemberRef, Member]):
    name: ClassVar[str] = "get_member"
    description: ClassVar[str] = (
        "Fetch a member's public profile: headline, summary, positions with dates, "
        "education, skills."
    )
    input_model = MemberRef
    output_model = Member

    def __init__(self, api: NetworkApi) -> None:
        self.api = api

    async def run(self, args: MemberRef) -> Member:
        data = await self.api.get(self.name, f"/api/v1/members/{args.member_id}")
        return Member.model_validate(data)


class GetCompany(Skill[CompanyRef, Company]):
    name: ClassVar[str] = "get_company"
    description: ClassVar[str] = (
        "Fetch a company: industry, size, headquarters, locations, specialties, description."
    )
    input_model = CompanyRef
    output_model = Company

    def __init__(self, api: NetworkApi) -> None:
        self.api = api

    async def run(self, args: CompanyRef) -> Company:
        data = await self.api.get(self.name, f"/api/v1/companies/{args.company_id}")
        return Company.model_validate(data)


def network_skills(api: NetworkApi) -> SkillRegistry:
    registry = SkillRegistry()
    for skill in (GetJob(api), GetMember(api), GetCompany(api)):
        registry.register(skill)
    return registry
