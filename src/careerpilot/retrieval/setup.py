"""Opening the search stack of a data directory: build or refresh its indexes, then serve.

``refresh_indexes`` is what ``careerpilot data index`` (and ``seed``, and first use) runs. A
collection whose manifest carries the database's current stamp (file size and mtime) is skipped
without reading a document, so an up-to-date start costs a few ``stat`` calls.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from careerpilot.config import Settings
from careerpilot.retrieval.documents import (
    NETWORK_COLLECTIONS,
    Collection,
    IndexedDoc,
    read_documents,
)
from careerpilot.retrieval.embedder import Embedder
from careerpilot.retrieval.index_store import IndexProgress, IndexStore, RefreshReport
from careerpilot.retrieval.knowledge import KnowledgeIndex
from careerpilot.retrieval.network_search import NetworkSearch
from careerpilot.skills.corpus import load_corpus

__all__ = ["SearchStack", "database_stamp", "index_root", "refresh_indexes"]


def index_root(settings: Settings) -> Path:
    return settings.data_dir / "index"


def database_stamp(db_path: Path) -> str:
    stat = db_path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


@dataclass(frozen=True, slots=True)
class SearchStack:
    """Everything that searches: the index store, network search and the knowledge index."""

    store: IndexStore
    network: NetworkSearch
    knowledge: KnowledgeIndex

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder) -> SearchStack:
        store = IndexStore(index_root(settings), embedder)
        return cls(store, NetworkSearch(store), KnowledgeIndex(store, load_corpus()))


def _read_all(db_path: Path, collection: Collection) -> list[IndexedDoc]:
    return list(read_documents(db_path, collection))


async def refresh_indexes(
    settings: Settings,
    stack: SearchStack,
    progress: IndexProgress | None = None,
    *,
    check_documents: bool = False,
) -> list[RefreshReport]:
    """Build or refresh every index. ``check_documents`` compares documents even when the
    database stamp is unchanged (what ``careerpilot data index`` does)."""
    db_path = settings.network_db_path
    stamp = database_stamp(db_path)
    reports = []
    for collection in NETWORK_COLLECTIONS:
        if not check_documents and stack.store.stamp(collection) == stamp:
            continue
        docs = await asyncio.to_thread(_read_all, db_path, collection)
        reports.append(await stack.store.refresh(collection, docs, progress, stamp=stamp))
    reports.append(await stack.knowledge.refresh(progress))
    return reports
