"""Evaluation cases: versioned YAML files of conversations with what a good answer holds.

A case file (``evals/data/cases/*.yaml`` in the package, plus any extra directory) is::

    version: 1
    cases:
    - id: job-fit-003                 # unique across all files
      member_id: 1
      turns:                          # a conversation; the last turn is the one evaluated,
      - text: Am I a good fit for this job?    # the earlier ones are played first (history)
        context: {type: job, id: 3}
      agent: job_assessment           # the agent that must answer the last turn
      skills: [get_job, get_member]   # the skill calls it must make (names; order free)
      calls:                          # optional: calls with the arguments that matter
      - {skill: get_job, args: {job_id: 3}}
      facts: [Junior Procurement Specialist, Wright Utilities]  # the answer must state these
      rubric: [fit_verdict, names_gaps]  # what the judge and annotators look at
      critical: false                 # a critical case fails the gate on any regression
      suites: [smoke]                 # every case is in "full"; name others here

Facts are checked in the answer's text and its components' text, case- and space-insensitively.
They come from the seeded default network (seed 42), which is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, ValidationError

from careerpilot.agents.base import PageContext
from careerpilot.errors import ConfigurationError
from careerpilot.routing.router import LABELS

__all__ = ["Case", "CaseTurn", "ExpectedCall", "bundled_cases_dir", "load_cases"]

CASES_VERSION = 1


class CaseTurn(BaseModel):
    text: str = Field(min_length=1)
    context: PageContext | None = None


class ExpectedCall(BaseModel):
    skill: str
    args: dict[str, Any] = Field(default_factory=dict, description="a subset that must match")


class Case(BaseModel):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    member_id: int = Field(1, ge=1)
    turns: list[CaseTurn] = Field(min_length=1)
    agent: str
    skills: list[str] = Field(default_factory=list)
    calls: list[ExpectedCall] = Field(default_factory=list)
    facts: list[str] = Field(default_factory=list)
    rubric: list[str] = Field(default_factory=list)
    critical: bool = False
    suites: list[str] = Field(default_factory=list)

    @property
    def question(self) -> CaseTurn:
        return self.turns[-1]

    def in_suite(self, suite: str) -> bool:
        return suite == "full" or suite in self.suites


def bundled_cases_dir() -> Path:
    return Path(str(resources.files("careerpilot.evals").joinpath("data/cases")))


def _read(path: Path) -> list[Case]:
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict) or raw.get("version") != CASES_VERSION:
            raise ConfigurationError(f"{path}: expected 'version: {CASES_VERSION}' and 'cases:'")
        cases = [Case.model_validate(item) for item in raw.get("cases") or []]
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ConfigurationError(f"evaluation cases {path} are not valid: {exc}") from exc
    for case in cases:
        if case.agent not in LABELS:
            raise ConfigurationError(f"{path}: case {case.id} expects unknown agent {case.agent}")
    return cases


def load_cases(
    suite: str = "full", directories: Iterable[Path] = (), *, bundled: bool = True
) -> list[Case]:
    """Every case of ``suite`` from the bundled files and ``directories``, ids unique."""
    cases: list[Case] = []
    for directory in ([bundled_cases_dir()] if bundled else []) + list(directories):
        for path in sorted(directory.glob("*.yaml")):
            cases.extend(_read(path))
    seen: set[str] = set()
    for case in cases:
        if case.id in seen:
            raise ConfigurationError(f"evaluation case id {case.id} appears twice")
        seen.add(case.id)
    return [c for c in cases if c.in_suite(suite)]
