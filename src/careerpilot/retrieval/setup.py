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
from careerpilot.errors import ConfigurationError
from careerpilot.retrieval.documents import (
    NETWORK_COLLECTIONS,
    Collection,
    IndexedDoc,
    read_documents,
)
from careerpilot.retrieval.embedder import Embedder
from careerpilot.retrieval.index_store import (
    DenseFactory,
    IndexProgress,
    IndexStore,
    RefreshReport,
    hnsw_factory,
)
from careerpilot.retrieval.knowledge import KnowledgeIndex
from careerpilot.retrieval.network_search import NetworkSearch
from careerpilot.retrieval.vector_index import MutableVectorIndex
from careerpilot.skills.corpus import load_corpus

__all__ = ["SearchStack", "database_stamp", "dense_factory", "index_root", "refresh_indexes"]


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
        store = IndexStore(index_root(settings), embedder, dense_factory(settings))
        return cls(store, NetworkSearch(store), KnowledgeIndex(store, load_corpus()))


def dense_factory(settings: Settings) -> DenseFactory:
    """The vector index each collection opens, as ``settings.vector_store`` asks."""
    store = settings.vector_store
    if store.backend == "hnsw":
        return hnsw_factory
    try:
        from careerpilot.retrieval.qdrant import QdrantIndex
    except ImportError as exc:
        raise ConfigurationError(
            "vector_store.backend is 'qdrant' but qdrant-client is not installed: "
            "pip install 'careerpilot[qdrant]'"
        ) from exc

    def qdrant(collection: str, directory: Path, dim: int) -> MutableVectorIndex:
        name = store.qdrant_prefix + collection
        if store.qdrant_url is None:
            directory.mkdir(parents=True, exist_ok=True)
            return QdrantIndex.local(directory / "qdrant", dim, collection=name)
        key = store.qdrant_api_key.get_secret_value() or None
        return QdrantIndex.server(store.qdrant_url, collection=name, dim=dim, api_key=key)

    return qdrant


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
