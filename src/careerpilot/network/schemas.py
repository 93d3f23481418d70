"""The sample network's public data types: what the internal REST API returns and skills consume."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

__all__ = [
    "Company",
    "Education",
    "Job",
    "Member",
    "MemberRecord",
    "Page",
    "Position",
    "Post",
    "Seniority",
]


class Seniority(StrEnum):
    """Job levels, in order, with the years of relevant experience each one usually asks for."""

    ENTRY = "entry"
    MID = "mid"
    SENIOR = "senior"
    LEAD = "lead"
    PRINCIPAL = "principal"

    @property
    def years_range(self) -> tuple[int, int | None]:
        return _YEARS[self]


_YEARS: dict[Seniority, tuple[int, int | None]] = {
    Seniority.ENTRY: (0, 2),
    Seniority.MID: (2, 5),
    Seniority.SENIOR: (5, 9),
    Seniority.LEAD: (8, 13),
    Seniority.PRINCIPAL: (12, None),
}


class Company(BaseModel):
    id: int
    name: str
    industry: str
    description: str
    employee_count: int
    size_band: str = Field(description="LinkedIn-style band, e.g. '201-500'")
    founded_year: int
    headquarters: str
    locations: list[str]
    specialties: list[str]
    website: str


class Position(BaseModel):
    title: str
    family: str = Field(description="job family from the taxonomy, e.g. 'software_engineering'")
    company_id: int | None
    company_name: str
    location: str
    start_date: dt.date
    end_date: dt.date | None = Field(description="None while the position is current")
    description: str


class Education(BaseModel):
    school: str
    degree: str
    field_of_study: str
    start_year: int
    end_year: int


class Member(BaseModel):
    """A member's profile as any other member may see it (no email or phone)."""

    id: int
    first_name: str
    last_name: str
    headline: str
    summary: str
    location: str
    industry: str
    positions: list[Position] = Field(description="most recent first")
    education: list[Education]
    skills: list[str]
    open_to_work: bool
    connection_count: int = 0

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class MemberRecord(Member):
    """A member with the private fields only the member themself may read."""

    email: str
    phone: str


class Job(BaseModel):
    id: int
    title: str
    family: str
    company_id: int
    company_name: str
    location: str
    remote: bool
    seniority: Seniority
    employment_type: str = Field(description="full_time, part_time, contract or internship")
    salary_min: int
    salary_max: int
    salary_currency: str
    required_skills: list[str]
    nice_to_have_skills: list[str]
    description: str
    posted_on: dt.date
    applicant_count: int


class Post(BaseModel):
    id: int
    author_id: int
    author_name: str
    author_headline: str
    company_id: int | None = Field(
        description="set when the author wrote as or about their employer"
    )
    topic: str
    title: str
    body: str = Field(description="several paragraphs separated by blank lines")
    created_at: dt.datetime
    reaction_count: int
    reactions: dict[str, int] = Field(
        description="count by reaction type: like, celebrate, insightful..."
    )
    comment_count: int


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int
