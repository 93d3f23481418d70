"""Evaluation capacity: conversations evaluated per hour with every automatic evaluator and the
embedded LLM judge (SmolLM2-135M, its own llama.cpp instance, built like `eval run` builds it:
the judge task of the endpoint pool), on this machine.

Two phases, timed apart:

1. **generate**: every distinct case of the suite is played once through the real pipeline
   (embedded model), to have conversations to evaluate; this is what the assistant costs, not
   the evaluation;
2. **evaluate**: ``--conversations`` items (default 500, the cases repeated as needed) go
   through the router, schema, groundedness and latency evaluators and the judge, with the
   judge's cache off so every item is really judged, ``--concurrency`` at a time.

    .venv/bin/python benchmarks/eval_throughput.py [--conversations 500] [--suite full]

Target: 500 conversations evaluated in at most 15 minutes (2,000 per hour).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from careerpilot.config import Settings
from careerpilot.evals.cases import load_cases
from careerpilot.evals.evaluators import CaseRun, default_evaluators
from careerpilot.evals.judge import JudgeEvaluator, LLMJudge, judge_settings, pooled_judge
from careerpilot.evals.runner import play_case
from careerpilot.llm.pool import EndpointPool
from careerpilot.pipeline.assistant import Assistant

TARGET_S = 15 * 60
TARGET_N = 500


async def main(conversations: int, suite: str, concurrency: int) -> None:
    settings = Settings()
    cases = load_cases(suite)
    assistant = await Assistant.open(settings)
    await assistant.warm_prefixes()
    start = time.perf_counter()
    runs: list[CaseRun] = [(await play_case(assistant, case))[0] for case in cases]
    generate_s = time.perf_counter() - start
    await assistant.aclose()

    # The judge as `careerpilot eval run` builds it: the judge task of the endpoint pool.
    pool = EndpointPool(judge_settings(settings))
    judge = JudgeEvaluator(LLMJudge(pooled_judge(pool), max_tokens=settings.eval.judge_max_tokens))
    evaluators = [*default_evaluators(), judge]
    gate = asyncio.Semaphore(concurrency)
    per_item: list[float] = []
    judged = unparsed = 0

    async def evaluate(run: CaseRun) -> None:
        nonlocal judged, unparsed
        async with gate:
            began = time.perf_counter()
            metrics: dict[str, float | None] = {}
            for evaluator in evaluators:
                metrics.update(await evaluator.evaluate(run))
            per_item.append(time.perf_counter() - began)
            judged += metrics.get("judge.quality") is not None
            unparsed += bool(metrics.get("judge.unparsed"))

    items = [runs[i % len(runs)] for i in range(conversations)]
    await evaluate(items[0])  # loads the judge model; not part of the timing
    per_item.clear()
    judged = unparsed = 0
    start = time.perf_counter()
    await asyncio.gather(*(evaluate(run) for run in items))
    evaluate_s = time.perf_counter() - start
    await pool.aclose()

    per_hour = conversations / evaluate_s * 3600
    projected = TARGET_N / per_hour * 3600
    print(f"suite {suite}: {len(cases)} distinct cases, generated in {generate_s:.1f} s")
    print(
        f"evaluated {conversations} conversations in {evaluate_s:.1f} s "
        f"({per_hour:,.0f} per hour); judged {judged}, judge unreadable {unparsed}"
    )
    print(
        f"per conversation: mean {statistics.fmean(per_item):.3f} s, "
        f"p50 {statistics.median(per_item):.3f} s (concurrency {concurrency})"
    )
    verdict = "PASS" if projected <= TARGET_S else "FAIL"
    print(
        f"target: {TARGET_N} conversations in <= {TARGET_S / 60:.0f} min; "
        f"projected {projected / 60:.1f} min: {verdict}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--conversations", type=int, default=TARGET_N)
    parser.add_argument("--suite", default="full")
    parser.add_argument("--concurrency", type=int, default=1)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.conversations, arguments.suite, arguments.concurrency))
