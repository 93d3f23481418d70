"""The ``VectorIndex`` extension point: nearest-neighbour search over unit vectors.

Implementing a backend
----------------------
Subclass :class:`VectorIndex` and implement one method::

    class MyIndex(VectorIndex):
        dim = 384

        def search(self, vector, k, filter=None):
            # ``vector`` is a unit-length float32 array of shape (dim,).
            # Return at most ``k`` Hit(id, score), best first, where ``score`` is the cosine
            # similarity (the dot product, since vectors are unit length) and every hit's
            # payload passes ``filter`` (see careerpilot.retrieval.filters). With a filter,
            # return the filter's documents ranked by similarity — do not filter a short
            # unfiltered top-k afterwards, or selective filters return too few hits.
            ...

A read-only index (one built elsewhere) stops there. An index that callers may change also
derives from :class:`MutableVectorIndex` and implements ``add`` (re-adding an id replaces the
document), ``delete``, ``__len__`` and, if it holds state in memory, ``persist``.

:func:`exact_search` is a flat, exact reference that backends reuse for small candidate sets.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from careerpilot.retrieval.filters import Filter, Payload

__all__ = ["Hit", "MutableVectorIndex", "VectorIndex", "as_matrix", "exact_search"]


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: a document id and its score (higher is better)."""

    id: int
    score: float


class VectorIndex(ABC):
    """Nearest neighbours by cosine similarity over unit vectors; see the module docstring."""

    dim: int

    @abstractmethod
    def search(self, vector: npt.ArrayLike, k: int, filter: Filter | None = None) -> list[Hit]:
        """The ``k`` documents most similar to ``vector`` that pass ``filter``, best first."""


class MutableVectorIndex(VectorIndex):
    """A :class:`VectorIndex` whose documents can be added, replaced and deleted."""

    @abstractmethod
    def add(
        self,
        ids: Sequence[int],
        vectors: npt.ArrayLike,
        payloads: Sequence[Payload] | None = None,
    ) -> None:
        """Insert documents; an id that is already present is replaced (vector and payload)."""

    @abstractmethod
    def delete(self, ids: Sequence[int]) -> None:
        """Remove documents; unknown ids are ignored."""

    @abstractmethod
    def __len__(self) -> int:
        """How many documents the index holds."""

    @abstractmethod
    def count(self, filter: Filter | None = None) -> int:
        """How many documents pass ``filter`` (all of them without one)."""

    @abstractmethod
    def payloads(self, ids: Sequence[int]) -> dict[int, Payload]:
        """The stored payloads of those ``ids`` that are indexed."""

    @abstractmethod
    def vectors(self, ids: Sequence[int]) -> npt.NDArray[np.float32]:
        """The stored vectors of those ``ids`` that are indexed, one row each, in id order."""

    def persist(self) -> None:
        """Write in-memory state to durable storage (a no-op for self-persisting backends)."""


def as_matrix(vectors: npt.ArrayLike, dim: int) -> npt.NDArray[np.float32]:
    """``vectors`` as a C-contiguous float32 (n, dim) matrix; a single vector becomes (1, dim)."""
    matrix = np.ascontiguousarray(vectors, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix.reshape(1, -1)
    if matrix.ndim != 2 or matrix.shape[1] != dim:
        raise ValueError(f"expected vectors of dimension {dim}, got shape {matrix.shape}")
    return matrix


def exact_search(
    matrix: npt.NDArray[np.float32],
    ids: npt.NDArray[np.uint64] | Sequence[int],
    vector: npt.NDArray[np.float32],
    k: int,
) -> list[Hit]:
    """Exact top-``k`` by dot product of ``vector`` against the rows of ``matrix``."""
    if k <= 0 or len(matrix) == 0:
        return []
    scores = matrix @ vector.reshape(-1)
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    top = top[np.argsort(-scores[top], kind="stable")]
    return [Hit(int(ids[i]), float(scores[i])) for i in top]
