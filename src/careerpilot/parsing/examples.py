"""Planner-like schemas used by the tests, the corpus and the benchmark."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

__all__ = ["JobFilter", "Plan", "Seniority", "Step"]


class Seniority(StrEnum):
    JUNIOR = "junior"
    MID_LEVEL = "mid_level"
    SENIOR = "senior"
    STAFF = "staff"


class Step(BaseModel):
    skill: str
    args: dict[str, Any] = Field(default_factory=dict)


class Plan(BaseModel):
    thought: str
    steps: list[Step]


class JobFilter(BaseModel):
    min_salary: int
    remote: bool
    seniority: Seniority
    skills: list[str] = Field(default_factory=list)
    location: str | None = None
    title: str = ""
