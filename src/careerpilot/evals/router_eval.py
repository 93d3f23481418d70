"""Routing accuracy on the held-out test split (``routing/data/router_test.yaml``).

The split shares no utterance with the training data and is written the way members type:
typos, lowercase, terse and rambling queries, page context that changes the meaning. Reported:
accuracy, per-label precision and recall, out-of-scope precision and recall, the confusion
matrix (rows: true label, columns: routed), and how often the LLM fallback decided.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from careerpilot.routing.router import LABELS, Router

__all__ = ["RouterCase", "RouterReport", "evaluate_router", "load_router_test"]


@dataclass(frozen=True, slots=True)
class RouterCase:
    query: str
    context: str | None
    label: str


def load_router_test() -> list[RouterCase]:
    text = resources.files("careerpilot.routing").joinpath("data/router_test.yaml").read_text()
    return [RouterCase(i["query"], i["context"], i["label"]) for i in yaml.safe_load(text)]


@dataclass
class RouterReport:
    total: int = 0
    correct: int = 0
    fallbacks: int = 0
    confusion: dict[str, dict[str, int]] = field(
        default_factory=lambda: {t: dict.fromkeys(LABELS, 0) for t in LABELS}
    )
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def precision(self, label: str) -> float:
        routed = sum(self.confusion[t][label] for t in LABELS)
        return self.confusion[label][label] / routed if routed else 0.0

    def recall(self, label: str) -> float:
        actual = sum(self.confusion[label].values())
        return self.confusion[label][label] / actual if actual else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "queries": self.total,
            "accuracy": self.accuracy,
            "per_label": {
                label: {"precision": self.precision(label), "recall": self.recall(label)}
                for label in LABELS
            },
            "out_of_scope": {
                "precision": self.precision("out_of_scope"),
                "recall": self.recall("out_of_scope"),
            },
            "fallbacks": self.fallbacks,
            "confusion": {"labels": list(LABELS), "rows": self.confusion},
        }


async def evaluate_router(router: Router, cases: Sequence[RouterCase]) -> RouterReport:
    report = RouterReport()
    for case in cases:
        route = await router.route(case.query, case.context)
        report.total += 1
        report.correct += route.agent == case.label
        report.fallbacks += route.fallback
        report.confusion[case.label][route.agent] += 1
        if route.agent != case.label:
            report.errors.append(
                {
                    "query": case.query,
                    "context": case.context,
                    "label": case.label,
                    "routed": route.agent,
                    "confidence": route.confidence,
                }
            )
    return report
