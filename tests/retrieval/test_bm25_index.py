"""BM25Index: tokenizer, ranking sanity, filters, replace/delete, persistence."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from careerpilot.retrieval.bm25 import BM25Index, stem, tokenize
from careerpilot.retrieval.filters import Eq, Filter

DOCS = {
    1: "Senior Python engineer building data pipelines with Airflow and SQL",
    2: "Marketing manager for consumer brands; campaigns and social media",
    3: "Python developer: Django web applications, REST APIs, PostgreSQL",
    4: "Data engineering lead. Spark, Kafka and Python streaming pipelines",
    5: "Nurse for the night shift at a city hospital",
}
PAYLOADS = {
    1: {"remote": True},
    2: {"remote": False},
    3: {"remote": False},
    4: {"remote": True},
    5: {"remote": False},
}


def build(path: Path | None = None) -> BM25Index:
    index = BM25Index(path)
    ids = list(DOCS)
    index.add(ids, [DOCS[i] for i in ids], [PAYLOADS[i] for i in ids])
    return index


def test_tokenizer() -> None:
    assert tokenize("The Engineers are building C++ and Node.js APIs") == [
        "engineer",
        "build",
        "c++",
        "node.js",
        "api",
    ]
    assert stem("companies") == "company" and stem("running") == "run"
    assert stem("status") == "status" and stem("analysis") == "analysis"


def test_ranking_sanity() -> None:
    index = build()
    hits = index.search("python data pipelines", 5)
    assert [h.id for h in hits][:2] in ([1, 4], [4, 1])
    assert 3 in {h.id for h in hits} and 5 not in {h.id for h in hits}
    assert all(a.score >= b.score for a, b in pairwise(hits))
    assert index.search("hospital nurse", 1)[0].id == 5
    assert index.search("the and of", 5) == []  # only stopwords
    assert index.search("quantum", 5) == []


def test_filter_replace_delete_persist(tmp_path: Path) -> None:
    index = build(tmp_path / "bm25.json")
    assert [h.id for h in index.search("python", 5, Filter.of(Eq("remote", False)))] == [3]
    index.add([3], ["Chef at an Italian restaurant"], [{"remote": False}])
    assert 3 not in {h.id for h in index.search("python", 5)}
    index.delete([1])
    assert {h.id for h in index.search("python", 5)} == {4}
    index.persist()
    reloaded = BM25Index(tmp_path / "bm25.json")
    assert len(reloaded) == 4
    assert reloaded.search("python pipelines", 5) == index.search("python pipelines", 5)
    assert [h.id for h in reloaded.search("restaurant", 5, Filter.of(Eq("remote", False)))] == [3]
