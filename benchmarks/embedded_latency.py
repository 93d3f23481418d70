"""Embedded model latency per agent: prompt tokens, time to first token (TTFT), decode rate.

Runs real turns on the seeded default network with SmolLM2-135M (llama-cpp-python), one
question per agent per round, agents interleaved (the worst case for prompt-prefix reuse), in
two configurations, then raw llama-cpp-python on exactly the prompts the agents sent:

* ``shared``: one model instance for every agent (``CAREERPILOT_LLM__PER_AGENT_MODELS=false``);
* ``per-agent``: one instance per agent, prefixes warmed at start (the default, what ``serve``
  does), so each agent's static prefix stays in its own KV cache between turns;
* ``raw``: one ``Llama`` instance, ``create_chat_completion`` on the same messages, same order.

TTFT is measured at the model (from the request to the first text chunk), after the first
round (which loads models). Also reported: process RSS after start-up in each configuration.

    .venv/bin/python benchmarks/embedded_latency.py [--rounds 4]

Targets: TTFT p50 <= 1 s for every agent after the first turn; decode >= 90% of raw's rate.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from careerpilot.agents.base import PageContext
from careerpilot.config import Settings
from careerpilot.llm.base import ChatMessage, ChatModel, Chunk, GenerationOptions
from careerpilot.pipeline.assistant import Assistant

TURNS: dict[str, list[tuple[str, PageContext | None]]] = {
    "job_assessment": [
        ("Am I a good fit for this job?", PageContext(type="job", id=i)) for i in (3, 8, 15, 21, 34)
    ],
    "post_takeaways": [
        ("Summarise this post", PageContext(type="post", id=i)) for i in (4, 9, 16, 25, 36)
    ],
    "company": [
        ("What does this company do?", PageContext(type="company", id=i)) for i in (2, 5, 7, 11, 13)
    ],
    "career_advice": [
        (q, None)
        for q in (
            "What skills should I learn next?",
            "How do I get promoted in my field?",
            "How can I move into product management?",
            "What should I learn to become a data scientist?",
            "How do I grow my career from here?",
        )
    ],
    "general": [
        (q, None)
        for q in (
            "What is a notice period?",
            "What does a recruiter do?",
            "What is an applicant tracking system?",
            "What are RSUs?",
            "What is a probationary period?",
        )
    ],
}


@dataclass
class Sample:
    agent: str
    prompt_tokens: int
    ttft_s: float
    decode_tps: float | None
    messages: list[ChatMessage] = field(repr=False, default_factory=list)


class Measuring:
    """Wraps a ChatModel; records TTFT and decode rate of every stream."""

    def __init__(self, inner: ChatModel, agent: str, samples: list[Sample]) -> None:
        self.inner = inner
        self.name = inner.name
        self.agent = agent
        self.samples = samples

    async def stream(
        self, messages: Sequence[ChatMessage], options: GenerationOptions | None = None
    ) -> AsyncIterator[Chunk]:
        start = time.perf_counter()
        first = last = None
        tokens = 0
        usage = None
        async for chunk in self.inner.stream(messages, options or GenerationOptions()):
            now = time.perf_counter()
            if chunk.delta:
                first = first or now
                last = now
            if chunk.usage is not None:
                usage = chunk.usage
                tokens = usage.completion_tokens
            yield chunk
        if first is not None and usage is not None:
            rate = (tokens - 1) / (last - first) if last and last > first and tokens > 1 else None
            self.samples.append(
                Sample(self.agent, usage.prompt_tokens, first - start, rate, list(messages))
            )


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def run_config(per_agent: bool, rounds: int) -> tuple[list[Sample], float]:
    settings = Settings()
    settings.llm.per_agent_models = per_agent
    assistant = await Assistant.open(settings)
    samples: list[Sample] = []
    try:
        await assistant.warm_prefixes()
        memory = rss_mb()
        assistant.model = Measuring(assistant.model, "shared", samples)  # type: ignore[assignment]
        for agent in TURNS:
            inner = assistant.agent_models.get(agent)
            if inner is not None:
                assistant.agent_models[agent] = Measuring(inner, agent, samples)  # type: ignore[assignment]
        for round_index in range(rounds):
            for agent, turns in TURNS.items():
                question, page = turns[round_index % len(turns)]
                before = len(samples)
                async for _event in assistant.turn(question, 1, page):
                    pass
                for sample in samples[before:]:
                    sample.agent = agent  # the shared model serves every agent
                    sample.ttft_s = sample.ttft_s if round_index else float("nan")
    finally:
        await assistant.aclose()
    return samples, memory


def run_raw(samples: list[Sample], settings: Settings) -> list[Sample]:
    from llama_cpp import Llama

    llm = Llama(
        model_path=str(settings.llm.model_path),
        n_ctx=settings.llm.n_ctx,
        n_threads=settings.llm.n_threads,
        seed=settings.llm.seed,
        verbose=False,
    )
    raw: list[Sample] = []
    for sample in samples:
        start = time.perf_counter()
        first = last = None
        tokens = 0
        for chunk in llm.create_chat_completion(
            [m.to_dict() for m in sample.messages],  # type: ignore[misc]
            max_tokens=settings.llm.max_tokens,
            temperature=0.0,
            stream=True,
        ):
            if chunk["choices"] and chunk["choices"][0]["delta"].get("content"):  # type: ignore[index]
                now = time.perf_counter()
                first = first or now
                last = now
                tokens += 1
        rate = (tokens - 1) / (last - first) if first and last and last > first else None
        ttft = (first - start) if first else float("nan")
        raw.append(Sample(sample.agent, sample.prompt_tokens, ttft, rate))
    llm.close()
    return raw


def summary(samples: list[Sample], agent: str) -> tuple[int, float, float, float]:
    mine = [s for s in samples if s.agent == agent]
    ttfts = [s.ttft_s for s in mine if not np.isnan(s.ttft_s)]
    rates = [s.decode_tps for s in mine if s.decode_tps]
    tokens = int(statistics.median(s.prompt_tokens for s in mine)) if mine else 0
    p50 = float(np.percentile(ttfts, 50)) if ttfts else float("nan")
    p99 = float(np.percentile(ttfts, 99)) if ttfts else float("nan")
    return tokens, p50, p99, statistics.fmean(rates) if rates else float("nan")


async def main(rounds: int) -> None:
    shared, shared_rss = await run_config(False, rounds)
    per_agent, agent_rss = await run_config(True, rounds)
    raw = run_raw([s for s in per_agent if not np.isnan(s.ttft_s)], Settings())
    print(
        f"rounds {rounds} (first excluded from TTFT); RSS after start: shared "
        f"{shared_rss:.0f} MB, per-agent {agent_rss:.0f} MB"
    )
    print(f"{'agent':16s} {'config':10s} {'prompt tok':>10s} {'TTFT p50':>9s}", end="")
    print(f" {'TTFT p99':>9s} {'decode t/s':>10s}")
    for agent in TURNS:
        for name, data in (("shared", shared), ("per-agent", per_agent), ("raw", raw)):
            tokens, p50, p99, rate = summary(data, agent)
            print(f"{agent:16s} {name:10s} {tokens:10d} {p50:9.3f} {p99:9.3f} {rate:10.1f}")
    print("targets: TTFT p50 <= 1 s per agent after the first turn; decode >= 90% of raw")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=4)
    asyncio.run(main(parser.parse_args().rounds))
