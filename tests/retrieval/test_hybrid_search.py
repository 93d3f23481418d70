"""Reciprocal rank fusion math, and hybrid search end to end with the real embedder."""

from __future__ import annotations

import numpy as np
import pytest

from careerpilot.retrieval.bm25 import BM25Index
from careerpilot.retrieval.embedder import OnnxEmbedder
from careerpilot.retrieval.filters import Eq, Filter
from careerpilot.retrieval.hnsw import HnswIndex
from careerpilot.retrieval.hybrid import HybridSearcher, rrf_fuse
from careerpilot.retrieval.vector_index import Hit


def ranking(*ids: int) -> list[Hit]:
    return [Hit(i, 100.0 - r) for r, i in enumerate(ids)]


def test_rrf_math() -> None:
    fused = rrf_fuse([ranking(1, 2, 3), ranking(3, 1, 4)], k=60)
    scores = {h.id: h.score for h in fused}
    assert scores[1] == pytest.approx(1 / 61 + 1 / 62)
    assert scores[3] == pytest.approx(1 / 63 + 1 / 61)
    assert scores[2] == pytest.approx(1 / 62)
    assert scores[4] == pytest.approx(1 / 63)
    assert [h.id for h in fused] == [1, 3, 2, 4]


def test_rrf_weights_limit_and_ties() -> None:
    fused = rrf_fuse([ranking(1, 2), ranking(2, 1)], [1.0, 3.0], k=1, limit=1)
    assert fused == [Hit(2, pytest.approx(1 / 3 + 3 / 2))]  # type: ignore[arg-type]
    tied = rrf_fuse([ranking(5), ranking(6)])
    assert [h.id for h in tied] == [5, 6]  # equal scores keep first-seen order
    with pytest.raises(ValueError, match="weights"):
        rrf_fuse([ranking(1)], [1.0, 2.0])


JOBS = [
    ("Backend engineer: Python, FastAPI and PostgreSQL microservices", "Berlin", True),
    ("Registered nurse for an intensive care unit", "Paris", False),
    ("Machine learning engineer training recommendation models in PyTorch", "Berlin", False),
    ("Pastry chef for a busy bakery, early mornings", "London", False),
    ("Accountant preparing quarterly financial statements and tax filings", "Paris", True),
    ("Frontend developer building React and TypeScript dashboards", "London", True),
    ("Truck driver for long-haul freight routes", "Berlin", False),
    ("Data scientist: statistics, A/B testing and Python notebooks", "Paris", True),
]


@pytest.fixture
async def searcher(embedder: OnnxEmbedder) -> HybridSearcher:
    s = HybridSearcher(embedder, HnswIndex(embedder.dim), BM25Index())
    payloads = [{"location": loc, "remote": remote, "kind": "job"} for _, loc, remote in JOBS]
    await s.add(list(range(len(JOBS))), [t for t, _, _ in JOBS], payloads)
    return s


async def test_modes_end_to_end(searcher: HybridSearcher) -> None:
    query = "hospital nursing job"
    assert (await searcher.search(query, 3, mode="dense"))[0].id == 1
    assert (await searcher.search(query, 3, mode="hybrid"))[0].id == 1
    assert (await searcher.search("nurse", 3, mode="bm25"))[0].id == 1
    # Dense finds what BM25 cannot: no shared word with "baker who makes croissants".
    assert (await searcher.search("baker who makes croissants", 1, mode="dense"))[0].id == 3
    hybrid = await searcher.search("python developer", 3)
    assert {0, 7} <= {h.id for h in hybrid}


async def test_filters_apply_to_both_sides(searcher: HybridSearcher) -> None:
    flt = Filter.of(Eq("location", "Paris"), Eq("remote", True))
    for mode in ("bm25", "dense", "hybrid"):
        hits = await searcher.search("python engineer", 5, flt, mode=mode)
        assert hits and {h.id for h in hits} <= {4, 7}
    assert (await searcher.search("python engineer", 5, flt))[0].id == 7


async def test_search_vector_jobs_that_fit_me(
    searcher: HybridSearcher, embedder: OnnxEmbedder
) -> None:
    profile = (await embedder.embed(["I build web APIs in Python and love databases"]))[0]
    dense = await searcher.search_vector(profile, 2)
    assert dense[0].id == 0
    fused = await searcher.search_vector(profile, 3, text="react typescript")
    assert {0, 5} <= {h.id for h in fused}
    remote_only = await searcher.search_vector(profile, 8, Filter.of(Eq("remote", True)))
    assert {h.id for h in remote_only} == {0, 4, 5, 7}
    await searcher.delete([0])
    assert 0 not in {h.id for h in await searcher.search_vector(profile, 8)}
    assert np.isclose(np.linalg.norm(profile), 1.0, atol=1e-4)
