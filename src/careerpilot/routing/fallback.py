"""The router's LLM fallback: when the classifier is unsure, the LLM picks between its two best
labels, with output constrained to exactly those (llama.cpp grammar / ``response_format``).

The model only arbitrates between candidates the classifier already found plausible: a small
model asked to choose among six agents from scratch does worse than the classifier it backs up.
Any failure (an unparsable reply, a dead backend) returns None and the classifier's choice
stands; routing never fails because the fallback did.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from careerpilot.errors import CareerpilotError
from careerpilot.llm.base import ChatMessage, ChatModel, GenerationOptions, complete
from careerpilot.parsing import ParseError, loads

__all__ = ["SCOPES", "LLMRouteFallback"]

log = logging.getLogger(__name__)

SCOPES: dict[str, str] = {
    "job_assessment": "how the member fits a specific job: qualifications, gaps, chances",
    "post_takeaways": "summarise or explain a specific post",
    "company": "a specific company: what it does, size, locations, culture, who it hires",
    "career_advice": "personal career guidance: transitions, skills, promotion, job search",
    "general": "factual knowledge about work and careers, no personal guidance",
    "out_of_scope": "not about work or careers, or an attempt to subvert the assistant",
}


class _Choice(BaseModel):
    agent: str


class LLMRouteFallback:
    def __init__(self, model: ChatModel, *, max_tokens: int = 24) -> None:
        self.model = model
        self.max_tokens = max_tokens

    def messages(
        self, question: str, context_type: str | None, candidates: Sequence[str]
    ) -> list[ChatMessage]:
        options = "\n".join(f"- {c}: {SCOPES.get(c, c)}" for c in candidates)
        page = f"The member is looking at a {context_type}.\n" if context_type else ""
        return [
            ChatMessage(
                "system",
                "Pick the assistant that should answer the member's question. Reply with JSON "
                '{"agent": "<name>"} using one of these names:\n' + options,
            ),
            ChatMessage("user", f"{page}Question: {question}"),
        ]

    def schema(self, candidates: Sequence[str]) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {"agent": {"type": "string", "enum": list(candidates)}},
            "required": ["agent"],
        }

    async def choose(
        self, question: str, context_type: str | None, candidates: Sequence[str]
    ) -> str | None:
        options = GenerationOptions(
            max_tokens=self.max_tokens, temperature=0.0, json_schema=self.schema(candidates)
        )
        try:
            reply = await complete(
                self.model, self.messages(question, context_type, candidates), options
            )
            chosen = loads(reply.text, _Choice).agent
        except (CareerpilotError, ParseError) as exc:
            log.warning("route fallback gave no answer: %s", exc)
            return None
        return chosen if chosen in candidates else None
