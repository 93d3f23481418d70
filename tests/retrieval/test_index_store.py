"""IndexStore: builds, refreshes only what changed, rebuilds for another embedder."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from careerpilot.retrieval.documents import IndexedDoc
from careerpilot.retrieval.index_store import IndexStore


class HashingEmbedder:
    """Bag of hashed words, normalised: similar wording gives similar vectors."""

    dim = 64

    def __init__(self, identity: str = "hashing-v1") -> None:
        self.identity = identity
        self.calls: list[int] = []

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(len(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, hashlib.md5(word.encode()).digest()[0] % self.dim] += 1.0
        out /= np.clip(np.linalg.norm(out, axis=1, keepdims=True), 1e-9, None)
        return out


def docs(*texts: str) -> list[IndexedDoc]:
    return [IndexedDoc(i + 1, t, t, {"n": i + 1}) for i, t in enumerate(texts)]


CORPUS = ("python backend engineer", "nurse in berlin", "sales manager remote", "data analyst sql")


async def test_first_refresh_embeds_everything_and_search_works(tmp_path: Path) -> None:
    store = IndexStore(tmp_path, HashingEmbedder())
    report = await store.refresh("jobs", docs(*CORPUS))
    assert (report.total, report.embedded, report.deleted, report.rebuilt) == (4, 4, 0, True)
    hits = await (await store.searcher("jobs")).search("berlin nurse", 2)
    assert hits[0].id == 2


async def test_unchanged_documents_are_not_embedded_again(tmp_path: Path) -> None:
    embedder = HashingEmbedder()
    await IndexStore(tmp_path, embedder).refresh("jobs", docs(*CORPUS))
    reopened = IndexStore(tmp_path, embedder)  # from disk, as a new process would
    report = await reopened.refresh("jobs", docs(*CORPUS))
    assert (report.embedded, report.deleted, report.rebuilt) == (0, 0, False)
    assert (await (await reopened.searcher("jobs")).search("sql analyst", 1))[0].id == 4


async def test_changed_and_removed_documents_are_refreshed(tmp_path: Path) -> None:
    store = IndexStore(tmp_path, HashingEmbedder())
    await store.refresh("jobs", docs(*CORPUS))
    changed = docs("python backend engineer", "nurse in munich", "sales manager remote")
    report = await store.refresh("jobs", changed)
    assert (report.embedded, report.deleted) == (1, 1)
    searcher = await IndexStore(tmp_path, HashingEmbedder()).searcher("jobs")
    assert len(searcher.bm25) == 3
    assert [h.id for h in await searcher.search("munich", 1, mode="bm25")] == [2]
    assert await searcher.search("analyst", 3, mode="bm25") == []


async def test_another_embedder_rebuilds_from_scratch(tmp_path: Path) -> None:
    await IndexStore(tmp_path, HashingEmbedder("v1")).refresh("jobs", docs(*CORPUS))
    store = IndexStore(tmp_path, HashingEmbedder("v2"))
    assert not store.is_built("jobs")
    report = await store.refresh("jobs", docs(*CORPUS))
    assert report.rebuilt and report.embedded == 4


async def test_stamp_is_kept_and_progress_reported(tmp_path: Path) -> None:
    store = IndexStore(tmp_path, HashingEmbedder())
    seen: list[tuple[str, int, int]] = []
    await store.refresh("posts", docs(*CORPUS), lambda c, d, t: seen.append((c, d, t)), stamp="s1")
    assert store.stamp("posts") == "s1"
    assert seen[0] == ("posts", 0, 4) and seen[-1] == ("posts", 4, 4)
    await store.refresh("posts", docs(*CORPUS), stamp="s2")
    assert store.stamp("posts") == "s2"


@pytest.mark.parametrize("field", ["dense", "lexical", "payload"])
def test_fingerprint_changes_with_any_indexed_part(field: str) -> None:
    base = IndexedDoc(1, "a", "b", {"x": 1})
    other = {
        "dense": IndexedDoc(1, "a2", "b", {"x": 1}),
        "lexical": IndexedDoc(1, "a", "b2", {"x": 1}),
        "payload": IndexedDoc(1, "a", "b", {"x": 2}),
    }[field]
    assert base.fingerprint != other.fingerprint
    assert base.fingerprint == IndexedDoc(1, "a", "b", {"x": 1}).fingerprint
