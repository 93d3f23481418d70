"""OpenTelemetry traces: one ``TracerProvider`` per app (the global one is never set), OTLP/HTTP
export only when an endpoint is configured, and a turn drawn as spans after it ends.

The turn's stages are timed anyway (``TurnTimer``); the spans are built from those start and
end times once the turn is over, so tracing costs nothing per token and nothing while the turn
runs. Skill calls become children of the ``stage.skills`` run they belong to, from the times at
which the turn reported them (``SkillMark``). A caller's W3C ``traceparent`` makes the turn a
child of the caller's span; the turn's own ids can be chosen before it runs, so that the
response can name them (``traceresponse``).
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import NamedTuple

from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.id_generator import IdGenerator, RandomIdGenerator
from opentelemetry.trace import (
    NonRecordingSpan,
    SpanContext,
    Status,
    StatusCode,
    Tracer,
    get_current_span,
    set_span_in_context,
)
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.util.types import AttributeValue

from careerpilot.config import ObservabilitySettings
from careerpilot.pipeline.timing import TurnTimer

__all__ = [
    "SkillCallSpan",
    "SkillMark",
    "TurnIds",
    "TurnSpans",
    "configured_otlp_endpoint",
    "make_tracer_provider",
    "new_turn_ids",
    "record_turn_spans",
    "remote_parent",
    "skill_call_spans",
]

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
        id_generator=_TurnIdGenerator(),
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


# --- W3C trace context -------------------------------------------------------------------

_W3C = TraceContextTextMapPropagator()


def remote_parent(traceparent: str, tracestate: str | None = None) -> SpanContext | None:
    """The caller's span named by a W3C ``traceparent`` (and ``tracestate``) header, or None
    when the header is malformed: a bad header starts a new trace, it never fails a request."""
    carrier = {"traceparent": traceparent}
    if tracestate:
        carrier["tracestate"] = tracestate
    try:
        parent = get_current_span(_W3C.extract(carrier)).get_span_context()
    except Exception:  # the propagator returns an empty context on bad input; be sure anyway
        return None
    return parent if parent.is_valid else None


class TurnIds(NamedTuple):
    """The turn span's ids, chosen before the turn runs (so the response can carry them)."""

    trace_id: int
    span_id: int
    sampled: bool

    def traceresponse(self) -> str:
        """The W3C Trace Context Level 2 ``traceresponse`` header value."""
        return f"00-{self.trace_id:032x}-{self.span_id:016x}-{'01' if self.sampled else '00'}"


_RANDOM = RandomIdGenerator()


def new_turn_ids(parent: SpanContext | None) -> TurnIds:
    """Ids for a turn span: the caller's trace (and sampling decision) when there is one."""
    if parent is not None:
        return TurnIds(parent.trace_id, _RANDOM.generate_span_id(), parent.trace_flags.sampled)
    return TurnIds(_RANDOM.generate_trace_id(), _RANDOM.generate_span_id(), True)


_preset: ContextVar[TurnIds | None] = ContextVar("careerpilot_turn_ids", default=None)


class _TurnIdGenerator(IdGenerator):
    """Random ids, except for the one span started inside ``_with_ids``: the SDK has no other
    way to give a span ids chosen beforehand."""

    def generate_span_id(self) -> int:
        preset = _preset.get()
        return preset.span_id if preset is not None else _RANDOM.generate_span_id()

    def generate_trace_id(self) -> int:
        preset = _preset.get()
        return preset.trace_id if preset is not None else _RANDOM.generate_trace_id()


@contextmanager
def _with_ids(ids: TurnIds | None) -> Iterator[None]:
    token = _preset.set(ids)
    try:
        yield
    finally:
        _preset.reset(token)


# --- skill calls ----------------------------------------------------------------------------


class SkillMark(NamedTuple):
    """A skill ``status`` event, and when (``perf_counter`` seconds) the turn emitted it."""

    at: float
    skill: str
    state: str  # started, finished, failed
    duration_ms: float | None = None
    detail: str | None = None


@dataclass
class SkillCallSpan:
    """One skill call, in ``perf_counter`` seconds; ``end`` None: it ran until the turn ended.
    ``stage``: the index in ``timer.intervals`` of the ``skills`` run it belongs to."""

    skill: str
    start: float
    end: float | None
    outcome: str  # finished, failed, cancelled (started, never reported)
    detail: str | None = None
    stage: int | None = None


def safe_detail(skill: str, detail: str | None) -> str | None:
    """A failure's detail without the ``skill '<name>' failed:`` prefix, and up to the next
    ``": "``: what follows can quote a call's arguments or an API's answer (``invalid
    arguments: ...``, ``the API refused the call (400): ...``)."""
    if not detail:
        return None
    detail = detail.removeprefix(f"skill {skill!r} failed: ")
    return detail.split(": ", 1)[0][:160]


@dataclass
class _Call:
    skill: str
    seen: float
    outcome: str = "cancelled"
    ended: float | None = None
    duration_ms: float | None = None
    detail: str | None = None


def skill_call_spans(marks: Sequence[SkillMark], timer: TurnTimer) -> list[SkillCallSpan]:
    """The turn's skill calls, from its skill status events and its stage runs.

    A call's ``finished``/``failed`` event is paired with the oldest open ``started`` one of the
    same skill. It belongs to the first ``skills`` run still going when it started. A call
    reported between stages started with that run (``call_skills`` reports its calls, then
    starts them); one reported during another stage (the planner starts steps while the plan
    streams) started then. It ends after its ``duration_ms`` when the event has one, else when
    its end was reported, at the latest when its run ended.
    """
    calls: list[_Call] = []
    open_calls: dict[str, deque[_Call]] = {}
    for mark in marks:
        if mark.state == "started":
            call = _Call(mark.skill, mark.at)
            calls.append(call)
            open_calls.setdefault(mark.skill, deque()).append(call)
            continue
        waiting = open_calls.get(mark.skill)
        if waiting:
            call = waiting.popleft()
        else:  # reported without a start (an agent's own not-found): a point in time
            call = _Call(mark.skill, mark.at)
            calls.append(call)
        call.outcome, call.ended = mark.state, mark.at
        call.duration_ms, call.detail = mark.duration_ms, mark.detail

    runs = [(i, s) for i, s in enumerate(timer.intervals) if s.name == "skills"]
    other_ends = [s.end for s in timer.intervals if s.name != "skills"]
    out: list[SkillCallSpan] = []
    for call in calls:
        stage = next(((i, s) for i, s in runs if s.end >= call.seen), None)
        start, end = call.seen, call.ended
        if stage is not None:
            run = stage[1]
            if start < run.start and not any(start < e <= run.start for e in other_ends):
                start = run.start
            if call.duration_ms is not None:
                end = start + call.duration_ms / 1000
            end = run.end if end is None else min(end, run.end)
        elif call.duration_ms is not None:
            end = start + call.duration_ms / 1000
        out.append(
            SkillCallSpan(
                call.skill,
                start,
                None if end is None else max(end, start),
                call.outcome,
                safe_detail(call.skill, call.detail) if call.outcome == "failed" else None,
                None if stage is None else stage[0],
            )
        )
    return out


# --- the turn -------------------------------------------------------------------------------


@dataclass
class TurnSpans:
    """What a turn's spans say (no message text, no member data beyond ids). ``parent``: the
    caller's span (``traceparent``); ``ids``: the turn span's ids when chosen beforehand."""

    agent: str | None
    outcome: str
    error_code: str | None
    attributes: Mapping[str, AttributeValue]
    parent: SpanContext | None = None
    ids: TurnIds | None = None
    skills: Sequence[SkillMark] = field(default_factory=list)


def record_turn_spans(
    tracer: Tracer,
    turn: TurnSpans,
    timer: TurnTimer | None,
    *,
    total_ms: float | None = None,
    end_ns: int | None = None,
) -> None:
    """Emit ``turn`` (from the timer's start to ``end_ns``, now by default), one
    ``stage.<name>`` child per stage run the timer recorded, and one ``skill.<name>`` per skill
    call under its ``stage.skills`` run. Without a timer, only the turn span, back-dated by
    ``total_ms``. The turn is a child of ``turn.parent`` when there is one."""
    end = end_ns if end_ns is not None else time.time_ns()
    start = timer.started_wall_ns if timer is not None else end - int((total_ms or 0.0) * 1e6)
    attributes: dict[str, AttributeValue] = {"careerpilot.outcome": turn.outcome}
    if turn.agent is not None:
        attributes["careerpilot.agent"] = turn.agent
    if turn.error_code is not None:
        attributes["careerpilot.error_code"] = turn.error_code
    attributes.update(turn.attributes)
    remote = (
        set_span_in_context(NonRecordingSpan(turn.parent), Context())
        if turn.parent is not None
        else Context()  # never the ambient span: a turn is a root unless the caller said so
    )
    with _with_ids(turn.ids):
        span = tracer.start_span("turn", context=remote, attributes=attributes, start_time=start)
    if turn.outcome == "error":
        span.set_status(Status(StatusCode.ERROR, turn.error_code or "error"))
    parent = set_span_in_context(span)
    if timer is not None:
        stage_contexts: dict[int, Context] = {}
        for index, stage in enumerate(timer.intervals):
            child = tracer.start_span(
                f"stage.{stage.name}",
                context=parent,
                attributes={"careerpilot.stage": stage.name},
                start_time=timer.wall_ns(stage.start),
            )
            child.end(end_time=timer.wall_ns(stage.end))
            if stage.name == "skills":
                stage_contexts[index] = set_span_in_context(child)
        for call in skill_call_spans(turn.skills, timer):
            call_attributes: dict[str, AttributeValue] = {
                "careerpilot.skill": call.skill,
                "careerpilot.skill.outcome": call.outcome,
            }
            if call.detail is not None:
                call_attributes["careerpilot.skill.error"] = call.detail
            call_span = tracer.start_span(
                f"skill.{call.skill}",
                context=parent if call.stage is None else stage_contexts[call.stage],
                attributes=call_attributes,
                start_time=timer.wall_ns(call.start),
            )
            if call.outcome == "failed":
                call_span.set_status(Status(StatusCode.ERROR, call.detail or "failed"))
            call_end = end if call.end is None else timer.wall_ns(call.end)
            call_span.end(end_time=max(call_end, timer.wall_ns(call.start)))
    span.end(end_time=max(end, start))
