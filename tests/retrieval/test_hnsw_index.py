"""HnswIndex: add/search/delete/replace/persist, and filters checked against brute force."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from careerpilot.retrieval.filters import AnyOf, Eq, Filter, Payload, Range, date_ordinal
from careerpilot.retrieval.hnsw import HnswIndex
from careerpilot.retrieval.vector_index import exact_search

DIM = 384
N = 3000
LOCATIONS = ["Berlin", "Paris", "London", "Remote", "Madrid"]


def unit(a: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    return (a / np.linalg.norm(a, axis=1, keepdims=True)).astype(np.float32)


def embedding_like(rng: np.random.Generator, n: int) -> npt.NDArray[np.float32]:
    """Random vectors with a low intrinsic dimension, like sentence embeddings."""
    basis = np.random.default_rng(7).standard_normal((32, DIM)).astype(np.float32)
    latent = rng.standard_normal((n, 32)).astype(np.float32)
    return unit(latent @ basis + 0.3 * rng.standard_normal((n, DIM)).astype(np.float32))


def payload(i: int) -> Payload:
    return {
        "location": LOCATIONS[i % 5],
        "remote": i % 3 == 0,
        "seniority": i % 4,
        "posted_on": date_ordinal(date(2024, 1, 1)) + i % 365,
        "skills": ["python", "go"] if i % 7 == 0 else ["java"],
    }


@pytest.fixture(scope="module")
def data() -> tuple[npt.NDArray[np.float32], list[Payload], HnswIndex]:
    vectors = embedding_like(np.random.default_rng(1), N)
    payloads = [payload(i) for i in range(N)]
    index = HnswIndex(DIM)
    index.add(list(range(N)), vectors, payloads)
    return vectors, payloads, index


def brute(vectors: npt.NDArray[np.float32], payloads: list[Payload], q, k, flt):  # type: ignore[no-untyped-def]
    keep = [i for i, p in enumerate(payloads) if flt is None or flt.matches(p)]
    return exact_search(vectors[keep], keep, q, k)


def test_unfiltered_recall(data) -> None:  # type: ignore[no-untyped-def]
    vectors, payloads, index = data
    queries = embedding_like(np.random.default_rng(2), 50)
    found = 0
    for q in queries:
        truth = {h.id for h in brute(vectors, payloads, q, 10, None)}
        found += len(truth & {h.id for h in index.search(q, 10)})
    assert found / 500 >= 0.98


@pytest.mark.parametrize(
    "flt",
    [
        Filter.of(Eq("location", "Paris"), Eq("remote", True)),
        Filter.of(AnyOf("seniority", [0, 3]), Range("posted_on", gte=date(2024, 11, 1))),
        Filter.of(Eq("skills", "go")),
        Filter(must=(Eq("location", "Madrid"),), must_not=(Eq("seniority", 2),)),
        Filter.of(Eq("location", "Atlantis")),
    ],
)
def test_selective_filters_are_exact(data, flt: Filter) -> None:  # type: ignore[no-untyped-def]
    vectors, payloads, index = data
    for q in embedding_like(np.random.default_rng(3), 10):
        got = index.search(q, 10, flt)
        want = brute(vectors, payloads, q, 10, flt)
        assert [h.id for h in got] == [h.id for h in want]
        assert all(flt.matches(payloads[h.id]) for h in got)


def test_broad_filter_over_fetches_with_high_recall(data) -> None:  # type: ignore[no-untyped-def]
    vectors, payloads, _ = data
    index = HnswIndex(DIM, exact_threshold=0)  # force the graph path
    index.add(list(range(N)), vectors, payloads)
    flt = Filter.of(AnyOf("location", ["Berlin", "Paris", "London"]))  # keeps 60%
    found = 0
    for q in embedding_like(np.random.default_rng(4), 20):
        got = index.search(q, 10, flt)
        assert len(got) == 10 and all(flt.matches(payloads[h.id]) for h in got)
        found += len({h.id for h in got} & {h.id for h in brute(vectors, payloads, q, 10, flt)})
    assert found / 200 >= 0.98


def test_add_replace_delete_persist(tmp_path: Path) -> None:
    vectors = embedding_like(np.random.default_rng(5), 6)
    index = HnswIndex(DIM, tmp_path / "idx")
    index.add([1, 2, 3], vectors[:3], [{"kind": "job"}, {"kind": "job"}, {"kind": "post"}])
    assert len(index) == 3
    assert index.search(vectors[1], 1)[0].id == 2
    assert index.search(vectors[1], 1)[0].score == pytest.approx(1.0, abs=1e-5)

    index.add([2], vectors[4:5], [{"kind": "post"}])  # replace vector and payload
    assert len(index) == 3
    assert index.search(vectors[4], 1)[0].id == 2
    assert {h.id for h in index.search(vectors[0], 5, Filter.of(Eq("kind", "post")))} == {2, 3}

    index.delete([3, 99])
    assert len(index) == 2
    assert 3 not in {h.id for h in index.search(vectors[2], 5)}

    index.persist()
    index.add([7], vectors[5:6])
    index.persist()  # a second generation replaces the first
    assert len(list((tmp_path / "idx").glob("gen-*"))) == 1
    reloaded = HnswIndex(DIM, tmp_path / "idx")
    assert len(reloaded) == 3
    assert reloaded.search(vectors[4], 1, Filter.of(Eq("kind", "post")))[0].id == 2
    assert reloaded.search(vectors[5], 1)[0].id == 7


def test_rejects_bad_input() -> None:
    index = HnswIndex(4)
    with pytest.raises(ValueError, match="dimension"):
        index.add([1], np.ones((1, 3), dtype=np.float32))
    with pytest.raises(ValueError, match="non-negative"):
        index.add([-1], np.ones((1, 4), dtype=np.float32))
    assert index.search(np.ones(4, dtype=np.float32), 5) == []
