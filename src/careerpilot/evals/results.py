"""Aggregate item results into ``results.json``: every figure, per item and per metric family.

Families: ``router`` (accuracy, per-agent precision and recall, confusion matrix), ``schema``,
``grounded``, ``judge`` (means of item metrics, with counts) and ``latency`` (p50, p90 and p99
of each timing). A metric that does not apply to an item (``None``) is left out of its mean.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from careerpilot.evals.runner import ItemResult
from careerpilot.routing.router import LABELS

__all__ = ["RESULTS_VERSION", "aggregate", "load_results", "write_results"]

RESULTS_VERSION = 1
FAMILIES = ("router", "schema", "grounded", "judge", "latency")


def _values(items: Sequence[ItemResult], metric: str) -> list[float]:
    return [v for item in items if (v := item.metrics.get(metric)) is not None]


def _metric_names(items: Sequence[ItemResult], family: str) -> list[str]:
    names = {m for item in items for m in item.metrics if m.startswith(family + ".")}
    return sorted(names)


def _router(items: Sequence[ItemResult]) -> dict[str, Any]:
    confusion = {t: dict.fromkeys(LABELS, 0) for t in LABELS}
    for item in items:
        if item.agent in LABELS and item.agent_expected in LABELS:
            confusion[item.agent_expected][item.agent] += 1
    per_agent: dict[str, dict[str, float | None]] = {}
    for label in LABELS:
        routed = sum(confusion[t][label] for t in LABELS)
        actual = sum(confusion[label].values())
        hit = confusion[label][label]
        per_agent[label] = {
            "precision": hit / routed if routed else None,
            "recall": hit / actual if actual else None,
            "n": actual,
        }
    correct = _values(items, "router.correct")
    return {
        "accuracy": float(np.mean(correct)) if correct else None,
        "n": len(correct),
        "per_agent": per_agent,
        "confusion": confusion,
    }


def _means(items: Sequence[ItemResult], family: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in _metric_names(items, family):
        values = _values(items, name)
        short = name[len(family) + 1 :]
        out[short] = {"mean": float(np.mean(values)) if values else None, "n": len(values)}
    return out


def _latency(items: Sequence[ItemResult]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in _metric_names(items, "latency"):
        values = _values(items, name)
        if values:
            p50, p90, p99 = np.percentile(values, [50, 90, 99])
            out[name[len("latency.") :]] = {
                "p50": float(p50),
                "p90": float(p90),
                "p99": float(p99),
                "n": len(values),
            }
    return out


def aggregate(items: Sequence[ItemResult]) -> dict[str, Any]:
    return {
        "router": _router(items),
        "schema": _means(items, "schema"),
        "grounded": _means(items, "grounded"),
        "judge": _means(items, "judge"),
        "latency": _latency(items),
    }


def write_results(
    out_dir: Path, suite: str, items: Sequence[ItemResult], meta: dict[str, Any]
) -> dict[str, Any]:
    doc = {
        "version": RESULTS_VERSION,
        "suite": suite,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **meta,
        "aggregate": aggregate(items),
        "items": [item.model_dump(mode="json") for item in items],
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    return doc


def load_results(path: Path) -> dict[str, Any]:
    """A ``results.json`` (or the directory holding one)."""
    if path.is_dir():
        path = path / "results.json"
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if doc.get("version") != RESULTS_VERSION:
        raise ValueError(f"{path} is not a careerpilot results file (version {RESULTS_VERSION})")
    return doc
