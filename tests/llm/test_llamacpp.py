"""LlamaCppModel against the real SmolLM2-135M GGUF (tiny: loads in ~0.2 s, ~100 tokens/s)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from careerpilot.config import LLMSettings, default_gguf_path
from careerpilot.errors import ConfigurationError, ModelError, ModelFileNotFoundError
from careerpilot.llm import (
    ChatMessage,
    ChatModel,
    Chunk,
    GenerationOptions,
    LlamaCppModel,
    complete,
    create_chat_model,
)

GGUF = default_gguf_path()
pytestmark = pytest.mark.skipif(
    GGUF is None or not GGUF.is_file(), reason="SmolLM2 GGUF not installed (run `make setup`)"
)

# A prompt that makes the model talk at length, so stopping early is observable.
POEM = [ChatMessage("user", "Write a long poem about the sea.")]


@pytest.fixture(scope="module")
async def model() -> AsyncIterator[LlamaCppModel]:
    llm = LlamaCppModel(LLMSettings(model_path=GGUF, n_ctx=1024))
    await llm.warm()
    yield llm
    await llm.aclose()


async def wait_idle(model: LlamaCppModel, timeout_s: float = 2.0) -> float:
    """Seconds until the worker is idle; fails after ``timeout_s``."""
    start = time.perf_counter()
    while model.busy:
        if time.perf_counter() - start > timeout_s:
            pytest.fail(f"worker still generating after {timeout_s} s")
        await asyncio.sleep(0.001)
    return time.perf_counter() - start


def test_factory_builds_llamacpp_backend() -> None:
    built = create_chat_model(LLMSettings(backend="llamacpp", model_path=GGUF))
    assert isinstance(built, LlamaCppModel)
    assert isinstance(built, ChatModel)
    assert not built.loaded  # lazy: nothing loaded until first use
    built.close()


async def test_loads_lazily_on_the_worker_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    llm = LlamaCppModel(LLMSettings(model_path=GGUF))
    load_threads: list[str] = []
    original = llm._load

    def recording_load() -> object:
        load_threads.append(threading.current_thread().name)
        return original()

    monkeypatch.setattr(llm, "_load", recording_load)
    assert not llm.loaded
    result = await complete(llm, POEM, GenerationOptions(max_tokens=4, temperature=0))
    assert llm.loaded
    assert result.text
    assert len(load_threads) == 1
    assert load_threads[0].startswith("llamacpp")
    assert load_threads[0] != threading.current_thread().name
    await llm.aclose()


async def test_generates_with_usage(model: LlamaCppModel) -> None:
    options = GenerationOptions(max_tokens=8, temperature=0.0)
    chunks: list[Chunk] = [chunk async for chunk in model.stream(POEM, options)]

    *deltas, final = chunks
    assert all(c.delta and c.usage is None for c in deltas)
    assert final.delta == ""
    assert final.usage is not None
    assert final.finish_reason == "length"
    assert final.usage.completion_tokens == 8
    assert 1 <= len(deltas) <= 8
    text = "".join(c.delta for c in deltas)
    assert text.strip()
    assert model.tokenize_count(text) == 8

    # The prompt count is exact: the same as llama-cpp-python's own non-streamed usage.
    assert model._llm is not None
    llm = model._llm
    loop = asyncio.get_running_loop()
    reference = await loop.run_in_executor(
        model._executor,
        lambda: llm.create_chat_completion(
            messages=[m.to_dict() for m in POEM], max_tokens=8, temperature=0.0
        ),
    )
    assert final.usage.prompt_tokens == reference["usage"]["prompt_tokens"]
    assert final.usage.completion_tokens == reference["usage"]["completion_tokens"]
    assert text == reference["choices"][0]["message"]["content"]


async def test_stop_sequence_and_greedy_determinism(model: LlamaCppModel) -> None:
    options = GenerationOptions(max_tokens=32, temperature=0.0, stop=("\n",))
    first = await complete(model, POEM, options)
    second = await complete(model, POEM, options)
    assert first.text == second.text
    assert "\n" not in first.text
    assert first.finish_reason == "stop"
    assert first.usage.completion_tokens == model.tokenize_count(first.text)


async def test_event_loop_stays_responsive(model: LlamaCppModel) -> None:
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.005)

    task = asyncio.create_task(ticker())
    start = time.perf_counter()
    await complete(model, POEM, GenerationOptions(max_tokens=16))
    elapsed = time.perf_counter() - start
    stop.set()
    await task
    # Generation ran on the worker: the loop ticked throughout, not just once at the end.
    assert ticks >= max(2, int(elapsed / 0.005) // 4)


async def test_aclose_stops_generation_within_a_token(model: LlamaCppModel) -> None:
    max_tokens = 500
    stream = model.stream(POEM, GenerationOptions(max_tokens=max_tokens, temperature=0.0))
    received = 0
    async for chunk in stream:
        assert chunk.usage is None
        received += 1
        if received == 3:
            break
    await stream.aclose()

    assert await wait_idle(model) < 0.5
    usage = model.last_usage
    assert usage is not None
    # At most the token being sampled when the consumer left, beyond what it received.
    assert received <= usage.completion_tokens <= received + 2 < max_tokens


async def test_task_cancellation_stops_generation(model: LlamaCppModel) -> None:
    first_chunk = asyncio.Event()

    async def consume() -> None:
        async for _ in model.stream(POEM, GenerationOptions(max_tokens=500)):
            first_chunk.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first_chunk.wait(), timeout=10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert await wait_idle(model) < 0.5
    assert model.last_usage is not None
    assert model.last_usage.completion_tokens < 20


async def test_concurrent_streams_are_serialised(model: LlamaCppModel) -> None:
    options = GenerationOptions(max_tokens=6, temperature=0.0)
    prompts = [[ChatMessage("user", f"Name a colour number {i}.")] for i in range(3)]
    results = await asyncio.gather(*(complete(model, p, options) for p in prompts))
    for result in results:
        assert result.text
        assert 0 < result.usage.completion_tokens <= 6
        assert result.usage.prompt_tokens > 0


async def test_response_format_json_object() -> None:
    llm = LlamaCppModel(LLMSettings(model_path=GGUF), response_format={"type": "json_object"})
    try:
        messages = [ChatMessage("user", "Give a JSON object with a name and an age.")]
        result = await complete(llm, messages, GenerationOptions(max_tokens=48, temperature=0))
        if result.finish_reason == "stop":
            assert isinstance(json.loads(result.text), dict)
        else:
            assert result.text.lstrip().startswith("{")
    finally:
        await llm.aclose()


async def test_missing_model_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.gguf"
    llm = LlamaCppModel(LLMSettings(model_path=missing))
    with pytest.raises(ModelFileNotFoundError) as excinfo:
        await llm.warm()
    message = str(excinfo.value)
    assert str(missing) in message
    assert "make setup" in message
    assert "CAREERPILOT_LLM__MODEL_PATH" in message

    # Streaming reports it too, through the queue from the worker thread.
    with pytest.raises(ModelFileNotFoundError):
        await complete(llm, POEM)
    await llm.aclose()


async def test_unloadable_file_is_a_configuration_error(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.gguf"
    garbage.write_bytes(b"not a gguf file" * 100)
    llm = LlamaCppModel(LLMSettings(model_path=garbage))
    with pytest.raises(ConfigurationError, match="could not load"):
        await llm.warm()
    await llm.aclose()


async def test_closed_model_refuses_work() -> None:
    llm = LlamaCppModel(LLMSettings(model_path=GGUF))
    await llm.aclose()
    with pytest.raises(ModelError, match="closed"):
        await complete(llm, POEM)


async def test_unset_model_path() -> None:
    llm = LlamaCppModel(LLMSettings(model_path=None))
    with pytest.raises(ModelFileNotFoundError, match="no path configured"):
        await llm.warm()
    await llm.aclose()


async def test_instances_share_one_worker_thread() -> None:
    # OpenMP gives each calling thread its own team; separate threads halved decode speed.
    first, second = (
        LlamaCppModel(LLMSettings(model_path=GGUF)),
        LlamaCppModel(LLMSettings(model_path=GGUF)),
    )
    threads = [
        await asyncio.get_running_loop().run_in_executor(m._executor, threading.get_ident)
        for m in (first, second)
    ]
    assert threads[0] == threads[1] != threading.get_ident()
    await first.aclose()
    await second.aclose()


async def test_prompt_lookup_decoding_runs_past_one_batch() -> None:
    # llama-cpp-python's draft path wrote logits past its score buffer beyond n_batch tokens.
    llm = LlamaCppModel(LLMSettings(model_path=GGUF, n_ctx=1024, prompt_lookup_tokens=4))
    long_prompt = "Repeat this list: " + ", ".join(f"item {i}" for i in range(120))
    reply = await complete(
        llm, [ChatMessage("user", long_prompt)], GenerationOptions(max_tokens=40)
    )
    assert llm.last_usage is not None and llm.last_usage.prompt_tokens > 512
    assert reply.text.strip()
    await llm.aclose()
