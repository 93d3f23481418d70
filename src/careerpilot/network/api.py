"""The internal REST API over the sample network (``/api/v1``): the APIs that skills wrap.

Operation ids are stable (``get_job``, ``search_jobs``...): skills are built from this OpenAPI spec.
With a ``NetworkSearch`` (the hybrid BM25 + dense indexes), searches with ``q`` are ranked by
relevance and ``match_jobs`` ranks jobs for a member's profile; without one, ``q`` is a
words-must-appear filter and results come newest first.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request

from careerpilot.errors import IndexNotBuiltError
from careerpilot.network.repository import (
    ID_MAX,
    JobFilters,
    NetworkRepository,
    PeopleFilters,
    PostFilters,
)
from careerpilot.network.schemas import Company, Job, Member, Page, Post, Seniority
from careerpilot.server.errors import ErrorResponse, install_error_handlers

if TYPE_CHECKING:
    from careerpilot.retrieval.network_search import NetworkSearch, Ranked

__all__ = ["create_network_app", "openapi_spec", "router"]

_ERRORS: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorResponse, "description": "No such entity"},
    422: {"model": ErrorResponse, "description": "Invalid parameters"},
}

router = APIRouter(prefix="/api/v1", tags=["network"], responses=_ERRORS)


def _repository(request: Request) -> NetworkRepository:
    repo: NetworkRepository = request.app.state.network_repository
    return repo


def _search(request: Request) -> NetworkSearch | None:
    search: NetworkSearch | None = getattr(request.app.state, "network_search", None)
    return search


Repo = Annotated[NetworkRepository, Depends(_repository)]
# Typed loosely on purpose: FastAPI evaluates parameter annotations at import time, and the
# search stack (onnxruntime, usearch) is imported only when an app is given one.
Search = Annotated[Any, Depends(_search)]
Limit = Annotated[int, Query(ge=1, le=100, description="page size")]
Offset = Annotated[int, Query(ge=0, le=10_000, description="items to skip")]
# Filters by id: out of the 32-bit id range is invalid input (422), not a driver error.
IdFilter = Annotated[int | None, Query(ge=1, le=ID_MAX)]


@router.get("/members/{member_id}", operation_id="get_member")
async def get_member(member_id: int, repo: Repo) -> Member:
    """A member's public profile: headline, summary, positions, education, skills."""
    return await repo.get_member(member_id)


@router.get("/jobs/{job_id}", operation_id="get_job")
async def get_job(job_id: int, repo: Repo) -> Job:
    """A job posting with its required and nice-to-have skills, seniority and salary range."""
    return await repo.get_job(job_id)


@router.get("/jobs", operation_id="search_jobs")
async def search_jobs(
    repo: Repo,
    search: Search,
    q: Annotated[
        str | None,
        Query(max_length=200, description="what the job is: title, skills, field (ranked)"),
    ] = None,
    location: Annotated[str | None, Query(max_length=100)] = None,
    remote: bool | None = None,
    seniority: Seniority | None = None,
    company_id: IdFilter = None,
    family: Annotated[str | None, Query(max_length=100)] = None,
    skill: Annotated[
        str | None, Query(max_length=100, description="a required or nice skill")
    ] = None,
    posted_after: dt.date | None = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Page[Job]:
    """Search jobs: with ``q``, best match first (meaning and words); without, newest first.

    ``location`` is a city or country; filters always hold exactly.
    """
    filters = JobFilters(q, location, remote, seniority, company_id, family, skill, posted_after)
    if q and search is not None:
        ranked = await search.jobs(filters, offset + limit)
        return _page(await repo.get_jobs(_window(ranked, offset)), ranked, limit, offset)
    return await repo.search_jobs(filters, limit, offset)


def _window(ranked: Ranked, offset: int) -> list[int]:
    return ranked.ids[offset:]


def _page(items: list[Any], ranked: Ranked, limit: int, offset: int) -> Page[Any]:
    return Page[Any](items=items, total=ranked.total, limit=limit, offset=offset)


@router.get("/members/{member_id}/job-matches", operation_id="match_jobs")
async def match_jobs(
    member_id: int,
    repo: Repo,
    search: Search,
    location: Annotated[str | None, Query(max_length=100)] = None,
    remote: bool | None = None,
    seniority: Seniority | None = None,
    family: Annotated[str | None, Query(max_length=100)] = None,
    posted_after: dt.date | None = None,
    limit: Limit = 10,
    offset: Offset = 0,
) -> Page[Job]:
    """Jobs ranked by how well they fit the member's profile (title, field, skills)."""
    if search is None:
        raise IndexNotBuiltError("job matching needs the search indexes: careerpilot data index")
    member = await repo.get_member(member_id)
    filters = JobFilters(None, location, remote, seniority, None, family, None, posted_after)
    ranked = await search.jobs_for_member(member, filters, offset + limit)
    return _page(await repo.get_jobs(_window(ranked, offset)), ranked, limit, offset)


@router.get("/companies/{company_id}", operation_id="get_company")
async def get_company(company_id: int, repo: Repo) -> Company:
    """A company: industry, size, headquarters, locations, specialties."""
    return await repo.get_company(company_id)


@router.get("/companies", operation_id="search_companies")
async def search_companies(
    repo: Repo,
    name: Annotated[str | None, Query(max_length=200)] = None,
    industry: Annotated[str | None, Query(max_length=100)] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Page[Company]:
    """Find companies by name words and industry."""
    return await repo.search_companies(name, industry, limit, offset)


@router.get("/posts/{post_id}", operation_id="get_post")
async def get_post(post_id: int, repo: Repo) -> Post:
    """A post with its author, topic, full body and reaction counts."""
    return await repo.get_post(post_id)


@router.get("/posts", operation_id="search_posts")
async def search_posts(
    repo: Repo,
    search: Search,
    q: Annotated[str | None, Query(max_length=200, description="what it is about (ranked)")] = None,
    topic: Annotated[str | None, Query(max_length=100)] = None,
    author_id: IdFilter = None,
    company_id: IdFilter = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Page[Post]:
    """Search posts by topic, author or company; with ``q``, best match first, else newest."""
    filters = PostFilters(q, topic, author_id, company_id)
    if q and search is not None:
        ranked = await search.posts(filters, offset + limit)
        return _page(await repo.get_posts(_window(ranked, offset)), ranked, limit, offset)
    return await repo.search_posts(filters, limit, offset)


@router.get("/people", operation_id="search_people")
async def search_people(
    repo: Repo,
    search: Search,
    q: Annotated[
        str | None, Query(max_length=200, description="name, role, skills or field (ranked)")
    ] = None,
    title: Annotated[str | None, Query(max_length=100)] = None,
    company_id: IdFilter = None,
    location: Annotated[str | None, Query(max_length=100)] = None,
    skill: Annotated[str | None, Query(max_length=100)] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Page[Member]:
    """Search members by name, current title, employer, location or skill.

    With ``q`` or ``title``, best match first; otherwise by id.
    """
    filters = PeopleFilters(q, title, company_id, location, skill)
    if (q or title) and search is not None:
        ranked = await search.people(filters, offset + limit)
        return _page(await repo.get_members(_window(ranked, offset)), ranked, limit, offset)
    return await repo.search_people(filters, limit, offset)


def _bare_app() -> FastAPI:
    app = FastAPI(title="careerpilot sample network API", version="1")
    install_error_handlers(app)
    app.include_router(router)
    return app


def create_network_app(
    repository: NetworkRepository, search: NetworkSearch | None = None
) -> FastAPI:
    """An app serving only the network API, over an open repository (its owner closes it).

    State is set directly rather than in a lifespan so that the app also works behind
    ``httpx.ASGITransport``, which does not run lifespans.
    """
    app = _bare_app()
    app.state.network_repository = repository
    app.state.network_search = search
    return app


def openapi_spec() -> dict[str, Any]:
    """The network API's OpenAPI document (no database needed)."""
    return _bare_app().openapi()
