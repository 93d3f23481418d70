"""ScriptedModel, the ChatModel test double."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import pytest

from careerpilot.errors import ModelError
from careerpilot.llm import ChatMessage, ChatModel, GenerationOptions, ScriptedModel, complete
from careerpilot.llm.testing import split_tokens

ASK = [ChatMessage("system", "You help."), ChatMessage("user", "What jobs fit me?")]


def test_is_a_chat_model() -> None:
    assert isinstance(ScriptedModel(), ChatModel)


def test_split_tokens_round_trips() -> None:
    text = "  Hello,  world!\nNew line "
    assert "".join(split_tokens(text)) == text
    assert split_tokens("a b") == ["a", " b"]


async def test_streams_token_by_token_with_usage() -> None:
    model = ScriptedModel("You could apply to Acme.")
    chunks = [c async for c in model.stream(ASK)]
    *deltas, final = chunks
    assert [c.delta for c in deltas] == ["You", " could", " apply", " to", " Acme."]
    assert final.delta == ""
    assert final.finish_reason == "stop"
    assert final.usage is not None
    assert final.usage.completion_tokens == 5
    assert final.usage.prompt_tokens == 2 + 4
    assert model.completed == 1
    assert model.closed_early == 0


async def test_records_calls_and_replies_in_order() -> None:
    model = ScriptedModel(["first", "second"])
    options = GenerationOptions(max_tokens=7)
    assert (await complete(model, ASK, options)).text == "first"
    assert (await complete(model, ASK[1:])).text == "second"
    assert (await complete(model, ASK)).text == "second"  # the last reply repeats
    assert len(model.calls) == 3
    assert model.calls[0].messages == tuple(ASK)
    assert model.calls[0].options == options
    assert model.last_messages == tuple(ASK)


async def test_runs_out_without_repeat_last() -> None:
    model = ScriptedModel(["only"], repeat_last=False)
    await complete(model, ASK)
    with pytest.raises(ModelError, match="no scripted reply"):
        await complete(model, ASK)


async def test_exception_and_callable_replies() -> None:
    def echo(messages: Sequence[ChatMessage]) -> str:
        return f"you said: {messages[-1].content}"

    model = ScriptedModel([ModelError("backend down"), echo])
    with pytest.raises(ModelError, match="backend down"):
        await complete(model, ASK)
    assert (await complete(model, ASK)).text == "you said: What jobs fit me?"


async def test_max_tokens_and_stop() -> None:
    model = ScriptedModel("one two three four. five six")
    truncated = await complete(model, ASK, GenerationOptions(max_tokens=2))
    assert (truncated.text, truncated.finish_reason) == ("one two", "length")
    assert truncated.usage.completion_tokens == 2

    stopped = await complete(model, ASK, GenerationOptions(stop=(".", "six")))
    assert (stopped.text, stopped.finish_reason) == ("one two three four", "stop")


async def test_delay_and_early_close() -> None:
    model = ScriptedModel("a b c d e f g h", delay_s=0.01)
    start = time.perf_counter()
    stream = model.stream(ASK)
    received = [await anext(stream), await anext(stream)]
    await stream.aclose()
    assert [c.delta for c in received] == ["a", " b"]
    assert time.perf_counter() - start >= 0.02
    assert (model.completed, model.closed_early) == (0, 1)


async def test_cancellation_counts_as_closed_early() -> None:
    model = ScriptedModel("a b c d e f g h", delay_s=0.05)

    async def consume() -> None:
        async for _ in model.stream(ASK):
            pass

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.07)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert model.closed_early == 1
