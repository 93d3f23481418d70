"""Malformed model output through a real server process: the planner gets garbage, a truncated
JSON plan, a plan calling a skill it may not use, or a YAML plan the defensive parser repairs;
the narration carries broken and foreign ``{{job: ...}}`` tags. Every turn still answers, ends
with ``done`` and is stored; the planner's counters in /metrics say which path each plan took.

One server process serves every test here. Its ``ScriptedModel`` replies by what it is asked:
the planner (system prompt "You plan which skills...") gets the malformed plan keyed by the
turn's question, everything else (the narration, the router's LLM fallback when the
classifier is unsure) gets a narration, which as a route choice is itself unparsable.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from careerpilot.config import Settings
from careerpilot.network.repository import NetworkRepository
from careerpilot.network.schemas import Job
from conftest import SMALL, auth, parse_sse, server_process

NARRATION = "You hold most of the required skills; the main gap is one missing skill."

# The markup turn: on job PAGE_JOB's page, the narration tags that job (a card), a job that
# exists but is not in the turn's data (no card: markup never makes the turn look things up),
# a job that does not exist, a job tag without an id, an unknown tag kind, a citation of a
# source the turn does not have, a chip, and ends inside an unterminated tag.
MARKUP_QUESTION = "Am I a good fit for this job?"
PAGE_JOB, OTHER_JOB, NO_JOB = 1, 2, 999999
MARKUP_NARRATION = (
    f"Here is how you fit. {{{{job: {PAGE_JOB}}}}} See also {{{{job: abc}}}} and "
    f"{{{{job: {NO_JOB}}}}} and {{{{job: {OTHER_JOB}}}}}. {{{{chip: How do I learn SQL?}}}} "
    "{{salary: 5}} Good luck [7] with it.\nOne more: {{job: 12"
)
# What the member is shown (and what is stored): the markup gone, the words kept.
MARKUP_TEXT = "Here is how you fit.  See also  and  and .   Good luck  with it.\nOne more: "

# An unterminated tag followed, lines later, by a well-formed one.
SWALLOW_QUESTION = "Am I a good fit for this job? Be brief."
SWALLOW_NARRATION = "Start {{job: 12\nStill here. {{chip: Next step?}} end"


@dataclass(frozen=True)
class PlanCase:
    reply: str  # the planner's reply, {q} the job's title and company
    counters: dict[str, int]  # the planner counters it must move, by exactly that much
    # skills that must never run (a step the plan asked for that is not allowed)
    forbidden: tuple[str, ...] = ()


_FALLBACK = {"plans": 1, "schema_errors": 2, "reasks": 1, "fallbacks": 1, "repairs": 0}
PLAN_CASES = {
    # not a plan at all: re-asked once, then the agent's fallback plan
    "garbage": PlanCase(
        "Sure!!! I would search for that job <|im_end|> }}}{{ ::: [[[",
        _FALLBACK | {"steps_started_in_stream": 0},
    ),
    # cut off mid-string after one complete step: that step starts while streaming, the whole
    # plan is rejected, the fallback runs (and the early step is cancelled)
    "truncated_json": PlanCase(
        '{"thought": "Find that job.", "steps": [{"skill": "search_jobs", "args": '
        '{"q": "{q}", "limit": 3}}, {"skill": "search_jo',
        _FALLBACK | {"steps_started_in_stream": 1},
    ),
    # a skill the lookup may not use: never called, fallback
    "unknown_skill": PlanCase(
        '{"thought": "Clean up.", "steps": [{"skill": "delete_member", "args": {"member_id": 1}}]}',
        _FALLBACK | {"steps_started_in_stream": 0},
        forbidden=("delete_member",),
    ),
    # YAML in a fence with chatter around it, an unknown key and "3.0" for an integer: the
    # defensive parser repairs it and the model's own plan runs (no re-ask, no fallback)
    "repairable_yaml": PlanCase(
        "Sure! Here is the plan:\n```yaml\nthought: Find that job.\nsteps:\n"
        '  - skill: search_jobs\n    args:\n      q: {q}\n      limit: "3.0"\n'
        "      colour: blue\n```\nHope that helps!",
        {
            "plans": 1,
            "schema_errors": 0,
            "reasks": 0,
            "fallbacks": 0,
            "repairs": 1,
            "steps_started_in_stream": 0,
        },
    ),
}

PLAN_METRICS = {
    "plans": "careerpilot_plans_total",
    "schema_errors": "careerpilot_schema_errors_total",
    "repairs": "careerpilot_repairs_total",
    "reasks": "careerpilot_plan_reasks_total",
    "fallbacks": "careerpilot_plan_fallbacks_total",
    "steps_started_in_stream": "careerpilot_plan_steps_streamed_total",
}


@dataclass
class Faulty:
    url: str
    settings: Settings
    questions: dict[str, str]  # plan case -> question
    jobs: dict[str, Job]  # plan case -> the job its question names


async def _jobs(settings: Settings, count: int) -> list[Job]:
    """``count`` jobs with distinct titles and companies, so each question names one job."""
    repository = NetworkRepository(settings.network_db_path)
    try:
        found = await repository.get_jobs(list(range(1, 60)))
    finally:
        await repository.aclose()
    out: list[Job] = []
    for job in found:
        if all(job.title != o.title and job.company_name != o.company_name for o in out):
            out.append(job)
    assert len(out) >= count
    return out[:count]


def _model_expression(plans: dict[str, str]) -> str:
    """The server's ScriptedModel, as the Python expression ``server_process`` runs."""
    return (
        "ScriptedModel(lambda messages: ("
        f"next((PLANS[m.content] for m in messages if m.content in PLANS), {NARRATION!r}) "
        "if messages[0].content.startswith('You plan which skills') "
        f"else {SWALLOW_NARRATION!r} if {SWALLOW_QUESTION!r} in messages[-1].content "
        f"else {MARKUP_NARRATION!r} if {MARKUP_QUESTION!r} in messages[-1].content "
        f"else {NARRATION!r}))"
    ).replace("PLANS", repr(plans))


@pytest.fixture(scope="module")
def faulty(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Faulty]:
    settings = Settings(data_dir=data_dir, network=SMALL, turn_deadline_s=120)
    jobs = dict(zip(PLAN_CASES, asyncio.run(_jobs(settings, len(PLAN_CASES))), strict=True))
    questions = {
        case: f"Am I a good fit for the {job.title} role at {job.company_name}?"
        for case, job in jobs.items()
    }
    plans = {
        questions[case]: spec.reply.replace("{q}", f"{jobs[case].title} {jobs[case].company_name}")
        for case, spec in PLAN_CASES.items()
    }
    database_url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('faults') / 'app.sqlite3'}"
    env = {"CAREERPILOT_TURN_DEADLINE_S": "120"}
    with server_process(settings, database_url, _model_expression(plans), **env) as (url, _pid):
        yield Faulty(url, settings, questions, jobs)


def plan_counters(url: str) -> dict[str, float]:
    """The planner counters in /metrics, summed over backends."""
    response = httpx.get(f"{url}/metrics", timeout=30)
    assert response.status_code == 200
    totals = dict.fromkeys(PLAN_METRICS, 0.0)
    for line in response.text.splitlines():
        for counter, name in PLAN_METRICS.items():
            if line.startswith((name + "{", name + " ")):
                totals[counter] += float(line.rsplit(" ", 1)[1])
    return totals


def ask(
    faulty: Faulty, text: str, page: dict[str, object] | None = None
) -> tuple[list[tuple[str, dict[str, Any]]], dict[str, Any]]:
    """One turn in a new conversation: the events streamed, and the answer as stored."""
    headers = auth(faulty.settings, 1)
    created = httpx.post(f"{faulty.url}/v1/conversations", headers=headers, timeout=30)
    assert created.status_code == 201
    cid = created.json()["id"]
    body: dict[str, object] = {"text": text}
    if page is not None:
        body["context"] = page
    response = httpx.post(
        f"{faulty.url}/v1/conversations/{cid}/messages", json=body, headers=headers, timeout=120
    )
    assert response.status_code == 200, response.text
    events = parse_sse(response.text)
    stored = httpx.get(f"{faulty.url}/v1/conversations/{cid}", headers=headers, timeout=30)
    assert stored.status_code == 200
    messages = stored.json()["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    return events, messages[1]


def components(events: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    return [data["component"] for name, data in events if name == "component"]


def text_of(events: list[tuple[str, dict[str, Any]]]) -> str:
    return "".join(str(data["delta"]) for name, data in events if name == "text")


@pytest.mark.parametrize("case", list(PLAN_CASES))
def test_a_malformed_plan_still_answers(faulty: Faulty, case: str) -> None:
    spec, job = PLAN_CASES[case], faulty.jobs[case]
    before = plan_counters(faulty.url)
    events, answer = ask(faulty, faulty.questions[case])
    after = plan_counters(faulty.url)

    names = [name for name, _ in events]
    assert names[0] == "route" and events[0][1]["agent"] == "job_assessment", events[0]
    assert names[-1] == "done" and "error" not in names, names
    # the job the question names was found (by the repaired plan, or the fallback's search)
    # and assessed; the narration followed
    fits = [c for c in components(events) if c["type"] == "job_fit"]
    assert len(fits) == 1, components(events)
    assert (fits[0]["job"]["title"], fits[0]["job"]["company_name"]) == (
        job.title,
        job.company_name,
    )
    assert text_of(events) == NARRATION
    skills = [
        (data["skill"], data["state"])
        for name, data in events
        if name == "status" and data.get("stage") == "skill"
    ]
    assert ("search_jobs", "finished") in skills
    for forbidden in spec.forbidden:
        assert not [s for s in skills if s[0] == forbidden], skills
    # the planner took the path the malformed output calls for
    moved = {counter: after[counter] - before[counter] for counter in spec.counters}
    assert moved == spec.counters
    # and the answer is stored as sent
    assert answer["status"] == "complete" and answer["agent"] == "job_assessment"
    assert answer["text"] == NARRATION
    assert [e["type"] for e in answer["events"]] == names


def test_broken_and_foreign_card_tags_are_dropped(faulty: Faulty) -> None:
    before = plan_counters(faulty.url)
    events, answer = ask(faulty, MARKUP_QUESTION, {"type": "job", "id": PAGE_JOB})
    names = [name for name, _ in events]
    assert names[0] == "route" and events[0][1]["agent"] == "job_assessment", events[0]
    assert names[-1] == "done" and "error" not in names, names
    # the member never sees raw markup, and keeps every word around it
    shown = text_of(events)
    assert shown == MARKUP_TEXT
    assert "{" not in shown and "}" not in shown and "[7]" not in shown
    # only the page's job gets a card: not the job outside the turn's data, not the missing one
    found = components(events)
    assert [c["type"] for c in found] == ["job_fit", "job_card", "suggestion_chips"], found
    assert found[1]["job_id"] == PAGE_JOB
    assert "How do I learn SQL?" in found[2]["chips"]
    # no citation was invented for the missing source [7]
    assert "citation" not in names and "patch" not in names
    # stored as sent
    assert answer["status"] == "complete"
    assert answer["text"] == MARKUP_TEXT
    assert [e["type"] for e in answer["events"]] == names
    stored_cards = [
        e["component"]["job_id"]
        for e in answer["events"]
        if e["type"] == "component" and e["component"]["type"] == "job_card"
    ]
    assert stored_cards == [PAGE_JOB]
    # a job page turn does not plan
    assert plan_counters(faulty.url)["plans"] == before["plans"]


def test_an_unterminated_tag_is_dropped_only_to_the_end_of_its_line(faulty: Faulty) -> None:
    events, answer = ask(faulty, SWALLOW_QUESTION, {"type": "job", "id": PAGE_JOB})
    assert [name for name, _ in events][-1] == "done"
    assert answer["status"] == "complete"
    assert "Still here." in text_of(events)
    chips = [c for c in components(events) if c["type"] == "suggestion_chips"]
    assert chips and "Next step?" in chips[0]["chips"]
