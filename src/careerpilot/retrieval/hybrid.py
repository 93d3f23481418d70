"""``HybridSearcher``: BM25 and dense retrieval fused with reciprocal rank fusion.

Both sides apply the same structured :class:`~careerpilot.retrieval.filters.Filter`, each
returns its ``depth`` best documents, and :func:`rrf_fuse` merges the rankings:
``score(d) = Σ_i w_i / (rrf_k + rank_i(d))`` with 1-based ranks and ``rrf_k = 60``. The mode
(``bm25``, ``dense`` or ``hybrid``) is chosen per call so that evaluations can compare them.

Embedding and both searches run in worker threads; the event loop never blocks on them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from careerpilot.retrieval.bm25 import BM25Index
from careerpilot.retrieval.embedder import Embedder
from careerpilot.retrieval.filters import Filter, Payload
from careerpilot.retrieval.vector_index import Hit, MutableVectorIndex, VectorIndex

__all__ = ["HybridSearcher", "SearchMode", "rrf_fuse"]


class SearchMode(StrEnum):
    BM25 = "bm25"
    DENSE = "dense"
    HYBRID = "hybrid"


def rrf_fuse(
    rankings: Sequence[Sequence[Hit]],
    weights: Sequence[float] | None = None,
    *,
    k: int = 60,
    limit: int | None = None,
) -> list[Hit]:
    """Reciprocal rank fusion of ``rankings`` (each best first); ties keep first-seen order.

    A document's fused score is ``Σ weights[i] / (k + rank)`` over the rankings it appears in,
    with ranks starting at 1; the original scores are ignored.
    """
    weights = [1.0] * len(rankings) if weights is None else list(weights)
    if len(weights) != len(rankings):
        raise ValueError(f"{len(rankings)} rankings but {len(weights)} weights")
    fused: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, hit in enumerate(ranking, start=1):
            fused[hit.id] = fused.get(hit.id, 0.0) + weight / (k + rank)
    ordered = sorted(fused.items(), key=lambda item: -item[1])  # stable: first seen wins ties
    return [Hit(doc_id, score) for doc_id, score in ordered[:limit]]


class HybridSearcher:
    """Lexical + semantic search over one document set.

    ``dense`` and ``bm25`` must index the same ids and payloads (:meth:`add` keeps them in
    step when ``dense`` is mutable). ``weights`` are (bm25, dense) RRF weights; ``depth`` is how
    many candidates each side contributes before fusion (at least ``k``).
    """

    def __init__(
        self,
        embedder: Embedder,
        dense: VectorIndex,
        bm25: BM25Index,
        *,
        rrf_k: int = 60,
        weights: tuple[float, float] = (1.0, 1.0),
        depth: int = 100,
    ) -> None:
        self.embedder = embedder
        self.dense = dense
        self.bm25 = bm25
        self.rrf_k = rrf_k
        self.weights = weights
        self.depth = depth

    async def add(
        self,
        ids: Sequence[int],
        texts: Sequence[str],
        payloads: Sequence[Payload] | None = None,
        *,
        lexical_texts: Sequence[str] | None = None,
    ) -> None:
        """Embed and index documents on both sides (re-adding an id replaces it).

        ``lexical_texts`` (default: ``texts``) is what BM25 indexes: it may be longer than the
        embedded text, since BM25's cost does not grow with document length the way a
        transformer's does.
        """
        if not isinstance(self.dense, MutableVectorIndex):
            raise TypeError(f"{type(self.dense).__name__} is read-only")
        vectors = await self.embedder.embed(texts)
        await asyncio.to_thread(self.dense.add, ids, vectors, payloads)
        lexical = texts if lexical_texts is None else lexical_texts
        await asyncio.to_thread(self.bm25.add, ids, lexical, payloads)

    async def delete(self, ids: Sequence[int]) -> None:
        """Remove documents from both sides."""
        if not isinstance(self.dense, MutableVectorIndex):
            raise TypeError(f"{type(self.dense).__name__} is read-only")
        await asyncio.to_thread(self.dense.delete, ids)
        await asyncio.to_thread(self.bm25.delete, ids)

    async def search(
        self,
        query: str,
        k: int = 10,
        filter: Filter | None = None,
        *,
        mode: SearchMode | str = SearchMode.HYBRID,
        weights: tuple[float, float] | None = None,
    ) -> list[Hit]:
        """The ``k`` best documents for a text query among those passing ``filter``."""
        mode = SearchMode(mode)
        vector = None
        if mode is not SearchMode.BM25:
            vector = (await self.embedder.embed([query]))[0]
        text = query if mode is not SearchMode.DENSE else None
        return await self._run(vector, text, k, filter, weights)

    async def search_vector(
        self,
        vector: npt.ArrayLike,
        k: int = 10,
        filter: Filter | None = None,
        *,
        text: str | None = None,
        weights: tuple[float, float] | None = None,
    ) -> list[Hit]:
        """Rank by similarity to ``vector`` (e.g. an embedded member profile: "jobs that fit me").

        With ``text`` (e.g. the member's skills) the dense ranking is fused with BM25 on it.
        """
        query = np.asarray(vector, dtype=np.float32)
        return await self._run(query, text, k, filter, weights)

    async def _run(
        self,
        vector: npt.NDArray[np.float32] | None,
        text: str | None,
        k: int,
        flt: Filter | None,
        weights: tuple[float, float] | None,
    ) -> list[Hit]:
        if k <= 0:
            return []
        if text is None and vector is not None:
            return await asyncio.to_thread(self.dense.search, vector, k, flt)
        if vector is None and text is not None:
            return await asyncio.to_thread(self.bm25.search, text, k, flt)
        if vector is None or text is None:
            return []
        depth = max(self.depth, k)
        lexical, dense = await asyncio.gather(
            asyncio.to_thread(self.bm25.search, text, depth, flt),
            asyncio.to_thread(self.dense.search, vector, depth, flt),
        )
        return rrf_fuse([lexical, dense], weights or self.weights, k=self.rrf_k, limit=k)
