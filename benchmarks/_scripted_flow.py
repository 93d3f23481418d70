"""Shared parts of the streaming benchmarks (not a benchmark itself).

``pipeline_overhead.py``, ``sse_concurrency.py`` and ``langgraph_flow.py`` all run careerpilot
turns against ``ScriptedModel`` at a fixed token rate, wrapped in ``TimedModel``, which records
when each stream was requested and when the model yielded each token. Comparing those times
with the times at which the consumer (``Assistant.turn``, an SSE client, a LangGraph stream)
sees each token gives careerpilot's added latency over the model's own. ``time.perf_counter``
is ``CLOCK_MONOTONIC`` on Linux, one clock for every process of the machine, so a server
process's model timestamps compare directly with a client process's.

The HTTP benchmarks run the real app (``create_app``) under uvicorn in a subprocess started by
``ServerProcess``, which runs this file:

    .venv/bin/python benchmarks/_scripted_flow.py serve --data-dir D --work-dir W --port P

That server adds routes for benchmarks only: ``GET /bench/streams`` (the model's timestamps,
and when the server wrote each text event to the socket), ``GET /bench/gc`` (its garbage
collector's pauses and its event loop's stalls) and ``POST /bench/raw`` (the scripted model
streamed as SSE by a bare Starlette ``StreamingResponse``: the transport floor, no careerpilot
pipeline).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from array import array
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from careerpilot.agents.base import PageContext
from careerpilot.config import NetworkSize, Settings, default_data_dir
from careerpilot.llm.base import ChatMessage, Chunk, GenerationOptions
from careerpilot.llm.testing import ScriptedModel

AGENTS = ("job_assessment", "post_takeaways", "company", "career_advice", "general")
AGENT_LABELS = {
    "job_assessment": "job page",
    "post_takeaways": "post page",
    "company": "company page",
    "career_advice": "career question",
    "general": "general question",
}
# The network the tests seed (tests/conftest.py), for --small.
SMALL = NetworkSize(companies=25, members=150, jobs=250, posts=300)

_REPLY_TEXT = (
    "You match most of what this role asks for: Python, SQL and data modelling are all on "
    "your profile, and your four years as an analyst sit inside the range the team wants. "
    "The gap is cloud tooling, which the posting lists as required, so a short course on it "
    "would close the main difference. Your stakeholder work and dashboards are extras they "
    "would value. Apply, and lead with the pipeline projects you shipped last year, since "
    "they show the ownership the listing stresses throughout its description of the team."
)
_WORDS = _REPLY_TEXT.split()

# The tag the model's first token starts with, so that a client can tell which model stream
# it is reading when many run at once: "[s17] You".
_TAG = re.compile(r"\[s(\d+)\]")


def scripted_reply(tokens: int) -> str:
    """A plausible answer of exactly ``tokens`` ScriptedModel tokens (words)."""
    return " ".join(_WORDS[i % len(_WORDS)] for i in range(tokens))


def stream_id(first_delta: str) -> int | None:
    match = _TAG.match(first_delta)
    return int(match.group(1)) if match else None


@dataclass
class StreamRecord:
    """One narration stream, timed at the model: its request; for each token, when the model
    was asked for it (``asked``) and when it yielded it (``tokens``); its end.

    ``tokens[i] - asked[i]`` is the model's own time for token i. Between ``tokens[i]`` and
    ``asked[i + 1]`` the consumer holds the stream: in a pull pipeline such as careerpilot's,
    that is the pipeline's per-token work, which delays the next token however fast the model
    is; so a consumer's gap is compared with the model's own time for the token, not with the
    gap between two yields."""

    requested: float
    asked: array[float] = field(default_factory=lambda: array("d"))
    tokens: array[float] = field(default_factory=lambda: array("d"))
    finished: float = math.nan
    # Over HTTP: when the server wrote each text event to the socket (``SendTimes``).
    writes: list[float] = field(default_factory=list)

    @property
    def ttft(self) -> float:
        return self.tokens[0] - self.requested

    @property
    def busy(self) -> float:
        """The model's own time: the sum of its time per token (seconds)."""
        return sum(t - a for a, t in zip(self.asked, self.tokens, strict=True))

    @property
    def held(self) -> float:
        """The time the consumer held tokens before asking for the next one (seconds): in a
        pull pipeline, its work per token on the model's critical path."""
        return sum(a - t for t, a in zip(self.tokens, self.asked[1:], strict=False))

    def to_json(self) -> dict[str, Any]:
        return {
            "requested": self.requested,
            "asked": list(self.asked),
            "tokens": list(self.tokens),
            "finished": self.finished,
            "writes": self.writes,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StreamRecord:
        return cls(
            data["requested"],
            array("d", data["asked"]),
            array("d", data["tokens"]),
            data["finished"],
            data.get("writes", []),
        )


class TimedModel:
    """``ScriptedModel`` at a fixed token rate (it sleeps ``token_s`` before each token),
    timestamping every narration stream at the model.

    ``free_running`` False (the default): the consumer pulls each token, as from
    ``ScriptedModel`` itself; the model starts its next token's sleep only when asked, so the
    time the consumer holds each token adds to the stream's length. True: a task drives the
    model at its own pace into a queue that the consumer reads, as careerpilot's real backends
    do (llama.cpp on its worker thread hands chunks over through an ``asyncio.Queue``; an
    OpenAI-compatible server keeps generating into the socket); the consumer's work per token
    then overlaps the model's.

    Each stream's first token is prefixed with ``[s<id>]``. Constrained-decoding calls (the
    router's fallback, planners) pass through untimed. ``ScriptedModel.calls`` is cleared after
    each stream so that a long run does not grow the process.
    """

    def __init__(self, token_s: float, tokens: int, *, free_running: bool = False) -> None:
        self.inner = ScriptedModel(scripted_reply(tokens), delay_s=token_s)
        self.name = "scripted"
        self.free_running = free_running
        self.records: dict[int, StreamRecord] = {}
        self.untimed = 0
        self._next = 0

    async def stream(
        self, messages: Sequence[ChatMessage], options: GenerationOptions | None = None
    ) -> AsyncIterator[Chunk]:
        if options is not None and options.json_schema is not None:
            self.untimed += 1
            async for chunk in self.inner.stream(messages, options):
                yield chunk
            return
        sid = self._next
        self._next += 1
        record = self.records[sid] = StreamRecord(time.perf_counter())
        chunks = self._timed(self.inner.stream(messages, options), record)
        if self.free_running:
            chunks = _free_running(chunks)
        tagged = False
        try:
            async for chunk in chunks:
                if chunk.delta and not tagged:
                    tagged = True
                    chunk = Chunk(f"[s{sid}]{chunk.delta}", chunk.usage, chunk.finish_reason)
                yield chunk
        finally:
            await chunks.aclose()  # type: ignore[attr-defined]
            record.finished = time.perf_counter()
            self.inner.calls.clear()

    @staticmethod
    async def _timed(inner: AsyncIterator[Chunk], record: StreamRecord) -> AsyncIterator[Chunk]:
        now = time.perf_counter
        following = inner.__anext__
        try:
            while True:
                asked = now()
                try:
                    chunk = await following()
                except StopAsyncIteration:
                    return
                if chunk.delta:
                    record.tokens.append(now())
                    record.asked.append(asked)
                yield chunk
        finally:
            await inner.aclose()  # type: ignore[attr-defined]

    def take(self) -> dict[int, StreamRecord]:
        records, self.records = self.records, {}
        return records


async def _free_running(chunks: AsyncIterator[Chunk]) -> AsyncIterator[Chunk]:
    """Drive ``chunks`` from a task into a queue, and yield from the queue."""
    queue: asyncio.Queue[Chunk | BaseException | None] = asyncio.Queue()

    async def produce() -> None:
        try:
            async for chunk in chunks:
                queue.put_nowait(chunk)
            queue.put_nowait(None)
        except Exception as exc:
            queue.put_nowait(exc)
        finally:
            await chunks.aclose()  # type: ignore[attr-defined]

    task = asyncio.create_task(produce())
    try:
        while (item := await queue.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@dataclass(frozen=True, slots=True)
class TurnInput:
    agent: str  # the agent this input is meant for
    question: str
    page: PageContext | None
    member_id: int

    @property
    def context(self) -> dict[str, Any] | None:
        return self.page.model_dump() if self.page else None


_JOB_QUESTIONS = (
    "Am I a good fit for this job?",
    "Should I apply for this role?",
    "How well do I match this position?",
    "Do I have the skills for this job?",
)
_POST_QUESTIONS = (
    "Summarise this post",
    "What are the key takeaways of this post?",
    "Give me the main points of this post",
    "tl;dr of this post?",
)
_COMPANY_QUESTIONS = (
    "What does this company do?",
    "Tell me about this company",
    "How big is this company?",
    "Is this company hiring?",
)
_CAREER_QUESTIONS = (
    "How do I become a data scientist?",
    "What skills should I learn next?",
    "How can I move into product management?",
    "How do I get promoted in my field?",
    "how to become senior engineer faster",
    "which programming language should i learn to become a data analyst",
    "what would help me get promoted to nurse manager",
    "help me plan a move from sales into marketing",
    "What should I learn to become a UX designer?",
    "How do I grow my career from here?",
    "what should a finance analyst learn to move into fp&a leadership",
    "how do i go from individual contributor to manager",
    "What should I learn to become a DevOps engineer?",
    "How can I move into project management?",
    "What do I need to become a marketing manager?",
    "How do I become a product designer?",
    "What should I study to become a financial analyst?",
    "How can I become an HR business partner?",
    "What skills do I need for a machine learning engineer role?",
    "How do I move into data engineering?",
)
_GENERAL_QUESTIONS = (
    "What is a notice period?",
    "What does a recruiter do?",
    "What is an applicant tracking system?",
    "What are RSUs?",
    "What is a probationary period?",
    "whats a cliff in stock vesting",
    "what is a stay interview",
    "what is a non solicitation clause",
    "hiring manager vs recruiter difference",
    "what is a job requisition",
    "what is garden leave",
    "difference between a cv and a cover letter?",
    "what are transferable skills",
    "how does a sign-on bonus usually work",
    "what is an employee stock purchase plan",
    "what is a reference check",
    "what's a contract-to-hire role",
    "what is an informational interview",
    "What is a counter offer?",
    "What is a 401(k) match?",
)


def turn_inputs(per_agent: int, members: int = 150, offset: int = 0) -> dict[str, list[TurnInput]]:
    """``per_agent`` inputs for each agent, on pages that exist in the small network too.

    ``offset`` shifts the page ids and questions, so a warm-up round can use other inputs.
    """
    out: dict[str, list[TurnInput]] = {agent: [] for agent in AGENTS}
    for n in range(offset, offset + per_agent):
        member = 1 + (n * 7) % members
        out["job_assessment"].append(
            TurnInput(
                "job_assessment",
                _JOB_QUESTIONS[n % len(_JOB_QUESTIONS)],
                PageContext(type="job", id=1 + (n * 11) % 250),
                member,
            )
        )
        out["post_takeaways"].append(
            TurnInput(
                "post_takeaways",
                _POST_QUESTIONS[n % len(_POST_QUESTIONS)],
                PageContext(type="post", id=1 + (n * 13) % 300),
                member,
            )
        )
        out["company"].append(
            TurnInput(
                "company",
                _COMPANY_QUESTIONS[n % len(_COMPANY_QUESTIONS)],
                PageContext(type="company", id=1 + n % 25),
                member,
            )
        )
        out["career_advice"].append(
            TurnInput("career_advice", _CAREER_QUESTIONS[n % len(_CAREER_QUESTIONS)], None, member)
        )
        out["general"].append(
            TurnInput("general", _GENERAL_QUESTIONS[n % len(_GENERAL_QUESTIONS)], None, member)
        )
    return out


def interleaved(inputs: dict[str, list[TurnInput]]) -> list[TurnInput]:
    """One input per agent per round: job, post, company, career, general, job, ..."""
    rounds = max(len(v) for v in inputs.values())
    return [inputs[a][i] for i in range(rounds) for a in AGENTS if i < len(inputs[a])]


# --- data directory and settings ----------------------------------------------------------


def add_data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="a seeded careerpilot data directory (default: the user's, if seeded; otherwise "
        "a small network seeded in a temporary directory)",
    )
    parser.add_argument(
        "--small",
        action="store_true",
        help="seed a small network in a temporary directory even if the default one exists",
    )


def bench_settings(data_dir: Path, work_dir: Path, small: bool) -> Settings:
    """Settings over ``data_dir`` (read only) that write conversations and the signing key to
    ``work_dir``, never to the user's data directory."""
    settings = Settings(data_dir=data_dir, network=SMALL) if small else Settings(data_dir=data_dir)
    # These benchmarks measure the pipeline, not an operator's limits: the scripted model
    # streams any number of answers at once (as a model server does), and no deadline,
    # admission bound, rate limit or token budget cuts a turn short.
    settings = settings.model_copy(
        update={
            "llm": settings.llm.model_copy(update={"max_concurrency": 1_000_000}),
            "server": settings.server.model_copy(
                update={
                    "max_concurrent_turns": 1_000_000,
                    "member_messages_per_minute": 1e9,
                    "member_message_burst": 1_000_000,
                }
            ),
            "turn_deadline_s": None,
            "turn_token_budget": None,
            "member_daily_token_budget": None,
        }
    )
    settings.__dict__["app_db_url"] = f"sqlite+aiosqlite:///{work_dir / 'app.sqlite3'}"
    settings.__dict__["signing_key_path"] = work_dir / "signing.key"
    return settings


@contextmanager
def prepared_data(args: argparse.Namespace) -> Iterator[tuple[Path, Path, bool]]:
    """(data dir, work dir, small): the chosen data directory, seeded and indexed, and a
    temporary work directory for conversations and keys. Seeding and indexing a small network
    takes about a minute, once per run."""
    from careerpilot.network.seeding import is_seeded

    with tempfile.TemporaryDirectory(prefix="careerpilot-bench-") as tmp:
        work = Path(tmp)
        data_dir: Path = args.data_dir or default_data_dir()
        small = bool(args.small)
        if args.data_dir is None and (small or not is_seeded(Settings(data_dir=data_dir))):
            data_dir, small = work / "data", True
        if small:
            print(f"seeding and indexing a small network in {data_dir} ...", flush=True)
            started = time.perf_counter()
            asyncio.run(_open_once(bench_settings(data_dir, work, small=True)))
            print(f"  ready in {time.perf_counter() - started:.0f} s", flush=True)
        yield data_dir, work, small


async def _open_once(settings: Settings) -> None:
    from careerpilot.pipeline.assistant import Assistant

    assistant = await Assistant.open(settings, model=ScriptedModel("OK"))
    await assistant.aclose()


# --- statistics ---------------------------------------------------------------------------


def pct(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else math.nan


def added_gaps(consumer: Sequence[float], record: StreamRecord) -> list[float]:
    """Per token after the first: the consumer's gap minus the model's own time for that token
    (see ``StreamRecord``), in ms."""
    n = min(len(consumer), len(record.tokens))
    own = [t - a for a, t in zip(record.asked, record.tokens, strict=True)]
    return [((consumer[i] - consumer[i - 1]) - own[i]) * 1000 for i in range(1, n)]


def lags(consumer: Sequence[float], model: Sequence[float]) -> list[float]:
    """Per token: when the consumer saw it minus when the model yielded it, in ms."""
    return [(c - m) * 1000 for c, m in zip(consumer, model, strict=False)]


def machine_load() -> str:
    """Other work on the machine skews every figure here: say how busy it was."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


# Ways to tune a server's garbage collector again after its warm-up, to see what it costs
# (diagnoses on top of what the app does at start-up, see ``server.gc_freeze``): ``freeze``
# moves every object there is to the permanent generation, so that full collections stop
# scanning it; ``tuned`` also makes young collections rarer and full ones much rarer.
GC_TUNINGS = ("", "freeze", "tuned")
TUNED_THRESHOLDS = (50_000, 20, 100)


class GcPauses:
    """Times the garbage collector's pauses in this process, per generation (``gc.callbacks``)."""

    def __init__(self) -> None:
        self.pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses[info["generation"]].append((time.perf_counter() - self._started) * 1000)

    def take(self) -> dict[int, list[float]]:
        pauses, self.pauses = self.pauses, {0: [], 1: [], 2: []}
        return pauses

    @staticmethod
    def describe(pauses: dict[int, list[float]]) -> str:
        return "; ".join(
            f"gen {g}: {len(v)} pauses, max {max(v, default=0.0):.2f} ms, total {sum(v):.1f} ms"
            for g, v in pauses.items()
        )


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


# --- the server subprocess ----------------------------------------------------------------


@dataclass
class ServerGc:
    pauses: dict[int, list[float]]
    tracked: int
    frozen: int
    stalls: list[float]

    def describe(self) -> str:
        late = self.stalls
        return (
            f"{self.tracked:,} objects tracked, {self.frozen:,} frozen; "
            f"{GcPauses.describe(self.pauses)}; event loop late by p50 {pct(late, 50):.2f}, "
            f"p99 {pct(late, 99):.2f}, max {max(late, default=math.nan):.1f} ms"
        )


class ServerProcess:
    """careerpilot's app under uvicorn in a subprocess, with the scripted model."""

    def __init__(
        self,
        data_dir: Path,
        work_dir: Path,
        small: bool,
        token_s: float,
        tokens: int,
        port: int | None = None,
        profile: Path | None = None,
    ) -> None:
        from careerpilot.server.auth import TokenSigner, load_or_create_key

        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = work_dir / "server.log"
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "serve",
            "--data-dir",
            str(data_dir),
            "--work-dir",
            str(work_dir),
            "--port",
            str(self.port),
            "--token-ms",
            str(token_s * 1000),
            "--tokens",
            str(tokens),
        ]
        if small:
            command.append("--small")
        if profile is not None:
            command += ["--profile", str(profile)]
        self.command = command
        self.settings = bench_settings(data_dir, work_dir, small)
        self.signer = TokenSigner(
            load_or_create_key(self.settings.signing_key_path), self.settings.token_ttl_s
        )
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> ServerProcess:
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 300
        while True:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                tail = self.log_path.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"the benchmark server did not start:\n{tail}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)

    def __exit__(self, *_exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            # SIGINT: uvicorn shuts down, then re-raises it as KeyboardInterrupt, so the
            # server's ``finally`` (the profile dump) runs; SIGTERM would end it there.
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @contextmanager
    def pinned(self) -> Iterator[str]:
        """Pin every thread of the server to the last core and this process to the others (on
        2 cores, the client and the server then never compete for one), for the duration."""
        cores = sorted(os.sched_getaffinity(0))
        if len(cores) < 2:
            yield "not pinned: one core"
            return
        mine = set(cores[:-1])
        subprocess.run(
            ["taskset", "-a", "-cp", str(cores[-1]), str(self.pid)], check=True, capture_output=True
        )
        os.sched_setaffinity(0, mine)
        try:
            yield f"server pinned to core {cores[-1]}, client to {sorted(mine)}"
        finally:
            os.sched_setaffinity(0, set(cores))

    def first_error(self) -> str:
        """The first error in the server's log, if any: its careerpilot frames and last lines,
        and how many errors the log holds."""
        lines = self.log_path.read_text(errors="replace").splitlines()
        starts = [i for i, line in enumerate(lines) if line.startswith("ERROR")]
        if not starts:
            return ""
        end = starts[1] if len(starts) > 1 else len(lines)
        block = lines[starts[0] : end]
        kept = [block[0]]
        for i, line in enumerate(block):
            if "/careerpilot/" in line and line.lstrip().startswith("File"):
                kept += block[i : i + 2]
        kept += [line for line in block if line and not line[0].isspace()][-3:]
        return f"({len(starts)} errors in the log)\n" + "\n".join(kept)

    def headers(self, member_id: int) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.signer.issue(member_id)}"}

    async def _bench_get(self, path: str, params: dict[str, Any]) -> httpx.Response:
        # A connection of its own: a pooled one may be one the server is just closing.
        async with httpx.AsyncClient(timeout=120) as own:
            response = await own.get(f"{self.url}{path}", params=params)
        response.raise_for_status()
        return response

    async def gc_pauses(self, *, tune: str = "") -> ServerGc:
        """The server's garbage-collector pauses and event-loop stalls since the last call, the
        objects its collector tracks and those frozen. ``tune`` (see ``GC_TUNINGS``) changes
        the server's collector now."""
        response = await self._bench_get("/bench/gc", {"tune": tune})
        data = response.json()
        pauses = {int(g): v for g, v in data["pauses"].items()}
        return ServerGc(pauses, int(data["tracked"]), int(data["frozen"]), data["stalls"])

    async def streams(self) -> dict[int, StreamRecord]:
        """The model's timestamps since the last call (and forget them)."""
        response = await self._bench_get("/bench/streams", {})
        return {int(k): StreamRecord.from_json(v) for k, v in response.json().items()}


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --- the SSE client -----------------------------------------------------------------------


@dataclass
class ClientTurn:
    """What an SSE client saw of one turn, timed with ``perf_counter``."""

    started: float
    text_times: list[float] = field(default_factory=list)
    first_delta: str = ""
    event_types: list[str] = field(default_factory=list)
    done: dict[str, Any] | None = None
    agent: str | None = None
    error: str | None = None
    finished: float = math.nan
    first_byte: float = math.nan


async def sse_turn(
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    body: dict[str, Any],
    *,
    keep_types: bool = False,
    on_first: Callable[[], None] | None = None,
) -> ClientTurn:
    """POST ``body`` to ``url`` and read the SSE answer to its end, timing each text event at
    the moment its bytes arrived. Only ``route``, ``done``, ``error`` and the first ``text``
    are parsed; ``on_first`` is called when the first text arrives."""
    turn = ClientTurn(time.perf_counter())
    buffer = b""
    try:
        async with client.stream("POST", url, json=body, headers=headers) as response:
            if response.status_code != 200:
                await response.aread()
                turn.error = f"HTTP {response.status_code}: {response.text[:200]}"
                return turn
            async for data in response.aiter_raw():
                now = time.perf_counter()
                if not turn.text_times and math.isnan(turn.first_byte):
                    turn.first_byte = now
                buffer += data
                *blocks, buffer = buffer.split(b"\n\n")
                for block in blocks:
                    _read_block(turn, block, now, keep_types)
                if on_first is not None and turn.text_times:
                    on_first()
                    on_first = None
    except (httpx.HTTPError, OSError) as exc:
        turn.error = f"{type(exc).__name__}: {exc}"
    turn.finished = time.perf_counter()
    if turn.error is None and turn.done is None:
        turn.error = "the stream ended without done"
    return turn


def _read_block(turn: ClientTurn, block: bytes, now: float, keep_types: bool) -> None:
    kind = ""
    data = b""
    for line in block.split(b"\n"):
        if line.startswith(b"event: "):
            kind = line[7:].decode()
        elif line.startswith(b"data: "):
            data = line[6:]
    if keep_types:
        turn.event_types.append(kind)
    if kind == "text":
        if not turn.text_times:
            turn.first_delta = json.loads(data)["delta"]
        turn.text_times.append(now)
    elif kind == "route":
        turn.agent = json.loads(data)["agent"]
    elif kind == "done":
        turn.done = json.loads(data)
    elif kind == "error":
        turn.error = json.loads(data).get("code", "error")


def http_client(connections: int | None = None, timeout_s: float = 120.0) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        timeout=httpx.Timeout(timeout_s, connect=timeout_s, pool=timeout_s),
    )


# --- the server subprocess's main ---------------------------------------------------------


class SendTimes:
    """ASGI middleware: when the server wrote each text event of each SSE answer to the socket
    (after ``send`` returns: uvicorn has handed the bytes to the transport), by model stream."""

    _SID = re.compile(rb'"delta": ?"\[s(\d+)\]')

    def __init__(self, app: Any) -> None:
        self.app = app
        self.writes: dict[int, list[float]] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        times: list[float] = []

        async def timed(message: dict[str, Any]) -> None:
            await send(message)
            body = message.get("body", b"") if message["type"] == "http.response.body" else b""
            if body.startswith(b"event: text"):
                times.append(time.perf_counter())
                if len(times) == 1 and (match := self._SID.search(body)):
                    self.writes[int(match.group(1))] = times

        await self.app(scope, receive, timed)


def serve(arguments: argparse.Namespace) -> None:
    import uvicorn
    from fastapi.responses import StreamingResponse

    from careerpilot.server.app import create_app

    settings = bench_settings(arguments.data_dir, arguments.work_dir, arguments.small)
    model = TimedModel(arguments.token_ms / 1000, arguments.tokens)
    app = create_app(settings, model=model)
    sends = SendTimes(app)
    pauses = GcPauses()
    stalls = LoopStalls()

    @app.get("/bench/gc", include_in_schema=False)
    async def gc_pauses(tune: str = "") -> dict[str, Any]:
        """The server's garbage-collector pauses since the last call (ms, per generation), the
        objects it tracks, and how late a 5 ms ticker on the event loop woke since the last
        call (the first call starts it). ``tune``: change the collector (``GC_TUNINGS``)."""
        stalls.start()
        if tune in ("freeze", "tuned"):
            gc.collect()
            gc.freeze()
        if tune == "tuned":
            gc.set_threshold(*TUNED_THRESHOLDS)
        return {
            "pauses": {str(g): v for g, v in pauses.take().items()},
            "tracked": len(gc.get_objects()),
            "frozen": gc.get_freeze_count(),
            "stalls": stalls.take(),
        }

    @app.get("/bench/streams", include_in_schema=False)
    async def streams() -> dict[str, Any]:
        records = model.take()
        for sid, record in records.items():
            record.writes = sends.writes.pop(sid, [])
        return {str(k): v.to_json() for k, v in records.items()}

    @app.post("/bench/raw", include_in_schema=False, response_model=None)
    async def raw() -> StreamingResponse:
        """The baseline: the scripted model as SSE, nothing else."""

        async def events() -> AsyncIterator[str]:
            async for chunk in model.stream([ChatMessage("user", "hi")], GenerationOptions()):
                if chunk.delta:
                    data = json.dumps({"type": "text", "delta": chunk.delta})
                    yield f"event: text\ndata: {data}\n\n"
            yield 'event: done\ndata: {"type": "done", "usage": {}, "timings": {}}\n\n'

        return StreamingResponse(events(), media_type="text/event-stream")

    profile = cProfile.Profile() if arguments.profile else None
    if profile is not None:
        profile.enable()
    try:
        uvicorn.run(sends, host="127.0.0.1", port=arguments.port, log_level="warning", backlog=4096)
    finally:
        if profile is not None:
            profile.disable()
            profile.dump_stats(arguments.profile)


class LoopStalls:
    """How late a ticker that sleeps 5 ms at a time wakes: the event loop's longest stalls."""

    def __init__(self) -> None:
        self.late_ms: list[float] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._tick())

    async def _tick(self) -> None:
        while True:
            due = time.perf_counter() + 0.005
            await asyncio.sleep(0.005)
            self.late_ms.append((time.perf_counter() - due) * 1000)

    def take(self) -> list[float]:
        late, self.late_ms = self.late_ms, []
        return late

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    server = commands.add_parser("serve", help="run the benchmark server")
    server.add_argument("--data-dir", type=Path, required=True)
    server.add_argument("--work-dir", type=Path, required=True)
    server.add_argument("--small", action="store_true")
    server.add_argument("--port", type=int, required=True)
    server.add_argument("--token-ms", type=float, default=20.0)
    server.add_argument("--tokens", type=int, default=60)
    server.add_argument("--profile", type=Path, default=None, help="cProfile stats to this file")
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    serve(parser.parse_args())
