"""Query routing: which agent takes a question, from sentence embeddings of labelled utterances.

A first version of the calibrated router: each label scores by the mean cosine similarity of
the question to its closest labelled utterances, plus a prior for the page the member is on
("summarise this" on a post is about the post). Confidence is a softmax over label scores.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import yaml

from careerpilot.retrieval.embedder import Embedder, Vectors

__all__ = ["LABELS", "Route", "Router", "load_utterances"]

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
_TEMPERATURE = 0.05
# Additive bonus to a label's score when the member is on a page of this type.
_CONTEXT_PRIOR: dict[str, dict[str, float]] = {
    "job": {"job_assessment": 0.06, "company": 0.01},
    "post": {"post_takeaways": 0.06},
    "company": {"company": 0.06},
}


@dataclass(frozen=True, slots=True)
class Route:
    agent: str
    confidence: float
    scores: dict[str, float]
    fallback: bool = False


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


class Router:
    """Routes questions; ``cache_dir`` keeps the utterance vectors between processes."""

    def __init__(
        self,
        embedder: Embedder,
        utterances: list[Utterance] | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.embedder = embedder
        self.utterances = utterances if utterances is not None else load_utterances()
        self.cache_dir = cache_dir
        self._vectors: Vectors | None = None

    def _cache_path(self) -> Path | None:
        if self.cache_dir is None:
            return None
        key = hashlib.sha256(
            "\n".join(
                [type(self.embedder).__name__, str(self.embedder.dim)]
                + [f"{u.label}|{u.text}" for u in self.utterances]
            ).encode()
        ).hexdigest()[:16]
        return self.cache_dir / f"router-utterances-{key}.npy"

    async def warm(self) -> None:
        """Embed the labelled utterances once (about 0.2 s), or load them from the cache."""
        if self._vectors is not None:
            return
        path = self._cache_path()
        if path is not None and path.exists():
            cached = await asyncio.to_thread(np.load, path)
            if cached.shape == (len(self.utterances), self.embedder.dim):
                self._vectors = cached
                return
        self._vectors = await self.embedder.embed([u.text for u in self.utterances])
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp.npy")
            await asyncio.to_thread(np.save, tmp, self._vectors)
            tmp.replace(path)

    async def route(self, question: str, context_type: str | None = None) -> Route:
        await self.warm()
        assert self._vectors is not None
        query = (await self.embedder.embed([question]))[0]
        sims = self._vectors @ query
        scores: dict[str, float] = {}
        for label in LABELS:
            rows = [
                i
                for i, u in enumerate(self.utterances)
                # Utterances tied to a page only count when the member is on such a page.
                if u.label == label and (u.context is None or u.context == context_type)
            ]
            if not rows:
                continue
            top = np.sort(sims[rows])[-_TOP_K:]
            prior = _CONTEXT_PRIOR.get(context_type or "", {}).get(label, 0.0)
            scores[label] = float(top.mean()) + prior
        best = max(scores, key=scores.__getitem__)
        peak = scores[best]
        z = sum(math.exp((s - peak) / _TEMPERATURE) for s in scores.values())
        return Route(agent=best, confidence=round(1.0 / z, 4), scores=scores)
