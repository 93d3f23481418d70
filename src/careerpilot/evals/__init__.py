"""Offline evaluation of retrieval: labelled relevance sets and ranking metrics.

``retrieval_set`` builds and loads the labelled queries (``Case``), ``ranking_metrics`` scores a
search function on them. ``Case`` lives here so that both modules and callers share one type.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from careerpilot.evals.ranking_metrics import DocId

__all__ = ["Case", "DocId", "Filter", "Kind"]

Kind = Literal["jobs", "posts", "people", "knowledge", "fit_me"]
Filter = dict[str, str | bool]  # keys: location, remote, seniority, company


@dataclass(frozen=True, slots=True)
class Case:
    """One query with its graded judgements: ``relevant`` maps a document id to 1 or 2."""

    id: str
    kind: Kind
    query: str
    relevant: dict[DocId, int]
    member_id: int | None = None
    filter: Filter | None = None

    def to_dict(self) -> dict[str, Any]:
        head = {"id": self.id, "kind": self.kind, "query": self.query}
        optional = {"member_id": self.member_id, "filter": self.filter}
        relevant = {str(d): g for d, g in self.relevant.items()}
        return head | {k: v for k, v in optional.items() if v is not None} | {"relevant": relevant}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Case:
        key: Callable[[str], DocId] = str if data["kind"] == "knowledge" else int
        return cls(**data | {"relevant": {key(d): int(g) for d, g in data["relevant"].items()}})
