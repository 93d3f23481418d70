"""The one interface every LLM backend implements: stream the deltas of a chat completion.

To add a backend, write a class with a ``name`` and an async-generator method ``stream`` that
yields ``Chunk`` objects: text deltas as they arrive, and exactly one final chunk whose ``usage``
is set (its ``delta`` may be empty). Stopping iteration early (``aclose()``, or cancelling the
task that iterates) must stop generation upstream promptly: that is how a disconnected client
cancels a turn. Raise ``ModelUnavailableError`` when the backend cannot be reached at all and
``ModelError`` for failures mid-request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

__all__ = [
    "ChatMessage",
    "ChatModel",
    "Chunk",
    "Completion",
    "GenerationOptions",
    "Usage",
    "complete",
]

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True, slots=True)
class ChatMessage:
    role: Role
    content: str

    def to_dict(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


@dataclass(slots=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def add(self, other: Usage) -> None:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens


@dataclass(frozen=True, slots=True)
class GenerationOptions:
    max_tokens: int = 160
    temperature: float = 0.3
    stop: tuple[str, ...] = ()
    seed: int | None = None
    # Constrained decoding: backends that can (llama.cpp grammars, OpenAI-compatible
    # response_format) only produce JSON valid for this schema. Output is still parsed defensively.
    json_schema: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Chunk:
    delta: str
    usage: Usage | None = None
    finish_reason: str | None = None


@runtime_checkable
class ChatModel(Protocol):
    """A chat model that streams. See the module docstring for the contract."""

    name: str

    def stream(
        self, messages: Sequence[ChatMessage], options: GenerationOptions = ...
    ) -> AsyncIterator[Chunk]:
        """Yield text deltas, then one final chunk carrying ``usage``."""
        ...


@dataclass(slots=True)
class Completion:
    text: str
    usage: Usage = field(default_factory=Usage)
    finish_reason: str | None = None


async def complete(
    model: ChatModel, messages: Sequence[ChatMessage], options: GenerationOptions | None = None
) -> Completion:
    """Collect a whole completion (for callers that truly need all of it, such as tests)."""
    parts: list[str] = []
    result = Completion(text="")
    async for chunk in model.stream(messages, options or GenerationOptions()):
        parts.append(chunk.delta)
        if chunk.usage is not None:
            result.usage = chunk.usage
        if chunk.finish_reason is not None:
            result.finish_reason = chunk.finish_reason
    result.text = "".join(parts)
    return result
