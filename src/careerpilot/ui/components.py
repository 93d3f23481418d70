"""Server-driven UI components: the server decides what is shown, clients render by ``type``.

Every component carries a ``text`` fallback so that a client that does not know the type can
still show something true.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, TypeAdapter

__all__ = ["SCHEMA_VERSION", "JobCard", "JobFit", "Notice", "component_schema"]

SCHEMA_VERSION = "1"


class JobCard(BaseModel):
    type: Literal["job_card"] = "job_card"
    job_id: int
    title: str
    company_name: str
    location: str
    remote: bool
    seniority: str
    salary_range: str
    text: str


class JobFit(BaseModel):
    """How a member's profile meets a job's requirements: every figure computed, none generated."""

    type: Literal["job_fit"] = "job_fit"
    job: JobCard
    member_id: int
    score: float = Field(
        ge=0, le=1, description="0-1, weighted: required skills, experience, extras"
    )
    verdict: Literal["strong", "good", "partial", "weak"]
    matched_required: list[str]
    missing_required: list[str]
    nice_to_have_held: list[str]
    nice_to_have_missing: list[str]
    relevant_years: float
    required_years_min: int
    required_years_max: int | None
    experience: Literal["below", "within", "above"]
    relevant_positions: list[str] = Field(
        description="'Title at Company (years)' counted as relevant"
    )
    text: str


class Notice(BaseModel):
    type: Literal["notice"] = "notice"
    level: Literal["info", "warning", "error"]
    text: str


def component_schema() -> dict[str, Any]:
    """JSON Schema of every component, versioned (``GET /v1/ui/schema``)."""
    adapter: TypeAdapter[JobCard | JobFit | Notice] = TypeAdapter(JobCard | JobFit | Notice)
    schema = adapter.json_schema()
    schema["$id"] = f"https://careerpilot.invalid/ui/schema/v{SCHEMA_VERSION}"
    schema["version"] = SCHEMA_VERSION
    return schema
