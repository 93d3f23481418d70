"""Observability through the real server: a real turn over SSE, then /metrics, the turn's spans
(InMemorySpanExporter on the app's own tracer provider), the JSON turn log, and
/v1/analytics, all checked against what the turn actually did."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client.parser import text_string_to_metric_families

from careerpilot.config import ObservabilitySettings, Settings
from careerpilot.llm.testing import ScriptedModel, split_tokens
from careerpilot.observability.logs import configure_logging
from careerpilot.observability.observer import TurnObserver
from conftest import ServerThread, auth

NARRATIVE = "You hold most required skills; the main gap is one missing skill."
QUESTION = "Am I a good fit for this job? My phone is 555-0199."


@pytest.fixture
def server(settings: Settings) -> Iterator[ServerThread]:
    with ServerThread(settings, ScriptedModel(NARRATIVE, delay_s=0.01)) as running:
        yield running


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    configure_logging(ObservabilitySettings(log_format="json", log_level="INFO"), stream)
    yield stream
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


def observer_of(server: ServerThread) -> TurnObserver:
    observer: TurnObserver = server.server.config.app.state.careerpilot.observer  # type: ignore[union-attr]
    return observer


def ask(
    server: ServerThread, headers: dict[str, str], cid: str, text: str, **body: object
) -> httpx.Response:
    with httpx.stream(
        "POST",
        f"{server.url}/v1/conversations/{cid}/messages",
        json={"text": text, **body},
        headers={**headers, "X-Request-ID": f"req-{len(text)}"},
        timeout=60,
    ) as response:
        response.read()
    assert response.status_code == 200
    return response


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return out


def test_a_real_turn_shows_in_metrics_spans_logs_and_analytics(
    server: ServerThread, settings: Settings, log_stream: io.StringIO
) -> None:
    exporter = InMemorySpanExporter()
    observer_of(server).add_span_exporter(exporter)
    headers = auth(settings, 1)
    cid = httpx.post(f"{server.url}/v1/conversations", headers=headers).json()["id"]
    response = ask(server, headers, cid, QUESTION, context={"type": "job", "id": 1})
    assert response.headers["x-request-id"] == f"req-{len(QUESTION)}"
    ask(server, headers, cid, "Write me a poem about cats")
    stored = httpx.get(f"{server.url}/v1/conversations/{cid}", headers=headers).json()
    answer = stored["messages"][1]
    assert answer["agent"] == "job_assessment" and answer["status"] == "complete"
    timings, usage = answer["timings"], answer["usage"]

    # /metrics: plain text, outside the OpenAPI schema, the turn's real figures.
    metrics = httpx.get(f"{server.url}/metrics")
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    values = samples(metrics.text)

    def value(name: str, **labels: str) -> float | None:
        return values.get((name, frozenset(labels.items())))

    assert value("careerpilot_turns_total", agent="job_assessment", outcome="complete") == 1
    assert value("careerpilot_turns_total", agent="out_of_scope", outcome="complete") == 1
    assert value("careerpilot_ttft_seconds_count", agent="job_assessment") == 1
    assert value("careerpilot_ttft_seconds_sum", agent="job_assessment") == pytest.approx(
        timings["ttft_ms"] / 1000, abs=1e-4
    )
    assert value("careerpilot_ttft_seconds_count", agent="out_of_scope") is None
    tokens = len(split_tokens(NARRATIVE))
    # every gap between streamed tokens (the scripted model sleeps 10 ms before each)
    assert value("careerpilot_tbt_seconds_count", agent="job_assessment") == tokens - 1
    assert value("careerpilot_tbt_seconds_bucket", agent="job_assessment", le="0.005") == 0
    for stage in ("routing", "skills", "generation", "assessment"):
        assert value("careerpilot_stage_seconds_count", stage=stage) is not None, stage
    assert value("careerpilot_stage_seconds_count", stage="routing") == 2  # both turns
    assert value("careerpilot_stage_seconds_sum", stage="generation") == pytest.approx(
        timings["generation_ms"] / 1000, abs=1e-4
    )
    assert (
        value("careerpilot_completion_tokens_total", agent="job_assessment")
        == (usage["completion_tokens"])
    )
    assert usage["prompt_tokens"] > 0
    assert (
        value("careerpilot_prompt_tokens_total", agent="job_assessment") == usage["prompt_tokens"]
    )
    assert "# TYPE careerpilot_cost_usd_total counter" in metrics.text  # fed by the endpoint pool
    openapi = httpx.get(f"{server.url}/openapi.json").json()
    assert "/metrics" not in openapi["paths"] and "/analytics" not in openapi["paths"]
    assert "/v1/analytics" in openapi["paths"]

    # Spans: one turn per answer, its stages as children, ids but no text.
    spans = exporter.get_finished_spans()
    turns = {dict(s.attributes or {})["careerpilot.agent"]: s for s in spans if s.name == "turn"}
    assert set(turns) == {"job_assessment", "out_of_scope"}
    turn = turns["job_assessment"]
    attrs = dict(turn.attributes or {})
    assert attrs["careerpilot.conversation_id"] == cid
    assert attrs["careerpilot.request_id"] == f"req-{len(QUESTION)}"
    assert attrs["careerpilot.outcome"] == "complete"
    children = [
        s for s in spans if s.parent is not None and s.parent.span_id == turn.context.span_id
    ]
    names = [s.name for s in children]
    assert names[:2] == ["stage.queued", "stage.routing"]
    assert {"stage.skills", "stage.assessment", "stage.generation"} <= set(names)
    assert all(turn.start_time <= s.start_time <= s.end_time <= turn.end_time for s in children)
    generation = next(s for s in children if s.name == "stage.generation")
    assert (generation.end_time - generation.start_time) / 1e6 == pytest.approx(
        timings["generation_ms"], abs=0.05
    )
    assert "555-0199" not in json.dumps(
        [{k: str(v) for k, v in (s.attributes or {}).items()} for s in spans]
    )

    # The turn log: JSON lines with the request, conversation and turn ids, no message text.
    lines = [json.loads(line) for line in log_stream.getvalue().splitlines()]
    finished = [line for line in lines if line["message"] == "turn finished"]
    assert [line["agent"] for line in finished] == ["job_assessment", "out_of_scope"]
    first = finished[0]
    assert first["request_id"] == f"req-{len(QUESTION)}"
    assert first["conversation_id"] == cid
    assert first["turn_id"] == attrs["careerpilot.turn_id"]
    assert finished[1]["turn_id"] != first["turn_id"]
    assert first["completion_tokens"] == usage["completion_tokens"]
    raw = log_stream.getvalue()
    assert "555-0199" not in raw and NARRATIVE not in raw and "poem" not in raw
    assert "Bearer" not in raw

    # /v1/analytics: computed from the stored answers.
    assert httpx.get(f"{server.url}/v1/analytics").status_code == 401
    analytics = httpx.get(f"{server.url}/v1/analytics?window_s=3600", headers=headers).json()
    assert analytics["turns"] == 2
    assert analytics["outcomes"] == {"complete": 2, "error": 0, "interrupted": 0}
    assert analytics["agents"] == {"job_assessment": 1, "out_of_scope": 1}
    assert analytics["ttft_ms"]["n"] == 1
    assert analytics["ttft_ms"]["p50"] == pytest.approx(timings["ttft_ms"], abs=0.01)
    assert len(analytics["buckets"]) == 60 and analytics["bucket_s"] == 60
    assert analytics["buckets"][-1]["turns"] + analytics["buckets"][-2]["turns"] == 2
    bad = httpx.get(f"{server.url}/v1/analytics?window_s=5", headers=headers)
    assert bad.status_code == 422
