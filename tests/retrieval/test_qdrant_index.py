"""QdrantIndex in qdrant-client's local mode: CRUD, persistence, and parity with HnswIndex."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from careerpilot.retrieval.filters import AnyOf, Eq, Filter, Range, date_ordinal
from careerpilot.retrieval.hnsw import HnswIndex
from careerpilot.retrieval.qdrant import QdrantIndex

DIM = 32


def vectors(n: int, seed: int) -> np.ndarray:  # type: ignore[type-arg]
    a = np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)
    return a / np.linalg.norm(a, axis=1, keepdims=True)


def test_add_replace_delete_and_persist(tmp_path: Path) -> None:
    v = vectors(5, 0)
    index = QdrantIndex.local(tmp_path / "q", DIM, collection="jobs")
    index.add([1, 2, 3], v[:3], [{"kind": "job"}, {"kind": "job"}, {"kind": "post"}])
    assert len(index) == 3
    top = index.search(v[1], 1)[0]
    assert top.id == 2 and top.score == pytest.approx(1.0, abs=1e-5)
    index.add([2], v[4:5], [{"kind": "post"}])
    assert len(index) == 3 and index.search(v[4], 1)[0].id == 2
    assert {h.id for h in index.search(v[0], 5, Filter.of(Eq("kind", "post")))} == {2, 3}
    index.delete([3, 42])
    assert len(index) == 2
    index.close()
    reopened = QdrantIndex.local(tmp_path / "q", DIM, collection="jobs")
    assert len(reopened) == 2 and reopened.search(v[4], 1)[0].id == 2
    reopened.close()


FILTERS = [
    None,
    Filter.of(Eq("location", "Paris")),
    Filter.of(Eq("remote", True), AnyOf("seniority", [1, 2])),
    Filter.of(AnyOf("location", ["Berlin", "London"]), Range("posted_on", lt=date(2024, 3, 1))),
    Filter.of(Eq("skills", "rust")),
    Filter.of(AnyOf("remote", [True, False]), Range("salary", gte=90_000.0, lte=120_000)),
    Filter(must_not=(Eq("location", "Paris"), Eq("remote", False))),
]


@pytest.mark.parametrize("flt", FILTERS)
def test_parity_with_hnsw(flt: Filter | None) -> None:
    n = 400
    v = vectors(n, 1)
    payloads = [
        {
            "location": ["Paris", "Berlin", "London"][i % 3],
            "remote": i % 2 == 0,
            "seniority": i % 5,
            "posted_on": date_ordinal(date(2024, 1, 1)) + i % 120,
            "skills": ["rust", "sql"] if i % 9 == 0 else ["excel"],
            "salary": 50_000.0 + 250 * i,
        }
        for i in range(n)
    ]
    hnsw = HnswIndex(DIM)
    qdrant = QdrantIndex.in_memory(DIM)
    for index in (hnsw, qdrant):
        index.add(list(range(n)), v, payloads)
    for q in vectors(5, 2):
        a, b = hnsw.search(q, 10, flt), qdrant.search(q, 10, flt)
        if flt is None:
            # Unfiltered HNSW is approximate (filtered searches here fall back to exact scans).
            assert len({h.id for h in a} & {h.id for h in b}) >= 9
            continue
        assert [h.id for h in a] == [h.id for h in b]
        assert np.allclose([h.score for h in a], [h.score for h in b], atol=1e-4)
        assert all(flt is None or flt.matches(payloads[h.id]) for h in a)
