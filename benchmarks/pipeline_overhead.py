"""careerpilot's added latency over the model's own: time to first token (TTFT) and time between
tokens (TBT), per agent, in process and over HTTP server-sent events.

The model is ``ScriptedModel`` at a fixed token rate (``--token-ms``, default 20 ms/token, i.e.
50 tokens/s), wrapped so that it timestamps its own request and every token it yields
(``_scripted_flow.TimedModel``). Each turn is consumed in two ways:

* ``inproc``: ``Assistant.turn`` iterated in this process, each ``text`` event timed as it
  arrives;
* ``http``: the real app under uvicorn in a subprocess, a new conversation per turn, the message
  POSTed with httpx and the SSE answer read as it arrives (``perf_counter`` is
  ``CLOCK_MONOTONIC``, one clock for both processes).

Per turn, with every time taken on that one clock:

* ``routing`` and ``skills``: the turn's own ``routing_ms`` and ``skills_ms`` (the skills' wall
  time over the in-process network REST API): reported, and excluded from the TTFT target;
* ``pre-model``: from the turn's start (the request's, over HTTP) to the model stream's request,
  minus routing and skills: agent logic, facts, prompt, events (and, over HTTP, the request,
  authentication and the conversation store);
* ``delivery``: from the model yielding its first token to the consumer seeing it;
* ``added TTFT`` = pre-model + delivery = consumer TTFT - routing - skills - the model's TTFT;
* ``added TBT``: per token after the first, the consumer's gap minus the model's own time for
  that token (from being asked for it to yielding it: in a pull pipeline the time the consumer
  holds a token delays the next one, so the gap between two model yields would hide it);
* ``token lag``: per token, the consumer seeing it minus the model yielding it.

Five agents (job page, post page, company page, career question, general question), ``--turns``
inputs each (default 20), interleaved; one warm-up round on other inputs first. Baselines in the
same run: a bare ``async for`` over the same model (in process), and the same model streamed as
SSE by a bare Starlette ``StreamingResponse`` in the same server (``POST /bench/raw``): the
floor each way of consuming the stream adds.

Also printed: the garbage collector's pauses during the measured turns (in this process, and in
the server with how late a 5 ms ticker on its event loop woke). ``--profile`` prints a cProfile
of the in-process turns; ``--server-gc freeze|tuned`` tunes the server's collector after the
warm-up (a diagnosis: the app does not). Over HTTP the split of each token's lag between the
server (model yield to socket write) and the wire and client is printed too; ``--pin`` pins
the server to one core and the client to the other(s), so that they never compete for a core
(on 2 cores they otherwise do, at the end of each answer, when the server stores it).

    .venv/bin/python benchmarks/pipeline_overhead.py [--turns 20] [--token-ms 20] [--tokens 40]
        [--modes inproc,http] [--data-dir DIR | --small] [--profile] [--pin]
        [--server-gc freeze|tuned]

Targets: added TTFT <= 10 ms and added TBT <= 1 ms, at p50 and at p99, for every agent.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import gc
import io
import pstats
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from _scripted_flow import (
    AGENT_LABELS,
    AGENTS,
    GC_TUNINGS,
    GcPauses,
    ServerProcess,
    StreamRecord,
    TimedModel,
    TurnInput,
    add_data_options,
    added_gaps,
    bench_settings,
    http_client,
    interleaved,
    lags,
    machine_load,
    pct,
    prepared_data,
    sse_turn,
    stream_id,
    turn_inputs,
)

from careerpilot.llm.base import ChatMessage, GenerationOptions
from careerpilot.pipeline.assistant import Assistant

TTFT_TARGET_MS = 10.0
TBT_TARGET_MS = 1.0
BASELINE = "baseline"


@dataclass
class Turn:
    """One measured turn: the consumer's times and the model's."""

    agent: str
    started: float
    text_times: list[float]
    first_delta: str
    timings: dict[str, float]
    routed: str | None = None
    record: StreamRecord | None = None
    error: str | None = None


@dataclass
class Summary:
    turns: int = 0
    errors: int = 0
    misrouted: int = 0
    routing: list[float] = field(default_factory=list)
    skills: list[float] = field(default_factory=list)
    pre_model: list[float] = field(default_factory=list)
    delivery: list[float] = field(default_factory=list)
    added_ttft: list[float] = field(default_factory=list)
    added_tbt: list[float] = field(default_factory=list)
    lag: list[float] = field(default_factory=list)
    # Over HTTP: model yield -> socket write (server), socket write -> parsed (wire and client),
    # for every token but the last, and for the last.
    server_lag: list[float] = field(default_factory=list)
    wire: list[float] = field(default_factory=list)
    last_server_lag: list[float] = field(default_factory=list)
    last_wire: list[float] = field(default_factory=list)


def summarise(turns: Sequence[Turn]) -> dict[str, Summary]:
    out: dict[str, Summary] = {}
    for turn in turns:
        s = out.setdefault(turn.agent, Summary())
        s.turns += 1
        if turn.error is not None or turn.record is None or not turn.text_times:
            s.errors += 1
            continue
        s.misrouted += turn.agent != BASELINE and turn.routed != turn.agent
        record = turn.record
        routing = turn.timings.get("routing_ms", 0.0)
        skills = turn.timings.get("skills_ms", 0.0)
        pre_model = (record.requested - turn.started) * 1000 - routing - skills
        delivery = (turn.text_times[0] - record.tokens[0]) * 1000
        s.routing.append(routing)
        s.skills.append(skills)
        s.pre_model.append(pre_model)
        s.delivery.append(delivery)
        s.added_ttft.append(pre_model + delivery)
        s.added_tbt += added_gaps(turn.text_times, record)
        s.lag += lags(turn.text_times, record.tokens)
        if record.writes:
            server = lags(record.writes, record.tokens)
            wire = lags(turn.text_times, record.writes)
            s.server_lag += server[:-1]
            s.wire += wire[:-1]
            s.last_server_lag += server[-1:]
            s.last_wire += wire[-1:]
    return out


# --- in process ---------------------------------------------------------------------------


async def inproc_turn(assistant: Assistant, model: TimedModel, turn_input: TurnInput) -> Turn:
    times: list[float] = []
    first = ""
    timings: dict[str, float] = {}
    routed = error = None
    stamp = time.perf_counter
    started = stamp()
    async for event in assistant.turn(turn_input.question, turn_input.member_id, turn_input.page):
        if event.type == "text":
            times.append(stamp())
            if len(times) == 1:
                first = event.delta
        elif event.type == "route":
            routed = event.agent
        elif event.type == "done":
            timings = event.timings
        elif event.type == "error":
            error = event.code
    sid = stream_id(first)
    record = model.records.get(sid) if sid is not None else None
    return Turn(turn_input.agent, started, times, first, timings, routed, record, error)


async def bare_turn(model: TimedModel) -> Turn:
    """The in-process baseline: the same model stream, consumed by a bare ``async for``."""
    times: list[float] = []
    first = ""
    started = time.perf_counter()
    async for chunk in model.stream([ChatMessage("user", "hi")], GenerationOptions()):
        if chunk.delta:
            times.append(time.perf_counter())
            first = first or chunk.delta
    sid = stream_id(first)
    record = model.records.get(sid) if sid is not None else None
    return Turn(BASELINE, started, times, first, {}, None, record)


async def run_inproc(
    data_dir: Path, work: Path, small: bool, args: argparse.Namespace
) -> list[Turn]:
    model = TimedModel(args.token_ms / 1000, args.tokens)
    assistant = await Assistant.open(bench_settings(data_dir, work, small), model=model)
    members = assistant.settings.network.members
    turns: list[Turn] = []
    try:
        for turn_input in interleaved(turn_inputs(1, members, offset=1000)):  # warm-up
            await inproc_turn(assistant, model, turn_input)
        await bare_turn(model)
        pauses = GcPauses()
        profile = cProfile.Profile() if args.profile else None
        if profile is not None:
            profile.enable()
        for n, turn_input in enumerate(interleaved(turn_inputs(args.turns, members)), 1):
            turns.append(await inproc_turn(assistant, model, turn_input))
            if n % len(AGENTS) == 0:  # one baseline stream per round
                turns.append(await bare_turn(model))
        print(
            f"\nin process, garbage collector during the turns ({len(gc.get_objects()):,} objects "
            f"tracked): {pauses.describe(pauses.take())}"
        )
        if profile is not None:
            profile.disable()
            print_profile(profile)
    finally:
        await assistant.aclose()
    return turns


def print_profile(profile: cProfile.Profile) -> None:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("tottime").print_stats(30)
    print("cProfile of the in-process turns (own time, top 30):")
    print(out.getvalue())


# --- over HTTP ----------------------------------------------------------------------------


async def run_http(data_dir: Path, work: Path, small: bool, args: argparse.Namespace) -> list[Turn]:
    token_s = args.token_ms / 1000
    with ServerProcess(data_dir, work, small, token_s, args.tokens) as server:
        members = server.settings.network.members
        async with http_client(8) as client:

            async def one(turn_input: TurnInput) -> Turn:
                headers = server.headers(turn_input.member_id)
                created = await client.post(f"{server.url}/v1/conversations", headers=headers)
                created.raise_for_status()
                url = f"{server.url}/v1/conversations/{created.json()['id']}/messages"
                body = {"text": turn_input.question, "context": turn_input.context}
                seen = await sse_turn(client, url, headers, body)
                timings = seen.done["timings"] if seen.done else {}
                return Turn(
                    turn_input.agent,
                    seen.started,
                    seen.text_times,
                    seen.first_delta,
                    timings,
                    seen.agent,
                    error=seen.error,
                )

            async def raw() -> Turn:
                seen = await sse_turn(client, f"{server.url}/bench/raw", {}, {"text": "hi"})
                return Turn(
                    BASELINE, seen.started, seen.text_times, seen.first_delta, {}, error=seen.error
                )

            for turn_input in interleaved(turn_inputs(1, members, offset=1000)):  # warm-up
                await one(turn_input)
            await raw()
            await server.streams()
            await server.gc_pauses(tune=args.server_gc)
            turns: list[Turn] = []
            with server.pinned() if args.pin else contextlib.nullcontext("not pinned") as pinning:
                print(f"\nover HTTP: {pinning}")
                for n, turn_input in enumerate(interleaved(turn_inputs(args.turns, members)), 1):
                    turns.append(await one(turn_input))
                    if n % len(AGENTS) == 0:  # one baseline stream per round
                        turns.append(await raw())
            records = await server.streams()
            collector = await server.gc_pauses()
    print(f"\nserver during the turns: {collector.describe()}")
    for turn in turns:
        sid = stream_id(turn.first_delta)
        turn.record = records.get(sid) if sid is not None else None
    return turns


# --- report -------------------------------------------------------------------------------


def report(mode: str, turns: list[Turn]) -> bool:
    stats = summarise(turns)
    baseline_name = {
        "inproc": "bare async for over the model",
        "http": "bare Starlette SSE (/bench/raw)",
    }[mode]
    title = {
        "inproc": "in process: Assistant.turn consumed directly",
        "http": "over HTTP: uvicorn subprocess, SSE read with httpx",
    }[mode]
    print(f"\n{title}  (ms; p50/p99)")
    header = (
        f"{'agent':17s} {'turns':>5s} {'routing':>8s} {'skills':>8s} {'pre-model':>13s} "
        f"{'delivery':>13s} {'added TTFT':>13s} {'added TBT':>13s} {'token lag':>13s}"
    )
    print(header)
    print("-" * len(header))
    ok = True
    worst_ttft = worst_tbt = 0.0
    for agent in (*AGENTS, BASELINE):
        s = stats.get(agent)
        if s is None:
            continue
        name = AGENT_LABELS.get(agent, baseline_name)[:17] if agent != BASELINE else "baseline"

        def both(values: list[float]) -> str:
            return f"{pct(values, 50):6.2f}/{pct(values, 99):6.2f}"

        print(
            f"{name:17s} {s.turns:5d} {pct(s.routing, 50):8.2f} {pct(s.skills, 50):8.2f} "
            f"{both(s.pre_model):>13s} {both(s.delivery):>13s} {both(s.added_ttft):>13s} "
            f"{both(s.added_tbt):>13s} {both(s.lag):>13s}"
        )
        if s.errors or s.misrouted:
            print(f"{'':17s} errors {s.errors}, routed elsewhere {s.misrouted}")
        if agent != BASELINE:
            ok = ok and not s.errors and not s.misrouted
            worst_ttft = max(worst_ttft, pct(s.added_ttft, 99))
            worst_tbt = max(worst_tbt, pct(s.added_tbt, 99))
    print(f"baseline: {baseline_name}, same model, same run")
    if any(s.server_lag for s in stats.values()):
        print(
            "where each token's lag goes (ms, p50/p99): the server (model yield -> socket "
            "write), the wire and the client (socket write -> parsed), every token but the "
            "last, then the last"
        )
        print(
            f"{'agent':17s} {'server':>13s} {'wire+client':>13s} {'last: server':>13s} "
            f"{'last: wire':>13s}"
        )
        for agent in (*AGENTS, BASELINE):
            s = stats.get(agent)
            if s is None or not s.server_lag:
                continue
            name = AGENT_LABELS.get(agent, "baseline")[:17]
            cells = (s.server_lag, s.wire, s.last_server_lag, s.last_wire)
            print(f"{name:17s} " + " ".join(f"{pct(c, 50):6.2f}/{pct(c, 99):6.2f}" for c in cells))
    ttft_ok = worst_ttft <= TTFT_TARGET_MS
    tbt_ok = worst_tbt <= TBT_TARGET_MS
    print(
        f"{mode}: worst agent's added TTFT p99 {worst_ttft:.2f} ms "
        f"(target <= {TTFT_TARGET_MS:g} ms): {'PASS' if ttft_ok else 'FAIL'}; "
        f"worst agent's added TBT p99 {worst_tbt:.3f} ms "
        f"(target <= {TBT_TARGET_MS:g} ms): {'PASS' if tbt_ok else 'FAIL'}"
    )
    return ok and ttft_ok and tbt_ok


def main(args: argparse.Namespace) -> None:
    modes = args.modes.split(",")
    print(
        f"scripted model: {args.token_ms:g} ms/token, {args.tokens} tokens per answer; "
        f"{args.turns} turns per agent, interleaved, after one warm-up round"
    )
    print(machine_load())
    with prepared_data(args) as (data_dir, work, small):
        print(f"data: {data_dir}{' (small network)' if small else ''}")
        results: dict[str, bool] = {}
        if "inproc" in modes:
            results["inproc"] = report(
                "inproc", asyncio.run(run_inproc(data_dir, work, small, args))
            )
        if "http" in modes:
            turns = asyncio.run(run_http(data_dir, work, small, args))
            results["http"] = report("http", turns)
    print(f"at the end: {machine_load()}")
    print("\n" + "; ".join(f"{m}: {'PASS' if ok else 'FAIL'}" for m, ok in results.items()))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--turns", type=int, default=20, help="turns per agent")
    parser.add_argument("--token-ms", type=float, default=20.0, help="the model's ms per token")
    parser.add_argument("--tokens", type=int, default=40, help="tokens per answer")
    parser.add_argument("--modes", default="inproc,http")
    parser.add_argument("--profile", action="store_true", help="cProfile the in-process turns")
    parser.add_argument(
        "--pin",
        action="store_true",
        help="over HTTP, pin the server to the last core and the client to the others",
    )
    parser.add_argument(
        "--server-gc",
        choices=[t for t in GC_TUNINGS if t],
        default="",
        help="diagnosis: tune the server's garbage collector after the warm-up (see "
        "_scripted_flow.GC_TUNINGS); the app does not",
    )
    add_data_options(parser)
    main(parser.parse_args())
