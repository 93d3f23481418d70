"""Chain of thought: hidden reasoning before the answer, its cost in the timings, and models
that ignore the format."""

from collections.abc import AsyncIterator

import pytest

from careerpilot.agents.base import PageContext
from careerpilot.agents.reasoning import AnswerLabel, ReasoningSplitter
from careerpilot.config import ChainOfThoughtSettings, Settings
from careerpilot.errors import ConfigurationError
from careerpilot.llm.testing import ScriptedModel
from careerpilot.pipeline.assistant import Assistant
from careerpilot.retrieval.embedder import OnnxEmbedder

JOB = PageContext(type="job", id=1)
POST = PageContext(type="post", id=1)


def split(deltas: list[str]) -> tuple[str, ReasoningSplitter]:
    splitter = ReasoningSplitter()
    return "".join(splitter.feed(delta) for delta in deltas), splitter


@pytest.mark.parametrize(
    ("deltas", "answer", "reasoning"),
    [
        (
            ["Reasoning: skills", " match.", "\nAnswer:", " Yes, apply."],
            "Yes, apply.",
            "skills match.",
        ),
        # The marker arrives in pieces, and in markdown.
        (
            ["Reason", "ing: gaps", " in Go. **Ans", "wer", ":** Learn", " Go."],
            "Learn Go.",
            "gaps in Go.",
        ),
        (["  reasoning:", " x\n", "## Answer: ", "", "ok"], "ok", "x"),
        # No reasoning at all, the marker first; reasoning without its label.
        (["Answer: straight", " away"], "straight away", ""),
        (["The job wants Go.", " Answer: learn it"], "learn it", "The job wants Go."),
        (["It fits. **Answer:", "** Go with X."], "Go with X.", "It fits."),
    ],
)
def test_the_answer_is_what_follows_the_marker(
    deltas: list[str], answer: str, reasoning: str
) -> None:
    shown, splitter = split(deltas)
    assert shown == answer
    assert splitter.reasoning == reasoning


def test_nothing_is_shown_before_the_marker() -> None:
    splitter = ReasoningSplitter()
    assert [splitter.feed(d) for d in ["Reasoning:", " the", " answers", " are"]] == [""] * 4
    assert not splitter.answering
    assert splitter.hidden() == "the answers are"  # "answers" is not the marker
    assert splitter.feed(" short, to answer: we look.") == ""  # mid-sentence: still reasoning
    assert splitter.feed(" Answer:") == ""  # the marker, but "**" may still follow
    assert splitter.feed("** hi") == "hi"
    assert splitter.answering
    assert splitter.reasoning == "the answers are short, to answer: we look."


@pytest.mark.parametrize(
    ("deltas", "shown"),
    [
        (["Answer", ":", " You", " fit."], "You fit."),
        (["**Answer:**", "", " ok"], "ok"),
        (["You are", " a fit. Answer: x"], "You are a fit. Answer: x"),  # no label: as it comes
        (["  An", "swers vary."], "Answers vary."),
        (["Ans"], "Ans"),  # a reply shorter than a label
        (["**Answer**", ":", " Go."], "Go."),  # markdown around the label, cut anywhere
        (["Answer:"], ""),  # a bare label is no answer
        # Reasoning again: hidden up to its marker, or all of it at the end without one.
        (["Reas", "oning: again.", "\nAnswer: ", "Yes."], "Yes."),
        (["Reasoning: only", " this."], "only this."),
        (["Rea"], "Rea"),
    ],
)
def test_the_answer_label_is_dropped_and_the_rest_streams(deltas: list[str], shown: str) -> None:
    label = AnswerLabel()
    assert "".join(label.feed(d) for d in deltas) + label.finish() == shown


@pytest.fixture
async def make(settings: Settings, embedder: OnnxEmbedder) -> AsyncIterator[object]:
    opened: list[Assistant] = []

    async def build(model: ScriptedModel, agents: list[str], max_tokens: int = 96) -> Assistant:
        cot = ChainOfThoughtSettings(agents=agents, max_tokens=max_tokens)
        assistant = await Assistant.open(
            settings.model_copy(update={"chain_of_thought": cot}), model=model, embedder=embedder
        )
        opened.append(assistant)
        return assistant

    yield build
    for assistant in opened:
        await assistant.aclose()


async def test_a_reasoning_agent_shows_only_its_answer_and_times_the_reasoning(make) -> None:
    model = ScriptedModel(
        "Reasoning: the member has most required skills but lacks one. "
        "Answer: You are a strong fit for this role.",
        delay_s=0.005,
    )
    assistant = await make(model, ["job_assessment"])
    events = [e async for e in assistant.turn("Am I a good fit for this job?", 1, JOB)]
    text = "".join(e.delta for e in events if e.type == "text")
    assert text == "You are a strong fit for this role."
    statuses = [
        (e.state, e.detail) for e in events if e.type == "status" and e.stage == "reasoning"
    ]
    assert statuses == [("started", None), ("finished", None)]
    # The instruction is on the turn's own message, after the static prefix.
    prompt = model.last_messages
    assert "Reasoning:" in prompt[-1].content and "Reasoning:" not in prompt[0].content
    done = events[-1]
    assert done.type == "done"
    timings = done.timings
    assert timings["reasoning_tokens"] == 11  # "Reasoning:", 9 words and "Answer:"
    assert timings["reasoning_ms"] >= 11 * 5
    assert timings["ttft_ms"] >= timings["reasoning_ms"]
    # Reasoning tokens are paid for like any other.
    assert done.usage["completion_tokens"] >= 11 + 7


async def test_other_agents_answer_without_reasoning(make) -> None:
    model = ScriptedModel("The post says three things.")
    assistant = await make(model, ["job_assessment"])
    events = [e async for e in assistant.turn("What are the takeaways of this post?", 1, POST)]
    assert events[0].agent == "post_takeaways"
    assert "Reasoning:" not in model.last_messages[-1].content
    assert not any(e.type == "status" and e.stage == "reasoning" for e in events)
    assert "reasoning_ms" not in events[-1].timings


async def test_reasoning_past_its_budget_is_cut_and_the_answer_written_from_it(make) -> None:
    model = ScriptedModel(
        [
            "Reasoning: " + "the member has a long history of many things " * 10,
            "Answer: Apply, your skills match.",
        ]
    )
    assistant = await make(model, ["job_assessment"], max_tokens=8)
    events = [e async for e in assistant.turn("Am I a good fit for this job?", 1, JOB)]
    assert "".join(e.delta for e in events if e.type == "text") == "Apply, your skills match."
    finished = [e for e in events if e.type == "status" and e.stage == "reasoning"][-1]
    assert finished.detail == "reasoning budget spent"
    assert model.closed_early == 1  # the runaway reasoning was stopped
    second = model.calls[-1].messages
    assert second[-2].role == "assistant"
    assert second[-2].content == "Reasoning: the member has a long history of"  # 8 tokens
    assert events[-1].timings["reasoning_tokens"] == 8


async def test_a_model_that_ignores_the_format_is_asked_again_for_its_answer(make) -> None:
    model = ScriptedModel(["You look like a good fit overall.", "Answer: Yes, you fit."])
    assistant = await make(model, ["job_assessment"])
    events = [e async for e in assistant.turn("Am I a good fit for this job?", 1, JOB)]
    assert "".join(e.delta for e in events if e.type == "text") == "Yes, you fit."
    finished = [e for e in events if e.type == "status" and e.stage == "reasoning"][-1]
    assert finished.detail == "no answer after the reasoning"
    first, second = model.calls[-2].messages, model.calls[-1].messages
    # The second prompt continues the first, so a prefix cache only reads the new turn.
    assert list(second[: len(first)]) == list(first)
    assert second[len(first)].content == "You look like a good fit overall."


async def test_a_marker_with_nothing_after_it_is_asked_again(make) -> None:
    model = ScriptedModel(["Reasoning: it fits. Answer:", "Yes, apply."])
    assistant = await make(model, ["job_assessment"])
    events = [e async for e in assistant.turn("Am I a good fit for this job?", 1, JOB)]
    assert "".join(e.delta for e in events if e.type == "text") == "Yes, apply."
    assert model.calls[-1].messages[-2].content == "Reasoning: it fits. Answer:"
    assert "reasoning_reask_ms" in events[-1].timings


async def test_an_unknown_agent_in_the_settings_fails_at_start(make) -> None:
    with pytest.raises(ConfigurationError, match="job_asessment"):
        await make(ScriptedModel("x"), ["job_asessment"])
