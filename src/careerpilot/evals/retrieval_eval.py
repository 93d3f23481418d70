"""Scores BM25, dense and hybrid retrieval on the labelled relevance set.

Every case runs through the product's own search paths: network cases through
``NetworkSearch`` (the same calls the REST API's ``q`` and ``match_jobs`` make, with the case's
structured filter), knowledge cases through offline web search's rankers. Rankings are computed
once per mode and scored with ``ranking_metrics.evaluate``.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

from careerpilot.config import NetworkSize, Settings
from careerpilot.evals import Case, DocId
from careerpilot.evals.ranking_metrics import MetricSummary, evaluate
from careerpilot.evals.retrieval_set import SEED, build_relevance_set, load_relevance_set
from careerpilot.network.generator import generate_network
from careerpilot.network.repository import JobFilters
from careerpilot.network.schemas import Member
from careerpilot.retrieval.documents import Collection
from careerpilot.retrieval.filters import Condition, Eq, Filter
from careerpilot.retrieval.hybrid import SearchMode
from careerpilot.retrieval.setup import SearchStack
from careerpilot.retrieval.vector_index import Hit
from careerpilot.skills.offline_search import BM25Index as FieldBM25

__all__ = ["MODES", "case_filter", "evaluate_retrieval", "relevance_set_for"]

MODES: tuple[SearchMode, ...] = (SearchMode.BM25, SearchMode.DENSE, SearchMode.HYBRID)
_COLLECTION: dict[str, Collection] = {"jobs": "jobs", "people": "people", "posts": "posts"}


def case_filter(case: Case) -> Filter:
    """The case's filter as payload conditions, the same ones the REST API's filters become.

    ``location``, ``remote`` and ``company`` are hard filters. ``seniority`` is not: the set
    grades the asked title at a neighbouring level as relevant (grade 1), so the level stays
    a ranking signal carried by the query's own words ("senior", "junior").
    """
    must: list[Condition] = []
    for key, value in (case.filter or {}).items():
        if key == "seniority":
            continue
        if key == "location":
            must.append(Eq("place", str(value).lower()))
        elif key == "company":
            must.append(Eq("company", str(value).lower()))
        else:
            must.append(Eq(key, value))
    return Filter(must=tuple(must))


def relevance_set_for(settings: Settings) -> list[Case]:
    """The committed set for the default network; for any other, one derived the same way."""
    if settings.seed == SEED and settings.network == NetworkSize():
        return load_relevance_set()
    return build_relevance_set(generate_network(settings.seed, settings.network))


def _members(db_path: Path, ids: set[int]) -> dict[int, Member]:
    marks = ",".join("?" * len(ids))
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        rows = conn.execute(f"SELECT id, doc FROM members WHERE id IN ({marks})", sorted(ids))
        return {int(i): Member.model_validate_json(d) for i, d in rows}


class _Ranker:
    def __init__(self, settings: Settings, stack: SearchStack, cases: Sequence[Case]) -> None:
        self.stack = stack
        self.articles = stack.knowledge.articles
        self.field_bm25 = FieldBM25.build(self.articles)
        wanted = {c.member_id for c in cases if c.member_id is not None}
        self.members = _members(settings.network_db_path, wanted) if wanted else {}

    async def rank(self, case: Case, mode: SearchMode, k: int) -> list[DocId]:
        network = self.stack.network
        if case.kind == "fit_me":
            assert case.member_id is not None
            member = self.members[case.member_id]
            ranked = await network.jobs_for_member(member, JobFilters(), k, mode)
            return list(ranked.ids)
        if case.kind == "knowledge":
            return await self._knowledge(case.query, mode, k)
        collection = _COLLECTION[case.kind]
        found = await network.search(collection, case.query, case_filter(case), k, mode)
        return list(found.ids)

    async def _knowledge(self, query: str, mode: SearchMode, k: int) -> list[DocId]:
        depth = max(k, 50)
        lexical = [Hit(d, s) for d, s in self.field_bm25.rank(query, depth)]
        if mode is SearchMode.BM25:
            hits = lexical[:k]
        elif mode is SearchMode.DENSE:
            hits = (await self.stack.knowledge.dense(query, k))[:k]
        else:
            hits = await self.stack.knowledge.rank(query, k, lexical)
        return [self.articles[h.id].id for h in hits]


def _lookup(by_id: dict[str, list[DocId]]) -> Callable[[Case], list[DocId]]:
    return lambda case: by_id[case.id]


async def evaluate_retrieval(
    settings: Settings,
    stack: SearchStack,
    cases: Sequence[Case] | None = None,
    *,
    k: int = 10,
    modes: Sequence[SearchMode] = MODES,
) -> dict[str, MetricSummary]:
    """Metrics at ``k`` for each mode over ``cases`` (default: ``relevance_set_for``)."""
    cases = list(cases) if cases is not None else relevance_set_for(settings)
    ranker = _Ranker(settings, stack, cases)
    results: dict[str, MetricSummary] = {}
    for mode in modes:
        rankings = await asyncio.gather(*(ranker.rank(c, mode, k) for c in cases))
        by_id: dict[str, list[DocId]] = {c.id: r for c, r in zip(cases, rankings, strict=True)}
        results[mode.value] = evaluate(cases, _lookup(by_id), k)
    return results
