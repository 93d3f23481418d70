import json

import pytest

from careerpilot.agents.plan_stream import JsonStepScanner

PLAN = {
    "thought": 'steps: [ {tricky} "quotes" ]',
    "steps": [
        {"skill": "search_jobs", "args": {"q": "C# {dev} [remote]", "remote": True}},
        {
            "skill": "search_people",
            "args": {"title": 'say \\"hi\\"', "nested": {"a": [1, {"b": 2}]}},
        },
        {"skill": "get_company", "args": {"company_id": 3}},
    ],
    "other": [{"not": "a step"}],
}


@pytest.mark.parametrize("size", [1, 2, 5, 13, 10_000])
def test_steps_come_out_whole_and_in_order_for_any_chunking(size: int) -> None:
    text = json.dumps(PLAN)
    scanner = JsonStepScanner()
    found: list[str] = []
    for start in range(0, len(text), size):
        found.extend(scanner.feed(text[start : start + size]))
    assert [json.loads(f) for f in found] == PLAN["steps"]
    assert scanner.text == text


def test_a_step_is_reported_the_moment_its_brace_closes() -> None:
    text = json.dumps(PLAN)
    first_end = text.index('"remote": true}}') + len('"remote": true}}')
    scanner = JsonStepScanner()
    assert scanner.feed(text[: first_end - 1]) == []
    assert len(scanner.feed(text[first_end - 1 : first_end])) == 1


def test_no_steps_key_yields_nothing() -> None:
    scanner = JsonStepScanner()
    assert scanner.feed('{"thought": "x", "items": [{"a": 1}]}') == []
