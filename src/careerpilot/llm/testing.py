"""``ScriptedModel``: a ChatModel test double that streams scripted replies. Tests and benchmarks
only; it never looks at what it is asked beyond recording it.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass

from careerpilot.errors import ModelError
from careerpilot.llm.base import ChatMessage, Chunk, GenerationOptions, Usage

__all__ = ["Reply", "ScriptedCall", "ScriptedModel", "split_tokens"]

# A reply: text to stream, an exception to raise instead, or a function of the messages.
Reply = str | BaseException | Callable[[Sequence[ChatMessage]], str]

# A "token" is a word with its leading whitespace; joined back they give the exact text.
_TOKEN = re.compile(r"\s*\S+|\s+")


def split_tokens(text: str) -> list[str]:
    """Split text into the pseudo-tokens ScriptedModel streams (and counts as usage)."""
    return _TOKEN.findall(text)


@dataclass(frozen=True, slots=True)
class ScriptedCall:
    messages: tuple[ChatMessage, ...]
    options: GenerationOptions


class ScriptedModel:
    """Streams scripted replies word by word.

    ``replies`` are used one per ``stream()`` call, in order; once they run out the last one is
    repeated (``repeat_last=True``, the default) or a ``ModelError`` is raised. A reply that is
    an exception is raised instead of streaming; a callable reply is called with the messages.
    ``delay_s`` sleeps before each token, to simulate generation speed. ``max_tokens`` and
    ``stop`` are honoured like a real model. ``calls`` records every request.
    """

    def __init__(
        self,
        replies: Reply | Sequence[Reply] = "OK",
        *,
        delay_s: float = 0.0,
        repeat_last: bool = True,
        name: str = "scripted",
    ) -> None:
        if isinstance(replies, str | BaseException) or callable(replies):
            replies = [replies]
        self.replies: list[Reply] = list(replies)
        self.delay_s = delay_s
        self.repeat_last = repeat_last
        self.name = name
        self.calls: list[ScriptedCall] = []
        self.completed = 0  # streams that ran to their final chunk
        self.closed_early = 0  # streams the consumer stopped before the final chunk

    @property
    def last_messages(self) -> tuple[ChatMessage, ...]:
        if not self.calls:
            raise AssertionError("ScriptedModel was never called")
        return self.calls[-1].messages

    def _next_reply(self, messages: Sequence[ChatMessage]) -> str:
        index = len(self.calls) - 1
        if index >= len(self.replies):
            if not self.repeat_last or not self.replies:
                raise ModelError(f"{self.name}: no scripted reply left for call {index + 1}")
            index = len(self.replies) - 1
        reply = self.replies[index]
        if isinstance(reply, BaseException):
            raise reply
        if callable(reply):
            return reply(messages)
        return reply

    async def stream(
        self, messages: Sequence[ChatMessage], options: GenerationOptions | None = None
    ) -> AsyncIterator[Chunk]:
        options = options or GenerationOptions()
        self.calls.append(ScriptedCall(tuple(messages), options))
        text = self._next_reply(messages)

        finish_reason = "stop"
        cut = min((i for s in options.stop if s and (i := text.find(s)) >= 0), default=-1)
        if cut >= 0:
            text = text[:cut]
        tokens = split_tokens(text)
        if len(tokens) > options.max_tokens:
            tokens = tokens[: options.max_tokens]
            finish_reason = "length"

        prompt_tokens = sum(len(split_tokens(m.content)) for m in messages)
        done = False
        try:
            for token in tokens:
                if self.delay_s > 0:
                    await asyncio.sleep(self.delay_s)
                yield Chunk(delta=token)
            done = True
            usage = Usage(prompt_tokens=prompt_tokens, completion_tokens=len(tokens))
            yield Chunk(delta="", usage=usage, finish_reason=finish_reason)
        finally:
            if done:
                self.completed += 1
            else:
                self.closed_early += 1
