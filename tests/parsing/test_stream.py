"""StreamParser: final values only, independent of chunking, same result as loads."""

from __future__ import annotations

import time
from typing import Any

import pytest

from careerpilot.parsing import ParseError, StreamEvent, StreamParser, loads
from careerpilot.parsing.examples import JobFilter, Plan

PLAN_YAML = """Here is my plan: (v2)
```yaml
thought: Find remote jobs: then rank them #hiring
steps:
  - skill: search_jobs
    args:
      query: rust engineer  # broad
      limit: 125
      tags: [remote, "C #1"]
  - skill: rank
    args: {by: salary, top: 5}
  - skill: summarize
```
Anything else?
"""
PLAN_JSON = (
    '{"thought": "Find jobs", "steps": [{"skill": "search_jobs", "args": {"query": "rust",'
    ' "limit": 125}}, {"skill": "rank", "args": {"by": "salary"}}]}'
)
FILTER_YAML = "min_salary: 120,000\nremote: yes\nseniority: Senior\nskills:\n  python\n  go\n"


def run(text: str, size: int, schema: Any = Plan) -> tuple[list[StreamEvent], Any]:
    parser = StreamParser(schema)
    events: list[StreamEvent] = []
    for i in range(0, len(text), size):
        events += parser.feed(text[i : i + size])
    value = parser.close()
    return events + parser.events(), value


def lookup(value: Any, path: tuple[str | int, ...]) -> Any:
    for step in path:
        value = (
            value[step]
            if isinstance(step, int) or isinstance(value, dict)
            else getattr(value, step)
        )
    return value


@pytest.mark.parametrize("text", [PLAN_YAML, PLAN_JSON, FILTER_YAML])
def test_events_equal_final_values(text: str) -> None:
    schema = JobFilter if text is FILTER_YAML else Plan
    events, value = run(text, 3, schema)
    assert value == loads(text, schema)
    assert events
    for event in events:
        assert event.value == lookup(value, event.path), event


@pytest.mark.parametrize("text", [PLAN_YAML, PLAN_JSON, FILTER_YAML])
def test_chunk_size_independent(text: str) -> None:
    schema = JobFilter if text is FILTER_YAML else Plan
    runs = [run(text, size, schema) for size in (1, 3, 7, len(text))]
    for events, value in runs[1:]:
        assert events == runs[0][0]
        assert value == runs[0][1]


def test_never_a_partial_value() -> None:
    events, _ = run(PLAN_YAML, 1)
    limits = [e.value for e in events if e.path[-1:] == ("limit",)]
    assert limits == [125]
    paths = [e.path for e in events]
    assert len(paths) == len(set(paths))
    assert ("steps", 0, "skill") in paths
    assert ("steps",) in paths


def test_events_arrive_before_close() -> None:
    parser = StreamParser(Plan)
    head, tail = PLAN_YAML.split("  - skill: rank")
    early = parser.feed(head + "  - skill: rank")
    assert StreamEvent(("steps", 0, "args", "limit"), 125) in early
    assert not any(e.path[:2] == ("steps", 1) for e in early)
    parser.feed(tail)
    assert parser.close() == loads(PLAN_YAML, Plan)


def test_scalar_waits_for_the_next_line() -> None:
    parser = StreamParser(JobFilter)
    assert parser.feed("min_salary: 12") == []
    assert parser.feed("5\n") == []  # a folded continuation could still follow
    assert parser.feed("remote: no\n") == [StreamEvent(("min_salary",), 125)]


def test_close_refuses_like_loads() -> None:
    parser = StreamParser(JobFilter)
    parser.feed("min_salary: 1.5\nremote: no\nseniority: junior\n")
    with pytest.raises(ParseError):
        parser.close()


def test_stream_of_pathological_input_finishes() -> None:
    text = "thought: x\nsteps:\n" + "- " * 10000 + "x\n" + '"' * 100_000
    start = time.perf_counter()
    parser = StreamParser(Plan)
    for i in range(0, len(text), 997):
        parser.feed(text[i : i + 997])
    with pytest.raises(ParseError):
        parser.close()
    assert time.perf_counter() - start < 5


def test_json_on_one_line_streams_before_close() -> None:
    parser = StreamParser(Plan)
    head = PLAN_JSON[: PLAN_JSON.index('{"skill": "rank"')]
    early = []
    for i in range(0, len(head), 4):
        early += parser.feed(head[i : i + 4])
    assert StreamEvent(("steps", 0, "args", "limit"), 125) in early
    assert StreamEvent(("thought",), "Find jobs") in early
    parser.feed(PLAN_JSON[len(head) :])
    assert parser.close() == loads(PLAN_JSON, Plan)


def test_json_pieces_may_cut_escapes_and_quotes() -> None:
    text = (
        'Here: {"thought": "caf\\u00e9 \\"quoted\\" and "inner" quotes",'
        " 'steps': [{'skill': 'rank', 'args': {'by': True, 'n': None}},]}"
    )
    expected = loads(text, Plan)
    assert expected.thought == 'café "quoted" and "inner" quotes'
    for size in (1, 2, 3, 5, 7):
        events, value = run(text, size)
        assert value == expected
        assert events == run(text, len(text))[0]


def test_repeated_key_keeps_the_first_value() -> None:
    text = FILTER_YAML + "remote: no\n"
    events, value = run(text, 3, JobFilter)
    assert value.remote is True
    assert [e.value for e in events if e.path == ("remote",)] == [True]


@pytest.mark.parametrize("size", [1, 4, 9, 1000])
def test_stream_skips_objects_in_prose(size: int) -> None:
    prose = 'Shape: {"name": "value"} then {"skill": 1}.\n'
    for body in (PLAN_JSON, PLAN_YAML):
        events, value = run(prose + body, size)
        assert value == loads(body, Plan)
        assert events == run(body, size)[0]


def test_empty_field_reports_nothing() -> None:
    text = "min_salary: 5\nremote: no\nseniority: junior\nskills:\ntitle: x\n"
    events, value = run(text, 2, JobFilter)
    assert value.skills == []
    assert all(e.path != ("skills",) for e in events)
