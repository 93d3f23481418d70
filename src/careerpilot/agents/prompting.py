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
from typing import Any

from careerpilot.agents.base import TurnContext
from careerpilot.agents.example_store import Example
from careerpilot.agents.reasoning import reason_then_answer
from careerpilot.agents.templates import render
from careerpilot.llm.base import ChatMessage
from careerpilot.pipeline.events import StatusEvent, TextEvent

__all__ = ["example_messages", "few_shot_messages", "narrate", "render"]


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
) -> AsyncGenerator[TextEvent | StatusEvent, None]:
    """Stream the LLM's wording of ``facts``, with the agent's most similar examples (after
    its hidden reasoning when the turn has ``chain_of_thought``)."""
    examples: list[Example] = []
    if turn.examples is not None:
        examples = await turn.examples.select(agent, turn.question, turn.examples_k)
    messages = few_shot_messages(agent, facts, turn.question, examples, **values)
    text = (
        reason_then_answer(turn, messages, turn.chain_of_thought)
        if turn.chain_of_thought is not None
        else turn.generate(messages)
    )
    async with aclosing(text) as events:
        async for event in events:
            yield event
