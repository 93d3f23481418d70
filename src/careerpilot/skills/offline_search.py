"""A ``SearchBackend`` over the bundled professional-knowledge corpus (``skills/corpus``).

Articles are ranked by Okapi BM25 over body plus a boosted title, with simple tokenization (a
small stopword list, light suffix stemming). Ranking sits behind the ``Ranker`` protocol so that a
hybrid dense + BM25 ranker can replace ``BM25Index`` without touching the backend or the skill.
"""

from __future__ import annotations

import asyncio
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

from careerpilot.retrieval.vector_index import Hit
from careerpilot.skills.corpus import Article, load_corpus
from careerpilot.skills.web_search import SNIPPET_MAX, WebResult

__all__ = ["BM25Index", "DenseRanking", "OfflineWebSearch", "Ranker", "make_snippet", "tokenize"]

_FUSION_DEPTH = 50

_STOPWORD_TEXT = """
a about after all also am an and any are as at be been before being but by can could did
do does doing for from had has have how i if in into is it its just me more most my no
not of on or our should so some such than that the their them then there these they this
those to too was we were what when where which while who why will with would you your
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
# Phrases that plain tokenization would shred: 401(k) -> 401k, 1:1s -> oneonone.
_PHRASES = [
    (re.compile(r"\b(\d+)\(([a-z])\)"), r"\1\2"),
    (re.compile(r"\b(?:1:1s?|one[- ]on[- ]ones?)\b"), " oneonone "),
    (re.compile(r"['’]s\b"), ""),
]
_TOKEN = re.compile(r"[a-z0-9]+")
_ACRONYM_PLURAL = re.compile(r"\b([A-Z]{2,})s\b")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])")


def _stem(word: str) -> str:
    """Light suffix stemming: plurals, -ing/-ed, a final -e; enough to join vest/vests/vesting."""
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            # planning -> plan, but keep staff/skill/toss whole
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsfz":
                word = word[:-1]
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    """Lowercase, accent-folded, stopword-free, lightly stemmed tokens."""
    text = _ACRONYM_PLURAL.sub(r"\1", text)  # RSUs -> RSU, KPIs -> KPI, before case is lost
    text = text.lower()
    if not text.isascii():  # fold accents (résumé -> resume); skipped for the common ASCII case
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    for pattern, replacement in _PHRASES:
        text = pattern.sub(replacement, text)
    return [_stem(t) for t in _TOKEN.findall(text) if t not in _STOPWORDS]


class Ranker(Protocol):
    """The ranking seam: a later hybrid dense + BM25 ranker implements this too."""

    def rank(self, query: str, k: int) -> list[tuple[int, float]]:
        """Up to ``k`` ``(document index, score)`` pairs, best first, scores > 0."""
        ...

    def idf(self, term: str) -> float: ...


@dataclass(frozen=True)
class _Field:
    """One field's postings and per-document length norms, scored with Okapi BM25."""

    weight: float
    postings: dict[str, list[tuple[int, int]]]
    norms: list[float]  # k1 * (1 - b + b * dl / avgdl), per document

    @classmethod
    def build(cls, weight: float, docs: Sequence[list[str]], k1: float, b: float) -> _Field:
        postings: dict[str, list[tuple[int, int]]] = {}
        for index, tokens in enumerate(docs):
            for term, tf in Counter(tokens).items():
                postings.setdefault(term, []).append((index, tf))
        avgdl = (sum(len(d) for d in docs) / len(docs) if docs else 0.0) or 1.0
        norms = [k1 * (1 - b + b * len(d) / avgdl) for d in docs]
        return cls(weight, postings, norms)


@dataclass(frozen=True)
class BM25Index:
    """Okapi BM25 (k1=1.5, b=0.75) over body plus a separately normalised, boosted title.

    Scoring the title as its own field, rather than repeating its words in the body, lets a
    short exact title match ("What is churn rate?") beat a long body that mentions every query
    word in passing; a repeated title would saturate under k1 like any other frequent term.
    """

    TITLE_WEIGHT: ClassVar[float] = 2.0
    K1: ClassVar[float] = 1.5
    B: ClassVar[float] = 0.75

    fields: tuple[_Field, ...]
    idfs: dict[str, float]

    @classmethod
    def build(cls, articles: Sequence[Article]) -> BM25Index:
        bodies = [tokenize(a.body) for a in articles]
        titles = [tokenize(a.title) for a in articles]
        fields = (
            _Field.build(1.0, bodies, cls.K1, cls.B),
            _Field.build(cls.TITLE_WEIGHT, titles, cls.K1, cls.B),
        )
        n = len(articles)
        df = Counter(t for body, title in zip(bodies, titles, strict=True) for t in {*body, *title})
        # The "+1" (Lucene) form keeps idf positive for terms in more than half the documents.
        idfs = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        return cls(fields=fields, idfs=idfs)

    def idf(self, term: str) -> float:
        return self.idfs.get(term, 0.0)

    def rank(self, query: str, k: int) -> list[tuple[int, float]]:
        scores: dict[int, float] = {}
        for term in set(tokenize(query)):
            idf = self.idfs.get(term)
            if idf is None:
                continue
            for field in self.fields:
                for doc, tf in field.postings.get(term, ()):
                    gain = field.weight * idf * tf * (self.K1 + 1) / (tf + field.norms[doc])
                    scores[doc] = scores.get(doc, 0.0) + gain
        # Ties break on corpus order, so results are deterministic.
        return sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:k]


def make_snippet(body: str, query: str, idf: Callable[[str], float]) -> str:
    """The body's most query-relevant sentence, plus the next one if both fit in 300 chars."""
    sentences = [s for p in body.split("\n\n") for s in _SENTENCE.split(" ".join(p.split())) if s]
    if not sentences:
        return ""
    terms = set(tokenize(query))
    scores = [sum(idf(t) for t in terms.intersection(tokenize(s))) for s in sentences]
    best = max(range(len(sentences)), key=lambda i: (scores[i], -i))
    snippet = sentences[best]
    if best + 1 < len(sentences) and len(snippet) + 1 + len(sentences[best + 1]) <= SNIPPET_MAX:
        snippet += " " + sentences[best + 1]
    if len(snippet) > SNIPPET_MAX:
        snippet = snippet[: SNIPPET_MAX - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return snippet


class DenseRanking(Protocol):
    """Fuses a lexical ranking of corpus positions with ranking by meaning
    (``retrieval.knowledge.KnowledgeIndex``)."""

    async def rank(self, query: str, k: int, lexical: Sequence[Hit]) -> list[Hit]: ...


class OfflineWebSearch:
    """Searches the bundled corpus; the index is built once, lazily, in a worker thread.

    With ``dense``, the BM25 ranking is fused with a dense one by reciprocal rank (hybrid
    search): paraphrases without the article's words ("being paid to leave") still find it.
    """

    source = "offline"

    def __init__(
        self,
        articles: Sequence[Article] | None = None,
        *,
        ranker_factory: Callable[[Sequence[Article]], Ranker] = BM25Index.build,
        dense: DenseRanking | None = None,
    ) -> None:
        self._articles = articles
        self._dense = dense
        self._ranker_factory = ranker_factory
        self._ranker: Ranker | None = None
        self._lock = asyncio.Lock()

    @property
    def articles(self) -> Sequence[Article]:
        if self._articles is None:
            self._articles = load_corpus()
        return self._articles

    def _build(self) -> Ranker:
        return self._ranker_factory(self.articles)

    async def warm(self) -> Ranker:
        if self._ranker is None:
            async with self._lock:
                if self._ranker is None:
                    # Loading YAML and indexing is CPU work: keep it off the event loop.
                    self._ranker = await asyncio.to_thread(self._build)
        return self._ranker

    def _results(self, ranker: Ranker, query: str, docs: Sequence[int]) -> list[WebResult]:
        results: list[WebResult] = []
        for doc in docs:
            article = self.articles[doc]
            results.append(
                WebResult(
                    title=article.title,
                    url=article.url,
                    snippet=make_snippet(article.body, query, ranker.idf),
                    source=self.source,
                )
            )
        return results

    async def search(self, query: str, count: int) -> list[WebResult]:
        ranker = await self.warm()
        if self._dense is None:
            docs = [doc for doc, _score in ranker.rank(query, count)]
            return self._results(ranker, query, docs)
        depth = max(count, _FUSION_DEPTH)
        lexical = [Hit(doc, score) for doc, score in ranker.rank(query, depth)]
        fused = await self._dense.rank(query, count, lexical)
        return self._results(ranker, query, [hit.id for hit in fused])
