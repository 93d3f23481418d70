"""The built-in agents, by routing label."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Collection
from typing import ClassVar

from careerpilot.agents.base import Agent, TurnContext
from careerpilot.agents.job_assessment import JobAssessmentAgent
from careerpilot.agents.out_of_scope import OutOfScopeAgent
from careerpilot.network.taxonomy import FAMILIES
from careerpilot.pipeline.events import ComponentEvent, Event, SuggestionsEvent
from careerpilot.ui.components import Notice

__all__ = ["NotYetAvailableAgent", "default_agents"]


class NotYetAvailableAgent(Agent):
    """Stands for an agent this version does not have: says so plainly, instead of guessing."""

    name: ClassVar[str] = "not_yet_available"

    def __init__(self, label: str, topic: str) -> None:
        self.label = label
        self.topic = topic

    async def run(self, turn: TurnContext) -> AsyncGenerator[Event, None]:
        notice = Notice(
            level="info",
            text=f"Questions about {self.topic} are not supported in this version yet. "
            "I can assess how well you fit a job: open one and ask.",
        )
        yield ComponentEvent(component=notice.model_dump(mode="json"))
        yield SuggestionsEvent(suggestions=["Am I a good fit for job 1?"])


def _related(family: str) -> Collection[str]:
    known = FAMILIES.get(family)
    return known.related if known is not None else ()


def default_agents() -> dict[str, Agent]:
    return {
        "job_assessment": JobAssessmentAgent(_related),
        "out_of_scope": OutOfScopeAgent(),
        "post_takeaways": NotYetAvailableAgent("post_takeaways", "posts"),
        "company": NotYetAvailableAgent("company", "companies"),
        "career_advice": NotYetAvailableAgent("career_advice", "career advice"),
        "general": NotYetAvailableAgent("general", "general work and career knowledge"),
    }
