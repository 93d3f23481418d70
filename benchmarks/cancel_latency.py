"""Cancellation latency: from "stop" to the turn, its skills and its generation having stopped.

Three paths, each ``--rounds`` times, stopping right after the first text token:

* ``in-process scripted``: a task consuming ``Assistant.turn`` is cancelled (what a client
  disconnect does); measured until the model stream has closed (ScriptedModel at 50 tokens/s);
* ``in-process llama.cpp``: the same with the embedded SmolLM2; measured until the llama.cpp
  worker thread has left its token loop (``LlamaCppModel.busy`` cleared);
* ``HTTP stop``: a real uvicorn server; ``POST /v1/conversations/{id}/stop`` is sent while the
  SSE answer streams; measured from sending the stop request to the end of the SSE stream, and
  until the model stream has closed.

    .venv/bin/python benchmarks/cancel_latency.py [--rounds 20]

Target: every path stops within 100 ms (p99).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import httpx

from careerpilot.agents.base import PageContext
from careerpilot.config import NetworkSize, Settings
from careerpilot.llm.base import ChatMessage, Chunk, GenerationOptions
from careerpilot.llm.llamacpp import LlamaCppModel
from careerpilot.llm.testing import ScriptedModel
from careerpilot.pipeline.assistant import Assistant
from careerpilot.server.auth import TokenSigner, load_or_create_key

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import ServerThread

TARGET_MS = 100.0
QUESTION = ("Am I a good fit for this job?", PageContext(type="job", id=1))


class Stamped:
    """Wraps a ChatModel; records when each stream was closed."""

    def __init__(self, inner: ScriptedModel) -> None:
        self.inner = inner
        self.name = inner.name
        self.closed_at: list[float] = []

    async def stream(
        self, messages: Sequence[ChatMessage], options: GenerationOptions | None = None
    ) -> AsyncIterator[Chunk]:
        try:
            async for chunk in self.inner.stream(messages, options):
                yield chunk
        finally:
            self.closed_at.append(time.perf_counter())


async def stop_in_process(assistant: Assistant, until_stopped: object) -> float:
    first_text = asyncio.Event()

    async def consume() -> None:
        async for event in assistant.turn(*QUESTION[:1], 1, QUESTION[1]):
            if event.type == "text":
                first_text.set()

    task = asyncio.create_task(consume())
    await first_text.wait()
    start = time.perf_counter()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    stopped = await until_stopped()  # type: ignore[operator]
    return (stopped - start) * 1000


async def scripted_in_process(settings: Settings, rounds: int) -> list[float]:
    model = Stamped(ScriptedModel("word " * 400, delay_s=0.02))
    assistant = await Assistant.open(settings, model=model)  # type: ignore[arg-type]

    async def closed() -> float:
        return model.closed_at[-1]

    try:
        return [await stop_in_process(assistant, closed) for _ in range(rounds)]
    finally:
        await assistant.aclose()


async def llama_in_process(settings: Settings, rounds: int) -> list[float]:
    model = LlamaCppModel(settings.llm)
    assistant = await Assistant.open(settings, model=model)
    await model.warm()

    async def idle() -> float:
        while model.busy:  # noqa: ASYNC110 (polling a worker thread's flag is the measurement)
            await asyncio.sleep(0.0005)
        return time.perf_counter()

    try:
        return [await stop_in_process(assistant, idle) for _ in range(rounds)]
    finally:
        await assistant.aclose()


def http_stop(settings: Settings, rounds: int) -> tuple[list[float], list[float]]:
    model = Stamped(ScriptedModel("word " * 400, delay_s=0.02))
    stream_end, model_closed = [], []
    with ServerThread(settings, model) as server:  # type: ignore[arg-type]
        signer = TokenSigner(load_or_create_key(settings.signing_key_path), 3600)
        headers = {"Authorization": f"Bearer {signer.issue(1)}"}
        body = {"text": QUESTION[0], "context": {"type": "job", "id": 1}}
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            for _ in range(rounds):
                cid = client.post("/v1/conversations").json()["id"]
                with client.stream("POST", f"/v1/conversations/{cid}/messages", json=body) as r:
                    start = None
                    for line in r.iter_lines():
                        if start is None and line == "event: text":
                            start = time.perf_counter()
                            client.post(f"/v1/conversations/{cid}/stop")
                    end = time.perf_counter()
                assert start is not None
                stream_end.append((end - start) * 1000)
                model_closed.append((model.closed_at[-1] - start) * 1000)
    return stream_end, model_closed


def row(name: str, values: list[float]) -> bool:
    ordered = sorted(values)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    ok = p99 <= TARGET_MS
    print(f"{name:34s} {p50:8.1f} {p99:8.1f} {max(ordered):8.1f}  {'PASS' if ok else 'FAIL'}")
    return ok


def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp), network=NetworkSize(companies=30, members=200, jobs=200, posts=300)
        )
        scripted = asyncio.run(scripted_in_process(settings, rounds))
        llama = asyncio.run(llama_in_process(settings, rounds))
        stream_end, model_closed = http_stop(settings, rounds)
    print(f"stop -> stopped, ms, {rounds} rounds (target p99 <= {TARGET_MS:.0f} ms)")
    print(f"{'path':34s} {'p50':>8s} {'p99':>8s} {'max':>8s}")
    results = [
        row("in-process scripted: model closed", scripted),
        row("in-process llama.cpp: worker idle", llama),
        row("HTTP stop: SSE stream ended", stream_end),
        row("HTTP stop: model closed", model_closed),
    ]
    print("all PASS" if all(results) else "some FAIL")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=20)
    main(parser.parse_args().rounds)
