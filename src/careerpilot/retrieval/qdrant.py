"""``QdrantIndex``: the :class:`MutableVectorIndex` interface over a Qdrant collection.

Three ways to get one::

    QdrantIndex.in_memory(dim=384)                       # tests: qdrant-client local mode
    QdrantIndex.local(path, dim=384)                     # local mode, persisted to a directory
    QdrantIndex.server("https://qdrant.example:6333", api_key="...", collection="jobs", dim=384)

or pass any ``QdrantClient`` to the constructor (e.g. ``QdrantClient(host=..., grpc_port=6334,
prefer_grpc=True)``). The collection is created on first use with cosine distance, so a hit's
score is the cosine similarity, like the embedded :class:`~careerpilot.retrieval.hnsw.HnswIndex`.
For filters to stay fast on a server, create payload indexes for the filtered fields
(:meth:`QdrantIndex.index_field`).

Filters from :mod:`careerpilot.retrieval.filters` translate one-to-one: ``Eq`` to
``FieldCondition(match=MatchValue)``, ``AnyOf`` to ``MatchAny``, ``Range`` to ``Range``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
from qdrant_client import QdrantClient, models

from careerpilot.retrieval.filters import AnyOf, Condition, Eq, Filter, Payload
from careerpilot.retrieval.vector_index import Hit, MutableVectorIndex, as_matrix

__all__ = ["QdrantIndex", "to_qdrant_filter"]

FieldKind = Literal["keyword", "integer", "float", "bool"]


def _condition(cond: Condition) -> models.Condition:
    if isinstance(cond, Eq):
        return models.FieldCondition(key=cond.field, match=models.MatchValue(value=cond.value))
    if isinstance(cond, AnyOf):
        if cond.values and isinstance(cond.values[0], bool):
            # MatchAny takes str or int lists only: a bool any-of is a "should" of equalities.
            options: list[models.Condition] = [
                models.FieldCondition(key=cond.field, match=models.MatchValue(value=v))
                for v in sorted(set(cond.values))
            ]
            return models.Filter(should=options)
        values: list[str] | list[int] = list(cond.values)  # type: ignore[assignment]
        return models.FieldCondition(key=cond.field, match=models.MatchAny(any=values))
    return models.FieldCondition(
        key=cond.field,
        range=models.Range(gt=cond.gt, gte=cond.gte, lt=cond.lt, lte=cond.lte),
    )


def to_qdrant_filter(flt: Filter | None) -> models.Filter | None:
    """Translate a :class:`Filter` into Qdrant's filter model (None for no filter)."""
    if flt is None or flt.is_empty():
        return None
    must: list[models.Condition] = [_condition(c) for c in flt.must]
    must_not: list[models.Condition] = [_condition(c) for c in flt.must_not]
    return models.Filter(must=must or None, must_not=must_not or None)


class QdrantIndex(MutableVectorIndex):
    """A Qdrant collection of unit vectors with payloads; see the module docstring."""

    def __init__(
        self, client: QdrantClient, collection: str, dim: int, *, batch_size: int = 256
    ) -> None:
        self.client = client
        self.collection = collection
        self.dim = dim
        self.batch_size = batch_size
        if not client.collection_exists(collection):
            client.create_collection(
                collection,
                vectors_config=models.VectorParams(size=dim, distance=models.Distance.COSINE),
            )

    @classmethod
    def in_memory(cls, dim: int, collection: str = "documents") -> QdrantIndex:
        """A throwaway index in qdrant-client's local (embedded, in-process) mode."""
        return cls(QdrantClient(":memory:"), collection, dim)

    @classmethod
    def local(cls, path: Path, dim: int, collection: str = "documents") -> QdrantIndex:
        """Local mode persisted under ``path`` (one process at a time may open it)."""
        return cls(QdrantClient(path=str(path)), collection, dim)

    @classmethod
    def server(
        cls,
        url: str,
        *,
        collection: str,
        dim: int,
        api_key: str | None = None,
        timeout: int = 10,
    ) -> QdrantIndex:
        """A Qdrant server at ``url`` (``http(s)://host:6333``), with an optional API key."""
        return cls(QdrantClient(url=url, api_key=api_key, timeout=timeout), collection, dim)

    def index_field(self, name: str, kind: FieldKind) -> None:
        """Create a payload index on ``name`` so that filters on it stay fast on a server."""
        schema = {
            "keyword": models.PayloadSchemaType.KEYWORD,
            "integer": models.PayloadSchemaType.INTEGER,
            "float": models.PayloadSchemaType.FLOAT,
            "bool": models.PayloadSchemaType.BOOL,
        }[kind]
        self.client.create_payload_index(self.collection, name, field_schema=schema)

    def __len__(self) -> int:
        return self.client.count(self.collection, exact=True).count

    def add(
        self,
        ids: Sequence[int],
        vectors: npt.ArrayLike,
        payloads: Sequence[Payload] | None = None,
    ) -> None:
        matrix = as_matrix(vectors, self.dim)
        if len(ids) != len(matrix) or (payloads is not None and len(payloads) != len(ids)):
            raise ValueError("ids, vectors and payloads must have the same length")
        if any(int(i) < 0 for i in ids):
            raise ValueError("document ids must be non-negative")
        for start in range(0, len(ids), self.batch_size):
            stop = start + self.batch_size
            points = [
                models.PointStruct(
                    id=int(ids[i]),
                    vector=matrix[i].tolist(),
                    payload=dict(payloads[i]) if payloads is not None else {},
                )
                for i in range(start, min(stop, len(ids)))
            ]
            self.client.upsert(self.collection, points=points, wait=True)

    def delete(self, ids: Sequence[int]) -> None:
        valid: list[models.ExtendedPointId] = [int(i) for i in ids if int(i) >= 0]
        if valid:
            self.client.delete(
                self.collection, points_selector=models.PointIdsList(points=valid), wait=True
            )

    def count(self, filter: Filter | None = None) -> int:
        flt = to_qdrant_filter(filter)
        return self.client.count(self.collection, count_filter=flt, exact=True).count

    def _retrieve(self, ids: Sequence[int], *, vectors: bool) -> list[models.Record]:
        wanted: list[models.ExtendedPointId] = [int(i) for i in ids if int(i) >= 0]
        if not wanted:
            return []
        return self.client.retrieve(
            self.collection, ids=wanted, with_payload=not vectors, with_vectors=vectors
        )

    def payloads(self, ids: Sequence[int]) -> dict[int, Payload]:
        return {int(r.id): dict(r.payload or {}) for r in self._retrieve(ids, vectors=False)}

    def vectors(self, ids: Sequence[int]) -> npt.NDArray[np.float32]:
        found = {int(r.id): r.vector for r in self._retrieve(ids, vectors=True)}
        rows = [found[int(i)] for i in ids if int(i) in found]
        if not rows:
            return np.empty((0, self.dim), dtype=np.float32)
        return np.asarray(rows, dtype=np.float32).reshape(len(rows), self.dim)

    def search(self, vector: npt.ArrayLike, k: int, filter: Filter | None = None) -> list[Hit]:
        if k <= 0:
            return []
        query = as_matrix(vector, self.dim)[0].astype(np.float64).tolist()
        response = self.client.query_points(
            self.collection,
            query=query,
            query_filter=to_qdrant_filter(filter),
            limit=k,
            with_payload=False,
        )
        return [Hit(int(p.id), float(p.score)) for p in response.points]

    def close(self) -> None:
        """Release the client (local mode holds a lock on its directory until closed)."""
        self.client.close()
