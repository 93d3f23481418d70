"""Ranking metrics for retrieval evaluation: recall@k, nDCG@k, MRR, and their means.

All functions are pure. A ranking is a sequence of document ids, best first; the judgements
are a mapping from relevant document id to its grade (a positive integer; ids missing from the
mapping are not relevant). Duplicate ids in a ranking are counted once, at their first rank, so
that a search that repeats a good hit cannot score above 1.

Definitions, with ``R`` the set of relevant ids and ``top`` the first ``k`` distinct ids:

* ``recall@k = |top ∩ R| / min(k, |R|)``. Dividing by ``min(k, |R|)`` instead of ``|R|``
  means a query with more relevant documents than ``k`` can still reach 1.0: recall@10 asks
  "how many of the 10 slots that could hold a relevant document do?".
* ``precision@k = |top ∩ R| / k``.
* ``DCG@k = sum over ranks i = 1..k of (2**grade_i - 1) / log2(i + 1)``; ``nDCG@k`` divides
  it by the DCG of the ideal ranking, the judged grades sorted from highest to lowest.
* reciprocal rank: ``1 / rank`` of the first relevant id, 0 when none is found (within ``k``
  when one is given).

A query with no relevant documents has no defined recall or nDCG; these functions return 0.0
for it, and ``evaluate`` never sees one because relevance sets skip such queries.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

__all__ = [
    "DEFAULT_K",
    "DocId",
    "JudgedQuery",
    "MetricSummary",
    "dcg_at_k",
    "evaluate",
    "mean_metrics",
    "ndcg_at_k",
    "precision_at_k",
    "recall_at_k",
    "reciprocal_rank",
]

DEFAULT_K = 10
DocId = int | str  # network ids are ints, knowledge-article ids are slugs

K = TypeVar("K", bound=Hashable)


def _top_k(ranked_ids: Iterable[K], k: int) -> list[K]:
    """The first ``k`` distinct ids of a ranking, in order."""
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    seen: set[K] = set()
    top: list[K] = []
    for doc_id in ranked_ids:
        if doc_id in seen:
            continue
        seen.add(doc_id)
        top.append(doc_id)
        if len(top) == k:
            break
    return top


def _relevant(relevant: Mapping[K, int]) -> dict[K, int]:
    """The judgements with a positive grade; a grade of 0 or less means "not relevant"."""
    return {doc_id: grade for doc_id, grade in relevant.items() if grade > 0}


def recall_at_k(ranked_ids: Sequence[K], relevant: Mapping[K, int], k: int = DEFAULT_K) -> float:
    """Found relevant ids in the top ``k``, divided by ``min(k, number of relevant ids)``."""
    judged = _relevant(relevant)
    top = _top_k(ranked_ids, k)
    if not judged:
        return 0.0
    found = sum(1 for doc_id in top if doc_id in judged)
    return found / min(k, len(judged))


def precision_at_k(ranked_ids: Sequence[K], relevant: Mapping[K, int], k: int = DEFAULT_K) -> float:
    """Share of the ``k`` result slots that hold a relevant id (missing slots count as misses)."""
    judged = _relevant(relevant)
    top = _top_k(ranked_ids, k)
    return sum(1 for doc_id in top if doc_id in judged) / k


def dcg_at_k(grades: Sequence[int], k: int = DEFAULT_K) -> float:
    """DCG of grades listed in rank order: gain ``2**g - 1``, discount ``log2(rank + 1)``."""
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    return sum((2.0**g - 1.0) / math.log2(i + 2) for i, g in enumerate(grades[:k]) if g > 0)


def ndcg_at_k(
    ranked_ids: Sequence[K], relevant_grades: Mapping[K, int], k: int = DEFAULT_K
) -> float:
    """DCG@k of the ranking divided by the DCG@k of the ideal ordering of the judged grades."""
    judged = _relevant(relevant_grades)
    top = _top_k(ranked_ids, k)
    ideal = dcg_at_k(sorted(judged.values(), reverse=True), k)
    if ideal == 0.0:
        return 0.0
    return dcg_at_k([judged.get(doc_id, 0) for doc_id in top], k) / ideal


def reciprocal_rank(
    ranked_ids: Sequence[K], relevant: Mapping[K, int], k: int | None = None
) -> float:
    """``1 / rank`` of the first relevant id (ranks from 1), or 0.0 when none is in the top k."""
    judged = _relevant(relevant)
    top = _top_k(ranked_ids, k if k is not None else max(1, len(ranked_ids)))
    for rank, doc_id in enumerate(top, start=1):
        if doc_id in judged:
            return 1.0 / rank
    return 0.0


def mean_metrics(
    runs: Iterable[tuple[Sequence[K], Mapping[K, int]]], k: int = DEFAULT_K
) -> dict[str, float]:
    """Mean recall@k, nDCG@k, precision@k and MRR (cut at k) over ``(ranking, judgements)`` pairs.

    Keys are ``"recall@{k}"``, ``"ndcg@{k}"``, ``"precision@{k}"``, ``"mrr@{k}"`` and
    ``"queries"`` (the number of pairs, as a float). An empty input gives zeros.
    """
    totals = {"recall": 0.0, "ndcg": 0.0, "precision": 0.0, "mrr": 0.0}
    count = 0
    for ranked_ids, relevant in runs:
        count += 1
        totals["recall"] += recall_at_k(ranked_ids, relevant, k)
        totals["ndcg"] += ndcg_at_k(ranked_ids, relevant, k)
        totals["precision"] += precision_at_k(ranked_ids, relevant, k)
        totals["mrr"] += reciprocal_rank(ranked_ids, relevant, k)
    means = {f"{name}@{k}": (total / count if count else 0.0) for name, total in totals.items()}
    means["queries"] = float(count)
    return means


@dataclass(frozen=True, slots=True)
class MetricSummary:
    """Mean metrics over a whole relevance set and per query kind."""

    k: int
    overall: dict[str, float]
    by_kind: dict[str, dict[str, float]]
    per_case: dict[str, dict[str, float]]


class JudgedQuery(Protocol):
    """What ``evaluate`` needs from a case: ``retrieval_set.Case`` is one."""

    @property
    def id(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def relevant(self) -> Mapping[DocId, int]: ...


Q = TypeVar("Q", bound=JudgedQuery)


def evaluate(
    cases: Iterable[Q], search: Callable[[Q], Sequence[DocId]], k: int = DEFAULT_K
) -> MetricSummary:
    """Run ``search`` on every case and average the metrics overall and per kind.

    ``search`` receives the case itself (so it can read the query, and for
    ``retrieval_set.Case`` the member id and filter) and returns document ids, best first.
    """
    runs: dict[str, list[tuple[Sequence[DocId], Mapping[DocId, int]]]] = defaultdict(list)
    per_case: dict[str, dict[str, float]] = {}
    for case in cases:
        run = (list(search(case)), case.relevant)
        runs[case.kind].append(run)
        per_case[case.id] = mean_metrics([run], k)
    everything = [run for kind_runs in runs.values() for run in kind_runs]
    return MetricSummary(
        k=k,
        overall=mean_metrics(everything, k),
        by_kind={kind: mean_metrics(kind_runs, k) for kind, kind_runs in sorted(runs.items())},
        per_case=per_case,
    )
