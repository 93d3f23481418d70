"""Annotation storage: import from results, a prioritised queue, labels, agreement. The store
tests run on SQLite and PostgreSQL (the ``database_url`` fixture)."""

from collections.abc import AsyncIterator

import httpx
import pytest

from careerpilot.config import Settings
from careerpilot.errors import NotFoundError
from careerpilot.llm.testing import ScriptedModel
from careerpilot.server.auth import TokenSigner, load_or_create_key
from careerpilot.store.annotations import AnnotationStore, Label, priority
from careerpilot.store.conversations import ConversationStore
from conftest import ServerThread


def item(ident: str, quality: float | None, grounded: float | None, supported: float) -> dict:
    return {
        "id": ident,
        "agent": "general",
        "question": f"question {ident}",
        "text": f"answer {ident}",
        "components": [],
        "error": None,
        "metrics": {
            "judge.quality": quality,
            "judge.groundedness": grounded,
            "judge.coherence": quality,
            "judge.style": quality,
            "grounded.supported": supported,
        },
    }


DOC = {
    "suite": "smoke",
    "items": [
        item("sure", 5.0, 5.0, 1.0),  # judge and automatic check agree: low priority
        item("contradicted", 5.0, 5.0, 0.2),  # judge says grounded, half the claims are not
        item("unsure", 3.0, 3.0, 0.5),  # mid-scale
        item("unparsed", None, None, 1.0),  # the judge gave nothing readable
    ],
}


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[AnnotationStore]:
    conversations = ConversationStore(database_url)
    await conversations.create_schema()
    yield AnnotationStore(conversations.database, target=2)
    await conversations.aclose()


def label(score: int, guidelines: str = "v1") -> Label:
    return Label(
        quality=score, groundedness=score, coherence=score, style=score, guidelines=guidelines
    )


def test_priority_puts_the_judge_doubts_first() -> None:
    scores = {i["id"]: priority(i["metrics"]) for i in DOC["items"]}
    assert scores["unparsed"] == 1.0
    assert scores["contradicted"] > scores["unsure"] > scores["sure"] == 0.0


async def test_the_queue_spends_reviews_where_they_teach_most(store: AnnotationStore) -> None:
    assert await store.import_results(DOC) == 4
    queue = await store.queue("ann-1")
    assert [q.case_id for q in queue] == ["contradicted", "unparsed", "unsure", "sure"]
    # An item already labelled twice (the target) goes after every under-labelled one.
    await store.add_label("smoke:contradicted", "ann-2", label(2))
    await store.add_label("smoke:contradicted", "ann-3", label(2))
    assert [q.case_id for q in await store.queue("ann-1")][-1] == "contradicted"
    # An annotator never sees what they labelled; re-labelling replaces.
    await store.add_label("smoke:unparsed", "ann-1", label(4))
    await store.add_label("smoke:unparsed", "ann-1", label(5))
    assert "unparsed" not in [q.case_id for q in await store.queue("ann-1")]
    figures = await store.agreement()
    assert figures["labels"] == 3 and figures["annotators"] == 3
    with pytest.raises(NotFoundError):
        await store.add_label("smoke:nope", "ann-1", label(3))


async def test_agreement_between_annotators_and_with_the_judge(store: AnnotationStore) -> None:
    await store.import_results(DOC)
    # Two annotators who agree with each other and with the judge where it scored.
    for ident, score in (("sure", 5), ("contradicted", 2), ("unsure", 3), ("unparsed", 4)):
        await store.add_label(f"smoke:{ident}", "a", label(score))
        await store.add_label(f"smoke:{ident}", "b", label(score))
    figures = await store.agreement()
    assert figures["alpha"]["quality"] == pytest.approx(1.0)
    # The judge said 5 where humans said 2 ("contradicted"): agreement well below perfect.
    assert figures["judge_n"]["groundedness"] == 3
    assert figures["judge_kappa"]["groundedness"] < 0.8


def test_the_annotation_api(settings: Settings, database_url: str) -> None:
    # The whole app on each backend: its lifespan migrates the database, then serves from it.
    settings.__dict__["app_db_url"] = database_url
    with ServerThread(settings, ScriptedModel("ok")) as server:
        signer = TokenSigner(load_or_create_key(settings.signing_key_path), 3600)
        headers = {"Authorization": f"Bearer {signer.issue(1)}"}
        assert httpx.get(f"{server.url}/v1/annotate/queue").status_code == 401
        guidelines = httpx.get(f"{server.url}/v1/annotate/guidelines", headers=headers).json()
        assert guidelines["version"] == "v1" and "Groundedness" in guidelines["markdown"]
        page = httpx.get(f"{server.url}/annotate")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assert httpx.get(f"{server.url}/v1/annotate/queue", headers=headers).json() == []
        missing = httpx.post(
            f"{server.url}/v1/annotate/items/x:y/labels",
            json=label(3).model_dump(),
            headers=headers,
        )
        assert missing.status_code == 404
        bad = httpx.post(
            f"{server.url}/v1/annotate/items/x:y/labels",
            json={"quality": 9, "guidelines": "v1"},
            headers=headers,
        )
        assert bad.status_code == 422
        figures = httpx.get(f"{server.url}/v1/annotate/agreement", headers=headers).json()
        assert figures["labels"] == 0
