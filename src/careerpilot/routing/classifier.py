"""The router's learned parts: features, a softmax regression, and temperature calibration.

Features of a (question, page type) pair: the sentence embedding, the embedding again gated by
each page type (so "summarise this" can mean one thing on a post and another on a job), the
page type one-hot, and hashed word uni/bigrams plus character 4-grams (typos and terse
queries keep most of their 4-grams; MiniLM sees them as new words).

``SoftmaxRegression`` is multinomial logistic regression trained by full-batch gradient descent
in numpy (about a second for the bundled utterances). ``fit_temperature`` picks the softmax
temperature that minimises the negative log-likelihood of held-out predictions, so that a
reported confidence of 0.8 is right about 80% of the time.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = [
    "CONTEXTS",
    "NGRAM_DIM",
    "SoftmaxRegression",
    "features",
    "fit_temperature",
    "ngram_vectors",
    "softmax",
]

Matrix = npt.NDArray[np.float32]
CONTEXTS: tuple[str | None, ...] = (None, "job", "post", "company")
NGRAM_DIM = 4096
_WORD = re.compile(r"[a-z0-9#+']+")


def ngram_vectors(texts: Sequence[str], dim: int = NGRAM_DIM) -> Matrix:
    """L2-normalised hashed counts of word 1-2-grams and character 4-grams."""
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for row, text in enumerate(texts):
        words = _WORD.findall(text.lower())
        grams = [*words, *(f"{a}_{b}" for a, b in itertools.pairwise(words))]
        padded = f" {' '.join(words)} "
        grams += [f"c:{padded[i : i + 4]}" for i in range(len(padded) - 3)]
        for gram in grams:
            out[row, zlib.crc32(gram.encode()) % dim] += 1.0
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    result: Matrix = out / np.clip(norms, 1e-9, None)
    return result


def features(embeddings: Matrix, ngrams: Matrix, contexts: Sequence[str | None]) -> Matrix:
    """One row per question: embedding, embedding gated per page type, page one-hot, n-grams."""
    n, dim = embeddings.shape
    gated = np.zeros((n, dim * 3), dtype=np.float32)
    onehot = np.zeros((n, len(CONTEXTS)), dtype=np.float32)
    for row, context in enumerate(contexts):
        index = CONTEXTS.index(context)
        onehot[row, index] = 1.0
        if index > 0:
            gated[row, (index - 1) * dim : index * dim] = embeddings[row]
    return np.hstack([embeddings, gated, onehot, ngrams]).astype(np.float32)


def softmax(logits: Matrix, temperature: float = 1.0) -> Matrix:
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    result: Matrix = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
    return result


class SoftmaxRegression:
    """Multinomial logistic regression with L2 regularisation and per-row weights."""

    def __init__(
        self, classes: int, *, l2: float = 1e-3, scale: float = 5.0, steps: int = 200
    ) -> None:
        self.classes = classes
        self.l2 = l2
        self.scale = scale  # logit scale: unit-norm features need it to separate classes
        self.steps = steps
        self.weights: Matrix | None = None
        self.bias: Matrix | None = None

    def fit(self, x: Matrix, y: npt.NDArray[np.int64], row_weights: Matrix | None = None) -> None:
        n, d = x.shape
        w = np.zeros((d, self.classes), dtype=np.float32)
        b = np.zeros(self.classes, dtype=np.float32)
        target = np.eye(self.classes, dtype=np.float32)[y]
        share = np.ones(n, dtype=np.float32) if row_weights is None else row_weights
        share = (share / share.sum())[:, None]
        rate = 1.0
        for _ in range(self.steps):
            grad = (softmax((x @ w + b) * self.scale) - target) * share * self.scale
            w -= rate * (x.T @ grad + self.l2 * w)
            b -= rate * grad.sum(axis=0)
        self.weights, self.bias = w, b

    def logits(self, x: Matrix) -> Matrix:
        if self.weights is None or self.bias is None:
            raise RuntimeError("fit() first")
        result: Matrix = (x @ self.weights + self.bias) * self.scale
        return result


def fit_temperature(logits: Matrix, labels: npt.NDArray[np.int64]) -> float:
    """The temperature in [0.2, 5] minimising held-out negative log-likelihood (grid search)."""
    best, best_nll = 1.0, float("inf")
    for t in np.exp(np.linspace(np.log(0.2), np.log(5.0), 61)):
        p = softmax(logits, float(t))[np.arange(len(labels)), labels]
        nll = float(-np.log(np.clip(p, 1e-12, None)).mean())
        if nll < best_nll:
            best, best_nll = float(t), nll
    return best
