"""``HnswIndex``: the embedded default vector index, an HNSW graph on usearch.

Vectors are unit length, so the graph uses the inner-product metric and a hit's score is the
cosine similarity. Payloads live beside the graph in a :class:`PayloadStore`.

Filtered search is exact about *which* documents may be returned: the filter is evaluated
over the payloads first. When it keeps few documents (``exact_threshold``), or so small a
fraction that an over-fetching graph search would visit more candidates than the filter keeps,
the index scores exactly that subset — the result is then exactly the filter's documents
ranked by similarity. Otherwise it over-fetches from the graph with a growing ``k`` until
``k`` documents pass, falling back to the exact scan if the graph runs out.

Persistence: ``HnswIndex(dim, path=...)`` loads the last snapshot under ``path`` if there is
one; ``persist()`` writes a new generation (graph + payloads + metadata) and switches to it
atomically (see :class:`~careerpilot.retrieval.payloads.Snapshots`).
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

# Import order matters: with usearch 2.26 and onnxruntime 1.32, loading usearch's extension
# first makes a later `import onnxruntime` segfault (a libstdc++ codecvt clash at static
# initialisation). Loading onnxruntime first is safe, so this module does it before usearch.
import onnxruntime  # noqa: F401
from usearch.index import Index

from careerpilot.errors import ConfigurationError
from careerpilot.retrieval.filters import Filter, Payload
from careerpilot.retrieval.payloads import PayloadStore, Snapshots
from careerpilot.retrieval.vector_index import Hit, MutableVectorIndex, as_matrix, exact_search

__all__ = ["HnswIndex"]

_FORMAT = 1


class HnswIndex(MutableVectorIndex):
    """An in-process HNSW index (usearch), optionally persisted to a directory.

    ``connectivity`` (M), ``expansion_add`` (ef_construction) and ``expansion_search`` (ef)
    trade build time and latency for recall; the defaults measured recall@10 0.991 at
    2.1 ms p50 on 100k embedding-like vectors (benchmarks/retrieval.py; 0.955 with ef=128).
    ``threads`` bounds the build's worker threads (0: all cores).
    """

    def __init__(
        self,
        dim: int,
        path: Path | None = None,
        *,
        connectivity: int = 16,
        expansion_add: int = 128,
        expansion_search: int = 256,
        exact_threshold: int = 2048,
        threads: int = 0,
    ) -> None:
        self.dim = dim
        self.path = path
        self.exact_threshold = exact_threshold
        self.threads = threads
        self._params = {"connectivity": connectivity, "expansion_add": expansion_add}
        self._expansion_search = expansion_search
        self._lock = threading.RLock()
        self._store = PayloadStore()
        self._index = self._new_index()
        generation = Snapshots(path).current() if path is not None else None
        if generation is not None:
            self._load(generation)

    def _new_index(self) -> Index:
        return Index(
            ndim=self.dim,
            metric="ip",
            dtype="f32",
            connectivity=self._params["connectivity"],
            expansion_add=self._params["expansion_add"],
            expansion_search=self._expansion_search,
        )

    @property
    def expansion_search(self) -> int:
        return int(self._index.expansion_search)

    @expansion_search.setter
    def expansion_search(self, value: int) -> None:
        self._expansion_search = value
        self._index.expansion_search = value  # type: ignore[misc]  # untyped setter

    @property
    def memory_usage(self) -> int:
        """Bytes held by the graph and its vectors (payloads not included)."""
        return int(self._index.memory_usage)

    def __len__(self) -> int:
        return len(self._store)

    def add(
        self,
        ids: Sequence[int],
        vectors: npt.ArrayLike,
        payloads: Sequence[Payload] | None = None,
    ) -> None:
        matrix = as_matrix(vectors, self.dim)
        keys = np.asarray(ids, dtype=np.int64)
        if len(keys) != len(matrix):
            raise ValueError(f"{len(keys)} ids but {len(matrix)} vectors")
        if len(keys) == 0:
            return
        if keys.min() < 0:
            raise ValueError("document ids must be non-negative")
        # Within one call the last occurrence of an id wins.
        _, last = np.unique(keys[::-1], return_index=True)
        keep = np.sort(len(keys) - 1 - last)
        if len(keep) < len(keys):
            keys, matrix = keys[keep], matrix[keep]
            payloads = [payloads[i] for i in keep] if payloads is not None else None
        ukeys = keys.astype(np.uint64)
        with self._lock:
            present = [int(k) for k in ukeys if int(k) in self._store]
            if present:
                self._index.remove(np.asarray(present, dtype=np.uint64))
            self._index.add(ukeys, matrix, threads=self.threads)
            self._store.put([int(k) for k in ukeys], payloads)

    def delete(self, ids: Sequence[int]) -> None:
        with self._lock:
            present = self._store.remove(int(i) for i in ids if int(i) >= 0)
            if present:
                self._index.remove(np.asarray(present, dtype=np.uint64))

    def payloads(self, ids: Sequence[int]) -> dict[int, Payload]:
        """The stored payloads of those ``ids`` that are indexed."""
        with self._lock:
            return {i: self._store.get(i) for i in ids if i in self._store}

    def vectors(self, ids: Sequence[int]) -> npt.NDArray[np.float32]:
        """The stored vectors of those ``ids`` that are indexed, one row each."""
        with self._lock:
            present = np.asarray([i for i in ids if i in self._store], dtype=np.uint64)
            if len(present) == 0:
                return np.empty((0, self.dim), dtype=np.float32)
            rows = np.asarray(self._index.get(present), dtype=np.float32)
            return rows.reshape(len(present), self.dim)

    def count(self, filter: Filter | None = None) -> int:
        """How many indexed documents pass ``filter`` (all of them without one)."""
        with self._lock:
            if filter is None or filter.is_empty():
                return len(self._store)
            return len(self._store.matching(filter))

    def search(self, vector: npt.ArrayLike, k: int, filter: Filter | None = None) -> list[Hit]:
        query = as_matrix(vector, self.dim)[0]
        with self._lock:
            total = len(self._store)
            if k <= 0 or total == 0:
                return []
            if filter is None or filter.is_empty():
                return self._graph(query, min(k, total))
            allowed = self._store.matching(filter)
            if len(allowed) == 0:
                return []
            fetch = math.ceil(2 * k * total / len(allowed))
            if len(allowed) <= self.exact_threshold or fetch >= len(allowed):
                return self._exact(query, allowed, k)
            wanted = min(k, len(allowed))
            keep = set(allowed.tolist())
            while True:
                hits = [h for h in self._graph(query, min(fetch, total)) if h.id in keep]
                if len(hits) >= wanted:
                    return hits[:k]
                if fetch >= total:
                    return self._exact(query, allowed, k)
                fetch *= 4

    def _graph(self, query: npt.NDArray[np.float32], count: int) -> list[Hit]:
        matches = self._index.search(query, count)
        return [
            Hit(int(key), 1.0 - float(dist))
            for key, dist in zip(matches.keys, matches.distances, strict=True)
        ]

    def _exact(
        self, query: npt.NDArray[np.float32], ids: npt.NDArray[np.uint64], k: int
    ) -> list[Hit]:
        matrix = np.asarray(self._index.get(ids), dtype=np.float32).reshape(len(ids), self.dim)
        return exact_search(matrix, ids, query, k)

    def persist(self) -> None:
        """Save a new snapshot generation under ``path`` and switch to it atomically."""
        if self.path is None:
            raise ConfigurationError("HnswIndex has no path to persist to")
        snapshots = Snapshots(self.path)
        with self._lock:
            generation = snapshots.begin()
            self._index.save(str(generation / "index.usearch"))
            (generation / "payloads.json").write_text(self._store.to_json(), encoding="utf-8")
            meta = {"format": _FORMAT, "dim": self.dim, "metric": "ip", **self._params}
            (generation / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
            snapshots.commit(generation)

    def _load(self, generation: Path) -> None:
        meta = json.loads((generation / "meta.json").read_text(encoding="utf-8"))
        if meta.get("format") != _FORMAT or meta.get("dim") != self.dim:
            raise ConfigurationError(
                f"index at {generation} has format {meta.get('format')} and dim "
                f"{meta.get('dim')}, expected format {_FORMAT} and dim {self.dim}: rebuild it"
            )
        self._index.load(str(generation / "index.usearch"))
        text = (generation / "payloads.json").read_text(encoding="utf-8")
        self._store = PayloadStore.from_json(text)
