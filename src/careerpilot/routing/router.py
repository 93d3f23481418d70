"""Query routing: which agent takes a question, from sentence embeddings of labelled utterances.

A first version of the calibrated router: each label scores by the mean cosine similarity of
the question to its closest labelled utterances, plus a prior for the page the member is on
("summarise this" on a post is about the post). Confidence is a softmax over label scores.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from importlib import resources

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
    def __init__(self, embedder: Embedder, utterances: list[Utterance] | None = None) -> None:
        self.embedder = embedder
        self.utterances = utterances if utterances is not None else load_utterances()
        self._vectors: Vectors | None = None

    async def warm(self) -> None:
        if self._vectors is None:
            self._vectors = await self.embedder.embed([u.text for u in self.utterances])

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
