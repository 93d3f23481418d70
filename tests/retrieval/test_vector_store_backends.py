"""The search stack on either vector store: embedded HNSW (default) or Qdrant (local mode)."""

from pathlib import Path

import pytest

from careerpilot.config import Settings, VectorStoreSettings
from careerpilot.network.repository import JobFilters, NetworkRepository
from careerpilot.retrieval.embedder import OnnxEmbedder
from careerpilot.retrieval.hnsw import HnswIndex
from careerpilot.retrieval.network_search import job_filter
from careerpilot.retrieval.qdrant import QdrantIndex
from careerpilot.retrieval.setup import SearchStack, refresh_indexes


@pytest.mark.parametrize(("backend", "kind"), [("hnsw", HnswIndex), ("qdrant", QdrantIndex)])
async def test_both_backends_answer_the_same_searches(
    settings: Settings, embedder: OnnxEmbedder, tmp_path: Path, backend: str, kind: type
) -> None:
    # Own index directory: the shared one belongs to the default backend.
    local = settings.model_copy(
        update={"vector_store": VectorStoreSettings(backend=backend)}  # type: ignore[arg-type]
    )
    stack = SearchStack.open(local, embedder)
    stack.store.root = tmp_path / "index"
    reports = await refresh_indexes(local, stack)
    assert {r.collection for r in reports} == {"jobs", "people", "posts", "knowledge"}
    searcher = await stack.store.searcher("jobs")
    assert isinstance(searcher.dense, kind)

    repo = NetworkRepository(settings.network_db_path)
    try:
        job = await repo.get_job(11)
        member = await repo.get_member(2)
    finally:
        await repo.aclose()
    found = await stack.network.jobs(JobFilters(q=f"{job.title} {job.company_name}"), 5)
    assert job.id in found.ids[:3]
    remote = await stack.network.jobs(JobFilters(q="engineer", remote=True), 10)
    payloads = searcher.dense.payloads(remote.ids)
    assert remote.ids and all(payloads[i]["remote"] is True for i in remote.ids)
    assert remote.total == searcher.dense.count(job_filter(JobFilters(remote=True)))
    fits = await stack.network.jobs_for_member(member, JobFilters(), 5)
    assert len(fits.ids) == 5
