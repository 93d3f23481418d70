"""Persisted hybrid indexes in the data directory, built and refreshed incrementally.

Layout: ``<data_dir>/index/<collection>/`` holds ``hnsw/`` (usearch snapshots), ``bm25.json``
and ``manifest.json``. The manifest maps every indexed id to the fingerprint of what was
indexed (``IndexedDoc.fingerprint``) and names the embedder. :meth:`IndexStore.refresh`
compares it with the current documents: only new or changed documents are embedded, vanished
ones are deleted, and a different embedder means a rebuild from scratch. The manifest is
written last, so an interrupted refresh is simply redone by the next one.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from careerpilot.retrieval.bm25 import BM25Index
from careerpilot.retrieval.documents import IndexedDoc
from careerpilot.retrieval.embedder import Embedder
from careerpilot.retrieval.hybrid import HybridSearcher
from careerpilot.retrieval.payloads import atomic_write_text
from careerpilot.retrieval.vector_index import MutableVectorIndex

__all__ = [
    "DenseFactory",
    "IndexProgress",
    "IndexStore",
    "RefreshReport",
    "embedder_identity",
    "hnsw_factory",
]

_FORMAT = 1
_BATCH = 256

# (collection, documents embedded so far, documents to embed)
IndexProgress = Callable[[str, int, int], None]
# Opens a collection's vector index: (collection name, its directory, dimensions).
DenseFactory = Callable[[str, Path, int], MutableVectorIndex]


def hnsw_factory(collection: str, directory: Path, dim: int) -> MutableVectorIndex:
    """The embedded default: a usearch HNSW index persisted in the collection's directory."""
    from careerpilot.retrieval.hnsw import HnswIndex  # imports usearch (after onnxruntime)

    return HnswIndex(dim, directory / "hnsw")


def embedder_identity(embedder: Embedder) -> str:
    """What must match for stored vectors to be comparable with new query vectors."""
    name = getattr(embedder, "identity", None) or type(embedder).__name__
    return f"{name}/{embedder.dim}"


@dataclass(frozen=True, slots=True)
class RefreshReport:
    collection: str
    total: int
    embedded: int
    deleted: int
    rebuilt: bool
    seconds: float

    @property
    def changed(self) -> bool:
        return self.embedded > 0 or self.deleted > 0


class IndexStore:
    """The hybrid indexes under ``root`` (one per collection), opened lazily and shared."""

    def __init__(
        self, root: Path, embedder: Embedder, dense_factory: DenseFactory = hnsw_factory
    ) -> None:
        self.root = root
        self.embedder = embedder
        self.dense_factory = dense_factory
        self._searchers: dict[str, HybridSearcher] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def _dir(self, collection: str) -> Path:
        return self.root / collection

    def _manifest(self, collection: str) -> dict[str, object]:
        path = self._dir(collection) / "manifest.json"
        if not path.is_file():
            return {}
        manifest: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
        return manifest

    def stamp(self, collection: str) -> str | None:
        """The source stamp the collection was last refreshed from (see ``refresh``)."""
        if not self.is_built(collection):
            return None
        stamp = self._manifest(collection).get("stamp")
        return stamp if isinstance(stamp, str) else None

    def is_built(self, collection: str) -> bool:
        manifest = self._manifest(collection)
        return (
            manifest.get("format") == _FORMAT
            and manifest.get("embedder") == embedder_identity(self.embedder)
            and bool(manifest.get("docs"))
        )

    def _open(self, collection: str) -> HybridSearcher:
        base = self._dir(collection)
        dense = self.dense_factory(collection, base, self.embedder.dim)
        bm25 = BM25Index(base / "bm25.json")
        return HybridSearcher(self.embedder, dense, bm25)

    async def searcher(self, collection: str) -> HybridSearcher:
        """The collection's searcher, loaded from disk on first use (in a worker thread)."""
        found = self._searchers.get(collection)
        if found is not None:
            return found
        async with self._locks.setdefault(collection, asyncio.Lock()):
            if collection not in self._searchers:
                opened = await asyncio.to_thread(self._open, collection)
                self._searchers[collection] = opened
            return self._searchers[collection]

    async def refresh(
        self,
        collection: str,
        documents: Iterable[IndexedDoc],
        progress: IndexProgress | None = None,
        *,
        stamp: str | None = None,
    ) -> RefreshReport:
        """Bring the collection's index in line with ``documents``; returns what changed.

        ``stamp`` identifies the source version (e.g. the database file's size and mtime) so
        that callers can skip reading the documents when nothing changed (``stamp()``).
        """
        start = time.perf_counter()
        docs = {d.id: d for d in documents}
        manifest = self._manifest(collection)
        identity = embedder_identity(self.embedder)
        rebuilt = manifest.get("format") != _FORMAT or manifest.get("embedder") != identity
        async with self._locks.setdefault(collection, asyncio.Lock()):
            if rebuilt:
                self._searchers.pop(collection, None)
                await asyncio.to_thread(shutil.rmtree, self._dir(collection), True)
                known: dict[str, str] = {}
            else:
                known = dict(manifest.get("docs", {}))  # type: ignore[call-overload]
            searcher = self._searchers.get(collection)
            if searcher is None:
                searcher = await asyncio.to_thread(self._open, collection)
            stale = [d for d in docs.values() if known.get(str(d.id)) != d.fingerprint]
            gone = [int(i) for i in known if int(i) not in docs]
            if gone:
                await searcher.delete(gone)
            say = progress or (lambda _c, _d, _t: None)
            say(collection, 0, len(stale))
            for first in range(0, len(stale), _BATCH):
                batch = stale[first : first + _BATCH]
                await searcher.add(
                    [d.id for d in batch],
                    [d.dense for d in batch],
                    [d.payload for d in batch],
                    lexical_texts=[d.lexical for d in batch],
                )
                say(collection, first + len(batch), len(stale))
            if stale or gone or rebuilt or stamp != manifest.get("stamp"):
                await asyncio.to_thread(self._persist, collection, searcher, docs, identity, stamp)
            self._searchers[collection] = searcher
        return RefreshReport(
            collection, len(docs), len(stale), len(gone), rebuilt, time.perf_counter() - start
        )

    def _persist(
        self,
        collection: str,
        searcher: HybridSearcher,
        docs: dict[int, IndexedDoc],
        identity: str,
        stamp: str | None,
    ) -> None:
        dense = searcher.dense
        assert isinstance(dense, MutableVectorIndex)
        self._dir(collection).mkdir(parents=True, exist_ok=True)
        dense.persist()
        searcher.bm25.persist()
        manifest = {
            "format": _FORMAT,
            "embedder": identity,
            "stamp": stamp,
            "docs": {str(i): d.fingerprint for i, d in docs.items()},
        }
        atomic_write_text(self._dir(collection) / "manifest.json", json.dumps(manifest))
