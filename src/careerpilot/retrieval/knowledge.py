"""Dense retrieval over the bundled professional-knowledge corpus (offline web search).

The corpus ships with the package, so its index lives with the others in the data directory
and is refreshed on first use: a changed or added article is re-embedded, nothing else.
``KnowledgeIndex.rank`` returns corpus positions; offline web search fuses them with its
field-weighted BM25 ranking.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from careerpilot.retrieval.documents import IndexedDoc
from careerpilot.retrieval.hybrid import SearchMode
from careerpilot.retrieval.index_store import IndexProgress, IndexStore, RefreshReport
from careerpilot.retrieval.vector_index import Hit
from careerpilot.skills.corpus import Article

__all__ = ["KNOWLEDGE", "KnowledgeIndex", "knowledge_documents"]

KNOWLEDGE = "knowledge"
# Below this cosine similarity a MiniLM neighbour is noise (a query with no known topic), so
# it is dropped rather than passed on as a search result.
MIN_SIMILARITY = 0.25


def knowledge_documents(articles: Sequence[Article]) -> list[IndexedDoc]:
    docs = []
    for position, article in enumerate(articles):
        lead = article.paragraphs[0] if article.paragraphs else ""
        docs.append(
            IndexedDoc(
                position,
                f"{article.title}. {lead[:400]}",
                f"{article.title}. {article.body}",
                {"slug": article.id, "topic": article.topic.lower()},
            )
        )
    return docs


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

    async def rank(self, query: str, k: int) -> list[Hit]:
        """Corpus positions most similar in meaning to ``query``, best first."""
        if not self._ready:
            async with self._lock:
                if not self._ready:
                    await self.refresh()
        searcher = await self.store.searcher(KNOWLEDGE)
        hits = await searcher.search(query, k, mode=SearchMode.DENSE)
        return [h for h in hits if h.score >= MIN_SIMILARITY]
