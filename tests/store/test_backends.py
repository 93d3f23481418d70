"""What must behave the same on SQLite and PostgreSQL: aware UTC datetimes, events stored as
JSON text, concurrent labels, and inputs PostgreSQL would refuse (NUL, over-long, huge ids)."""

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator

import pytest

from careerpilot.config import Settings
from careerpilot.errors import InputError, NotFoundError
from careerpilot.store.annotations import AnnotationStore, Label
from careerpilot.store.conversations import ConversationStore
from careerpilot.store.values import INT32_MAX


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[ConversationStore]:
    opened = ConversationStore(database_url)
    await opened.create_schema()
    yield opened
    await opened.aclose()


def test_the_database_url_setting_picks_the_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    assert (
        Settings(data_dir="/srv/cp").app_db_url == "sqlite+aiosqlite:////srv/cp/careerpilot.sqlite3"
    )
    url = "postgresql+asyncpg://u:p@db:5432/careerpilot"
    monkeypatch.setenv("CAREERPILOT_DATABASE_URL", url)
    assert Settings(data_dir="/srv/cp").app_db_url == url


async def test_datetimes_come_back_aware_in_utc(store: ConversationStore) -> None:
    before = dt.datetime.now(dt.UTC)
    cid = await store.create_conversation(1)
    await store.add_user_message(cid, 1, "when?", None)
    view = await store.get_conversation(cid, 1)
    for stamp in (view.created_at, view.messages[0].created_at):
        assert stamp.utcoffset() == dt.timedelta(0)
        assert before - dt.timedelta(seconds=5) < stamp < before + dt.timedelta(minutes=1)
    listed = await store.list_conversations(1)
    assert listed[0]["created_at"].endswith("+00:00")


async def test_events_given_as_json_text_are_stored_as_json(store: ConversationStore) -> None:
    cid = await store.create_conversation(1)
    events = [{"type": "text", "delta": "a\x00b é"}, {"type": "done", "usage": {"n": 1}}]
    await store.add_assistant_message(
        cid,
        text="ab",
        status="complete",
        agent="general",
        events=json.dumps(events),  # escapes the NUL: JSON text PostgreSQL's json type keeps
        usage={"n": 1},
        timings={"total_ms": 1.5},
    )
    await store.add_assistant_message(
        cid, text="cd", status="error", agent=None, events=events, usage=None, timings=None
    )
    stored = (await store.get_conversation(cid, 1)).messages
    assert [m.events for m in stored] == [events, events]
    assert stored[0].usage == {"n": 1} and stored[0].timings == {"total_ms": 1.5}


async def test_nul_characters_are_dropped_from_text(store: ConversationStore) -> None:
    cid = await store.create_conversation(1, title="a\x00title")
    await store.add_user_message(cid, 1, "what\x00 now?", {"note": "x\x00y"})
    view = await store.get_conversation(cid, 1)
    assert view.title == "atitle"
    assert view.messages[0].text == "what now?"
    assert view.messages[0].context == {"note": "x\x00y"}  # JSON keeps it, escaped


async def test_over_long_values_are_cut_or_refused(store: ConversationStore) -> None:
    cid = await store.create_conversation(1, title="t" * 500)
    assert (await store.get_conversation(cid, 1)).title == "t" * 200
    with pytest.raises(InputError):
        await store.add_assistant_message(
            cid, text="", status="complete", agent="a" * 41, events=[], usage=None, timings=None
        )


@pytest.mark.parametrize("ident", ["nul\x00id", "x" * 37])
async def test_ids_that_cannot_exist_are_not_found(store: ConversationStore, ident: str) -> None:
    with pytest.raises(NotFoundError):
        await store.turn_context(ident, 1)
    with pytest.raises(NotFoundError):
        await store.get_conversation(ident, 1)
    with pytest.raises(NotFoundError):
        await store.add_user_message(ident, 1, "hello", None)
    with pytest.raises(NotFoundError):
        await store.check_owner(ident, 1)


async def test_member_ids_beyond_the_column_are_not_found(store: ConversationStore) -> None:
    cid = await store.create_conversation(1)
    with pytest.raises(NotFoundError):
        await store.get_conversation(cid, INT32_MAX + 1)
    with pytest.raises(NotFoundError):
        await store.create_conversation(-(2**40))
    with pytest.raises(NotFoundError):
        await store.list_conversations(2**63)


DOC = {
    "suite": "smoke",
    "items": [
        {
            "id": "one",
            "agent": "general",
            "question": "q\x00",
            "text": "answer",
            "components": [],
            "metrics": {"judge.quality": 4.0, "judge.groundedness": 4.0},
        }
    ],
}


def label(score: int, guidelines: str = "v1", comment: str = "") -> Label:
    return Label(
        quality=score,
        groundedness=score,
        coherence=score,
        style=score,
        guidelines=guidelines,
        comment=comment,
    )


async def test_concurrent_labels_never_fail_and_the_last_wins(store: ConversationStore) -> None:
    annotations = AnnotationStore(store.database)
    assert await annotations.import_results(DOC) == 1
    assert await annotations.import_results(DOC) == 1  # a re-import refreshes, no duplicate
    await asyncio.gather(
        *(annotations.add_label("smoke:one", "ann", label(1 + n % 5)) for n in range(12))
    )
    await annotations.add_label("smoke:one", "ann", label(5, comment="final\x00"))
    figures = await annotations.agreement()
    assert figures["labels"] == 1 and figures["items_labelled"] == 1
    assert [q.question for q in await annotations.queue("other")] == ["q"]
    with pytest.raises(InputError):
        await annotations.add_label("smoke:one", "ann", label(3, guidelines="g" * 21))
    with pytest.raises(NotFoundError):
        await annotations.add_label("smoke:\x00", "ann", label(3))
