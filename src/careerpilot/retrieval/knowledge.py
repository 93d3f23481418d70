"""Hybrid retrieval over the bundled professional-knowledge corpus (offline web search).

Articles are embedded paragraph by paragraph (each chunk prefixed with its title) and an
article scores as its best paragraph, so a question answered in the third paragraph still
finds it. ``KnowledgeIndex.rank`` fuses, by reciprocal rank, the caller's lexical ranking, the
dense ranking, and "more like the best hit": the articles nearest to the first fused result
(pseudo-relevance feedback), which brings up the neighbouring articles a reader wants next.
The corpus ships with the package; its index lives with the others in the data directory and
is refreshed on first use (only changed paragraphs are re-embedded).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import numpy as np

from careerpilot.retrieval.documents import IndexedDoc
from careerpilot.retrieval.filters import Payload
from careerpilot.retrieval.hybrid import SearchMode, rrf_fuse
from careerpilot.retrieval.index_store import IndexProgress, IndexStore, RefreshReport
from careerpilot.retrieval.vector_index import Hit, MutableVectorIndex
from careerpilot.skills.corpus import Article

__all__ = ["KNOWLEDGE", "KnowledgeIndex", "knowledge_documents"]

KNOWLEDGE = "knowledge"
# When even the best paragraph is below this cosine similarity the query is about nothing the
# corpus covers, and the dense side returns nothing rather than its least-bad guesses.
MIN_SIMILARITY = 0.25
# Chunk ids: article position * CHUNKS + paragraph index.
CHUNKS = 64
_DEPTH = 50
# Only the nearest neighbours of the best hit count as "more like it".
_MORE_DEPTH = 10


def knowledge_documents(articles: Sequence[Article]) -> list[IndexedDoc]:
    docs = []
    for position, article in enumerate(articles):
        for index, paragraph in enumerate(article.paragraphs[:CHUNKS]):
            text = f"{article.title}. {paragraph}"
            payload: Payload = {"slug": article.id, "topic": article.topic.lower()}
            docs.append(IndexedDoc(position * CHUNKS + index, text, text, payload))
    return docs


def _articles(hits: Sequence[Hit], k: int) -> list[Hit]:
    """Chunk hits collapsed to articles, each at its best chunk's score and rank."""
    best: dict[int, float] = {}
    for hit in hits:
        article = hit.id // CHUNKS
        if article not in best:
            best[article] = hit.score
    return [Hit(a, s) for a, s in list(best.items())[:k]]


class KnowledgeIndex:
    def __init__(self, store: IndexStore, articles: Sequence[Article]) -> None:
        self.store = store
        self.articles = articles
        self._ready = False
        self._lock = asyncio.Lock()

    async def refresh(self, progress: IndexProgress | None = None) -> RefreshReport:
        report = await self.store.refresh(KNOWLEDGE, knowledge_documents(self.articles), progress)
        self._ready = True
        return report

    async def _index(self) -> MutableVectorIndex:
        if not self._ready:
            async with self._lock:
                if not self._ready:
                    await self.refresh()
        dense = (await self.store.searcher(KNOWLEDGE)).dense
        assert isinstance(dense, MutableVectorIndex)
        return dense

    async def dense(self, query: str, k: int) -> list[Hit]:
        """Corpus positions most similar in meaning to ``query``, best first."""
        await self._index()  # refreshed on first use
        searcher = await self.store.searcher(KNOWLEDGE)
        hits = _articles(await searcher.search(query, k * 4, mode=SearchMode.DENSE), k)
        return hits if hits and hits[0].score >= MIN_SIMILARITY else []

    async def more_like(self, position: int, k: int) -> list[Hit]:
        """Articles nearest to the article at ``position`` (the mean of its paragraphs), itself
        first: in the fusion it then keeps the lead its two first-place ranks gave it."""
        index = await self._index()
        ids = [position * CHUNKS + i for i in range(len(self.articles[position].paragraphs))]
        vectors = await asyncio.to_thread(index.vectors, ids)
        if len(vectors) == 0:
            return []
        centre = vectors.mean(axis=0)
        centre /= max(float(np.linalg.norm(centre)), 1e-12)
        hits = await asyncio.to_thread(index.search, centre, k * 4)
        return _articles(hits, k)

    async def rank(self, query: str, k: int, lexical: Sequence[Hit]) -> list[Hit]:
        """Hybrid ranking: ``lexical`` (corpus positions, best first), dense, more-like-this."""
        dense = await self.dense(query, _DEPTH)
        first = rrf_fuse([lexical, dense], limit=1)
        if not first:
            return []
        more = await self.more_like(first[0].id, _MORE_DEPTH)
        return rrf_fuse([lexical, dense, more], limit=k)
