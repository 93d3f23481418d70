"""Ranking metrics against values worked out by hand."""

from __future__ import annotations

import math

import pytest

from careerpilot.evals import Case
from careerpilot.evals.ranking_metrics import (
    DocId,
    dcg_at_k,
    evaluate,
    mean_metrics,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
    reciprocal_rank,
)


def test_recall_divides_by_the_smaller_of_k_and_the_relevant_count() -> None:
    relevant = {2: 2, 5: 1, 9: 1}
    assert recall_at_k([1, 2, 3, 4], relevant, k=3) == pytest.approx(1 / 3)
    assert recall_at_k([9, 2, 5], relevant, k=3) == 1.0
    # Two of three relevant ids, but only two slots: both slots hold one, so recall is 1.
    assert recall_at_k([9, 5, 2], relevant, k=2) == 1.0
    assert recall_at_k([9, 1, 2], relevant, k=2) == 0.5
    many = {i: 1 for i in range(100, 112)}  # 12 relevant, denominator min(10, 12) = 10
    assert recall_at_k(list(range(100, 110)), many, k=10) == 1.0
    assert recall_at_k([100, 1, 2, 101, 3], many, k=10) == pytest.approx(0.2)


def test_recall_edge_cases() -> None:
    assert recall_at_k([], {1: 2}, k=10) == 0.0
    assert recall_at_k([1, 2], {}, k=10) == 0.0
    assert recall_at_k([1, 2], {1: 0, 2: 0}, k=10) == 0.0  # grade 0 is not relevant
    assert recall_at_k([2, 2, 2], {2: 1, 3: 1}, k=3) == 0.5  # a repeated hit counts once
    assert recall_at_k(["salary-negotiation"], {"salary-negotiation": 2}, k=1) == 1.0
    with pytest.raises(ValueError, match="k must be"):
        recall_at_k([1], {1: 1}, k=0)


def test_precision() -> None:
    assert precision_at_k([1, 2, 3, 4], {2: 1, 4: 2}, k=4) == 0.5
    assert precision_at_k([1, 2, 3, 4], {2: 1, 4: 2}, k=10) == pytest.approx(0.2)
    assert precision_at_k([], {2: 1}, k=5) == 0.0


def test_dcg_uses_exponential_gain_and_log2_discount() -> None:
    # 3/log2(2) + 0/log2(3) + 1/log2(4) = 3 + 0 + 0.5
    assert dcg_at_k([2, 0, 1], k=3) == pytest.approx(3.5)
    assert dcg_at_k([2, 0, 1], k=1) == pytest.approx(3.0)
    assert dcg_at_k([], k=5) == 0.0
    # 1 + 3/log2(3) = 1 + 1.892789...
    assert dcg_at_k([1, 2], k=2) == pytest.approx(2.8927892607)


def test_ndcg_hand_computed() -> None:
    # ranking a(1) b(0) c(2): DCG = 1/1 + 0 + 3/2 = 2.5; ideal [2, 1]: 3 + 1/log2(3) = 3.6309
    assert ndcg_at_k(["a", "b", "c"], {"a": 1, "c": 2}, k=3) == pytest.approx(0.6885289)
    # the ideal is cut at k too: ranking x a with three grade-2 ids, k=2:
    # DCG = 3/log2(3) = 1.8928; ideal = 3 + 3/log2(3) = 4.8928; ratio 0.386853
    assert ndcg_at_k(["x", "a"], {"a": 2, "b": 2, "c": 2}, k=2) == pytest.approx(0.3868528)
    assert ndcg_at_k([3, 1, 2], {1: 2, 3: 2, 2: 1}, k=3) == pytest.approx(1.0)
    assert ndcg_at_k([2, 1], {1: 2, 2: 1}, k=2) == pytest.approx(
        (1 + 3 / math.log2(3)) / (3 + 1 / math.log2(3))
    )
    assert ndcg_at_k([7, 8], {1: 2}, k=2) == 0.0
    assert ndcg_at_k([1], {}, k=2) == 0.0


def test_reciprocal_rank() -> None:
    assert reciprocal_rank([9, 8, 1], {1: 1}) == pytest.approx(1 / 3)
    assert reciprocal_rank([9, 8, 1], {1: 1}, k=2) == 0.0
    assert reciprocal_rank([1], {1: 2}, k=10) == 1.0
    assert reciprocal_rank([], {1: 2}) == 0.0


def test_mean_metrics_averages_each_run() -> None:
    runs: list[tuple[list[DocId], dict[DocId, int]]] = [
        ([1, 2], {1: 2}),  # recall 1, ndcg 1, precision 1/2, rr 1
        ([3, 1], {1: 1, 4: 1}),  # recall 1/2, ndcg (1/log2 3)/(1 + 1/log2 3), p 1/2, rr 1/2
    ]
    means = mean_metrics(runs, k=2)
    second_ndcg = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    assert means["recall@2"] == pytest.approx(0.75)
    assert means["ndcg@2"] == pytest.approx((1 + second_ndcg) / 2)
    assert means["precision@2"] == pytest.approx(0.5)
    assert means["mrr@2"] == pytest.approx(0.75)
    assert means["queries"] == 2.0
    assert mean_metrics([], k=10)["recall@10"] == 0.0


def test_evaluate_scores_a_search_function_per_kind() -> None:
    cases = [
        Case("jobs-1", "jobs", "backend jobs", {1: 2, 2: 1}),
        Case("posts-1", "posts", "posts about burnout", {10: 2, 11: 2, 12: 1}),
        Case("knowledge-1", "knowledge", "what is a BATNA", {"batna": 2}),
    ]
    answers: dict[str, list[DocId]] = {"jobs-1": [1, 2], "posts-1": [99], "knowledge-1": ["batna"]}
    summary = evaluate(cases, lambda case: answers[case.id], k=10)
    assert summary.k == 10
    assert summary.by_kind["jobs"]["recall@10"] == 1.0
    assert summary.by_kind["posts"]["ndcg@10"] == 0.0
    assert summary.by_kind["knowledge"]["mrr@10"] == 1.0
    assert summary.overall["recall@10"] == pytest.approx(2 / 3)
    assert summary.overall["queries"] == 3.0
    assert set(summary.per_case) == {"jobs-1", "posts-1", "knowledge-1"}
