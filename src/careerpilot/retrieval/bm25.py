"""``BM25Index``: lexical search (Okapi BM25) with the same filters as the vector indexes.

A small, dependency-free inverted index: documents can be added, replaced and deleted one at a
time (which bm25s's static matrices do not allow), and the index persists to one JSON file
written atomically. Scores use Lucene's BM25 (``idf = ln(1 + (N - df + 0.5) / (df + 0.5))``,
``k1 = 1.2``, ``b = 0.75``), so every matching document scores above zero.

:func:`tokenize` lower-cases, keeps technology names such as ``c++``, ``c#`` and ``node.js``
whole, drops English stopwords and applies :func:`stem`, a light suffix stripper (plurals,
``-ing``, ``-ed``, ``-ly``) that conflates "engineers"/"engineering"/"engineer" without the
over-stemming of Porter.
"""

from __future__ import annotations

import heapq
import json
import math
import re
import threading
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from careerpilot.retrieval.filters import Filter, Payload
from careerpilot.retrieval.payloads import PayloadStore, atomic_write_text
from careerpilot.retrieval.vector_index import Hit

__all__ = ["STOPWORDS", "BM25Index", "stem", "tokenize"]

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    also etc via per within without across""".split()  # noqa: SIM905
)

_TOKEN = re.compile(r"[a-z0-9][a-z0-9+#]*(?:\.[a-z][a-z0-9]*)*")
_VOWEL = re.compile(r"[aeiouy]")


def stem(word: str) -> str:
    """Strip common inflections from a lower-case word; short words are left alone."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "xes", "ches", "shes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us")) and word[-4:] != "esis":
        if word.endswith("is") and len(word) > 4:
            return word
        word = word[:-1]
    for suffix in ("ingly", "edly", "ing", "ed", "ly"):
        base = word[: -len(suffix)]
        if word.endswith(suffix) and len(base) >= 3 and _VOWEL.search(base):
            if len(base) > 3 and base[-1] == base[-2] and base[-1] not in "lsz":
                base = base[:-1]  # running -> run, planned -> plan
            return base
    return word


def tokenize(text: str) -> list[str]:
    """Lower-case, split into word tokens, drop stopwords, stem."""
    return [stem(t) for t in _TOKEN.findall(text.lower()) if t not in STOPWORDS]


class BM25Index:
    """An incremental BM25 index over document texts with payload filters.

    ``BM25Index(path=...)`` loads ``path`` if it exists; :meth:`persist` writes it back.
    """

    def __init__(self, path: Path | None = None, *, k1: float = 1.2, b: float = 0.75) -> None:
        self.path = path
        self.k1 = k1
        self.b = b
        self._lock = threading.RLock()
        self._terms: dict[int, dict[str, int]] = {}  # doc -> term frequencies
        self._lengths: dict[int, int] = {}
        self._postings: dict[str, dict[int, int]] = {}  # term -> doc -> tf
        self._total_length = 0
        self._store = PayloadStore()
        if path is not None and path.is_file():
            self._load(path)

    def __len__(self) -> int:
        return len(self._terms)

    def add(
        self, ids: Sequence[int], texts: Sequence[str], payloads: Sequence[Payload] | None = None
    ) -> None:
        """Index ``texts``; an id that is already present is replaced."""
        if len(ids) != len(texts):
            raise ValueError(f"{len(ids)} ids but {len(texts)} texts")
        with self._lock:
            for doc_id, text in zip(ids, texts, strict=True):
                self._insert(int(doc_id), dict(Counter(tokenize(text))))
            self._store.put([int(i) for i in ids], payloads)

    def _insert(self, doc_id: int, terms: dict[str, int]) -> None:
        self._remove(doc_id)
        self._terms[doc_id] = terms
        length = sum(terms.values())
        self._lengths[doc_id] = length
        self._total_length += length
        for term, tf in terms.items():
            self._postings.setdefault(term, {})[doc_id] = tf

    def _remove(self, doc_id: int) -> None:
        terms = self._terms.pop(doc_id, None)
        if terms is None:
            return
        self._total_length -= self._lengths.pop(doc_id)
        for term in terms:
            posting = self._postings[term]
            del posting[doc_id]
            if not posting:
                del self._postings[term]

    def delete(self, ids: Sequence[int]) -> None:
        """Remove documents; unknown ids are ignored."""
        with self._lock:
            for doc_id in ids:
                self._remove(int(doc_id))
            self._store.remove(ids)

    def search(self, query: str, k: int, filter: Filter | None = None) -> list[Hit]:
        """The ``k`` best BM25 matches for ``query`` among documents passing ``filter``."""
        terms = tokenize(query)
        with self._lock:
            n = len(self._terms)
            if k <= 0 or n == 0 or not terms:
                return []
            allowed: set[int] | None = None
            if filter is not None and not filter.is_empty():
                allowed = set(self._store.matching(filter).tolist())
                if not allowed:
                    return []
            avgdl = self._total_length / n or 1.0
            scores: dict[int, float] = {}
            for term, qtf in Counter(terms).items():
                posting = self._postings.get(term)
                if not posting:
                    continue
                idf = math.log(1.0 + (n - len(posting) + 0.5) / (len(posting) + 0.5))
                for doc_id, tf in posting.items():
                    if allowed is not None and doc_id not in allowed:
                        continue
                    norm = self.k1 * (1.0 - self.b + self.b * self._lengths[doc_id] / avgdl)
                    gain = qtf * idf * tf * (self.k1 + 1.0) / (tf + norm)
                    scores[doc_id] = scores.get(doc_id, 0.0) + gain
            best = heapq.nlargest(k, scores.items(), key=lambda item: (item[1], -item[0]))
            return [Hit(doc_id, score) for doc_id, score in best]

    def persist(self) -> None:
        """Write the index to ``path`` atomically."""
        if self.path is None:
            raise ValueError("BM25Index has no path to persist to")
        with self._lock:
            state = {
                "format": 1,
                "docs": [[i, t] for i, t in self._terms.items()],
                "payloads": json.loads(self._store.to_json()),
            }
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(self.path, json.dumps(state, separators=(",", ":")))

    def _load(self, path: Path) -> None:
        state = json.loads(path.read_text(encoding="utf-8"))
        for doc_id, terms in state["docs"]:
            self._insert(int(doc_id), {str(t): int(c) for t, c in terms.items()})
        self._store = PayloadStore.from_json(json.dumps(state["payloads"]))
