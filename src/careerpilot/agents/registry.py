"""The built-in agents, by routing label."""

from __future__ import annotations

from collections.abc import Collection

from careerpilot.agents.base import Agent
from careerpilot.agents.career_advice import CareerAdviceAgent
from careerpilot.agents.company import CompanyAgent
from careerpilot.agents.general import GeneralAgent
from careerpilot.agents.job_assessment import JobAssessmentAgent
from careerpilot.agents.out_of_scope import OutOfScopeAgent
from careerpilot.agents.post_takeaways import PostTakeawaysAgent
from careerpilot.network.taxonomy import FAMILIES

__all__ = ["default_agents"]


def _related(family: str) -> Collection[str]:
    known = FAMILIES.get(family)
    return known.related if known is not None else ()


def default_agents() -> dict[str, Agent]:
    """One agent per routing label (``routing.router.LABELS``)."""
    return {
        "job_assessment": JobAssessmentAgent(_related),
        "post_takeaways": PostTakeawaysAgent(),
        "company": CompanyAgent(),
        "career_advice": CareerAdviceAgent(),
        "general": GeneralAgent(),
        "out_of_scope": OutOfScopeAgent(),
    }
