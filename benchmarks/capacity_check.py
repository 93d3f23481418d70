"""Does `careerpilot capacity` predict what an endpoint holds? Saturate one and compare.

Runs real turns (``Assistant.turn``, in process, every agent interleaved) against one endpoint
whose model streams at a fixed token rate (``ScriptedModel``) with ``--slots`` concurrent
slots (``[llm] max_concurrency``), from three times as many closed-loop conversations for
``--seconds``. The endpoint is always saturated, so its measured throughput is its capacity.
Then it plans capacity from the same turns' ``done`` timings, as ``careerpilot capacity``
does from stored answers, in two ways:

* **measured hold** (the default since turns carry it): the time each turn held a slot, as
  the endpoint pool measured it (``llm_hold_ms``);
* **estimated hold** (the fallback for figures without it, and what capacity used before):
  ``TTFT + (tokens - 1) x TBT``. On a saturated endpoint TTFT includes the wait for a slot.

    .venv/bin/python benchmarks/capacity_check.py [--slots 8] [--seconds 30]

Check: the plan from measured holds (p50, as ``careerpilot capacity --quantile 0.5``) is within
10% of the measured throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import sys
import time
from pathlib import Path

from _scripted_flow import (
    add_data_options,
    bench_settings,
    interleaved,
    prepared_data,
    scripted_reply,
    turn_inputs,
)

from careerpilot.llm.testing import ScriptedModel
from careerpilot.ops.capacity import TurnFigures, plan_capacity, typical
from careerpilot.pipeline.assistant import Assistant

TOLERANCE = 0.10
WARM_UP_S = 3.0


async def run(args: argparse.Namespace, data_dir: Path, work_dir: Path, small: bool) -> int:
    settings = bench_settings(data_dir, work_dir, small)
    settings.llm.max_concurrency = args.slots
    model = ScriptedModel(scripted_reply(args.tokens), delay_s=args.token_ms / 1000)
    assistant = await Assistant.open(settings, model=model)
    inputs = itertools.cycle(interleaved(turn_inputs(40)))
    figures: list[TurnFigures] = []
    finished: list[float] = []
    started = time.perf_counter()
    measure_from = started + WARM_UP_S
    stop_at = measure_from + args.seconds

    async def conversation() -> None:
        while time.perf_counter() < stop_at:
            turn = next(inputs)
            timings: dict[str, float] = {}
            usage: dict[str, int] = {}
            async for event in assistant.turn(turn.question, turn.member_id, turn.page):
                if event.type == "done":
                    timings, usage = event.timings, event.usage
                elif event.type == "error":
                    print(f"  error {event.code}: {event.message}", file=sys.stderr)
            now = time.perf_counter()
            if measure_from <= now <= stop_at and "llm_hold_ms" in timings:
                finished.append(now)
                figures.append(
                    TurnFigures(
                        ttft_ms=timings["ttft_ms"],
                        tbt_ms=timings.get("tbt_p50_ms", 0.0),
                        completion_tokens=usage["completion_tokens"],
                        prompt_tokens=usage["prompt_tokens"],
                        llm_hold_ms=timings["llm_hold_ms"],
                    )
                )

    try:
        await asyncio.gather(*(conversation() for _ in range(3 * args.slots)))
    finally:
        await assistant.aclose()
    if len(figures) < 20:
        print(f"only {len(figures)} turns measured: run longer", file=sys.stderr)
        return 1
    measured_tps = len(finished) / args.seconds
    p50 = typical(figures, 0.5)
    by_hold = plan_capacity(p50, concurrency=args.slots, target_tps=0).endpoint_tps
    estimated = TurnFigures(p50.ttft_ms, p50.tbt_ms, p50.completion_tokens, p50.prompt_tokens)
    by_estimate = plan_capacity(estimated, concurrency=args.slots, target_tps=0).endpoint_tps
    waits = [f.ttft_ms for f in figures]
    print(
        f"\nendpoint: {args.slots} slots, {args.tokens} tokens per answer at {args.token_ms:g} ms;"
        f" {3 * args.slots} conversations for {args.seconds:g} s"
    )
    print(f"turns measured: {len(figures)}; TTFT p50 {statistics.median(waits):,.0f} ms")
    print(f"{'':<34}{'hold p50':>10}{'turns/s':>10}{'vs measured':>13}")
    print(f"{'measured throughput':<34}{'':>10}{measured_tps:>10.2f}{'':>13}")
    for label, hold_s, tps in (
        ("capacity from measured holds", p50.hold_s, by_hold),
        ("capacity from TTFT + tokens x TBT", estimated.hold_s, by_estimate),
    ):
        print(f"{label:<34}{hold_s * 1000:>8.0f}ms{tps:>10.2f}{tps / measured_tps - 1:>+12.0%}")
    error = abs(by_hold / measured_tps - 1)
    verdict = "PASS" if error <= TOLERANCE else "FAIL"
    print(f"\ncheck: capacity from measured holds within {TOLERANCE:.0%} of measured: {verdict}")
    return 0 if verdict == "PASS" else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--slots", type=int, default=8)
    parser.add_argument("--tokens", type=int, default=40)
    parser.add_argument("--token-ms", type=float, default=20.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    add_data_options(parser)
    args = parser.parse_args()
    with prepared_data(args) as (data_dir, work_dir, small):
        return asyncio.run(run(args, data_dir, work_dir, small))


if __name__ == "__main__":
    sys.exit(main())
