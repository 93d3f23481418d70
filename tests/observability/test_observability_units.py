"""Observability parts on their own: the timer's intervals, spans built from them, metrics
from a turn's events, planner counters, JSON logs with ids, and the stored-turn analytics."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode
from sqlalchemy.orm import Session

from careerpilot.agents.plan_metrics import PlanMetrics
from careerpilot.config import ObservabilitySettings
from careerpilot.observability.analytics import percentile, turn_analytics
from careerpilot.observability.context import RequestContext, context_for, request_context
from careerpilot.observability.logs import configure_logging
from careerpilot.observability.observer import TurnObserver, summarize_events
from careerpilot.observability.tracing import configured_otlp_endpoint, make_tracer_provider
from careerpilot.pipeline.events import DoneEvent, ErrorEvent, RouteEvent, StatusEvent, TextEvent
from careerpilot.pipeline.timing import TurnTimer
from careerpilot.store.conversations import ConversationStore
from careerpilot.store.models import ConversationRow, MessageRow

SECRET_TEXT = "my salary is 123456 and my email is someone@example.com"


def sent(*events: object) -> list[str]:
    return [e.model_dump_json() for e in events]  # type: ignore[attr-defined]


def a_turn_timer() -> TurnTimer:
    """A timer that ran routing, skills, then generation with four tokens."""
    timer = TurnTimer()
    with timer.stage("routing"):
        pass
    with timer.stage("skills"):
        pass
    with timer.stage("generation"):
        for _ in range(4):
            timer.token()
    return timer


def turn_events(agent: str = "job_assessment") -> list[str]:
    return sent(
        RouteEvent(agent=agent, confidence=0.4, fallback=True),
        StatusEvent(stage="skill", state="failed", skill="get_member", detail="timed out"),
        StatusEvent(stage="skill", state="finished", skill="get_job", duration_ms=3.0),
        TextEvent(delta=SECRET_TEXT),
        DoneEvent(
            usage={"prompt_tokens": 120, "completion_tokens": 9, "total_tokens": 129},
            timings={"routing_ms": 5.0, "generation_ms": 40.0, "ttft_ms": 30.0, "total_ms": 50.0},
        ),
    )


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def observer(exporter: InMemorySpanExporter) -> Iterator[TurnObserver]:
    obs = TurnObserver(ObservabilitySettings(), span_exporter=exporter)
    yield obs
    obs.provider.shutdown()


def test_the_timer_keeps_every_stage_run_and_hands_itself_to_the_request() -> None:
    context = RequestContext("req-1")
    with request_context(context):
        timer = a_turn_timer()
        with timer.stage("skills"):
            pass
    assert context.timers == [timer]
    assert [i.name for i in timer.intervals] == ["routing", "skills", "generation", "skills"]
    assert all(i.start <= i.end for i in timer.intervals)
    assert timer.intervals[0].end <= timer.intervals[1].start
    assert len(timer.gaps_ms) == 3
    assert set(timer.summary()) >= {"routing_ms", "skills_ms", "generation_ms", "ttft_ms"}
    assert timer.wall_ns(timer.started) == timer.started_wall_ns
    # Outside a request, nobody collects timers.
    TurnTimer()
    assert context.timers == [timer]


def test_request_ids_come_from_the_header_when_plain_and_turns_from_message_posts() -> None:
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/conversations/6f1c2a9e-0000-4000-8000-000000000001/messages",
        "headers": [(b"x-request-id", b"abc-123")],
    }
    context = context_for(scope)
    assert context.request_id == "abc-123"
    assert context.conversation_id == "6f1c2a9e-0000-4000-8000-000000000001"
    assert context.turn_id is not None and len(context.turn_id) == 32
    hostile = context_for({**scope, "method": "GET", "headers": [(b"x-request-id", b"a b\n{")]})
    assert hostile.request_id != "a b\n{" and len(hostile.request_id) == 32
    assert hostile.turn_id is None
    assert context_for({"type": "http", "path": "/metrics"}).conversation_id is None


def test_a_turn_becomes_metrics(observer: TurnObserver) -> None:
    observer.turn_finished(agent="job_assessment", status="complete", events=turn_events())
    observer.turn_finished(
        agent="general",
        status="error",
        events=sent(RouteEvent(agent="general", confidence=0.9, fallback=False))
        + sent(ErrorEvent(code="model_error", message="down", retryable=True)),
    )
    value = observer.metrics.registry.get_sample_value
    assert value("careerpilot_turns_total", {"agent": "job_assessment", "outcome": "complete"}) == 1
    assert value("careerpilot_turns_total", {"agent": "general", "outcome": "error"}) == 1
    assert value("careerpilot_turn_errors_total", {"code": "model_error"}) == 1
    assert value("careerpilot_skill_errors_total", {"skill": "get_member"}) == 1
    assert value("careerpilot_skill_errors_total", {"skill": "get_job"}) is None
    assert value("careerpilot_route_fallbacks_total", {"agent": "job_assessment"}) == 1
    assert value("careerpilot_route_fallbacks_total", {"agent": "general"}) is None
    assert value("careerpilot_prompt_tokens_total", {"agent": "job_assessment"}) == 120
    assert value("careerpilot_completion_tokens_total", {"agent": "job_assessment"}) == 9
    # No timer outside a request: the stages and TTFT come from `done`'s timings.
    assert value("careerpilot_ttft_seconds_count", {"agent": "job_assessment"}) == 1
    assert value("careerpilot_ttft_seconds_sum", {"agent": "job_assessment"}) == pytest.approx(0.03)
    assert value("careerpilot_stage_seconds_sum", {"stage": "generation"}) == pytest.approx(0.04)
    assert value("careerpilot_stage_seconds_count", {"stage": "total"}) is None
    assert value("careerpilot_ttft_seconds_count", {"agent": "general"}) is None
    observer.record_cost("openai-main", 0.25)
    observer.record_cost("openai-main", 0.5)
    assert value("careerpilot_cost_usd_total", {"endpoint": "openai-main"}) == pytest.approx(0.75)
    text = observer.metrics.render().decode()
    assert "# TYPE careerpilot_stage_seconds histogram" in text
    assert SECRET_TEXT not in text


def test_with_the_request_timer_every_token_gap_is_observed(observer: TurnObserver) -> None:
    context = RequestContext("req-2", conversation_id="c-1", turn_id="t-1")
    with request_context(context):
        timer = a_turn_timer()
        observer.turn_finished(agent="job_assessment", status="complete", events=turn_events())
    value = observer.metrics.registry.get_sample_value
    assert value("careerpilot_tbt_seconds_count", {"agent": "job_assessment"}) == 3
    assert value("careerpilot_stage_seconds_count", {"stage": "skills"}) == 1
    assert value("careerpilot_ttft_seconds_sum", {"agent": "job_assessment"}) == pytest.approx(
        timer.ttft_ms / 1000  # type: ignore[operator]
    )


def test_a_turn_becomes_a_span_with_one_child_per_stage(
    observer: TurnObserver, exporter: InMemorySpanExporter
) -> None:
    context = RequestContext("req-3", conversation_id="conv-3", turn_id="turn-3")
    with request_context(context):
        timer = a_turn_timer()
        observer.turn_finished(agent="job_assessment", status="complete", events=turn_events())
        with request_context(RequestContext("req-4")):
            TurnTimer()
            observer.turn_finished(
                agent=None,
                status="error",
                events=sent(ErrorEvent(code="invalid_question", message="empty")),
            )
    spans = exporter.get_finished_spans()
    turns = [s for s in spans if s.name == "turn"]
    assert len(turns) == 2
    first, failed = turns
    children = [
        s for s in spans if s.parent is not None and s.parent.span_id == first.context.span_id
    ]
    assert [s.name for s in children] == ["stage.routing", "stage.skills", "stage.generation"]
    assert all(s.context.trace_id == first.context.trace_id for s in children)
    assert first.parent is None
    assert first.start_time == timer.started_wall_ns
    for child, interval in zip(children, timer.intervals, strict=True):
        assert child.start_time == timer.wall_ns(interval.start)
        assert child.end_time == timer.wall_ns(interval.end)
        assert first.start_time <= child.start_time <= child.end_time <= first.end_time
    attrs = dict(first.attributes or {})
    assert attrs["careerpilot.agent"] == "job_assessment"
    assert attrs["careerpilot.outcome"] == "complete"
    assert attrs["careerpilot.turn_id"] == "turn-3"
    assert attrs["careerpilot.conversation_id"] == "conv-3"
    assert attrs["careerpilot.request_id"] == "req-3"
    assert attrs["careerpilot.failed_skills"] == ("get_member",)
    assert SECRET_TEXT not in json.dumps({k: str(v) for k, v in attrs.items()})
    assert failed.status.status_code is StatusCode.ERROR
    assert failed.status.description == "invalid_question"
    assert dict(failed.attributes or {})["careerpilot.request_id"] == "req-4"
    assert failed.context.trace_id != first.context.trace_id


def test_no_otlp_exporter_without_an_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    settings = ObservabilitySettings()
    assert configured_otlp_endpoint(settings) is None
    provider, exporting = make_tracer_provider(settings)
    assert not exporting
    provider.shutdown()
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/")
    assert configured_otlp_endpoint(settings) == "http://collector:4318/v1/traces"
    configured = ObservabilitySettings(otlp_endpoint="http://127.0.0.1:9/v1/traces")
    assert configured_otlp_endpoint(configured) == "http://127.0.0.1:9/v1/traces"
    provider, exporting = make_tracer_provider(configured)
    assert exporting
    provider.shutdown()


def test_planner_counters_are_exported_summed_per_backend() -> None:
    one, two = PlanMetrics(), PlanMetrics()
    one.incr("llamacpp", "schema_errors", 2)
    one.incr("llamacpp", "fallbacks")
    two.incr("llamacpp", "repairs", 3)
    two.incr("openai", "schema_errors")
    observer = TurnObserver(plan_metrics=[one, two, one])  # the same one twice counts once
    value = observer.metrics.registry.get_sample_value
    assert value("careerpilot_schema_errors_total", {"backend": "llamacpp"}) == 2
    assert value("careerpilot_schema_errors_total", {"backend": "openai"}) == 1
    assert value("careerpilot_repairs_total", {"backend": "llamacpp"}) == 3
    assert value("careerpilot_plan_fallbacks_total", {"backend": "llamacpp"}) == 1
    one.incr("llamacpp", "fallbacks")  # read at scrape time
    assert value("careerpilot_plan_fallbacks_total", {"backend": "llamacpp"}) == 2
    observer.provider.shutdown()


def test_json_logs_carry_the_ids_and_not_the_message(observer: TurnObserver) -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    configure_logging(ObservabilitySettings(log_format="json", log_level="info"), stream)
    try:
        context = RequestContext("req-9", conversation_id="conv-9", turn_id="turn-9")
        with request_context(context):
            a_turn_timer()
            observer.turn_finished(agent="job_assessment", status="complete", events=turn_events())
        logging.getLogger("careerpilot.test").debug("hidden at info")
    finally:
        for handler in root.handlers:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(lines) == 1
    (line,) = lines
    assert line["message"] == "turn finished" and line["level"] == "info"
    assert line["request_id"] == "req-9"
    assert line["conversation_id"] == "conv-9"
    assert line["turn_id"] == "turn-9"
    assert line["agent"] == "job_assessment" and line["outcome"] == "complete"
    assert line["failed_skills"] == ["get_member"] and line["completion_tokens"] == 9
    assert "123456" not in stream.getvalue() and "example.com" not in stream.getvalue()


def test_text_log_format_and_level_names() -> None:
    settings = ObservabilitySettings(log_format="text", log_level="warning")
    assert settings.log_level == "WARNING"
    stream = io.StringIO()
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    configure_logging(settings, stream)
    try:
        with request_context(RequestContext("req-t", turn_id="turn-t")):
            logging.getLogger("careerpilot.test").warning("slow turn")
            logging.getLogger("careerpilot.test").info("not shown")
    finally:
        for handler in root.handlers:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
    (line,) = stream.getvalue().splitlines()
    assert "WARNING careerpilot.test slow turn" in line
    assert line.endswith("[request_id=req-t turn_id=turn-t]")


def test_summarize_events_skips_text_unparsed() -> None:
    events = [*turn_events(), "not json at all"]  # text events are skipped by prefix
    summary = summarize_events(events)
    assert summary.agent == "job_assessment" and summary.route_fallback
    assert summary.failed_skills == ["get_member"]
    assert summary.usage["prompt_tokens"] == 120


def test_percentiles() -> None:
    assert percentile([], 0.5) is None
    assert percentile([10.0], 0.99) == 10.0
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.5
    assert percentile(values, 0.95) == pytest.approx(95.05)
    assert percentile(values, 0.99) == pytest.approx(99.01)


async def _write_rows(url: str, now: dt.datetime) -> None:
    store = ConversationStore(url)
    try:
        await store.create_schema()

        def write(session: Session) -> None:
            session.add(ConversationRow(id="c-1", member_id=1))
            session.flush()

            def answer(minutes_ago: float, status: str, ttft: float | None, agent: str) -> None:
                timings = {"total_ms": 900.0} | ({"ttft_ms": ttft} if ttft is not None else {})
                session.add(
                    MessageRow(
                        conversation_id="c-1",
                        role="assistant",
                        text=SECRET_TEXT,
                        status=status,
                        agent=agent,
                        timings=timings,
                        created_at=now - dt.timedelta(minutes=minutes_ago),
                    )
                )

            session.add(
                MessageRow(
                    conversation_id="c-1",
                    role="user",
                    text=SECRET_TEXT,
                    created_at=now - dt.timedelta(minutes=1),
                )
            )
            answer(0.5, "complete", 100.0, "job_assessment")
            answer(1.5, "complete", 300.0, "job_assessment")
            answer(1.6, "error", None, "general")
            answer(30.2, "interrupted", 200.0, "company")
            answer(59.0, "complete", 400.0, "general")
            answer(61.0, "complete", 9999.0, "general")  # outside the hour
            answer(-5.0, "complete", 9999.0, "general")  # in the future: not yet

        await store.database.write(write)
    finally:
        await store.aclose()


def test_analytics_over_stored_answers(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'app.sqlite3'}"
    now = dt.datetime(2025, 5, 1, 12, 30, 50, tzinfo=dt.UTC)

    async def run() -> object:
        await _write_rows(url, now)
        store = ConversationStore(url)
        try:
            return await turn_analytics(store.database, 3600, 60, now=now)
        finally:
            await store.aclose()

    result = asyncio.run(run())
    data = result.model_dump(mode="json")  # type: ignore[attr-defined]
    assert data["turns"] == 5
    assert data["outcomes"] == {"complete": 3, "error": 1, "interrupted": 1}
    assert data["agents"] == {"job_assessment": 2, "general": 2, "company": 1}
    assert data["error_rate"] == 0.2
    assert data["ttft_ms"] == {"n": 4, "p50": 250.0, "p95": 385.0, "p99": 397.0}
    assert len(data["buckets"]) == 60
    assert data["buckets"][-1]["start"].startswith("2025-05-01T12:30:00")
    assert sum(b["turns"] for b in data["buckets"]) == 5
    last = data["buckets"][-1]
    assert last["turns"] == 1 and last["complete"] == 1 and last["ttft_ms"]["p50"] == 100.0
    previous = data["buckets"][-2]  # 12:29:20 (300 ms) and the error at 12:29:14
    assert previous["start"].startswith("2025-05-01T12:29:00")
    assert previous["turns"] == 2 and previous["errors"] == 1
    assert previous["ttft_ms"] == {"n": 1, "p50": 300.0, "p95": 300.0, "p99": 300.0}
    assert data["buckets"][0]["start"].startswith("2025-05-01T11:31:00")
    assert data["buckets"][0]["turns"] == 1  # 59 minutes ago: 11:31:50
    assert SECRET_TEXT not in json.dumps(data)
