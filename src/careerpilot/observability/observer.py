"""The turn observer: what the server tells it when a turn ends becomes metrics, spans and one
log line. It reads the events as they were sent (JSON), and the turn's ``TurnTimer`` when the
request context caught it; nothing runs per token."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter
from opentelemetry.util.types import AttributeValue

from careerpilot.agents.plan_metrics import PlanMetrics
from careerpilot.config import ObservabilitySettings
from careerpilot.llm.base import Usage
from careerpilot.observability.context import current_request
from careerpilot.observability.metrics import Metrics
from careerpilot.observability.tracing import (
    SkillMark,
    TurnSpans,
    make_tracer_provider,
    new_turn_ids,
    record_turn_spans,
)
from careerpilot.pipeline.events import StatusEvent
from careerpilot.pipeline.timing import TurnTimer

__all__ = ["TurnObserver", "TurnSummary", "summarize_events"]

log = logging.getLogger(__name__)

_READ = ('{"type":"route"', '{"type":"status"', '{"type":"done"', '{"type":"error"')
# Keys of `done.timings` that are not stages.
_NOT_STAGES = frozenset({"ttft", "tbt_p50", "tbt_p99", "first_component", "total"})
# Keys of `done.timings` from the endpoint pool, not the timer: time waiting for and holding
# an LLM slot, observed as stages.
_SLOT_STAGES = ("llm_wait", "llm_hold")


@dataclass
class TurnSummary:
    """What the sent events say about a turn (its text is not kept)."""

    agent: str | None = None
    route_fallback: bool = False
    error_code: str | None = None
    failed_skills: list[str] = field(default_factory=list)
    usage: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def summarize_events(events: Sequence[str]) -> TurnSummary:
    """Read the route, status, done and error events among ``events`` (each one's JSON as sent;
    the many text events are skipped by their prefix, unparsed)."""
    summary = TurnSummary()
    for data in events:
        if not data.startswith(_READ):
            continue
        event: dict[str, Any] = json.loads(data)
        kind = event["type"]
        if kind == "route":
            summary.agent = event.get("agent")
            summary.route_fallback = bool(event.get("fallback"))
        elif kind == "status":
            if event.get("state") == "failed" and event.get("skill"):
                summary.failed_skills.append(str(event["skill"]))
        elif kind == "done":
            summary.usage = dict(event.get("usage") or {})
            summary.timings = dict(event.get("timings") or {})
        else:
            summary.error_code = str(event.get("code") or "error")
    return summary


class TurnObserver:
    """One per app: the Prometheus registry, the tracer provider, and ``turn_finished``."""

    def __init__(
        self,
        settings: ObservabilitySettings | None = None,
        *,
        plan_metrics: Iterable[PlanMetrics] = (),
        span_exporter: SpanExporter | None = None,
    ) -> None:
        self.settings = settings or ObservabilitySettings()
        self.metrics = Metrics()
        sources = list({id(m): m for m in plan_metrics}.values())
        self.metrics.add_plan_source(lambda: [m.snapshot() for m in sources])
        self.provider: TracerProvider
        self.provider, self._exporting = make_tracer_provider(self.settings, extra=span_exporter)
        self.tracer = self.provider.get_tracer("careerpilot")

    @classmethod
    def for_assistant(cls, settings: ObservabilitySettings, assistant: Any) -> TurnObserver:
        """An observer that also exports the counters of the assistant's planners."""
        found: list[PlanMetrics] = []
        for agent in getattr(assistant, "agents", {}).values():
            metrics = getattr(getattr(agent, "planner", None), "metrics", None)
            if isinstance(metrics, PlanMetrics):
                found.append(metrics)
        return cls(settings, plan_metrics=found)

    @property
    def exporting(self) -> bool:
        """Whether spans go anywhere (else none are built)."""
        return self._exporting

    def trace_headers(self) -> dict[str, str]:
        """For the response that streams a turn: ``traceresponse`` with the ids its turn span
        will have (the caller's trace when it sent a ``traceparent``). Empty when no spans are
        exported, or outside a message post."""
        context = current_request()
        if not self._exporting or context is None or context.turn_id is None:
            return {}
        if context.trace_ids is None:
            context.trace_ids = new_turn_ids(context.trace_parent)
        return {"traceresponse": context.trace_ids.traceresponse()}

    def skill_status(self, event: StatusEvent) -> None:
        """A status event as the turn emits it (the server calls this for each one): a skill's
        is marked with the time, for its span. Nothing is kept when no spans are exported."""
        if not self._exporting or event.stage != "skill" or not event.skill:
            return
        context = current_request()
        if context is not None:
            context.skill_marks.append(
                SkillMark(
                    time.perf_counter(), event.skill, event.state, event.duration_ms, event.detail
                )
            )

    def add_span_exporter(self, exporter: SpanExporter) -> None:
        """Export spans to ``exporter`` too, synchronously (tests: InMemorySpanExporter)."""
        self.provider.add_span_processor(SimpleSpanProcessor(exporter))
        self._exporting = True

    def record_cost(self, endpoint: str, usd: float) -> None:
        self.metrics.record_cost(endpoint, usd)

    # The endpoint pool's observer (careerpilot.llm.pool.PoolObserver).
    def endpoint_usage(self, endpoint: str, usage: Usage, cost_usd: float) -> None:
        tokens = self.metrics.endpoint_tokens
        tokens.labels(endpoint=endpoint, kind="prompt").inc(usage.prompt_tokens)
        tokens.labels(endpoint=endpoint, kind="completion").inc(usage.completion_tokens)
        self.metrics.record_cost(endpoint, cost_usd)

    def endpoint_fallback(self, endpoint: str, reason: str) -> None:
        self.metrics.endpoint_fallbacks.labels(endpoint=endpoint, reason=reason).inc()

    def turn_finished(self, *, agent: str | None, status: str, events: Sequence[str]) -> None:
        """Record a turn that has ended: ``status`` is complete, error or interrupted, ``events``
        the JSON of each event sent. Never raises (the server calls it while storing)."""
        try:
            self._turn_finished(agent, status, events)
        except Exception:
            log.exception("could not record the turn's metrics")

    def _turn_finished(self, agent: str | None, status: str, events: Sequence[str]) -> None:
        summary = summarize_events(events)
        agent = agent or summary.agent
        label = agent or "none"
        context = current_request()
        timer: TurnTimer | None = context.timers[-1] if context and context.timers else None
        m = self.metrics
        m.turns.labels(agent=label, outcome=status).inc()
        if summary.error_code is not None:
            m.turn_errors.labels(code=summary.error_code).inc()
        if summary.route_fallback:
            m.route_fallbacks.labels(agent=label).inc()
        for skill in summary.failed_skills:
            m.skill_errors.labels(skill=skill).inc()
        m.prompt_tokens.labels(agent=label).inc(summary.usage.get("prompt_tokens", 0))
        m.completion_tokens.labels(agent=label).inc(summary.usage.get("completion_tokens", 0))

        stages: Mapping[str, float]  # milliseconds
        if timer is not None:
            # The timer's stages, and the LLM slot figures the endpoint pool adds to `done`.
            stages = dict(timer.stages)
            for key in _SLOT_STAGES:
                if f"{key}_ms" in summary.timings:
                    stages[key] = summary.timings[f"{key}_ms"]
            ttft_ms = timer.ttft_ms
            gaps_ms: Sequence[float] = timer.gaps_ms
            total_ms = summary.timings.get("total_ms", timer.elapsed_ms())
        else:
            stages = {
                key.removesuffix("_ms"): value
                for key, value in summary.timings.items()
                if key.endswith("_ms") and key.removesuffix("_ms") not in _NOT_STAGES
            }
            ttft_ms = summary.timings.get("ttft_ms")
            tbt = summary.timings.get("tbt_p50_ms")
            gaps_ms = [tbt] if tbt is not None else []
            total_ms = summary.timings.get("total_ms", 0.0)
        for stage, ms in stages.items():
            m.stage.labels(stage=stage).observe(ms / 1000)
        if ttft_ms is not None:
            m.ttft.labels(agent=label).observe(ttft_ms / 1000)
        if gaps_ms:
            tbt_hist = m.tbt.labels(agent=label)
            for gap in gaps_ms:
                tbt_hist.observe(gap / 1000)
        if total_ms:
            m.turn_duration.labels(agent=label).observe(total_ms / 1000)

        if self._exporting:
            attributes: dict[str, AttributeValue] = {
                "careerpilot.prompt_tokens": summary.usage.get("prompt_tokens", 0),
                "careerpilot.completion_tokens": summary.usage.get("completion_tokens", 0),
            }
            if ttft_ms is not None:
                attributes["careerpilot.ttft_ms"] = round(ttft_ms, 2)
            if summary.failed_skills:
                attributes["careerpilot.failed_skills"] = list(summary.failed_skills)
            if context is not None:
                attributes["careerpilot.request_id"] = context.request_id
                if context.conversation_id:
                    attributes["careerpilot.conversation_id"] = context.conversation_id
                if context.turn_id:
                    attributes["careerpilot.turn_id"] = context.turn_id
            turn = TurnSpans(agent, status, summary.error_code, attributes)
            if context is not None:
                turn.parent, turn.ids = context.trace_parent, context.trace_ids
                turn.skills = context.skill_marks
            record_turn_spans(self.tracer, turn, timer, total_ms=total_ms)

        log.info(
            "turn finished",
            extra={
                "agent": agent,
                "outcome": status,
                "error_code": summary.error_code,
                "ttft_ms": None if ttft_ms is None else round(ttft_ms, 1),
                "total_ms": round(total_ms, 1) if total_ms else None,
                "prompt_tokens": summary.usage.get("prompt_tokens"),
                "completion_tokens": summary.usage.get("completion_tokens"),
                "failed_skills": summary.failed_skills or None,
            },
        )

    async def aclose(self) -> None:
        """Flush and stop span export (off the event loop: the OTLP flush is a blocking post)."""
        await asyncio.to_thread(self.provider.shutdown)
