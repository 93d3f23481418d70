"""Async, read-only queries over the seeded network: what the internal REST API serves."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from careerpilot.errors import NotFoundError
from careerpilot.network import tables
from careerpilot.network.schemas import Company, Job, Member, MemberRecord, Page, Post, Seniority

__all__ = ["ID_MAX", "JobFilters", "NetworkRepository", "PeopleFilters", "PostFilters"]

M = TypeVar("M", bound=BaseModel)

# Ids are 32-bit: a larger one names nothing (SQLite and PostgreSQL would refuse to bind it).
ID_MAX = 2**31 - 1


@dataclass(frozen=True, slots=True)
class JobFilters:
    q: str | None = None
    location: str | None = None
    remote: bool | None = None
    seniority: Seniority | None = None
    company_id: int | None = None
    family: str | None = None
    skill: str | None = None
    posted_after: dt.date | None = None


@dataclass(frozen=True, slots=True)
class PostFilters:
    q: str | None = None
    topic: str | None = None
    author_id: int | None = None
    company_id: int | None = None


@dataclass(frozen=True, slots=True)
class PeopleFilters:
    q: str | None = None
    title: str | None = None
    company_id: int | None = None
    location: str | None = None
    skill: str | None = None


def _words_like(column: Any, text: str | None) -> list[ColumnElement[bool]]:
    """Every word of ``text`` must appear (case-insensitively) in ``column``."""
    if not text:
        return []
    return [column.like(f"%{w}%") for w in text.lower().split() if w]


class NetworkRepository:
    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.engine: AsyncEngine = create_async_engine(f"sqlite+aiosqlite:///{db_path}")

    async def aclose(self) -> None:
        await self.engine.dispose()

    async def _get(self, table: Any, ident: int, model: type[M], kind: str) -> M:
        if not 1 <= ident <= ID_MAX:  # an id no row can have (and the driver cannot bind)
            raise NotFoundError(kind, ident)
        async with self.engine.connect() as conn:
            doc = (await conn.execute(select(table.c.doc).where(table.c.id == ident))).scalar()
        if doc is None:
            raise NotFoundError(kind, ident)
        return model.model_validate_json(doc)

    async def _page(self, query: Select[Any], model: type[M], limit: int, offset: int) -> Page[M]:
        async with self.engine.connect() as conn:
            total = (
                await conn.execute(select(func.count()).select_from(query.subquery()))
            ).scalar_one()
            docs = (await conn.execute(query.limit(limit).offset(offset))).scalars().all()
        return Page[model](  # type: ignore[valid-type]
            items=[model.model_validate_json(d) for d in docs],
            total=int(total),
            limit=limit,
            offset=offset,
        )

    async def _get_many(self, table: Any, ids: list[int], model: type[M]) -> list[M]:
        """Documents by id, in the order of ``ids`` (unknown ids are skipped)."""
        ids = [i for i in ids if 1 <= i <= ID_MAX]
        if not ids:
            return []
        async with self.engine.connect() as conn:
            rows = await conn.execute(select(table.c.id, table.c.doc).where(table.c.id.in_(ids)))
            docs = {int(i): d for i, d in rows.all()}
        return [model.model_validate_json(docs[i]) for i in ids if i in docs]

    async def get_jobs(self, ids: list[int]) -> list[Job]:
        return await self._get_many(tables.jobs, ids, Job)

    async def get_members(self, ids: list[int]) -> list[Member]:
        return await self._get_many(tables.members, ids, Member)

    async def get_posts(self, ids: list[int]) -> list[Post]:
        return await self._get_many(tables.posts, ids, Post)

    async def get_member(self, ident: int) -> Member:
        return await self._get(tables.members, ident, Member, "member")

    async def get_member_record(self, ident: int) -> MemberRecord:
        """The member with private fields: only for the member themself."""
        return await self._get(tables.members, ident, MemberRecord, "member")

    async def get_job(self, ident: int) -> Job:
        return await self._get(tables.jobs, ident, Job, "job")

    async def get_company(self, ident: int) -> Company:
        return await self._get(tables.companies, ident, Company, "company")

    async def get_post(self, ident: int) -> Post:
        return await self._get(tables.posts, ident, Post, "post")

    async def search_jobs(self, f: JobFilters, limit: int = 20, offset: int = 0) -> Page[Job]:
        t = tables.jobs
        where: list[ColumnElement[bool]] = _words_like(t.c.search_text, f.q)
        if f.location:
            where.append(t.c.location.ilike(f"%{f.location}%"))
        if f.remote is not None:
            where.append(t.c.remote == f.remote)
        if f.seniority is not None:
            where.append(t.c.seniority == f.seniority.value)
        if f.company_id is not None:
            where.append(t.c.company_id == f.company_id)
        if f.family:
            where.append(t.c.family == f.family)
        if f.posted_after is not None:
            where.append(t.c.posted_on >= f.posted_after)
        if f.skill:
            js = tables.job_skills
            where.append(
                t.c.id.in_(select(js.c.job_id).where(func.lower(js.c.skill) == f.skill.lower()))
            )
        query = select(t.c.doc).where(and_(True, *where)).order_by(t.c.posted_on.desc(), t.c.id)
        return await self._page(query, Job, limit, offset)

    async def search_companies(
        self, name: str | None = None, industry: str | None = None, limit: int = 20, offset: int = 0
    ) -> Page[Company]:
        t = tables.companies
        where = _words_like(func.lower(t.c.name), name)
        if industry:
            where.append(t.c.industry.ilike(f"%{industry}%"))
        query = select(t.c.doc).where(and_(True, *where)).order_by(t.c.id)
        return await self._page(query, Company, limit, offset)

    async def search_posts(self, f: PostFilters, limit: int = 20, offset: int = 0) -> Page[Post]:
        t = tables.posts
        where = _words_like(t.c.search_text, f.q)
        if f.topic:
            where.append(t.c.topic.ilike(f.topic))
        if f.author_id is not None:
            where.append(t.c.author_id == f.author_id)
        if f.company_id is not None:
            where.append(t.c.company_id == f.company_id)
        query = select(t.c.doc).where(and_(True, *where)).order_by(t.c.created_at.desc(), t.c.id)
        return await self._page(query, Post, limit, offset)

    async def search_people(
        self, f: PeopleFilters, limit: int = 20, offset: int = 0
    ) -> Page[Member]:
        t = tables.members
        where = _words_like(func.lower(t.c.name + " " + t.c.headline), f.q)
        if f.title:
            where.append(t.c.current_title.ilike(f"%{f.title}%"))
        if f.company_id is not None:
            where.append(t.c.current_company_id == f.company_id)
        if f.location:
            where.append(t.c.location.ilike(f"%{f.location}%"))
        if f.skill:
            ms = tables.member_skills
            where.append(
                t.c.id.in_(select(ms.c.member_id).where(func.lower(ms.c.skill) == f.skill.lower()))
            )
        query = select(t.c.doc).where(and_(True, *where)).order_by(t.c.id)
        return await self._page(query, Member, limit, offset)
