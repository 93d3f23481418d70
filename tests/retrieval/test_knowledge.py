"""Offline web search made hybrid: paragraphs embedded, BM25 fused with meaning."""

from pathlib import Path

import pytest

from careerpilot.retrieval.embedder import OnnxEmbedder
from careerpilot.retrieval.index_store import IndexStore
from careerpilot.retrieval.knowledge import CHUNKS, KnowledgeIndex, knowledge_documents
from careerpilot.skills.corpus import load_corpus
from careerpilot.skills.offline_search import OfflineWebSearch


@pytest.fixture(scope="module")
def hybrid(tmp_path_factory: pytest.TempPathFactory, embedder: OnnxEmbedder) -> OfflineWebSearch:
    store = IndexStore(Path(tmp_path_factory.mktemp("knowledge")), embedder)
    return OfflineWebSearch(dense=KnowledgeIndex(store, load_corpus()))


def test_every_paragraph_is_a_chunk_of_its_article() -> None:
    articles = load_corpus()
    docs = knowledge_documents(articles)
    assert len(docs) == sum(len(a.paragraphs) for a in articles)
    for doc in docs[:50]:
        article = articles[doc.id // CHUNKS]
        assert doc.payload["slug"] == article.id and doc.dense.startswith(article.title)


async def test_a_paraphrase_without_the_articles_words_finds_it(
    hybrid: OfflineWebSearch,
) -> None:
    # BM25 alone has no "batna" here; the meaning of the question still leads to it.
    query = "what is my best fallback if a negotiation with an employer fails"
    lexical = [r.url for r in await OfflineWebSearch().search(query, 5)]
    fused = [r.url for r in await hybrid.search(query, 5)]
    assert any(u.endswith("/batna") for u in fused)
    assert fused != lexical


async def test_the_exact_answer_stays_first(hybrid: OfflineWebSearch) -> None:
    results = await hybrid.search("what does BATNA mean", 10)
    assert results[0].url.endswith("/batna")


async def test_more_like_an_article_finds_its_neighbours(hybrid: OfflineWebSearch) -> None:
    index = hybrid._dense
    assert isinstance(index, KnowledgeIndex)
    slugs = [a.id for a in load_corpus()]
    nearest = await index.more_like(slugs.index("batna"), 5)
    names = [slugs[h.id] for h in nearest]
    assert names[0] == "batna"  # itself first: it keeps its lead in the fusion
    assert "salary-negotiation" in names


async def test_a_query_about_nothing_in_the_corpus_finds_nothing(
    hybrid: OfflineWebSearch,
) -> None:
    assert await hybrid.search("zxqv blorft", 5) == []
