"""What chain of thought costs: time to the first visible token with reasoning off and on.

Runs real turns on the seeded default network with the embedded model (SmolLM2-135M,
llama-cpp-python), one question per narrating agent per round, agents interleaved, first with
``[chain_of_thought]`` off (the baseline) and then on for every agent, in the same run. Each
turn's ``done.timings`` gives its TTFT, its ``reasoning_ms`` and ``reasoning_tokens``, and its
time between answer tokens (TBT). The first round is excluded (it loads the models).

Reported per agent: TTFT p50 off and on, what reasoning added, reasoning tokens, the time to
the answer's first token when the model had to be asked again (``reask``), and the added time
the cost model predicts from the timings: ``reasoning tokens x TBT + reask``. Also how often
the model kept the format (``marker``), ran out of reasoning tokens (``budget``) or wrote no
marker at all (``none``); the last two are asked again.

    .venv/bin/python benchmarks/chain_of_thought.py [--rounds 4] [--max-tokens 96]

Check: the measured added TTFT is within 25% (or 100 ms, the instruction's own prompt tokens)
of the cost model's prediction for every agent, so an operator can price chain of thought
from the timings alone.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from embedded_latency import TURNS

from careerpilot.config import ChainOfThoughtSettings, Settings
from careerpilot.pipeline.assistant import Assistant

TOLERANCE = 0.25
# The reasoning instruction's own ~40 prompt tokens, which the timings do not separate from
# the prompt: about 60 ms on the embedded model.
TOLERANCE_MS = 100.0


@dataclass
class AgentFigures:
    ttft_ms: list[float] = field(default_factory=list)
    tbt_ms: list[float] = field(default_factory=list)
    reasoning_ms: list[float] = field(default_factory=list)
    reasoning_tokens: list[float] = field(default_factory=list)
    reask_ms: list[float] = field(default_factory=list)
    endings: Counter[str] = field(default_factory=Counter)


async def run(reasoning: bool, rounds: int, max_tokens: int) -> dict[str, AgentFigures]:
    settings = Settings()
    if reasoning:
        settings.chain_of_thought = ChainOfThoughtSettings(
            agents=list(TURNS), max_tokens=max_tokens
        )
    # Measure the model, not the operator's limits.
    settings.turn_deadline_s = None
    settings.turn_token_budget = None
    assistant = await Assistant.open(settings)
    figures: dict[str, AgentFigures] = defaultdict(AgentFigures)
    try:
        await assistant.warm_prefixes()
        for round_index in range(rounds):
            for agent, turns in TURNS.items():
                question, page = turns[round_index % len(turns)]
                ending = "marker"
                timings: dict[str, float] = {}
                async for event in assistant.turn(question, 1, page):
                    if event.type == "status" and event.stage == "reasoning" and event.detail:
                        ending = "budget" if "budget" in event.detail else "none"
                    elif event.type == "done":
                        timings = event.timings
                    elif event.type == "error":
                        print(f"  {agent}: error {event.code}: {event.message}", file=sys.stderr)
                if not round_index or "ttft_ms" not in timings:
                    continue
                row = figures[agent]
                row.ttft_ms.append(timings["ttft_ms"])
                if "tbt_p50_ms" in timings:
                    row.tbt_ms.append(timings["tbt_p50_ms"])
                if reasoning:
                    row.reasoning_ms.append(timings.get("reasoning_ms", 0.0))
                    row.reasoning_tokens.append(timings.get("reasoning_tokens", 0.0))
                    row.reask_ms.append(timings.get("reasoning_reask_ms", 0.0))
                    row.endings[ending] += 1
    finally:
        await assistant.aclose()
    return figures


def p50(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else 0.0


def main(rounds: int, max_tokens: int) -> int:
    off = asyncio.run(run(False, rounds, max_tokens))
    on = asyncio.run(run(True, rounds, max_tokens))
    print(f"\nchain of thought, {rounds - 1} measured turns per agent, max {max_tokens} tokens")
    header = (
        f"{'agent':<16}{'TTFT off':>10}{'TTFT on':>10}{'added':>9}{'tokens':>8}"
        f"{'TBT':>8}{'reask':>8}{'predicted':>11}  endings"
    )
    print(header)
    print("-" * len(header))
    failures = []
    for agent in TURNS:
        base, cot = off[agent], on[agent]
        # Means, not medians, for the comparison: they add up (turn by turn, TTFT on is TTFT
        # off plus the reasoning), medians of different distributions do not.
        added = mean(cot.ttft_ms) - mean(base.ttft_ms)
        tbt = p50(base.tbt_ms)
        tokens = mean(cot.reasoning_tokens)
        reask = mean(cot.reask_ms)
        predicted = tokens * tbt + reask
        endings = ", ".join(f"{k} {v}" for k, v in sorted(cot.endings.items()))
        print(
            f"{agent:<16}{p50(base.ttft_ms):>8.0f}ms{p50(cot.ttft_ms):>8.0f}ms{added:>7.0f}ms"
            f"{tokens:>8.0f}{tbt:>6.1f}ms{reask:>6.0f}ms{predicted:>9.0f}ms  {endings}"
        )
        if abs(added - predicted) > max(TOLERANCE * predicted, TOLERANCE_MS):
            failures.append(f"{agent}: added {added:.0f} ms vs predicted {predicted:.0f} ms")
    print(
        "\nTTFT: p50. added = TTFT on - TTFT off (means); predicted = reasoning tokens (mean)"
        " x TBT off (p50) + reask (mean; 0 when the model kept the format)."
        f"\ncheck: added within {TOLERANCE:.0%} (or {TOLERANCE_MS:.0f} ms) of predicted: "
        + ("PASS" if not failures else "FAIL (" + "; ".join(failures) + ")")
    )
    return 1 if failures else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--max-tokens", type=int, default=96)
    args = parser.parse_args()
    sys.exit(main(args.rounds, args.max_tokens))
