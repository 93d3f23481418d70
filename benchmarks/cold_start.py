"""Cold start of `careerpilot ask` and time to first text token on the embedded default.

Runs `careerpilot ask ... --json` as a fresh process (nothing warm but the OS page cache) and
times, from process start: the first event, the job_fit component, the first text token, and
the exit. Baseline in the same run: a fresh process of raw llama-cpp-python that loads the same
GGUF and streams the same prompt the agent sends, timed the same way.

    .venv/bin/python benchmarks/cold_start.py [--runs 5] [--member 1] [--job 1]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

RAW_BASELINE = textwrap.dedent(
    """
    import json, sys, time
    t0 = time.perf_counter()
    from llama_cpp import Llama
    messages = json.loads(sys.argv[2])
    llm = Llama(model_path=sys.argv[1], n_ctx=2048, verbose=False, seed=7)
    loaded = time.perf_counter()
    first = None
    for chunk in llm.create_chat_completion(messages, max_tokens=160, temperature=0.3, stream=True):
        if chunk["choices"][0]["delta"].get("content") and first is None:
            first = time.perf_counter()
            print(json.dumps({"load": loaded - t0, "first": first - t0}), flush=True)
    """
)


def time_ask(args: argparse.Namespace, env: dict[str, str]) -> dict[str, float]:
    cmd = [
        sys.executable,
        "-m",
        "careerpilot",
        "ask",
        "Am I a good fit for this job?",
        "--member",
        str(args.member),
        "--job",
        str(args.job),
        "--json",
    ]
    start = time.perf_counter()
    marks: dict[str, float] = {}
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            now = time.perf_counter() - start
            event = json.loads(line)
            marks.setdefault("first_event", now)
            if event["type"] == "component":
                marks.setdefault("component", now)
            if event["type"] == "text":
                marks.setdefault("first_token", now)
            if event["type"] == "error":
                raise SystemExit(f"ask failed: {event}")
    marks["exit"] = time.perf_counter() - start
    return marks


def prompt_messages(args: argparse.Namespace, env: dict[str, str]) -> list[dict[str, str]]:
    """The exact messages the agent sends for this member and job (scripted model, no LLM)."""
    code = textwrap.dedent(
        f"""
        import asyncio, json
        from careerpilot.agents.base import PageContext
        from careerpilot.config import Settings
        from careerpilot.llm.testing import ScriptedModel
        from careerpilot.pipeline.assistant import Assistant
        async def main():
            model = ScriptedModel("ok")
            a = await Assistant.open(Settings(), model=model)
            async for _ in a.turn("Am I a good fit for this job?", {args.member},
                                  PageContext(type="job", id={args.job})):
                pass
            await a.aclose()
            print(json.dumps([m.to_dict() for m in model.last_messages]))
        asyncio.run(main())
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def time_raw(gguf: str, messages: list[dict[str, str]]) -> dict[str, float]:
    """Same clock as ``time_ask``: from process start to the line the first token produces."""
    start = time.perf_counter()
    cmd = [sys.executable, "-c", RAW_BASELINE, gguf, json.dumps(messages)]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        first_line = proc.stdout.readline()
        first_token = time.perf_counter() - start
        proc.stdout.read()
    inner = json.loads(first_line)
    return {"load": inner["load"], "first_token": first_token, "exit": time.perf_counter() - start}


def summarise(name: str, runs: list[dict[str, float]]) -> dict[str, float]:
    keys = sorted({k for r in runs for k in r})
    row = {k: statistics.median(r[k] for r in runs if k in r) for k in keys}
    print(f"{name:<28}" + "  ".join(f"{k}={v * 1000:7.0f} ms" for k, v in row.items()))
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--member", type=int, default=1)
    parser.add_argument("--job", type=int, default=1)
    args = parser.parse_args()

    from careerpilot.config import Settings, default_gguf_path

    env = dict(os.environ)
    if "CAREERPILOT_DATA_DIR" not in env:
        env["CAREERPILOT_DATA_DIR"] = tempfile.mkdtemp(prefix="careerpilot-bench-")
    settings = Settings(data_dir=Path(env["CAREERPILOT_DATA_DIR"]))
    gguf = str(settings.llm.model_path or default_gguf_path())

    seed_start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "careerpilot", "data", "stats"],
        env=env,
        capture_output=True,
        check=False,
    )
    if not settings.network_db_path.exists():
        subprocess.run(
            [sys.executable, "-m", "careerpilot", "data", "seed"],
            env=env,
            check=True,
            capture_output=True,
        )
        print(f"seeded the default network in {time.perf_counter() - seed_start:.1f} s")

    messages = prompt_messages(args, env)
    print(f"runs: {args.runs}, member {args.member}, job {args.job}, model {Path(gguf).name}")
    ask = summarise("careerpilot ask (cold)", [time_ask(args, env) for _ in range(args.runs)])
    raw = summarise(
        "raw llama-cpp-python (cold)", [time_raw(gguf, messages) for _ in range(args.runs)]
    )
    overhead = ask["first_token"] - raw["first_token"]
    print(
        f"time to first token: careerpilot {ask['first_token'] * 1000:.0f} ms vs raw "
        f"{raw['first_token'] * 1000:.0f} ms (pipeline overhead {overhead * 1000:+.0f} ms)"
    )


if __name__ == "__main__":
    main()
