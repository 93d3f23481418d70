"""Prompt templates (Jinja2 files in ``agents/prompts``) and the few-shot message layout.

Every narrating agent sends the same shape, static parts first so that backends with prefix
caches (llama.cpp's KV cache, vLLM's prefix caching) reuse them: the system prompt
(``<agent>.system.j2``), the pinned examples, then the examples picked for this question as
user/assistant pairs, then the turn's facts and question (``facts.j2``). The facts come from
skills and computation; the LLM only words them.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from contextlib import aclosing
from functools import cache
from importlib import resources
from typing import Any

import jinja2

from careerpilot.agents.base import TurnContext
from careerpilot.agents.example_store import Example
from careerpilot.llm.base import ChatMessage
from careerpilot.pipeline.events import TextEvent

__all__ = ["example_messages", "few_shot_messages", "narrate", "render"]


def _read_templates() -> dict[str, str]:
    folder = resources.files("careerpilot.agents").joinpath("prompts")
    return {
        entry.name: entry.read_text(encoding="utf-8")
        for entry in folder.iterdir()
        if entry.name.endswith(".j2")
    }


# Read once, at import: rendering inside a turn must not touch the file system (it runs on the
# event loop), and prompts do not change while the process runs.
_TEMPLATES = _read_templates()


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.DictLoader(_TEMPLATES),
        auto_reload=False,
        undefined=jinja2.StrictUndefined,  # a missing variable is a bug, not an empty string
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,
    )


def render(template: str, **values: Any) -> str:
    return _environment().get_template(template).render(**values).strip()


def example_messages(agent: str, examples: Sequence[Example], **values: Any) -> list[ChatMessage]:
    """The system prompt and ``examples`` as user/assistant turns: with the pinned examples
    only, this is the agent's static prompt prefix (what ``Assistant.warm_prefixes`` warms)."""
    messages = [ChatMessage("system", render(f"{agent}.system.j2", **values))]
    for example in examples:
        messages.append(
            ChatMessage("user", render("facts.j2", facts=example.facts, question=example.query))
        )
        messages.append(ChatMessage("assistant", example.answer))
    return messages


def few_shot_messages(
    agent: str, facts: str, question: str, examples: Sequence[Example], **values: Any
) -> list[ChatMessage]:
    messages = example_messages(agent, examples, **values)
    messages.append(ChatMessage("user", render("facts.j2", facts=facts, question=question)))
    return messages


async def narrate(
    turn: TurnContext, agent: str, facts: str, **values: Any
) -> AsyncGenerator[TextEvent, None]:
    """Stream the LLM's wording of ``facts``, with the agent's most similar examples."""
    examples: list[Example] = []
    if turn.examples is not None:
        examples = await turn.examples.select(agent, turn.question, turn.examples_k)
    messages = few_shot_messages(agent, facts, turn.question, examples, **values)
    async with aclosing(turn.generate(messages)) as text:
        async for event in text:
            yield event
