"""OpenTelemetry traces: one ``TracerProvider`` per app (the global one is never set), OTLP/HTTP
export only when an endpoint is configured, and a turn drawn as spans after it ends.

The turn's stages are timed anyway (``TurnTimer``); the spans are built from those start and
end times once the turn is over, so tracing costs nothing per token and nothing while the turn
runs.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.trace import Status, StatusCode, Tracer, set_span_in_context
from opentelemetry.util.types import AttributeValue

from careerpilot.config import ObservabilitySettings
from careerpilot.pipeline.timing import TurnTimer

__all__ = ["TurnSpans", "configured_otlp_endpoint", "make_tracer_provider", "record_turn_spans"]

_ENV_ENDPOINTS = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")


def configured_otlp_endpoint(settings: ObservabilitySettings) -> str | None:
    """The settings' endpoint, else the standard OTel environment variables, else None (no
    export: an exporter built without one would post to localhost:4318)."""
    if settings.otlp_endpoint:
        return settings.otlp_endpoint
    traces = os.environ.get(_ENV_ENDPOINTS[0])
    if traces:
        return traces
    base = os.environ.get(_ENV_ENDPOINTS[1])
    return f"{base.rstrip('/')}/v1/traces" if base else None


def make_tracer_provider(
    settings: ObservabilitySettings, *, extra: SpanExporter | None = None
) -> tuple[TracerProvider, bool]:
    """The app's provider, and whether anything exports its spans. OTLP goes through a batch
    processor (its worker thread posts, never the event loop); ``extra`` (tests) is exported
    synchronously."""
    provider = TracerProvider(
        resource=Resource.create({"service.name": settings.service_name}),
        shutdown_on_exit=False,  # the app's lifespan shuts it down
    )
    exporting = False
    endpoint = configured_otlp_endpoint(settings)
    if endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
        exporting = True
    if extra is not None:
        provider.add_span_processor(SimpleSpanProcessor(extra))
        exporting = True
    return provider, exporting


@dataclass
class TurnSpans:
    """What a turn's spans say (no message text, no member data beyond ids)."""

    agent: str | None
    outcome: str
    error_code: str | None
    attributes: Mapping[str, AttributeValue]


def record_turn_spans(
    tracer: Tracer,
    turn: TurnSpans,
    timer: TurnTimer | None,
    *,
    total_ms: float | None = None,
    end_ns: int | None = None,
) -> None:
    """Emit ``turn`` (from the timer's start to ``end_ns``, now by default) and one
    ``stage.<name>`` child per stage run the timer recorded. Without a timer, only the turn
    span, back-dated by ``total_ms``."""
    end = end_ns if end_ns is not None else time.time_ns()
    start = timer.started_wall_ns if timer is not None else end - int((total_ms or 0.0) * 1e6)
    attributes: dict[str, AttributeValue] = {"careerpilot.outcome": turn.outcome}
    if turn.agent is not None:
        attributes["careerpilot.agent"] = turn.agent
    if turn.error_code is not None:
        attributes["careerpilot.error_code"] = turn.error_code
    attributes.update(turn.attributes)
    span = tracer.start_span("turn", attributes=attributes, start_time=start)
    if turn.outcome == "error":
        span.set_status(Status(StatusCode.ERROR, turn.error_code or "error"))
    parent = set_span_in_context(span)
    if timer is not None:
        for stage in timer.intervals:
            child = tracer.start_span(
                f"stage.{stage.name}",
                context=parent,
                attributes={"careerpilot.stage": stage.name},
                start_time=timer.wall_ns(stage.start),
            )
            child.end(end_time=timer.wall_ns(stage.end))
    span.end(end_time=max(end, start))
