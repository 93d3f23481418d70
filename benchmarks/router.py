"""Routing latency and accuracy: careerpilot's calibrated router against a plain cosine baseline.

Both run on the same utterances and the same held-out test split, after warm-up, one query at a
time (embedding included), on this machine. The baseline is semantic-router style: the label of
the most similar utterance, or out_of_scope when that similarity is below a threshold (the best
threshold for the baseline is searched on the test split itself, which flatters it).

    .venv/bin/python benchmarks/router.py [--repeat 3]

Targets: accuracy >= 0.97 on the test split; p50 <= 5 ms and p99 <= 20 ms without the fallback.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import numpy as np

from careerpilot.config import Settings
from careerpilot.evals.router_eval import load_router_test
from careerpilot.retrieval.embedder import OnnxEmbedder
from careerpilot.routing.router import Router, load_utterances


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


async def main(repeat: int) -> None:
    settings = Settings()
    embedder = OnnxEmbedder(settings.embedder)
    router = Router(embedder, cache_dir=settings.ensure_data_dir() / "cache")
    cases = load_router_test()
    await router.warm()
    for case in cases[:20]:  # warm-up: caches, allocator, onnxruntime kernels
        await router.route(case.query, case.context)
    embedder._cache.clear()

    times: list[float] = []
    correct = 0
    for _ in range(repeat):
        embedder._cache.clear()
        for case in cases:
            start = time.perf_counter()
            route = await router.route(case.query, case.context)
            times.append((time.perf_counter() - start) * 1000)
            correct += route.agent == case.label
    accuracy = correct / (len(cases) * repeat)

    utterances = load_utterances()
    vectors = embedder.embed_sync([u.text for u in utterances])
    labels = [u.label for u in utterances]
    base_times: list[float] = []
    sims_best: list[tuple[float, str]] = []
    for _ in range(repeat):
        embedder._cache.clear()
        for case in cases:
            start = time.perf_counter()
            query = embedder.embed_sync([case.query])[0]
            sims = vectors @ query
            best = int(np.argmax(sims))
            base_times.append((time.perf_counter() - start) * 1000)
            sims_best.append((float(sims[best]), labels[best]))
    gold = [c.label for c in cases] * repeat
    base_acc, base_threshold = 0.0, 0.0
    for threshold in np.linspace(0.0, 0.8, 81):
        routed = [lb if s >= threshold else "out_of_scope" for s, lb in sims_best]
        acc = sum(r == g for r, g in zip(routed, gold, strict=True)) / len(gold)
        if acc > base_acc:
            base_acc, base_threshold = acc, float(threshold)

    print(f"test split: {len(cases)} queries x {repeat}; {len(utterances)} training utterances")
    print(f"{'router':34s} {'accuracy':>9s} {'p50 ms':>8s} {'p99 ms':>8s} {'mean ms':>8s}")
    print(
        f"{'careerpilot (calibrated ensemble)':34s} {accuracy:9.4f} {percentile(times, 50):8.2f} "
        f"{percentile(times, 99):8.2f} {statistics.fmean(times):8.2f}"
    )
    name = f"cosine threshold {base_threshold:.2f} (baseline)"
    print(
        f"{name:34s} {base_acc:9.4f} {percentile(base_times, 50):8.2f} "
        f"{percentile(base_times, 99):8.2f} {statistics.fmean(base_times):8.2f}"
    )
    print("targets: accuracy >= 0.97; p50 <= 5 ms; p99 <= 20 ms (no fallback)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=3)
    asyncio.run(main(parser.parse_args().repeat))
