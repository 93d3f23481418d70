"""The example store: per-agent examples from YAML, picked by similarity, reloaded live."""

from pathlib import Path

import pytest

from careerpilot.agents.example_store import ExampleStore
from careerpilot.agents.prompting import few_shot_messages
from careerpilot.errors import ConfigurationError
from careerpilot.retrieval.embedder import OnnxEmbedder

AGENTS = ("job_assessment", "post_takeaways", "company", "career_advice", "general")


async def test_every_agent_has_at_least_ten_bundled_examples(embedder: OnnxEmbedder) -> None:
    store = ExampleStore(embedder)
    for agent in AGENTS:
        assert len(await store.examples(agent)) >= 10, agent


async def test_the_most_similar_examples_come_last(embedder: OnnxEmbedder) -> None:
    store = ExampleStore(embedder)
    picked = await store.select("general", "what is the STAR method for interviews", 2)
    assert len(picked) == 2
    assert "STAR" in picked[-1].query  # the closest sits next to the question
    assert await store.select("general", "anything", 0) == []
    assert await store.select("no_such_agent", "anything", 2) == []


async def test_a_new_file_is_picked_up_without_a_restart(
    embedder: OnnxEmbedder, tmp_path: Path
) -> None:
    store = ExampleStore(embedder, [tmp_path])
    before = len(await store.examples("general"))
    (tmp_path / "general.yaml").write_text(
        "examples:\n"
        "- query: what is a zebra-stripe interview\n"
        "  context: null\n"
        "  facts: 'Sources:\n\n    [1] Zebra: a made-up term.'\n"
        "  answer: A made-up term [1].\n",
        encoding="utf-8",
    )
    assert len(await store.examples("general")) == before + 1  # noticed by modification time
    picked = await store.select("general", "zebra-stripe interview", 1)
    assert picked[0].query == "what is a zebra-stripe interview"
    (tmp_path / "general.yaml").unlink()
    await store.reload()
    assert len(await store.examples("general")) == before


async def test_a_broken_file_is_a_clear_configuration_error(
    embedder: OnnxEmbedder, tmp_path: Path
) -> None:
    (tmp_path / "company.yaml").write_text("examples:\n- query: only a query\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"company\.yaml"):
        await ExampleStore(embedder, [tmp_path]).reload()


async def test_examples_become_user_and_assistant_turns(embedder: OnnxEmbedder) -> None:
    store = ExampleStore(embedder)
    examples = await store.select("general", "what does a recruiter do", 2)
    messages = few_shot_messages("general", "Sources: X", "what do they do?", examples)
    assert [m.role for m in messages] == [
        "system",
        "user",
        "assistant",
        "user",
        "assistant",
        "user",
    ]
    assert messages[2].content == examples[0].answer
    assert messages[-1].content.endswith("Question: what do they do?")
    assert messages[-1].content.startswith("Sources: X")
