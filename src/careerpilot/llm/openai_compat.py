"""Backend for any OpenAI-compatible chat server: vLLM, Ollama, llama.cpp's server, OpenAI.

Streams ``POST {base_url}/chat/completions`` with ``stream: true`` and parses the server-sent
events as they arrive. Closing the stream early closes the HTTP response, which drops the
connection; the servers above take that as a cancellation and stop generating.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncGenerator, AsyncIterator, Mapping, Sequence
from typing import Any

import httpx

from careerpilot.config import LLMSettings
from careerpilot.errors import ModelError, ModelUnavailableError
from careerpilot.llm.base import ChatMessage, Chunk, GenerationOptions, Usage

__all__ = ["OpenAICompatModel"]

_BODY_EXCERPT_CHARS = 300


class OpenAICompatModel:
    """A chat model behind an OpenAI-compatible HTTP API.

    ``client`` may be injected (tests pass one built on ``httpx.MockTransport``); otherwise the
    model creates its own and closes it in ``aclose()``. ``response_format`` (for example
    ``{"type": "json_object"}``) is sent as is with every request, for constrained decoding on
    servers that support it.
    """

    def __init__(
        self,
        settings: LLMSettings,
        *,
        client: httpx.AsyncClient | None = None,
        response_format: Mapping[str, Any] | None = None,
        name: str | None = None,
    ) -> None:
        self.settings = settings
        self.name = name or f"openai:{settings.model}"
        self.url = settings.base_url.rstrip("/") + "/chat/completions"
        self.response_format = dict(response_format) if response_format is not None else None
        # Connect timeout separate from the read timeout, which bounds the gap between chunks.
        self._timeout = httpx.Timeout(
            settings.request_timeout_s, connect=settings.connect_timeout_s
        )
        self._owns_client = client is None
        self._client = client if client is not None else httpx.AsyncClient(timeout=self._timeout)
        headers = {"Accept": "text/event-stream"}
        api_key = settings.api_key.get_secret_value()
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._headers = headers

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    def _body(self, messages: Sequence[ChatMessage], options: GenerationOptions) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.settings.model,
            "messages": [m.to_dict() for m in messages],
            "stream": True,
            "stream_options": {"include_usage": True},
            "max_tokens": options.max_tokens,
            "temperature": options.temperature,
            "seed": options.seed if options.seed is not None else self.settings.seed,
        }
        if options.stop:
            body["stop"] = list(options.stop)
        if options.json_schema is not None and self.settings.structured_output != "none":
            schema = dict(options.json_schema)
            if self.settings.structured_output == "json_schema":  # OpenAI, vLLM, Ollama
                body["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {"name": "output", "schema": schema},
                }
            else:  # llama.cpp's server: json_object with a schema
                body["response_format"] = {"type": "json_object", "schema": schema}
        elif self.response_format is not None:
            body["response_format"] = self.response_format
        return body

    async def stream(
        self, messages: Sequence[ChatMessage], options: GenerationOptions | None = None
    ) -> AsyncIterator[Chunk]:
        options = options or GenerationOptions()
        body = self._body(messages, options)
        usage: Usage | None = None
        finish_reason: str | None = None
        content_chunks = 0
        try:
            async with self._client.stream(
                "POST", self.url, json=body, headers=self._headers, timeout=self._timeout
            ) as response:
                if response.status_code >= 400:
                    raw = await response.aread()
                    excerpt = raw.decode("utf-8", errors="replace")[:_BODY_EXCERPT_CHARS]
                    raise ModelError(
                        f"{self.url} answered HTTP {response.status_code}: {excerpt.strip()}"
                    )
                async with contextlib.aclosing(_sse_data(response.aiter_lines())) as events:
                    async for data in events:
                        if data == "[DONE]":
                            break
                        event = self._parse(data)
                        if event.get("usage"):
                            usage = _usage(event["usage"])
                        for choice in event.get("choices") or ():
                            if choice.get("index", 0) != 0:
                                continue
                            text = (choice.get("delta") or {}).get("content")
                            if text:
                                content_chunks += 1
                                yield Chunk(delta=text)
                            if choice.get("finish_reason"):
                                finish_reason = choice["finish_reason"]
        except httpx.ConnectError as exc:
            raise ModelUnavailableError(
                f"cannot connect to the LLM server at {self.url}: {exc}"
            ) from exc
        except httpx.ConnectTimeout as exc:
            raise ModelUnavailableError(
                f"timed out connecting to the LLM server at {self.url} "
                f"(after {self.settings.connect_timeout_s} s)"
            ) from exc
        except httpx.TimeoutException as exc:
            raise ModelError(f"the LLM server at {self.url} timed out: {exc!r}") from exc
        except httpx.HTTPError as exc:
            raise ModelError(f"request to the LLM server at {self.url} failed: {exc!r}") from exc

        if usage is None:
            # The server ignored stream_options.include_usage (llama.cpp's Python server, older
            # vLLM/Ollama): estimate. Servers send one token per chunk, so chunks approximate
            # completion tokens; the prompt is estimated at ~4 characters per token.
            prompt_chars = sum(len(m.content) for m in messages)
            usage = Usage(prompt_tokens=prompt_chars // 4, completion_tokens=content_chunks)
        yield Chunk(delta="", usage=usage, finish_reason=finish_reason)

    def _parse(self, data: str) -> dict[str, Any]:
        try:
            event = json.loads(data)
        except json.JSONDecodeError as exc:
            raise ModelError(
                f"malformed event from {self.url}: {exc.msg}: {data[:_BODY_EXCERPT_CHARS]!r}"
            ) from exc
        if not isinstance(event, dict):
            raise ModelError(f"malformed event from {self.url}: {data[:_BODY_EXCERPT_CHARS]!r}")
        if event.get("error"):
            # Some servers report failures mid-stream as an event with an "error" member.
            raise ModelError(f"the LLM server at {self.url} reported an error: {event['error']}")
        return event


async def _sse_data(lines: AsyncIterator[str]) -> AsyncGenerator[str, None]:
    """The ``data`` of each server-sent event; comments (keep-alives) and other fields ignored.

    A blank line ends an event; multi-line data is joined with newlines, as the SSE spec says.
    """
    buffer: list[str] = []
    async for line in lines:
        if not line:
            if buffer:
                yield "\n".join(buffer)
                buffer.clear()
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        if field == "data":
            buffer.append(value[1:] if value.startswith(" ") else value)
    if buffer:
        yield "\n".join(buffer)


def _usage(raw: Any) -> Usage:
    if not isinstance(raw, dict):
        raise ModelError(f"malformed usage in LLM stream: {raw!r}")
    return Usage(
        prompt_tokens=int(raw.get("prompt_tokens") or 0),
        completion_tokens=int(raw.get("completion_tokens") or 0),
    )
