"""The post takeaways agent on the seeded network: a post page, by id, or named in words."""

import re
import sqlite3
from collections.abc import AsyncIterator

import httpx
import pytest
import yaml

from careerpilot.agents.base import PageContext, TurnContext
from careerpilot.agents.example_store import bundled_examples_dir
from careerpilot.agents.post_takeaways import (
    PostTakeawaysAgent,
    extract_takeaways,
    lookup_words,
    split_sentences,
)
from careerpilot.config import Settings
from careerpilot.llm.base import ChatModel, GenerationOptions
from careerpilot.llm.testing import ScriptedModel
from careerpilot.network.api import create_network_app
from careerpilot.network.repository import NetworkRepository
from careerpilot.network.schemas import Post
from careerpilot.pipeline.events import (
    ComponentEvent,
    Event,
    StatusEvent,
    SuggestionsEvent,
    TextEvent,
)
from careerpilot.retrieval.embedder import OnnxEmbedder
from careerpilot.retrieval.setup import SearchStack, refresh_indexes
from careerpilot.skills.base import SkillRegistry
from careerpilot.skills.http import NetworkApi
from careerpilot.skills.network import network_skills

NARRATIVE = "The author makes three points."


@pytest.fixture
async def registry(settings: Settings, embedder: OnnxEmbedder) -> AsyncIterator[SkillRegistry]:
    stack = SearchStack.open(settings, embedder)
    await refresh_indexes(settings, stack)
    repo = NetworkRepository(settings.network_db_path)
    app = create_network_app(repo, stack.network)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://a") as c:
        yield network_skills(NetworkApi(c))
    await repo.aclose()


async def get_post(settings: Settings, post_id: int) -> Post:
    repo = NetworkRepository(settings.network_db_path)
    try:
        return await repo.get_post(post_id)
    finally:
        await repo.aclose()


def distinctive_sentence(settings: Settings) -> tuple[int, str]:
    """A long sentence of a post that no other post's body contains: (post id, sentence)."""
    with sqlite3.connect(settings.network_db_path) as db:
        rows = db.execute(
            "SELECT id, json_extract(doc, '$.body') FROM posts ORDER BY id"
        ).fetchall()
    for post_id, body in rows:
        for sentence in split_sentences(body):
            unique = sum(sentence.text in other for _, other in rows) == 1
            if unique and len(sentence.text.split()) >= 9:
                return post_id, sentence.text
    raise AssertionError("no distinctive sentence in the seeded posts")


async def run(
    model: ChatModel,
    registry: SkillRegistry,
    question: str,
    page: PageContext | None = None,
    max_tokens: int = 160,
) -> list[Event]:
    options = GenerationOptions(seed=7, max_tokens=max_tokens)
    ctx = TurnContext(question, 1, page, registry, model, options)
    return [e async for e in PostTakeawaysAgent().run(ctx)]


def started(events: list[Event]) -> list[str]:
    return [
        e.skill
        for e in events
        if isinstance(e, StatusEvent) and e.state == "started" and e.skill is not None
    ]


def takeaways_of(events: list[Event]) -> dict[str, object]:
    component = next(e for e in events if isinstance(e, ComponentEvent)).component
    assert component["type"] == "post_takeaways"
    return component


def text_of(events: list[Event]) -> str:
    return "".join(e.delta for e in events if isinstance(e, TextEvent))


def assert_anchored(card: dict[str, object], post: Post) -> None:
    """3-4 takeaways, each quoting its exact span of the body, in document order."""
    points = card["takeaways"]
    assert isinstance(points, list)
    wanted = 4 if len(split_sentences(post.body)) > 12 else 3
    assert len(points) == wanted
    for point in points:
        assert point["quote"] == point["text"]
        assert post.body[point["start"] : point["end"]] == point["quote"]
        assert point["quote"] in post.body and point["quote"].strip() == point["quote"]
    starts = [point["start"] for point in points]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)


async def test_a_post_page_gets_anchored_takeaways(
    registry: SkillRegistry, settings: Settings
) -> None:
    post = await get_post(settings, 12)
    model = ScriptedModel(NARRATIVE)
    events = await run(
        model, registry, "What are the key takeaways?", PageContext(type="post", id=12)
    )
    assert set(started(events)) == {"get_post"}
    card = takeaways_of(events)
    assert (card["post_id"], card["title"], card["author_name"]) == (
        post.id,
        post.title,
        post.author_name,
    )
    assert card["topic"] == post.topic.replace("_", " ")
    assert_anchored(card, post)
    text = card["text"]
    assert isinstance(text, str) and "\n" not in text
    assert text.startswith(f'Key points of "{post.title}" by {post.author_name}: ')

    # The card comes before the narrative, which is the only LLM call.
    kinds = [type(e) for e in events]
    assert kinds.index(ComponentEvent) < kinds.index(TextEvent)
    assert text_of(events) == NARRATIVE
    assert len(model.calls) == 1
    assert isinstance(events[-1], SuggestionsEvent)
    assert f"Find more posts about {card['topic']}" in events[-1].suggestions


async def test_every_seeded_post_gets_anchored_takeaways(settings: Settings) -> None:
    with sqlite3.connect(settings.network_db_path) as db:
        ids = [i for (i,) in db.execute("SELECT id FROM posts ORDER BY id")]
    repo = NetworkRepository(settings.network_db_path)
    try:
        posts = await repo.get_posts(ids)
    finally:
        await repo.aclose()
    assert len(posts) == len(ids) > 0
    for post in posts:
        chosen = extract_takeaways(post.body, post.title)
        wanted = 4 if len(split_sentences(post.body)) > 12 else 3
        assert len(chosen) == wanted, post.id
        assert [s.start for s in chosen] == sorted(s.start for s in chosen)
        assert all(post.body[s.start : s.end] == s.text for s in chosen), post.id


async def test_a_post_named_by_id_needs_no_context(
    registry: SkillRegistry, settings: Settings
) -> None:
    post = await get_post(settings, 5)
    for question in ("Summarise post 5", "key points of #5 please"):
        events = await run(ScriptedModel(NARRATIVE), registry, question)
        assert started(events) == ["get_post"], question
        card = takeaways_of(events)
        assert card["post_id"] == 5
        assert_anchored(card, post)


async def test_a_post_named_in_words_is_found_by_search(
    registry: SkillRegistry, settings: Settings
) -> None:
    post_id, sentence = distinctive_sentence(settings)
    question = f'What are the takeaways of the post that says "{sentence}"?'
    events = await run(ScriptedModel(NARRATIVE), registry, question)
    assert started(events) == ["search_posts", "get_post"]
    card = takeaways_of(events)
    assert card["post_id"] == post_id
    assert_anchored(card, await get_post(settings, post_id))


@pytest.mark.parametrize(
    ("question", "skills"),
    [
        ("Summarise the post about zyxqorp quantum basket weaving", ["search_posts"]),
        ("What are the key takeaways?", []),  # no page, no id, no words: nothing to look up
        ("tldr of post 99999", ["get_post"]),  # no such post
    ],
)
async def test_a_post_not_found_is_said_plainly(
    registry: SkillRegistry, question: str, skills: list[str]
) -> None:
    model = ScriptedModel(NARRATIVE)
    events = await run(model, registry, question)
    assert started(events) == skills
    assert not any(isinstance(e, ComponentEvent) for e in events)
    assert "could not find" in text_of(events)
    assert isinstance(events[-1], SuggestionsEvent)
    assert model.calls == []


async def test_the_narrative_gets_every_quote_in_the_examples_format(
    registry: SkillRegistry, settings: Settings
) -> None:
    post = await get_post(settings, 4)
    model = ScriptedModel(NARRATIVE)
    events = await run(model, registry, "tldr", PageContext(type="post", id=4))
    card = takeaways_of(events)
    [system, user] = model.last_messages
    assert system.role == "system" and "only the key sentences" in system.content
    quotes = [point["quote"] for point in card["takeaways"]]  # type: ignore[attr-defined]
    for quote in quotes:
        assert f'- "{quote}"' in user.content

    facts = user.content.split("\n\nQuestion:", 1)[0]
    lines = facts.splitlines()
    assert lines[0] == f'Post: "{post.title}" by {post.author_name}, {post.author_headline}'
    assert lines[1] == f"Topic: {post.topic.replace('_', ' ')}"
    assert lines[2] == "Key sentences:"
    assert lines[3:] == [f'- "{quote}"' for quote in quotes]

    # Line for line, the same shape as the example store's post takeaways examples.
    def shape(text: str) -> list[str]:
        lines = text.strip().splitlines()
        quoted = re.compile(r'- "[^\n]+"')
        return [line.split(":", 1)[0] for line in lines[:3]] + [
            "quote" if quoted.fullmatch(line) else line for line in lines[3:]
        ]

    examples = yaml.safe_load((bundled_examples_dir() / "post_takeaways.yaml").read_text("utf-8"))
    for example in examples["examples"]:
        expected = shape(example["facts"])
        assert expected[:3] == shape(facts)[:3] == ["Post", "Topic", "Key sentences"]
        assert set(expected[3:]) == set(shape(facts)[3:]) == {"quote"}


def test_sentences_keep_exact_offsets() -> None:
    body = (
        "Quick one today: tools matter less than habits. We tried e.g. Jira and Linear.\n\n"
        "What worked for me:\n"
        "- Write the scorecard before you open the role\n"
        "2. Reply to every applicant within 8 business days\n\n"
        "Thoughts?\n#Hiring #Careers"
    )
    sentences = split_sentences(body)
    assert [s.text for s in sentences] == [
        "Quick one today: tools matter less than habits.",
        "We tried e.g. Jira and Linear.",
        "What worked for me:",
        "Write the scorecard before you open the role",
        "Reply to every applicant within 8 business days",
        "Thoughts?",
    ]
    assert [s.paragraph_start for s in sentences] == [True, False, True, False, False, True]
    assert all(body[s.start : s.end] == s.text for s in sentences)


def test_a_long_post_gets_four_takeaways_and_questions_are_left_out() -> None:
    body = " ".join(f"Remote teams need clear written goals number {i}." for i in range(13))
    body += " Do remote teams need written goals at all?"
    chosen = extract_takeaways(body)
    assert len(chosen) == 4
    assert not any(s.text.endswith("?") for s in chosen)


def test_lookup_words_drop_the_request() -> None:
    assert lookup_words("Summarise the post about pay equity reviews") == [
        "pay",
        "equity",
        "reviews",
    ]
    assert lookup_words("What are the key takeaways?") == []


async def test_the_real_model_summarises_the_post(
    registry: SkillRegistry, settings: Settings
) -> None:
    from careerpilot.llm.llamacpp import LlamaCppModel

    post = await get_post(settings, 4)
    model = LlamaCppModel(settings.llm)
    try:
        events = await run(
            model,
            registry,
            "What are the key takeaways?",
            PageContext(type="post", id=4),
            max_tokens=48,  # a few sentences' worth: enough to show it streams, and fast
        )
    finally:
        await model.aclose()
    assert_anchored(takeaways_of(events), post)
    assert text_of(events).strip()
