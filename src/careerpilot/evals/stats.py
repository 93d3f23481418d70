"""Noise-aware statistics for evaluation: paired bootstrap intervals and agreement measures.

* ``paired_bootstrap``: the mean per-item difference between two runs of the same items with a
  percentile confidence interval. Resampling items, not scores, keeps the pairing, so an item
  that is hard in both runs does not widen the interval.
* ``cohen_kappa``: agreement of two raters on the same items beyond chance (a judge against
  humans); quadratic weights for ordinal scores.
* ``krippendorff_alpha``: agreement of any number of raters with missing ratings (several
  annotators per item), for nominal, ordinal or interval values.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from itertools import permutations
from typing import Literal

import numpy as np

__all__ = ["Interval", "cohen_kappa", "krippendorff_alpha", "paired_bootstrap"]


@dataclass(frozen=True, slots=True)
class Interval:
    mean: float
    low: float
    high: float
    n: int

    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0


def paired_bootstrap(
    before: Sequence[float],
    after: Sequence[float],
    *,
    resamples: int = 4000,
    confidence: float = 0.95,
    seed: int = 0,
) -> Interval:
    """Mean of ``after - before`` over paired items, with a bootstrap percentile interval."""
    if len(before) != len(after):
        raise ValueError("paired samples must have the same length")
    diffs = np.asarray(after, dtype=float) - np.asarray(before, dtype=float)
    n = len(diffs)
    if n == 0:
        return Interval(0.0, 0.0, 0.0, 0)
    rng = np.random.default_rng(seed)
    means = diffs[rng.integers(0, n, size=(resamples, n))].mean(axis=1)
    tail = (1 - confidence) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return Interval(float(diffs.mean()), float(low), float(high), n)


def cohen_kappa(
    first: Sequence[Hashable],
    second: Sequence[Hashable],
    *,
    weights: Literal[None, "quadratic"] = None,
) -> float:
    """Cohen's kappa of two raters; ``weights="quadratic"`` for ordinal numeric scores."""
    if len(first) != len(second):
        raise ValueError("both raters must rate the same items")
    if not first:
        return float("nan")
    categories = sorted(set(first) | set(second), key=repr)
    if weights == "quadratic":
        categories = sorted(set(first) | set(second))  # type: ignore[type-var]
    index = {c: i for i, c in enumerate(categories)}
    k = len(categories)
    observed = np.zeros((k, k))
    for a, b in zip(first, second, strict=True):
        observed[index[a], index[b]] += 1
    observed /= observed.sum()
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    if weights == "quadratic":
        values = np.asarray(categories, dtype=float)
        spread = (values.max() - values.min()) or 1.0
        disagreement = ((values[:, None] - values[None, :]) / spread) ** 2
    else:
        disagreement = 1.0 - np.eye(k)
    expected_disagreement = float((disagreement * expected).sum())
    if expected_disagreement == 0:
        return 1.0  # everyone gave the one same value: perfect, if trivial, agreement
    return 1.0 - float((disagreement * observed).sum()) / expected_disagreement


def krippendorff_alpha(
    units: Sequence[Sequence[float | None]],
    *,
    level: Literal["nominal", "ordinal", "interval"] = "ordinal",
) -> float:
    """Krippendorff's alpha. ``units[i]`` holds item i's ratings, one per rater, ``None``
    where that rater did not rate it. Items with fewer than two ratings do not count."""
    rated = [[v for v in unit if v is not None] for unit in units]
    rated = [unit for unit in rated if len(unit) >= 2]
    if not rated:
        return float("nan")
    values = sorted({v for unit in rated for v in unit})
    index = {v: i for i, v in enumerate(values)}
    k = len(values)
    coincidence = np.zeros((k, k))
    for unit in rated:
        weight = 1.0 / (len(unit) - 1)
        for a, b in permutations(range(len(unit)), 2):
            coincidence[index[unit[a]], index[unit[b]]] += weight
    totals = coincidence.sum(axis=1)
    n = totals.sum()
    delta = _distance(values, totals, level)
    observed = float((coincidence * delta).sum())
    expected = float((np.outer(totals, totals) * delta).sum()) / (n - 1)
    if expected == 0:
        return 1.0
    return float(1.0 - observed / expected)


def _distance(
    values: list[float], totals: np.ndarray, level: Literal["nominal", "ordinal", "interval"]
) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    if level == "nominal":
        nominal: np.ndarray = 1.0 - np.eye(len(values))
        return nominal
    if level == "interval":
        interval: np.ndarray = (v[:, None] - v[None, :]) ** 2
        return interval
    # ordinal: the mass of values between c and k, minus half of each end
    cumulative = np.concatenate([[0.0], np.cumsum(totals)])
    distance = np.zeros((len(values), len(values)))
    for c in range(len(values)):
        for k in range(len(values)):
            low, high = min(c, k), max(c, k)
            between = cumulative[high + 1] - cumulative[low]
            distance[c, k] = (between - (totals[c] + totals[k]) / 2) ** 2
    return distance


def majority(labels: Sequence[Hashable]) -> Hashable:
    return Counter(labels).most_common(1)[0][0]
