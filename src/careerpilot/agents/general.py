"""The general knowledge agent: factual questions about work and careers, answered from sources.

One fixed skill call, ``web_search`` (the bundled professional-knowledge corpus by default, Bing
when configured), for the question. Each result becomes a source (a ``citation`` event, which
the presenter gathers into a ``citations`` component) before any text, and the LLM words an
answer from the numbered snippets only, citing them as [1], [2]. With no source, the agent
says so in a ``notice`` instead of letting the model answer from memory.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import ClassVar

from careerpilot.agents.base import Agent, SkillCall, TurnContext
from careerpilot.agents.prompting import narrate
from careerpilot.pipeline.events import CitationEvent, ComponentEvent, Event, SuggestionsEvent
from careerpilot.skills.web_search import WebResult, WebSearchResults
from careerpilot.ui.components import Notice

__all__ = ["GeneralAgent", "sources_facts"]

SOURCES = 3


def sources_facts(results: list[WebResult]) -> str:
    """The numbered sources in the example store's format: ``[n] Title: snippet``."""
    lines = [f"[{n}] {r.title}: {r.snippet}" for n, r in enumerate(results, start=1)]
    return "Sources:\n" + "\n".join(lines)


class GeneralAgent(Agent):
    name: ClassVar[str] = "general"

    async def run(self, turn: TurnContext) -> AsyncGenerator[Event, None]:
        found: list[object] = []
        call = SkillCall("web_search", {"query": turn.question[:400], "count": SOURCES})
        async with aclosing(turn.call_skills([call], optional={"web_search"})) as steps:
            async for item in steps:
                if isinstance(item, list):
                    found = item
                else:
                    yield item
        page = found[0] if found else None
        results = page.results if isinstance(page, WebSearchResults) else []
        if not results:
            message = (
                "I could not search for sources right now, so I would rather not guess. "
                "Please ask again in a moment."
                if turn.unavailable
                else "I could not find a source on that, so I would rather not guess. "
                "Try asking about a job title, a workplace term or a hiring step."
            )
            notice = Notice(level="warning", text=message)
            yield ComponentEvent(component=notice.model_dump())
            yield SuggestionsEvent(
                suggestions=["What is a notice period?", "What does a UX designer do?"]
            )
            return
        for n, result in enumerate(results, start=1):
            yield CitationEvent(index=n, title=result.title, url=result.url, snippet=result.snippet)
        turn.timer.component()
        async with aclosing(narrate(turn, self.name, sources_facts(results))) as text:
            async for event in text:
                yield event
        yield SuggestionsEvent(
            suggestions=[
                f"Tell me more about {results[0].title.rstrip('?')}",
                "How does this apply to me?",
            ]
        )
