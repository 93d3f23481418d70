"""OpenAICompatModel: SSE parsing and error mapping on a MockTransport, then a real llama.cpp
server (``python -m llama_cpp.server``) serving the SmolLM2 GGUF."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from careerpilot.config import LLMSettings, default_gguf_path
from careerpilot.errors import ModelError, ModelUnavailableError
from careerpilot.llm import (
    ChatMessage,
    ChatModel,
    Chunk,
    GenerationOptions,
    OpenAICompatModel,
    complete,
    create_chat_model,
)

BASE_URL = "http://llm.test/v1"
HELLO = [ChatMessage("system", "Be brief."), ChatMessage("user", "Say hello.")]


def sse(*events: object, done: bool = True) -> bytes:
    lines = [f"data: {json.dumps(e) if not isinstance(e, str) else e}\n\n" for e in events]
    if done:
        lines.append("data: [DONE]\n\n")
    return "".join(lines).encode()


def delta(text: str, finish: str | None = None) -> dict[str, Any]:
    return {
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": finish}],
    }


def mock_model(
    handler: Callable[[httpx.Request], httpx.Response], **settings: Any
) -> OpenAICompatModel:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return OpenAICompatModel(
        LLMSettings(backend="openai", base_url=BASE_URL, **settings), client=client
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# -- MockTransport -------------------------------------------------------------------------


def test_factory_builds_openai_backend() -> None:
    built = create_chat_model(LLMSettings(backend="openai"))
    assert isinstance(built, OpenAICompatModel)
    assert isinstance(built, ChatModel)


async def test_request_body_headers_and_usage() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = b": keep-alive\n\n" + sse(
            {"choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}]},
            delta("Hel"),
            delta("lo!"),
            delta("", "stop"),
            {"choices": [], "usage": {"prompt_tokens": 12, "completion_tokens": 3}},
        )
        return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})

    model = mock_model(handler, api_key=SecretStr("sk-test"), model="tiny", seed=5)
    options = GenerationOptions(max_tokens=9, temperature=0.5, stop=("\n\n",))
    chunks = [c async for c in model.stream(HELLO, options)]

    assert [c.delta for c in chunks] == ["Hel", "lo!", ""]
    assert chunks[-1].usage is not None
    assert (chunks[-1].usage.prompt_tokens, chunks[-1].usage.completion_tokens) == (12, 3)
    assert chunks[-1].finish_reason == "stop"

    (request,) = seen
    assert str(request.url) == f"{BASE_URL}/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-test"
    body = json.loads(request.content)
    assert body["model"] == "tiny"
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert body["messages"] == [m.to_dict() for m in HELLO]
    assert (body["max_tokens"], body["temperature"], body["seed"]) == (9, 0.5, 5)
    assert body["stop"] == ["\n\n"]
    assert "response_format" not in body


async def test_no_authorization_without_api_key_and_response_format_passthrough() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=sse(delta("{}", "stop")))

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    model = OpenAICompatModel(
        LLMSettings(backend="openai", base_url=BASE_URL + "/"),
        client=client,
        response_format={"type": "json_object"},
    )
    await complete(model, HELLO, GenerationOptions(seed=11))
    (request,) = seen
    assert str(request.url) == f"{BASE_URL}/chat/completions"
    assert "authorization" not in request.headers
    body = json.loads(request.content)
    assert body["response_format"] == {"type": "json_object"}
    assert body["seed"] == 11
    assert "stop" not in body


async def test_missing_usage_is_estimated_from_chunks() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=sse(delta("a"), delta(" b"), delta(" c", "length")))

    result = await complete(mock_model(handler), HELLO)
    assert result.text == "a b c"
    assert result.usage.completion_tokens == 3
    assert result.usage.prompt_tokens > 0
    assert result.finish_reason == "length"


async def test_sse_split_across_network_reads_and_without_done() -> None:
    payload = sse(delta("one"), delta(" two"), delta("", "stop"), done=False)

    class Trickle(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            for i in range(0, len(payload), 7):  # cut lines and events mid-way
                yield payload[i : i + 7]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Trickle())

    result = await complete(mock_model(handler), HELLO)
    assert result.text == "one two"
    assert result.finish_reason == "stop"


async def test_http_500_is_model_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, text="CUDA out of memory " + "x" * 2000)

    with pytest.raises(ModelError) as excinfo:
        await complete(mock_model(handler), HELLO)
    assert not isinstance(excinfo.value, ModelUnavailableError)
    message = str(excinfo.value)
    assert "500" in message
    assert "CUDA out of memory" in message
    assert len(message) < 500  # an excerpt, not the whole body


async def test_http_404_is_model_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"error": {"message": "model 'nope' not found"}})

    with pytest.raises(ModelError, match=r"404.*model 'nope' not found"):
        await complete(mock_model(handler), HELLO)


async def test_malformed_sse_json_is_model_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=sse(delta("ok"), '{"choices": [{"delta": '))

    with pytest.raises(ModelError, match="malformed"):
        await complete(mock_model(handler), HELLO)


async def test_error_event_mid_stream_is_model_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=sse(delta("ok"), {"error": {"message": "boom"}}))

    with pytest.raises(ModelError, match="boom"):
        await complete(mock_model(handler), HELLO)


async def test_connect_timeout_is_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    with pytest.raises(ModelUnavailableError, match=r"llm\.test"):
        await complete(mock_model(handler), HELLO)


async def test_connection_refused_is_unavailable() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    model = OpenAICompatModel(LLMSettings(backend="openai", base_url=url, connect_timeout_s=2))
    try:
        with pytest.raises(ModelUnavailableError) as excinfo:
            await complete(model, HELLO)
        assert f"{url}/chat/completions" in str(excinfo.value)
    finally:
        await model.aclose()


async def test_early_close_closes_the_response() -> None:
    closed: list[bool] = []

    class Endless(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            while True:
                yield sse(delta(" tick"), done=False)

        async def aclose(self) -> None:
            closed.append(True)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Endless())

    stream = mock_model(handler).stream(HELLO)
    received: list[Chunk] = []
    async for chunk in stream:
        received.append(chunk)
        if len(received) == 3:
            break
    assert not closed
    await stream.aclose()
    assert closed == [True]


# -- a real llama.cpp server ---------------------------------------------------------------

GGUF = default_gguf_path()
needs_gguf = pytest.mark.skipif(
    GGUF is None or not GGUF.is_file(), reason="SmolLM2 GGUF not installed (run `make setup`)"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(base_url, log file) of ``python -m llama_cpp.server`` serving the SmolLM2 GGUF."""
    assert GGUF is not None
    port = free_port()
    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"
    # fmt: off
    command = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(GGUF), "--model_alias", "smollm2-135m-instruct",
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048",
    ]
    # fmt: on
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"llama_cpp.server exited early:\n{log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{base_url}/models", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server not ready in 60 s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.1)
        yield base_url, log_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@needs_gguf
async def test_real_server_streams_with_usage(server: tuple[str, Path]) -> None:
    base_url, _ = server
    model = OpenAICompatModel(LLMSettings(backend="openai", base_url=base_url))
    try:
        options = GenerationOptions(max_tokens=8, temperature=0.0)
        chunks = [c async for c in model.stream(HELLO, options)]
    finally:
        await model.aclose()
    *deltas, final = chunks
    assert deltas
    assert all(c.delta and c.usage is None for c in deltas)
    assert "".join(c.delta for c in deltas).strip()
    assert final.usage is not None
    assert final.finish_reason in {"stop", "length"}
    # llama_cpp.server ignores stream_options.include_usage, so this is the chunk-count
    # estimate; either way it is one token per chunk here.
    assert 0 < final.usage.completion_tokens <= 8
    assert final.usage.completion_tokens == len(deltas)
    assert final.usage.prompt_tokens > 0


@needs_gguf
async def test_real_server_early_close_cancels_generation(server: tuple[str, Path]) -> None:
    base_url, log_path = server
    model = OpenAICompatModel(LLMSettings(backend="openai", base_url=base_url))
    counting = [ChatMessage("user", "Count from 1 to 1000, one number per line.")]
    try:
        stream = model.stream(counting, GenerationOptions(max_tokens=1500, temperature=0.0))
        received = 0
        async for _ in stream:
            received += 1
            if received == 3:
                break
        await stream.aclose()

        # The server noticed the disconnect and stopped (it logs "disconnected")...
        deadline = time.monotonic() + 10
        while "disconnected" not in log_path.read_text():
            assert time.monotonic() < deadline, "server did not see the client disconnect"
            await asyncio.sleep(0.05)
        # ...so the next request (the server serialises requests) is served at once rather
        # than after the rest of a 1500-token generation.
        start = time.monotonic()
        result = await complete(model, HELLO, GenerationOptions(max_tokens=4, temperature=0.0))
        assert result.text
        assert time.monotonic() - start < 5
    finally:
        await model.aclose()
