"""Query routing: which agent takes a question, from a calibrated classifier over embeddings.

Two scorers vote, each trained on the labelled utterances in ``data/utterances.yaml``:

* a softmax regression over the sentence embedding, the embedding gated by page type, and
  hashed word/character n-grams (``classifier.py``);
* nearest neighbours: per label, the mean cosine similarity of the question to its three
  closest utterances (utterances tagged ``[post]`` etc. count only on such a page).

Their probabilities are averaged and calibrated by a temperature fitted on held-out folds of
the utterances, so that ``confidence`` is the probability that the route is right. Below
``threshold`` the ``RouteFallback`` (an LLM with output constrained to the two best labels)
decides, and the route says ``fallback``. A follow-up ("and what about remote ones?") stays with
the previous turn's agent unless the router is sure it is out of scope.

Training takes a few seconds once; the model is cached in ``cache_dir`` by content hash.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt
import yaml

from careerpilot.retrieval.embedder import Embedder, Vectors
from careerpilot.routing.classifier import (
    CONTEXTS,
    SoftmaxRegression,
    features,
    fit_temperature,
    ngram_vectors,
    softmax,
)

__all__ = ["LABELS", "Route", "RouteFallback", "Router", "is_follow_up", "load_utterances"]

LABELS = (
    "job_assessment",
    "post_takeaways",
    "company",
    "career_advice",
    "general",
    "out_of_scope",
)

_CONTEXT_TAG = re.compile(r"^\[(job|post|company)\]\s*")
_TOP_K = 3


@dataclass(frozen=True, slots=True)
class Route:
    agent: str
    confidence: float  # calibrated probability that ``agent`` is right
    scores: dict[str, float]
    fallback: bool = False
    follow_up: bool = False


@dataclass(frozen=True, slots=True)
class Utterance:
    label: str
    text: str
    context: str | None


def load_utterances() -> list[Utterance]:
    raw = yaml.safe_load(
        resources.files("careerpilot.routing").joinpath("data/utterances.yaml").read_text()
    )
    out: list[Utterance] = []
    for label, texts in raw.items():
        if label not in LABELS:
            raise ValueError(f"unknown routing label {label!r} in utterances.yaml")
        for text in texts:
            match = _CONTEXT_TAG.match(text)
            out.append(
                Utterance(label, _CONTEXT_TAG.sub("", text), match.group(1) if match else None)
            )
    return out


class RouteFallback(Protocol):
    """Chooses among ``candidates`` (best first) when the router is unsure; None: no opinion."""

    async def choose(
        self, question: str, context_type: str | None, candidates: Sequence[str]
    ) -> str | None: ...


_FOLLOW_UP = re.compile(
    r"^\s*(?:and|also|plus|ok(?:ay)?,? and|what about|how about|same (?:for|but)|"
    r"any (?:more|other)|more like|and (?:the|what|how)|what else|only the|just the|now)\b",
    re.IGNORECASE,
)


def is_follow_up(question: str) -> bool:
    """Whether the question leans on the previous turn ("and remote ones?", "what about Berlin")."""
    return bool(_FOLLOW_UP.match(question)) and len(question.split()) <= 12


@dataclass
class _Model:
    vectors: Vectors  # utterance embeddings
    regression: SoftmaxRegression
    temperature: float


# Ensemble weight of the regression against nearest neighbours, and the neighbours' softmax
# temperature over cosine similarities; utterances seen under other page types count at this
# weight in training (they mean the same anywhere, but less surely).
_REGRESSION_WEIGHT = 0.6
_KNN_TEMPERATURE = 0.05
_OTHER_PAGE_WEIGHT = 0.1
_FOLDS = 5
_MODEL_VERSION = 2


class Router:
    """Routes questions; ``cache_dir`` keeps the trained model between processes."""

    def __init__(
        self,
        embedder: Embedder,
        utterances: list[Utterance] | None = None,
        cache_dir: Path | None = None,
        *,
        threshold: float = 0.5,
        fallback: RouteFallback | None = None,
    ) -> None:
        self.embedder = embedder
        self.utterances = utterances if utterances is not None else load_utterances()
        self.cache_dir = cache_dir
        self.threshold = threshold
        self.fallback = fallback
        self._model: _Model | None = None
        self._ngrams = ngram_vectors([u.text for u in self.utterances])
        self._labels = np.array([LABELS.index(u.label) for u in self.utterances])
        # Per page type: which utterances the neighbour scorer may use, per label.
        self._rows: dict[str | None, list[npt.NDArray[np.int64]]] = {
            context: [
                np.array(
                    [
                        i
                        for i, u in enumerate(self.utterances)
                        if u.label == label and (u.context is None or u.context == context)
                    ],
                    dtype=np.int64,
                )
                for label in LABELS
            ]
            for context in CONTEXTS
        }

    def _cache_path(self) -> Path | None:
        if self.cache_dir is None:
            return None
        identity = getattr(self.embedder, "identity", type(self.embedder).__name__)
        key = hashlib.sha256(
            "\n".join(
                [str(_MODEL_VERSION), str(identity), str(self.embedder.dim)]
                + [f"{u.label}|{u.context}|{u.text}" for u in self.utterances]
            ).encode()
        ).hexdigest()[:16]
        return self.cache_dir / f"router-{key}.npz"

    async def warm(self) -> None:
        """Train (a few seconds, in a worker thread) or load the cached model."""
        if self._model is not None:
            return
        path = self._cache_path()
        if path is not None and path.exists():
            self._model = await asyncio.to_thread(self._load, path)
            return
        vectors = await self.embedder.embed([u.text for u in self.utterances])
        self._model = await asyncio.to_thread(self._train, vectors)
        if path is not None:
            await asyncio.to_thread(self._save, path, self._model)

    # -- training ----------------------------------------------------------------------------

    def _training_rows(
        self, members: npt.NDArray[np.int64]
    ) -> tuple[list[int], list[str | None], list[float]]:
        rows: list[int] = []
        contexts: list[str | None] = []
        weights: list[float] = []
        for i in members.tolist():
            u = self.utterances[i]
            for context in CONTEXTS if u.context is None else (u.context,):
                rows.append(i)
                contexts.append(context)
                weights.append(1.0 if context in (None, u.context) else _OTHER_PAGE_WEIGHT)
        return rows, contexts, weights

    def _fit(self, vectors: Vectors, members: npt.NDArray[np.int64]) -> SoftmaxRegression:
        rows, contexts, weights = self._training_rows(members)
        x = features(vectors[rows], self._ngrams[rows], contexts)
        model = SoftmaxRegression(len(LABELS))
        model.fit(x, self._labels[rows], np.asarray(weights, dtype=np.float32))
        return model

    def _train(self, vectors: Vectors) -> _Model:
        # Held-out folds: each utterance is scored by a model that never saw it, and the
        # temperature that makes those scores honest probabilities is the calibration.
        order = np.random.default_rng(0).permutation(len(self.utterances))
        held_logits = np.zeros((len(order), len(LABELS)), dtype=np.float32)
        for fold in range(_FOLDS):
            test = order[fold::_FOLDS]
            train = np.setdiff1d(order, test)
            regression = self._fit(vectors, train)
            for i in test.tolist():
                context = self.utterances[i].context
                probs = self._ensemble(
                    regression, vectors, train, vectors[i], self._ngrams[i], context
                )
                held_logits[i] = np.log(np.clip(probs, 1e-9, None))
        temperature = fit_temperature(held_logits, self._labels)
        everything = np.arange(len(self.utterances))
        return _Model(vectors, self._fit(vectors, everything), temperature)

    def _ensemble(
        self,
        regression: SoftmaxRegression,
        vectors: Vectors,
        allowed: npt.NDArray[np.int64] | None,
        query: npt.NDArray[np.float32],
        ngrams: npt.NDArray[np.float32],
        context: str | None,
    ) -> npt.NDArray[np.float32]:
        x = features(query[None, :], ngrams[None, :], [context])
        learned = softmax(regression.logits(x))[0]
        sims = vectors @ query
        knn = np.full(len(LABELS), -1.0, dtype=np.float32)
        for label, rows in enumerate(self._rows[context]):
            if allowed is not None:
                rows = np.intersect1d(rows, allowed, assume_unique=True)
            if len(rows):
                knn[label] = float(np.sort(sims[rows])[-_TOP_K:].mean())
        neighbours = softmax(knn[None, :], _KNN_TEMPERATURE)[0]
        mixed: npt.NDArray[np.float32] = (
            _REGRESSION_WEIGHT * learned + (1 - _REGRESSION_WEIGHT) * neighbours
        )
        return mixed

    # -- persistence -------------------------------------------------------------------------

    @staticmethod
    def _save(path: Path, model: _Model) -> None:
        assert model.regression.weights is not None and model.regression.bias is not None
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(
            tmp,
            vectors=model.vectors,
            weights=model.regression.weights,
            bias=model.regression.bias,
            temperature=np.float32(model.temperature),
        )
        tmp.replace(path)

    def _load(self, path: Path) -> _Model:
        data = np.load(path)
        regression = SoftmaxRegression(len(LABELS))
        regression.weights, regression.bias = data["weights"], data["bias"]
        return _Model(data["vectors"], regression, float(data["temperature"]))

    # -- routing -----------------------------------------------------------------------------

    def probabilities(
        self, query: npt.NDArray[np.float32], question: str, context_type: str | None
    ) -> dict[str, float]:
        """Calibrated probability of each label (the model must be warm)."""
        assert self._model is not None
        context = context_type if context_type in CONTEXTS else None
        ngrams = ngram_vectors([question])[0]
        mixed = self._ensemble(
            self._model.regression, self._model.vectors, None, query, ngrams, context
        )
        logits = np.log(np.clip(mixed, 1e-9, None))[None, :]
        calibrated = softmax(logits, self._model.temperature)[0]
        return {label: float(p) for label, p in zip(LABELS, calibrated, strict=True)}

    async def route(
        self,
        question: str,
        context_type: str | None = None,
        previous_agent: str | None = None,
    ) -> Route:
        await self.warm()
        query = (await self.embedder.embed([question]))[0]
        scores = self.probabilities(query, question, context_type)
        ranked = sorted(scores, key=scores.__getitem__, reverse=True)
        best, confidence = ranked[0], scores[ranked[0]]
        if (
            previous_agent in LABELS
            and previous_agent != "out_of_scope"
            and is_follow_up(question)
            and not (best == "out_of_scope" and confidence >= 0.8)
        ):
            return Route(previous_agent, round(scores[previous_agent], 4), scores, follow_up=True)
        if confidence < self.threshold and self.fallback is not None:
            chosen = await self.fallback.choose(question, context_type, ranked[:2])
            if chosen in ranked[:2]:
                return Route(chosen, round(scores[chosen], 4), scores, fallback=True)
        return Route(best, round(confidence, 4), scores)
