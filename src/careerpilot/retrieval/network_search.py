"""Relevance-ranked search over the network: what the REST API's ``q`` parameters run on.

``NetworkSearch`` answers the API's search filters (``JobFilters``, ``PeopleFilters``,
``PostFilters``) with hybrid retrieval (BM25 + dense, fused by reciprocal rank) restricted by
structured payload filters, and ranks jobs for a member's profile ("jobs that fit me").
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from careerpilot.network.repository import JobFilters, PeopleFilters, PostFilters
from careerpilot.network.schemas import Member, Seniority
from careerpilot.network.taxonomy import FAMILIES, SENIORITY_ORDER, base_title
from careerpilot.retrieval.documents import Collection, member_profile_query
from careerpilot.retrieval.filters import AnyOf, Condition, Eq, Filter, Range
from careerpilot.retrieval.hybrid import HybridSearcher, SearchMode
from careerpilot.retrieval.index_store import IndexStore
from careerpilot.retrieval.query_facets import rerank
from careerpilot.retrieval.vector_index import MutableVectorIndex

__all__ = [
    "NetworkSearch",
    "Ranked",
    "job_filter",
    "people_filter",
    "post_filter",
]


@dataclass(frozen=True, slots=True)
class Ranked:
    """Document ids, best first, and how many documents passed the filters in all."""

    ids: list[int]
    total: int


def _keyword(value: str) -> str:
    return " ".join(value.lower().split())


def job_filter(f: JobFilters) -> Filter:
    must: list[Condition] = []
    if f.location:
        must.append(Eq("place", _keyword(f.location)))
    if f.remote is not None:
        must.append(Eq("remote", f.remote))
    if f.seniority is not None:
        must.append(Eq("seniority", f.seniority.value))
    if f.company_id is not None:
        must.append(Eq("company_id", f.company_id))
    if f.family:
        must.append(Eq("family", f.family))
    if f.skill:
        must.append(Eq("skills", _keyword(f.skill)))
    if f.posted_after is not None:
        must.append(Range("posted_on", gte=f.posted_after))
    return Filter(must=tuple(must))


def people_filter(f: PeopleFilters) -> Filter:
    # ``title`` is not a filter here: it joins the query text, where "engineer" also finds
    # "Senior Software Engineer" and close titles rank by meaning.
    must: list[Condition] = []
    if f.company_id is not None:
        must.append(Eq("company_id", f.company_id))
    if f.location:
        must.append(Eq("place", _keyword(f.location)))
    if f.skill:
        must.append(Eq("skills", _keyword(f.skill)))
    return Filter(must=tuple(must))


def post_filter(f: PostFilters) -> Filter:
    must: list[Condition] = []
    if f.topic:
        must.append(Eq("topic", _keyword(f.topic).replace(" ", "_")))
    if f.author_id is not None:
        must.append(Eq("author_id", f.author_id))
    if f.company_id is not None:
        must.append(Eq("company_id", f.company_id))
    return Filter(must=tuple(must))


# How many profile-like jobs the fit ordering chooses from.
FIT_CANDIDATES = 200
# How many retrieved documents the query-facet reranker orders.
RERANK_DEPTH = 100


def member_level(member: Member) -> int | None:
    """The ``Seniority`` index the member's current title stands for ("Senior ..." -> 2)."""
    if not member.positions:
        return None
    title, family = member.positions[0].title, member.positions[0].family
    try:
        prefix = title[: -len(base_title(title))].strip()
    except KeyError:
        return None
    levels = FAMILIES[family].level_prefixes if family in FAMILIES else ()
    return next((i for i, names in enumerate(levels) if prefix in names), None)


class NetworkSearch:
    """Ranked search over the indexes of one ``IndexStore``; ``mode`` picks the retriever."""

    def __init__(self, store: IndexStore, mode: SearchMode = SearchMode.HYBRID) -> None:
        self.store = store
        self.mode = mode

    async def _total(self, searcher: HybridSearcher, flt: Filter) -> int:
        dense = searcher.dense
        if isinstance(dense, MutableVectorIndex):
            return await asyncio.to_thread(dense.count, flt)
        return 0

    async def search(
        self,
        collection: Collection,
        query: str,
        flt: Filter,
        k: int,
        mode: SearchMode | None = None,
    ) -> Ranked:
        """The ``k`` best documents: ``RERANK_DEPTH`` retrieved by ``mode``, then ordered by
        the taxonomy entities the query names (``query_facets.rerank``)."""
        searcher = await self.store.searcher(collection)
        hits = await searcher.search(query, max(k, RERANK_DEPTH), flt, mode=mode or self.mode)
        ids = [h.id for h in hits]
        dense = searcher.dense
        if isinstance(dense, MutableVectorIndex):
            ids = rerank(collection, query, ids, await asyncio.to_thread(dense.payloads, ids))
        return Ranked(ids[:k], await self._total(searcher, flt))

    async def jobs(self, f: JobFilters, k: int) -> Ranked:
        return await self.search("jobs", f.q or "", job_filter(f), k)

    async def people(self, f: PeopleFilters, k: int) -> Ranked:
        query = " ".join(part for part in (f.title, f.q) if part)
        return await self.search("people", query, people_filter(f), k)

    async def posts(self, f: PostFilters, k: int) -> Ranked:
        return await self.search("posts", f.q or "", post_filter(f), k)

    async def jobs_for_member(
        self, member: Member, f: JobFilters, k: int, mode: SearchMode | None = None
    ) -> Ranked:
        """Jobs ranked by fit with the member's profile.

        Retrieval (``mode``) finds ``FIT_CANDIDATES`` jobs like the profile in the member's own
        and related fields; they are then ordered by what a fit is made of: how many of the
        job's required skills the member has, their own field before a neighbouring one, the
        level closest to theirs, and retrieval order last.
        """
        searcher = await self.store.searcher("jobs")
        candidates = await self._fit_candidates(searcher, member, f, mode or self.mode)
        dense = searcher.dense
        payloads = (
            await asyncio.to_thread(dense.payloads, candidates.ids)
            if isinstance(dense, MutableVectorIndex)
            else {}
        )
        held = {s.lower() for s in member.skills}
        current = member.positions[0] if member.positions else None
        level = member_level(member)

        def fit(position: int) -> tuple[int, int, int, int]:
            payload = payloads.get(candidates.ids[position], {})
            required = payload.get("required", [])
            overlap = len(held.intersection(required)) if isinstance(required, list) else 0
            own = int(current is not None and payload.get("family") == current.family)
            seniority = payload.get("seniority")
            gap = 9
            if level is not None and isinstance(seniority, str):
                gap = abs(SENIORITY_ORDER.index(Seniority(seniority)) - level)
            return (-overlap, -own, gap, position)

        order = sorted(range(len(candidates.ids)), key=fit)
        return Ranked([candidates.ids[i] for i in order[:k]], candidates.total)

    async def _fit_candidates(
        self, searcher: HybridSearcher, member: Member, f: JobFilters, mode: SearchMode
    ) -> Ranked:
        dense_text, lexical_text = member_profile_query(member)
        k = FIT_CANDIDATES
        flt = job_filter(f)
        current = member.positions[0] if member.positions else None
        if current is not None and not f.family and current.family in FAMILIES:
            # A fit is a job in the member's field or one next to it (the career paths the
            # taxonomy knows), never a stranger that happens to share generic skills.
            fields = [current.family, *FAMILIES[current.family].related]
            flt = Filter(must=(*flt.must, AnyOf("family", fields)))
        if mode is SearchMode.BM25:
            hits = await searcher.search(lexical_text, k, flt, mode=SearchMode.BM25)
        else:
            vector = (await searcher.embedder.embed([dense_text]))[0]
            text = lexical_text if mode is SearchMode.HYBRID else None
            hits = await searcher.search_vector(vector, k, flt, text=text)
        return Ranked([h.id for h in hits], await self._total(searcher, flt))
