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


async def test_every_agent_pins_one_example(embedder: OnnxEmbedder) -> None:
    store = ExampleStore(embedder)
    for agent in AGENTS:
        assert sum(e.pinned for e in await store.examples(agent)) == 1, agent


async def test_pinned_first_then_the_most_similar_last(embedder: OnnxEmbedder) -> None:
    store = ExampleStore(embedder)
    picked = await store.select("general", "what is the STAR method for interviews", 2)
    assert len(picked) == 3
    assert picked[0].pinned and not any(e.pinned for e in picked[1:])
    assert "STAR" in picked[-1].query  # the closest sits next to the question
    # The pinned example is the same whatever the question: a static prompt prefix.
    assert await store.select("general", "anything", 0) == picked[:1]
    assert await store.select("no_such_agent", "anything", 2) == []


async def test_a_pinned_example_is_never_picked_twice(embedder: OnnxEmbedder) -> None:
    store = ExampleStore(embedder)
    pinned = (await store.select("general", "x", 0))[0]
    picked = await store.select("general", pinned.query, 3)
    assert picked.count(pinned) == 1 and len(picked) == 4


async def test_without_pinning_only_similar_examples(embedder: OnnxEmbedder) -> None:
    store = ExampleStore(embedder, use_pinned=False)
    pinned = (await ExampleStore(embedder).select("general", "x", 0))[0]
    assert await store.select("general", "anything", 0) == []
    assert await store.select("general", pinned.query, 1) == [pinned]  # ordinary when similar


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
    assert picked[-1].query == "what is a zebra-stripe interview"
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
    assert [m.role for m in messages] == ["system", *["user", "assistant"] * 3, "user"]
    assert messages[2].content == examples[0].answer
    assert messages[-1].content.endswith("Question: what do they do?")
    assert messages[-1].content.startswith("Sources: X")
