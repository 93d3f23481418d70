"""Run evaluation cases through the real pipeline, evaluate them, cache what is costly.

``run_suite`` plays every case's conversation through ``Assistant.turn`` (earlier turns become
history; the last is traced: skill calls with arguments and outputs, planner counters,
prompts), runs every evaluator on it, and returns one ``ItemResult`` per case. Cases run
``concurrency`` at a time.

The cache (``<data dir>/cache/eval``) keeps each case's run, keyed by the case, the model and
a fingerprint of the prompts and examples, so a second run re-evaluates without re-generating.
The judge's scores are cached by the run's answer and the judge's own fingerprint.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from careerpilot.evals.cases import Case
from careerpilot.evals.evaluators import CaseRun, Evaluator, Metrics
from careerpilot.evals.judge import JudgeEvaluator
from careerpilot.llm.base import ChatMessage
from careerpilot.pipeline.assistant import Assistant
from careerpilot.pipeline.trace import tracing

__all__ = ["ItemResult", "RunCache", "play_case", "run_suite"]


class ItemResult(BaseModel):
    id: str
    agent_expected: str
    agent: str | None
    critical: bool
    question: str
    text: str
    components: list[dict[str, Any]]
    metrics: dict[str, float | None]
    notes: dict[str, Any]
    prompt: list[dict[str, str]] | None = None  # the last narration's messages
    error: str | None = None
    cached: bool = False


def _fingerprint_files() -> str:
    digest = hashlib.sha256()
    root = resources.files("careerpilot.agents")
    for folder in ("prompts", "examples"):
        for entry in sorted(root.joinpath(folder).iterdir(), key=lambda e: e.name):
            digest.update(entry.name.encode())
            digest.update(entry.read_bytes())
    return digest.hexdigest()[:16]


class RunCache:
    """Case runs and judge scores on disk, as JSON files named by a content key."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._prompts = _fingerprint_files()

    def run_key(self, case: Case, model: str, extra: str = "") -> str:
        text = "\n".join((case.model_dump_json(), model, self._prompts, extra))
        return "run-" + hashlib.sha256(text.encode()).hexdigest()[:24]

    def get(self, key: str) -> Any:
        if self.directory is None:
            return None
        path = self.directory / f"{key}.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, key: str, value: Any) -> None:
        if self.directory is None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = self.directory / f"{key}.json.tmp"
        tmp.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
        tmp.replace(self.directory / f"{key}.json")


async def play_case(assistant: Assistant, case: Case) -> tuple[CaseRun, list[dict[str, str]]]:
    """Play the case's turns; return the traced last turn and its last prompt."""
    history: list[ChatMessage] = []
    previous_agent: str | None = None
    run = CaseRun(case)
    prompt: list[dict[str, str]] = []
    for position, turn in enumerate(case.turns):
        last = position == len(case.turns) - 1
        with tracing() as trace:
            events = [
                event.model_dump(mode="json")
                async for event in assistant.turn(
                    turn.text, case.member_id, turn.context, history, previous_agent
                )
            ]
        text = "".join(e["delta"] for e in events if e["type"] == "text")
        agent = next((e["agent"] for e in events if e["type"] == "route"), None)
        history += [ChatMessage("user", turn.text), ChatMessage("assistant", text)]
        previous_agent = agent or previous_agent
        if last:
            done = next((e for e in events if e["type"] == "done"), None)
            error = next((e for e in events if e["type"] == "error"), None)
            run = CaseRun(
                case,
                agent=agent,
                text=text,
                components=[e["component"] for e in events if e["type"] == "component"],
                events=events,
                skills=[asdict(s) for s in trace.skills],
                plan=dict(trace.plan),
                timings=done["timings"] if done else {},
                usage=done["usage"] if done else {},
                error=f"{error['code']}: {error['message']}" if error else None,
            )
            prompt = trace.prompts[-1] if trace.prompts else []
    return run, prompt


def _restore(case: Case, stored: dict[str, Any]) -> tuple[CaseRun, list[dict[str, str]]]:
    fields = {k: v for k, v in stored.items() if k not in ("case", "prompt")}
    return CaseRun(case, **fields), stored.get("prompt") or []


async def _evaluate(
    run: CaseRun, evaluators: Sequence[Evaluator], cache: RunCache, judge_key: str | None
) -> Metrics:
    metrics: Metrics = {}
    for evaluator in evaluators:
        if isinstance(evaluator, JudgeEvaluator) and judge_key is not None:
            key = (
                "judge-"
                + hashlib.sha256(
                    (judge_key + run.case.question.text + run.answer).encode()
                ).hexdigest()[:24]
            )
            cached = cache.get(key)
            if cached is None:
                cached = await evaluator.evaluate(run)
                cache.put(key, cached)
            metrics.update(cached)
        else:
            metrics.update(await evaluator.evaluate(run))
    return metrics


async def run_suite(
    assistant: Assistant,
    cases: Sequence[Case],
    evaluators: Sequence[Evaluator],
    *,
    cache: RunCache,
    concurrency: int = 2,
    on_done: Callable[[ItemResult], None] | None = None,
) -> list[ItemResult]:
    gate = asyncio.Semaphore(concurrency)
    model = assistant.model.name
    judge = next((e for e in evaluators if isinstance(e, JudgeEvaluator)), None)
    judge_key = judge.judge.fingerprint if judge is not None else None
    extra = f"{assistant.settings.examples_k}/{assistant.settings.llm.max_tokens}"

    async def one(case: Case) -> ItemResult:
        async with gate:
            key = cache.run_key(case, model, extra)
            stored = cache.get(key)
            if stored is not None:
                run, prompt = _restore(case, stored)
            else:
                run, prompt = await play_case(assistant, case)
                if run.error is None:  # a failed run is retried next time, not remembered
                    record = {k: v for k, v in asdict(run).items() if k != "case"}
                    cache.put(key, {**record, "prompt": prompt})
            metrics = await _evaluate(run, evaluators, cache, judge_key)
        item = ItemResult(
            id=case.id,
            agent_expected=case.agent,
            agent=run.agent,
            critical=case.critical,
            question=case.question.text,
            text=run.text,
            components=run.components,
            metrics=metrics,
            notes=run.notes,
            prompt=prompt or None,
            error=run.error,
            cached=stored is not None,
        )
        if on_done is not None:
            on_done(item)
        return item

    return list(await asyncio.gather(*(one(case) for case in cases)))
