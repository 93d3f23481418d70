"""Embedded model latency per agent: prompt tokens, time to first token (TTFT), decode rate.

Runs real turns on the seeded default network with SmolLM2-135M (llama-cpp-python), one
question per agent per round, agents interleaved (the worst case for prompt-prefix reuse), in
several configurations, each optimisation on and off, then raw llama-cpp-python on exactly the
prompts the default configuration sent:

* ``baseline``: what careerpilot did before: one model instance shared by every agent, one
  few-shot example picked by similarity per turn (so the prompt changes right after the
  system text);
* ``pinned``: shared instance; the agent's pinned example only (a static prefix);
* ``pinned+ramcache``: shared instance with llama.cpp's RAM state cache (``prefix_cache_mb``),
  which saves and restores each prefix's KV state;
* ``per-agent`` (**the default**): one instance per agent with pinned examples, prefixes
  warmed at start as ``serve`` does, so each agent's static prefix stays in its KV cache;
* ``per-agent+k1``: the default plus one similar example per turn;
* ``per-agent+pld``: the default plus prompt-lookup decoding (10 draft tokens);
* ``raw``: one ``Llama`` instance, ``create_chat_completion`` on the default's messages in
  the same order (no prefix survives an agent switch).

TTFT is measured at the model (from the request to the first text chunk), after the first
round (which loads models). Also reported: process RSS after start-up (models loaded, prefixes
warmed).

    .venv/bin/python benchmarks/embedded_latency.py [--rounds 4] [--configs per-agent,raw]

Targets: TTFT p50 <= 1 s for every agent after the first turn; decode >= 90% of raw's rate.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import time
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np

from careerpilot.agents.base import PageContext
from careerpilot.config import Settings
from careerpilot.llm.base import ChatMessage, ChatModel, Chunk, GenerationOptions
from careerpilot.pipeline.assistant import Assistant

T = TypeVar("T")

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


def configured(name: str) -> Settings:
    settings = Settings()
    settings.llm.per_agent_models = name.startswith("per-agent")
    settings.examples_pinned = name != "baseline"
    settings.examples_k = 1 if name in ("baseline", "per-agent+k1") else 0
    settings.llm.prefix_cache_mb = 256 if name == "pinned+ramcache" else 0
    settings.llm.prompt_lookup_tokens = 10 if name == "per-agent+pld" else 0
    return settings


CONFIGS = ("baseline", "pinned", "pinned+ramcache", "per-agent", "per-agent+k1", "per-agent+pld")


async def run_config(name: str, rounds: int) -> tuple[list[Sample], float]:
    assistant = await Assistant.open(configured(name))
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


def run_raw(samples: list[Sample]) -> list[Sample]:
    from llama_cpp import Llama

    settings = Settings()
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


def measure_in_child(name: str, rounds: int) -> tuple[list[Sample], float]:
    return asyncio.run(run_config(name, rounds))


def isolated(function: Callable[..., T], *args: object) -> T:
    """Run in a fresh process, so each configuration's memory and caches are its own."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def main(rounds: int, names: list[str]) -> None:
    results: dict[str, list[Sample]] = {}
    memory: dict[str, float] = {}
    for name in names:
        if name != "raw":
            results[name], memory[name] = isolated(measure_in_child, name, rounds)
    if "raw" in names:
        if "per-agent" not in results:
            results["per-agent"], memory["per-agent"] = isolated(
                measure_in_child, "per-agent", rounds
            )
        timed = [s for s in results["per-agent"] if not np.isnan(s.ttft_s)]
        results["raw"] = isolated(run_raw, timed)
    print(f"rounds {rounds} (the first excluded from TTFT); RSS after start-up:")
    print("  " + ", ".join(f"{name} {mb:.0f} MB" for name, mb in memory.items()))
    print(f"{'agent':16s} {'config':16s} {'prompt tok':>10s} {'TTFT p50':>9s}", end="")
    print(f" {'TTFT p99':>9s} {'decode t/s':>10s} {'vs raw':>7s}")
    worst_ttft, worst_ratio = 0.0, float("inf")
    for agent in TURNS:
        raw_rate = summary(results["raw"], agent)[3] if "raw" in results else float("nan")
        for name, data in results.items():
            tokens, p50, p99, rate = summary(data, agent)
            ratio = rate / raw_rate
            print(
                f"{agent:16s} {name:16s} {tokens:10d} {p50:9.3f} {p99:9.3f} {rate:10.1f}"
                f" {ratio:7.0%}"
            )
            if name == "per-agent":
                worst_ttft, worst_ratio = max(worst_ttft, p50), min(worst_ratio, ratio)
    print(
        f"default (per-agent): worst agent TTFT p50 {worst_ttft:.3f} s (target <= 1 s), "
        f"worst decode {worst_ratio:.0%} of raw (target >= 90%)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--configs", default=",".join((*CONFIGS, "raw")))
    arguments = parser.parse_args()
    main(arguments.rounds, arguments.configs.split(","))
