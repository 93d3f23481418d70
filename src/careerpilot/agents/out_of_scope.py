"""Out of scope: a short, polite answer that says what the assistant can help with.

No skill and no LLM call: nothing the member wrote reaches a model, which also makes this the
safe landing place for attempts to subvert the assistant.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import ClassVar

from careerpilot.agents.base import Agent, TurnContext
from careerpilot.pipeline.events import Event, SuggestionsEvent, TextEvent

__all__ = ["OutOfScopeAgent"]

_ANSWER = (
    "I can only help with work and careers: how you fit a job, what a post or a company is about, "
    "career advice, and questions about jobs and the workplace."
)


class OutOfScopeAgent(Agent):
    name: ClassVar[str] = "out_of_scope"

    async def run(self, turn: TurnContext) -> AsyncGenerator[Event, None]:
        yield TextEvent(delta=_ANSWER)
        suggestions = ["Which jobs fit my profile?", "How do I prepare for an interview?"]
        if turn.page is not None and turn.page.type == "job":
            suggestions.insert(0, "Am I a good fit for this job?")
        yield SuggestionsEvent(suggestions=suggestions)
