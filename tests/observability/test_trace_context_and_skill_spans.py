"""Traces through the real server: a caller's W3C ``traceparent`` makes the turn its child (and
the response names the turn span in ``traceresponse``), a malformed one starts a new trace, and
every skill call is a ``skill.<name>`` span under its ``stage.skills`` run, with its outcome."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from careerpilot.config import Settings
from careerpilot.llm.testing import ScriptedModel
from careerpilot.observability.observer import TurnObserver
from careerpilot.observability.tracing import SkillMark, remote_parent, skill_call_spans
from careerpilot.pipeline.timing import StageInterval, TurnTimer
from conftest import ServerThread, auth, parse_sse

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_SPAN_ID = "00f067aa0ba902b7"


class FailingApi(httpx.AsyncBaseTransport):
    """The network API, except for the paths that answer 500."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.error_500: set[str] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path in self.error_500:
            return httpx.Response(500, json={"detail": "boom"}, request=request)
        return await self.inner.handle_async_request(request)


@pytest.fixture
def server(settings: Settings) -> Iterator[ServerThread]:
    with ServerThread(settings, ScriptedModel("A fair answer.", delay_s=0.001)) as running:
        yield running


@pytest.fixture
def exporter(server: ServerThread) -> InMemorySpanExporter:
    spans = InMemorySpanExporter()
    observer: TurnObserver = server.server.config.app.state.careerpilot.observer  # type: ignore[union-attr]
    observer.add_span_exporter(spans)
    return spans


def ask(
    server: ServerThread, settings: Settings, body: dict[str, object], **headers: str
) -> httpx.Response:
    auth_headers = auth(settings, 1)
    cid = httpx.post(f"{server.url}/v1/conversations", headers=auth_headers).json()["id"]
    response = httpx.post(
        f"{server.url}/v1/conversations/{cid}/messages",
        json=body,
        headers={**auth_headers, **headers},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    assert parse_sse(response.text)[-1][0] == "done"
    return response


def the_turn(exporter: InMemorySpanExporter) -> tuple[ReadableSpan, list[ReadableSpan]]:
    spans = list(exporter.get_finished_spans())
    [turn] = [s for s in spans if s.name == "turn"]
    return turn, spans


def children(spans: list[ReadableSpan], parent: ReadableSpan) -> list[ReadableSpan]:
    return [s for s in spans if s.parent is not None and s.parent.span_id == parent.context.span_id]


JOB_QUESTION = {"text": "Am I a good fit for this job?", "context": {"type": "job", "id": 1}}


def test_a_traceparent_makes_the_turn_a_child_of_the_callers_span(
    server: ServerThread, settings: Settings, exporter: InMemorySpanExporter
) -> None:
    response = ask(
        server,
        settings,
        JOB_QUESTION,
        traceparent=f"00-{TRACE_ID}-{PARENT_SPAN_ID}-01",
        tracestate="vendor=abc",
    )
    turn, spans = the_turn(exporter)
    assert f"{turn.context.trace_id:032x}" == TRACE_ID
    assert turn.parent is not None and turn.parent.is_remote
    assert f"{turn.parent.span_id:016x}" == PARENT_SPAN_ID
    assert turn.context.trace_state.get("vendor") == "abc"
    assert {s.context.trace_id for s in spans} == {turn.context.trace_id}
    # The response names the turn span before it exists.
    assert response.headers["traceresponse"] == (f"00-{TRACE_ID}-{turn.context.span_id:016x}-01")


@pytest.mark.parametrize(
    "traceparent",
    [
        "garbage",
        f"00-{'0' * 32}-{PARENT_SPAN_ID}-01",  # all-zero trace id
        f"00-{TRACE_ID}-{PARENT_SPAN_ID}-01-extra",  # version 00 has no more fields
        f"ff-{TRACE_ID}-{PARENT_SPAN_ID}-01",  # forbidden version
    ],
)
def test_a_malformed_traceparent_starts_a_new_trace(
    server: ServerThread, settings: Settings, exporter: InMemorySpanExporter, traceparent: str
) -> None:
    response = ask(server, settings, JOB_QUESTION, traceparent=traceparent)
    turn, _ = the_turn(exporter)
    assert turn.parent is None
    assert f"{turn.context.trace_id:032x}" != TRACE_ID
    assert response.headers["traceresponse"] == (
        f"00-{turn.context.trace_id:032x}-{turn.context.span_id:016x}-01"
    )


def test_without_a_traceparent_each_turn_is_a_root(
    server: ServerThread, settings: Settings, exporter: InMemorySpanExporter
) -> None:
    first = ask(server, settings, JOB_QUESTION)
    second = ask(server, settings, JOB_QUESTION)
    turns = [s for s in exporter.get_finished_spans() if s.name == "turn"]
    assert [t.parent for t in turns] == [None, None]
    assert turns[0].context.trace_id != turns[1].context.trace_id
    assert first.headers["traceresponse"] != second.headers["traceresponse"]


def test_skill_calls_are_spans_under_the_skills_stage(
    server: ServerThread, settings: Settings, exporter: InMemorySpanExporter
) -> None:
    response = ask(server, settings, JOB_QUESTION)
    finished = {
        str(data["skill"]): float(data["duration_ms"])  # type: ignore[arg-type]
        for kind, data in parse_sse(response.text)
        if kind == "status" and data.get("stage") == "skill" and data["state"] == "finished"
    }
    assert finished  # the job assessment reads the member and the job
    turn, spans = the_turn(exporter)
    stages = [s for s in children(spans, turn) if s.name == "stage.skills"]
    calls = [s for stage in stages for s in children(spans, stage)]
    assert sorted(s.name for s in calls) == sorted(f"skill.{name}" for name in finished)
    assert not [s for s in children(spans, turn) if s.name.startswith("skill.")]
    for call in calls:
        attrs = dict(call.attributes or {})
        name = str(attrs["careerpilot.skill"])
        assert call.name == f"skill.{name}"
        assert attrs["careerpilot.skill.outcome"] == "finished"
        assert "careerpilot.skill.error" not in attrs
        assert call.end_time is not None and call.start_time is not None
        # timed by the call's own duration, inside its stage run
        assert (call.end_time - call.start_time) / 1e6 == pytest.approx(finished[name], abs=0.01)
        [stage] = [s for s in stages if s.context.span_id == call.parent.span_id]  # type: ignore[union-attr]
        assert stage.start_time is not None and stage.end_time is not None
        assert stage.start_time <= call.start_time <= call.end_time <= stage.end_time


def test_a_failed_optional_skill_is_an_error_span_with_its_detail(
    server: ServerThread, settings: Settings, exporter: InMemorySpanExporter
) -> None:
    assistant = server.server.config.app.state.careerpilot.assistant  # type: ignore[union-attr]
    api = FailingApi(assistant.http._transport)
    api.error_500.add("/api/v1/jobs")
    assistant.http._transport = api
    response = ask(
        server,
        settings,
        {"text": "Tell me about this company", "context": {"type": "company", "id": 2}},
    )
    failed = [
        data["skill"]
        for kind, data in parse_sse(response.text)
        if kind == "status" and data.get("state") == "failed"
    ]
    assert failed == ["search_jobs"]
    turn, spans = the_turn(exporter)
    stages = {s.context.span_id: s for s in children(spans, turn) if s.name == "stage.skills"}
    calls = {s.name: s for s in spans if s.name.startswith("skill.")}
    assert {"skill.get_company", "skill.search_jobs", "skill.search_posts"} <= set(calls)
    assert all(s.parent is not None and s.parent.span_id in stages for s in calls.values())
    jobs = calls["skill.search_jobs"]
    attrs = dict(jobs.attributes or {})
    assert attrs["careerpilot.skill.outcome"] == "failed"
    assert attrs["careerpilot.skill.error"] == "the API answered 500"
    assert jobs.status.status_code is StatusCode.ERROR
    stage = stages[jobs.parent.span_id]  # type: ignore[union-attr]
    assert stage.start_time <= jobs.start_time <= jobs.end_time <= stage.end_time  # type: ignore[operator]
    others = [s for name, s in calls.items() if name != "skill.search_jobs"]
    assert all(dict(s.attributes or {})["careerpilot.skill.outcome"] == "finished" for s in others)
    assert dict(turn.attributes or {})["careerpilot.failed_skills"] == ("search_jobs",)


def test_remote_parent_reads_only_valid_headers() -> None:
    parent = remote_parent(f"00-{TRACE_ID}-{PARENT_SPAN_ID}-00", "a=1,b=2")
    assert parent is not None and parent.is_remote and not parent.trace_flags.sampled
    assert parent.trace_state.get("b") == "2"
    for bad in ("", "00-xyz", f"00-{TRACE_ID}-{'0' * 16}-01", f"00-{TRACE_ID.upper()}-x-01"):
        assert remote_parent(bad) is None


def test_skill_call_times_from_the_marks_and_the_stage_runs() -> None:
    timer = TurnTimer()
    t = timer.started
    timer.intervals[:] = [
        StageInterval("planning", t + 0.010, t + 0.050),
        StageInterval("skills", t + 0.051, t + 0.200),
        StageInterval("skills", t + 0.300, t + 0.400),
    ]
    marks = [
        SkillMark(t + 0.020, "search_jobs", "started"),  # the planner started it mid-plan
        SkillMark(t + 0.0505, "get_member", "started"),  # between stages: starts with the run
        SkillMark(t + 0.120, "get_member", "finished", duration_ms=30.0),
        SkillMark(t + 0.150, "search_jobs", "finished"),  # reported when awaited
        SkillMark(t + 0.2995, "web_search", "started"),
        SkillMark(t + 0.2996, "get_job", "started"),  # never reported: cancelled
        SkillMark(
            t + 0.410,
            "web_search",
            "failed",
            detail="skill 'web_search' failed: invalid arguments: query='x'",
        ),
    ]
    calls = {c.skill: c for c in skill_call_spans(marks, timer)}
    assert calls["search_jobs"].start == t + 0.020 and calls["search_jobs"].end == t + 0.150
    assert calls["search_jobs"].stage == 1
    assert calls["get_member"].start == t + 0.051
    assert calls["get_member"].end == pytest.approx(t + 0.081)
    web = calls["web_search"]
    assert (web.start, web.end, web.stage) == (t + 0.300, t + 0.400, 2)
    assert web.outcome == "failed" and web.detail == "invalid arguments"  # no quoted input
    assert calls["get_job"].outcome == "cancelled" and calls["get_job"].end == t + 0.400
