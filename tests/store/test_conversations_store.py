"""The conversation store on each backend (a SQLite file, a PostgreSQL database): turn context,
ownership, concurrent writers."""

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator

import pytest

from careerpilot.errors import NotFoundError
from careerpilot.store.conversations import ConversationStore
from careerpilot.store.database import Database


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[ConversationStore]:
    opened = ConversationStore(database_url)
    await opened.create_schema()
    yield opened
    await opened.aclose()


async def _answer(store: ConversationStore, cid: str, text: str, agent: str) -> None:
    await store.add_assistant_message(
        cid, text=text, status="complete", agent=agent, events=[], usage=None, timings=None
    )


async def test_turn_context_of_a_new_conversation_is_empty(store: ConversationStore) -> None:
    cid = await store.create_conversation(7)
    context = await store.turn_context(cid, 7)
    assert context.history == [] and context.previous_agent is None


async def test_turn_context_gives_the_last_messages_oldest_first_and_the_last_agent(
    store: ConversationStore,
) -> None:
    cid = await store.create_conversation(7)
    for i in range(5):
        await store.add_user_message(cid, 7, f"question {i}", None)
        await _answer(store, cid, f"answer {i}", "company" if i < 4 else "career_advice")
    await store.add_user_message(cid, 7, "question 5", None)  # its turn was never answered
    context = await store.turn_context(cid, 7, limit=4)
    assert [text for _, text in context.history] == [
        "answer 3",
        "question 4",
        "answer 4",
        "question 5",
    ]
    assert context.previous_agent == "career_advice"


async def test_another_members_conversation_does_not_exist(store: ConversationStore) -> None:
    cid = await store.create_conversation(7)
    with pytest.raises(NotFoundError):
        await store.turn_context(cid, 8)
    with pytest.raises(NotFoundError):
        await store.turn_context("no-such-conversation", 7)
    with pytest.raises(NotFoundError):
        await store.add_user_message(cid, 8, "not mine", None)
    assert (await store.get_conversation(cid, 7)).messages == []


async def test_the_first_question_titles_the_conversation(store: ConversationStore) -> None:
    cid = await store.create_conversation(7)
    await store.add_user_message(cid, 7, "How do I move into product management?" * 3, None)
    await store.add_user_message(cid, 7, "second question", None)
    view = await store.get_conversation(cid, 7)
    assert view.title == ("How do I move into product management?" * 3)[:80]


async def test_concurrent_writers_on_two_connections_lose_nothing(database_url: str) -> None:
    # Two stores on one database are two connection pools, as two server processes would be.
    # On SQLite a read-then-write transaction fails at once in WAL mode when another writer
    # commits in between ("database is locked" regardless of busy_timeout); on PostgreSQL the
    # writes run truly concurrently. Every write must get through.
    url = database_url
    first, second = ConversationStore(url), ConversationStore(url)
    await first.create_schema()
    try:
        conversations = [await first.create_conversation(m) for m in range(40)]

        async def turn(store: ConversationStore, member: int, cid: str, n: int) -> None:
            await store.add_user_message(cid, member, f"question {n}", None)
            await _answer(store, cid, f"answer {n}", "general")

        await asyncio.gather(
            *(
                turn(first if n % 2 else second, member, cid, n)
                for member, cid in enumerate(conversations)
                for n in range(3)
            )
        )
        for member, cid in enumerate(conversations):
            messages = (await first.get_conversation(cid, member)).messages
            assert len(messages) == 6
    finally:
        await first.aclose()
        await second.aclose()


async def test_writers_queue_in_process_instead_of_timing_out_on_a_busy_loop(
    database_url: str,
) -> None:
    # A write transaction holds SQLite's lock across awaits; when the event loop is busy those
    # awaits are slow, and writers waiting in SQLite's busy handler would time out. A 20 ms
    # busy timeout and a loop blocked 4 ms at a time make that certain without the queue.
    # (PostgreSQL has row locks instead; the same load must get through there too.)
    database = Database(database_url, busy_timeout_ms=20)
    store = ConversationStore(database)
    await store.create_schema()
    busy = True

    async def hog_the_loop() -> None:
        while busy:
            time.sleep(0.004)  # noqa: ASYNC251 - blocking the loop is the point
            await asyncio.sleep(0)

    hog = asyncio.create_task(hog_the_loop())
    try:
        conversations = [await store.create_conversation(m) for m in range(12)]
        await asyncio.gather(
            *(
                store.add_user_message(cid, member, f"question {n}", None)
                for member, cid in enumerate(conversations)
                for n in range(3)
            )
        )
    finally:
        busy = False
        await hog
        await store.aclose()
    counts = set()
    reopened = ConversationStore(database_url)
    for member, cid in enumerate(conversations):
        counts.add(len((await reopened.get_conversation(cid, member)).messages))
    await reopened.aclose()
    assert counts == {3}


async def test_tokens_used_since_counts_one_members_answers(store: ConversationStore) -> None:
    mine, theirs = await store.create_conversation(7), await store.create_conversation(8)
    start = dt.datetime.now(dt.UTC)
    for cid, tokens in ((mine, 120), (mine, 30), (theirs, 1000)):
        await store.add_assistant_message(
            cid,
            text="x",
            status="complete",
            agent="general",
            events=[],
            usage={"prompt_tokens": tokens, "completion_tokens": 0, "total_tokens": tokens},
            timings=None,
        )
    assert await store.tokens_used_since(7, start - dt.timedelta(seconds=1)) == 150
    assert await store.tokens_used_since(7, dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)) == 0
    assert await store.tokens_used_since(9, start) == 0
