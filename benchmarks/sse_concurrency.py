"""1,000 concurrent SSE conversations against one careerpilot server process: added time between
tokens (TBT) and to the first token (TTFT), errors, and server memory per conversation.

The server is the real app (``create_app``) under uvicorn in a subprocess (one process, one event
loop, h11), with ``ScriptedModel`` at a fixed token rate (``--token-ms``, default 20 ms/token)
and ``--tokens`` per answer (default 60), timestamping every token it yields
(``_scripted_flow.TimedModel``). The client is one asyncio process with httpx ``AsyncClient``s
without connection limits, 50 conversations each (a single pool of 1,000 connections stalls the
client for seconds: httpcore scans its whole pool for every request it adds or removes). It
creates ``--conversations`` conversations (members cycling over the network's), then ramps one
message per conversation over ``--ramp-s`` seconds (default 1 s, so that every answer is in
flight at once), the inputs cycling over the five agents (job page, post page, company page,
career question, general question), and reads every SSE answer to its end, timing each
``text`` event when its bytes arrive.

* ``added TBT``: per token after the first, the client's gap minus the model's token interval
  (``--token-ms``). The scripted model runs on the server's event loop: when the loop is busy
  its timer fires late, so the gaps measured at the model stretch along with the client's.
  "gap - own time" (the model's time from being asked for a token to yielding it, as in
  ``pipeline_overhead.py``) and "gap - yield gap" (between two model yields) are shown too, but
  they hide that delay, which a model going at its own pace (llama.cpp on its own thread, a
  remote server) would not absorb; ``token lag``: client arrival minus model yield (all times
  on ``CLOCK_MONOTONIC``);
* ``TTFT``: request to first text; ``added TTFT``: that minus routing, skills and the model's own
  TTFT (queueing for the event loop under load lands here);
* memory: (peak server RSS during the phase - RSS when idle after warm-up) / conversations, RSS
  read from ``/proc/<pid>/status`` every 50 ms;
* CPU: server and client CPU seconds during the phase (2 cores here: 2 s per wall second is the
  machine).

Baseline in the same run: the same client, ramp and model against a fresh server of the same
app whose ``POST /bench/raw`` streams the scripted model as SSE from a bare Starlette
``StreamingResponse``: uvicorn, h11 and httpx without careerpilot's pipeline. Each phase gets
its own server process, so each RSS is its own.

Also printed: the server's garbage-collector pauses and how late a 5 ms ticker on its event
loop woke during each phase (the loop's stalls), the same ticker's lateness on the client's loop
(when the client is the bottleneck, it shows here), and with ``--profile-server FILE`` a cProfile
of the careerpilot phase's server (slower while profiled: for finding where the time goes, not
for the figures). ``--server-gc freeze`` makes both servers ``gc.freeze()`` their heap after the
warm-up, ``--server-gc tuned`` also raises the collector's thresholds: diagnoses of the
collector's share in the stalls, not what the app does.

    .venv/bin/python benchmarks/sse_concurrency.py [--conversations 1000] [--quick]
        [--token-ms 20] [--tokens 60] [--ramp-s 1] [--data-dir DIR | --small]
        [--server-gc freeze|tuned] [--profile-server FILE]

``--quick``: 100 conversations. Target: p99 added TBT <= 50 ms with 1,000 conversations.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import math
import os
import resource
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from _scripted_flow import (
    AGENTS,
    GC_TUNINGS,
    ClientTurn,
    LoopStalls,
    ServerGc,
    ServerProcess,
    StreamRecord,
    add_data_options,
    added_gaps,
    http_client,
    lags,
    machine_load,
    pct,
    prepared_data,
    rss_kb,
    sse_turn,
    stream_id,
    turn_inputs,
)

TBT_TARGET_MS = 50.0
CLIENT_SHARD = 50  # conversations per httpx client


def raise_open_files(needed: int) -> tuple[int, int]:
    """Raise the soft RLIMIT_NOFILE to ``needed`` (up to the hard limit); the server
    subprocess inherits it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Phase:
    name: str
    conversations: int
    turns: list[ClientTurn] = field(default_factory=list)
    records: dict[int, StreamRecord] = field(default_factory=dict)
    rss_idle_kb: int = 0
    rss_peak_kb: int = 0
    peak_in_flight: int = 0
    peak_streaming: int = 0
    wall_s: float = 0.0
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0
    server_errors: str = ""
    collector: ServerGc | None = None
    client_stalls: list[float] = field(default_factory=list)


class Gauge:
    """Requests in flight, and answers between their first text and their end."""

    def __init__(self) -> None:
        self.in_flight = self.streaming = 0
        self.peak_in_flight = self.peak_streaming = 0

    def sample(self, in_flight: int, streaming: int) -> None:
        self.in_flight += in_flight
        self.streaming += streaming
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        self.peak_streaming = max(self.peak_streaming, self.streaming)


async def ramp(
    phase: Phase,
    server: ServerProcess,
    one: Callable[[int, Gauge], Awaitable[ClientTurn]],
    ramp_s: float,
) -> None:
    gauge = Gauge()
    peak = [rss_kb(server.pid)]
    stop = asyncio.Event()

    async def watch() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], rss_kb(server.pid))
            await asyncio.sleep(0.05)

    async def scheduled(i: int, at: float) -> ClientTurn:
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        return await one(i, gauge)

    watcher = asyncio.create_task(watch())
    client_stalls = LoopStalls()
    client_stalls.start()
    server_cpu, client_cpu = cpu_seconds(server.pid), time.process_time()
    started = time.perf_counter()
    n = phase.conversations
    tasks = [scheduled(i, started + ramp_s * i / n) for i in range(n)]
    gc.disable()  # the client's own collector pauses would count as the server's added TBT
    try:
        phase.turns = list(await asyncio.gather(*tasks))
    finally:
        gc.enable()
    phase.wall_s = time.perf_counter() - started
    phase.server_cpu_s = cpu_seconds(server.pid) - server_cpu
    phase.client_cpu_s = time.process_time() - client_cpu
    stop.set()
    await watcher
    phase.client_stalls = client_stalls.take()
    client_stalls.stop()
    phase.rss_peak_kb = max(peak[0], rss_kb(server.pid))
    phase.peak_in_flight, phase.peak_streaming = gauge.peak_in_flight, gauge.peak_streaming


async def timed_turn(
    gauge: Gauge, post: Callable[[Callable[[], None]], Awaitable[ClientTurn]]
) -> ClientTurn:
    gauge.sample(1, 0)
    first = [False]

    def on_first_text() -> None:
        first[0] = True
        gauge.sample(0, 1)

    try:
        return await post(on_first_text)
    finally:
        gauge.sample(-1, -1 if first[0] else 0)


async def run_phase(name: str, data: tuple[Path, Path, bool], args: argparse.Namespace) -> Phase:
    data_dir, work, small = data
    phase = Phase(name, args.conversations)
    token_s = args.token_ms / 1000
    profile = args.profile_server if name == "careerpilot" else None
    with ServerProcess(data_dir, work, small, token_s, args.tokens, profile=profile) as server:
        members = server.settings.network.members
        inputs = turn_inputs(math.ceil(args.conversations / len(AGENTS)), members)
        # One input per conversation, cycling over the agents.
        order = [
            inputs[AGENTS[i % len(AGENTS)]][i // len(AGENTS)] for i in range(phase.conversations)
        ]
        headers = {m: server.headers(m) for m in {t.member_id for t in order}}
        async with contextlib.AsyncExitStack() as stack:
            # httpx's pool scans all its connections for every request it adds or removes
            # (httpcore 1.0: quadratic in them): with 1,000 in one pool the client's event loop
            # stalls for seconds, so each pool holds at most CLIENT_SHARD conversations.
            shards = math.ceil(phase.conversations / CLIENT_SHARD)
            clients = [
                await stack.enter_async_context(http_client(None, args.timeout_s))
                for _ in range(shards)
            ]
            client = clients[0]
            # Warm-up: every agent once, the baseline route once; then forget those streams.
            for [t] in turn_inputs(1, members, offset=1000).values():
                auth = server.headers(t.member_id)
                made = await client.post(f"{server.url}/v1/conversations", headers=auth)
                url = f"{server.url}/v1/conversations/{made.json()['id']}/messages"
                await sse_turn(client, url, auth, {"text": t.question, "context": t.context})
            await sse_turn(client, f"{server.url}/bench/raw", {}, {"text": "hi"})
            await server.streams()

            urls: list[str] = []
            if name == "careerpilot":
                semaphore = asyncio.Semaphore(32)

                async def create(member_id: int) -> str:
                    async with semaphore:
                        response = await client.post(
                            f"{server.url}/v1/conversations", headers=headers[member_id]
                        )
                        response.raise_for_status()
                        return str(response.json()["id"])

                ids = await asyncio.gather(*(create(t.member_id) for t in order))
                urls = [f"{server.url}/v1/conversations/{i}/messages" for i in ids]
            gc.collect()
            await asyncio.sleep(1.0)
            phase.rss_idle_kb = rss_kb(server.pid)

            async def one(i: int, gauge: Gauge) -> ClientTurn:
                t = order[i]
                if name == "careerpilot":
                    url, hdrs = urls[i], headers[t.member_id]
                    body: dict[str, object] = {"text": t.question, "context": t.context}
                else:
                    url, hdrs, body = f"{server.url}/bench/raw", {}, {"text": t.question}
                return await timed_turn(
                    gauge,
                    lambda on_first: sse_turn(
                        clients[i % shards], url, hdrs, body, on_first=on_first
                    ),
                )

            # Starts the event-loop ticker, forgets the warm-up (and freezes, if asked).
            await server.gc_pauses(tune=args.server_gc)
            await ramp(phase, server, one, args.ramp_s)
            phase.collector = await server.gc_pauses()
            phase.records = await server.streams()
        phase.server_errors = server.first_error()
    return phase


@dataclass
class Figures:
    ttft: list[float] = field(default_factory=list)
    added_ttft: list[float] = field(default_factory=list)
    routing: list[float] = field(default_factory=list)
    skills: list[float] = field(default_factory=list)
    gap: list[float] = field(default_factory=list)  # the client's gaps
    vs_nominal: list[float] = field(default_factory=list)  # gap - the model's token interval
    vs_own: list[float] = field(default_factory=list)  # gap - the model's own time per token
    vs_yield: list[float] = field(default_factory=list)  # gap - the gap between model yields
    lag: list[float] = field(default_factory=list)
    tokens: int = 0
    unmatched: int = 0


def figures(phase: Phase, token_ms: float) -> Figures:
    f = Figures()
    for t in phase.turns:
        sid = stream_id(t.first_delta) if t.text_times else None
        record = phase.records.get(sid) if sid is not None else None
        if record is None:
            f.unmatched += t.error is None
            continue
        timings = t.done.get("timings", {}) if t.done else {}
        first = (t.text_times[0] - t.started) * 1000
        routing, skills = timings.get("routing_ms", 0.0), timings.get("skills_ms", 0.0)
        f.ttft.append(first)
        f.added_ttft.append(first - routing - skills - record.ttft * 1000)
        f.routing.append(routing)
        f.skills.append(skills)
        times, yields = t.text_times, record.tokens
        n = min(len(times), len(yields))
        gaps = [(times[i] - times[i - 1]) * 1000 for i in range(1, n)]
        f.gap += gaps
        f.vs_nominal += [g - token_ms for g in gaps]
        f.vs_own += added_gaps(times, record)
        f.vs_yield += [g - (yields[i] - yields[i - 1]) * 1000 for i, g in enumerate(gaps, 1)]
        f.lag += lags(times, yields)
        f.tokens += len(times)
    return f


def report(phases: list[Phase], args: argparse.Namespace) -> None:
    data = {p.name: figures(p, args.token_ms) for p in phases}
    print(
        f"\n{'phase':12s} {'convs':>5s} {'errors':>6s} {'in flight':>9s} {'streaming':>9s} "
        f"{'wall s':>6s} {'server CPU s':>12s} {'per conv ms':>11s} {'client CPU s':>12s}"
    )
    for p in phases:
        errors = sum(t.error is not None for t in p.turns)
        print(
            f"{p.name:12s} {p.conversations:5d} {errors:6d} {p.peak_in_flight:9d} "
            f"{p.peak_streaming:9d} {p.wall_s:6.1f} {p.server_cpu_s:12.1f} "
            f"{p.server_cpu_s * 1000 / max(p.conversations, 1):11.1f} {p.client_cpu_s:12.1f}"
        )
    print("(in flight, streaming: peak requests open, peak answers between first text and end)")

    def both(values: list[float], fmt: str = "8.1f") -> str:
        return f"{pct(values, 50):{fmt}} {pct(values, 99):{fmt}}"

    print(f"\nms, p50 p99{'':4s}{'TTFT':>17s} {'added TTFT':>17s} {'routing':>17s} {'skills':>17s}")
    for name, f in data.items():
        print(f"{name:15s} {both(f.ttft)} {both(f.added_ttft)} {both(f.routing)} {both(f.skills)}")
    print(
        f"\nms, p50 p99{'':4s}{'client gap':>17s} {'added TBT':>17s} {'gap-own time':>17s} "
        f"{'gap-yield gap':>17s} {'token lag':>17s}"
    )
    for name, f in data.items():
        print(
            f"{name:15s} {both(f.gap)} {both(f.vs_nominal)} {both(f.vs_own)} "
            f"{both(f.vs_yield)} {both(f.lag)}"
        )
        if f.unmatched:
            print(f"{'':15s} {f.unmatched} answers without a model stream to match")
    print(
        f"(added TBT: the client's gap minus the model's {args.token_ms:g} ms per token; under "
        "load the scripted model's timer fires late on the server's busy event loop, so the "
        "gaps measured at the model stretch too and 'gap-own time' and 'gap-yield gap' hide "
        "that delay: see the docstring)"
    )
    print("\nserver RSS (MB): idle after warm-up -> peak during the phase; per conversation")
    for p in phases:
        per = (p.rss_peak_kb - p.rss_idle_kb) / max(p.conversations, 1)
        print(
            f"{p.name:12s} {p.rss_idle_kb / 1024:8.1f} -> {p.rss_peak_kb / 1024:8.1f}; "
            f"{per:.1f} KB per conversation"
        )
    failures = [t.error for p in phases for t in p.turns if t.error]
    if failures:
        kinds: dict[str, int] = {}
        for e in failures:
            kinds[e[:70]] = kinds.get(e[:70], 0) + 1
        print("errors: " + "; ".join(f"{k} x{v}" for k, v in sorted(kinds.items())))
    print("\nthe server's event loop and garbage collector during the phase; the client's loop:")
    for p in phases:
        if p.collector is not None:
            print(f"{p.name:12s} server: {p.collector.describe()}")
        late = p.client_stalls
        print(
            f"{p.name:12s} client: event loop late by p50 {pct(late, 50):.2f}, p99 "
            f"{pct(late, 99):.2f}, max {max(late, default=math.nan):.1f} ms"
        )
    for p in phases:
        if p.server_errors:
            print(f"{p.name} server log, first error:\n{p.server_errors}")
    print(
        "baseline: bare Starlette SSE of the same model in the same app (POST /bench/raw), same "
        "client, ramp and run"
    )
    mine, floor = data["careerpilot"], data.get("baseline")
    p99 = pct(mine.vs_nominal, 99)
    failed = sum(t.error is not None for t in phases[0].turns)
    ok = p99 <= TBT_TARGET_MS and not failed
    print(
        f"careerpilot: p99 added TBT {p99:.1f} ms (p99.9 {pct(mine.vs_nominal, 99.9):.1f}, max "
        f"{max(mine.vs_nominal, default=math.nan):.1f}) with {phases[0].conversations} "
        f"conversations, {failed} errors (target p99 <= {TBT_TARGET_MS:g} ms, no errors): "
        f"{'PASS' if ok else 'FAIL'}"
        + (f"; the baseline's p99 {pct(floor.vs_nominal, 99):.1f} ms" if floor else "")
    )


def print_profile(path: Path) -> None:
    """The careerpilot phase's server profile: the main thread only (cProfile), so the
    embedder's and SQLite's worker threads show as waits."""
    import io
    import pstats

    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(str(path), stream=out).sort_stats(order).print_stats(30)
        print(f"\nserver profile, careerpilot phase, by {order} (top 30):")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip()))


def main(args: argparse.Namespace) -> None:
    if args.quick:
        args.conversations = 100
    soft, hard = raise_open_files(2 * args.conversations + 256)
    print(
        f"{args.conversations} conversations ramped over {args.ramp_s:g} s; scripted model "
        f"{args.token_ms:g} ms/token, {args.tokens} tokens per answer; open files {soft}/{hard}"
    )
    print(machine_load())
    with prepared_data(args) as data:
        print(f"data: {data[0]}{' (small network)' if data[2] else ''}")
        phases = [asyncio.run(run_phase(name, data, args)) for name in ("careerpilot", "baseline")]
    report(phases, args)
    if args.profile_server:
        print_profile(args.profile_server)
    print(f"at the end: {machine_load()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="100 conversations")
    parser.add_argument("--token-ms", type=float, default=20.0, help="the model's ms per token")
    parser.add_argument("--tokens", type=int, default=60, help="tokens per answer")
    parser.add_argument("--ramp-s", type=float, default=1.0, help="seconds to start them all")
    parser.add_argument("--timeout-s", type=float, default=300.0, help="client timeouts")
    parser.add_argument(
        "--server-gc",
        choices=[t for t in GC_TUNINGS if t],
        default="",
        help="diagnosis: tune the server's garbage collector after the warm-up (see "
        "_scripted_flow.GC_TUNINGS); the app does not",
    )
    parser.add_argument(
        "--profile-server",
        type=Path,
        default=None,
        help="cProfile the careerpilot phase's server into this file and print its top entries",
    )
    add_data_options(parser)
    main(parser.parse_args())
