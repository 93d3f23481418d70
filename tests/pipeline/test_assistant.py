from collections.abc import AsyncIterator

import pytest

from careerpilot.agents.base import PageContext
from careerpilot.config import Settings
from careerpilot.errors import ModelError
from careerpilot.llm.testing import ScriptedModel
from careerpilot.pipeline.assistant import Assistant
from careerpilot.pipeline.events import Event
from careerpilot.retrieval.embedder import OnnxEmbedder

NARRATIVE = "You match most of the required skills, but you lack one of them."


@pytest.fixture
async def make_assistant(
    settings: Settings, embedder: OnnxEmbedder
) -> AsyncIterator[type[Assistant]]:
    opened: list[Assistant] = []

    async def make(model: ScriptedModel) -> Assistant:
        assistant = await Assistant.open(settings, model=model, embedder=embedder)
        opened.append(assistant)
        return assistant

    yield make  # type: ignore[misc]
    for assistant in opened:
        await assistant.aclose()


async def collect(stream: AsyncIterator[Event]) -> list[Event]:
    return [event async for event in stream]


async def test_job_fit_turn_streams_grounded_events_in_order(make_assistant) -> None:
    model = ScriptedModel(NARRATIVE)
    assistant = await make_assistant(model)
    events = await collect(
        assistant.turn("Am I a good fit for this job?", 1, PageContext(type="job", id=1))
    )
    types = [e.type for e in events]
    assert types[0] == "route" and events[0].agent == "job_assessment"
    assert types[-1] == "done"
    assert types.index("component") < types.index("text")
    skills = {e.skill for e in events if e.type == "status" and e.stage == "skill"}
    assert skills == {"get_job", "get_member"}
    component = next(e for e in events if e.type == "component").component
    assert component["type"] == "job_fit" and component["job"]["job_id"] == 1
    text = "".join(e.delta for e in events if e.type == "text")
    assert text == NARRATIVE
    # the LLM saw the computed facts, not raw records
    prompt = model.last_messages[-1].content
    for skill in component["matched_required"] + component["missing_required"]:
        assert skill in prompt
    done = events[-1]
    assert done.usage["completion_tokens"] > 0 and done.usage["prompt_tokens"] > 0
    for key in ("routing_ms", "skills_ms", "generation_ms", "ttft_ms", "total_ms"):
        assert key in done.timings


async def test_job_named_in_question_without_page(make_assistant) -> None:
    assistant = await make_assistant(ScriptedModel(NARRATIVE))
    events = await collect(assistant.turn("Am I a good fit for job 7?", 1))
    component = next(e for e in events if e.type == "component").component
    assert component["job"]["job_id"] == 7


@pytest.mark.parametrize(("member", "job", "kind"), [(1, 999_999, "job"), (999_999, 1, "member")])
async def test_unknown_ids_end_in_a_typed_error(make_assistant, member, job, kind) -> None:
    model = ScriptedModel(NARRATIVE)
    assistant = await make_assistant(model)
    events = await collect(
        assistant.turn("Am I a good fit for this job?", member, PageContext(type="job", id=job))
    )
    assert events[-1].type == "error"
    assert events[-1].code == "not_found" and kind in events[-1].message
    assert not model.calls


@pytest.mark.parametrize("question", ["", "   ", "x" * 4001])
async def test_bad_questions_end_in_a_typed_error(make_assistant, question) -> None:
    assistant = await make_assistant(ScriptedModel(NARRATIVE))
    events = await collect(assistant.turn(question, 1))
    assert [e.type for e in events] == ["error"]
    assert events[0].code == "invalid_question"


async def test_out_of_scope_needs_no_model(make_assistant) -> None:
    model = ScriptedModel(NARRATIVE)
    assistant = await make_assistant(model)
    events = await collect(assistant.turn("Give me a recipe for lasagna", 1))
    assert events[0].agent == "out_of_scope"
    assert any(e.type == "component" and e.component["type"] == "suggestion_chips" for e in events)
    assert events[-1].type == "done"
    assert not model.calls


async def test_model_failure_mid_turn_keeps_the_component(make_assistant) -> None:
    assistant = await make_assistant(ScriptedModel(ModelError("backend exploded")))
    events = await collect(
        assistant.turn("Should I apply for this role?", 1, PageContext(type="job", id=1))
    )
    assert any(e.type == "component" for e in events)
    assert events[-1].type == "error" and events[-1].retryable
    assert events[-1].code == "model_error"


async def test_closing_the_stream_stops_generation(make_assistant) -> None:
    model = ScriptedModel("word " * 100, delay_s=0.01)
    assistant = await make_assistant(model)
    stream = assistant.turn("Am I a good fit for this job?", 1, PageContext(type="job", id=1))
    texts = 0
    async for event in stream:
        if event.type == "text":
            texts += 1
            if texts == 3:
                break
    await stream.aclose()  # type: ignore[attr-defined]
    assert model.closed_early == 1 and model.completed == 0


async def test_a_follow_up_stays_with_the_previous_agent(make_assistant) -> None:
    assistant = await make_assistant(ScriptedModel("Here is more."))
    events = await collect(
        assistant.turn("and what about remote ones?", 1, None, (), previous_agent="career_advice")
    )
    route = events[0]
    assert route.type == "route" and route.agent == "career_advice" and route.follow_up
    alone = await collect(assistant.turn("and what about remote ones?", 1))
    assert not alone[0].follow_up


async def test_a_job_tag_shows_a_job_the_turn_looked_up(make_assistant) -> None:
    model = ScriptedModel("You match most of it. {{job: 1}} {{job: 2}}")
    assistant = await make_assistant(model)
    events = await collect(assistant.turn("Am I a good fit?", 1, PageContext(type="job", id=1)))
    cards = [e.component for e in events if e.type == "component"]
    assert [c["job_id"] for c in cards if c["type"] == "job_card"] == [1]


async def test_markup_in_the_answer_becomes_events_never_text(make_assistant) -> None:
    reply = (
        "A notice period is the time before your last day [1]. See {{job: 3}} "
        "{{chip: How long is my notice period?}}and an invented source [9]. {{weather: x}}"
    )
    assistant = await make_assistant(ScriptedModel(reply))
    events = await collect(assistant.turn("What is a notice period?", 1))
    assert events[-1].type == "done", events[-1]
    text = "".join(e.delta for e in events if e.type == "text")
    assert text == (
        "A notice period is the time before your last day . See  and an invented source . "
    )
    components = {e.component["type"]: e for e in events if e.type == "component"}
    # Job 3 is not among this turn's results (the general agent looks up no job): its tag is
    # dropped, as a tag copied from a web page or a post would be.
    assert set(components) == {"citations", "suggestion_chips"}
    assert "How long is my notice period?" in components["suggestion_chips"].component["chips"]
    ids = [e.id for e in events if e.type == "component"]
    assert len(set(ids)) == len(ids) and all(ids)
    citations = [e for e in events if e.type == "citation"]
    assert [c.index for c in citations] == [1]  # [9] is not a source of this turn
    patch = next(e for e in events if e.type == "patch")
    assert (patch.id, patch.op, patch.path, patch.value) == (
        components["citations"].id,
        "set",
        "sources.0.cited",
        True,
    )
    order = [e.type for e in events]
    assert order.index("patch") < order.index("citation")
