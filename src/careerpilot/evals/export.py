"""Well-rated conversations as a supervised fine-tuning set (JSONL, chat format).

Each line is ``{"messages": [...], "metadata": {...}}``: the exact prompt the agent sent (system
prompt, examples, facts and question) and the answer it streamed, so a smaller in-house model
can learn the task as it is asked in production. An item qualifies when it routed right, its
judge scores are all at least ``min_judge``, its claims are supported (``min_supported``), no
RAI flag was raised, and, when human labels exist, humans rated it at least ``min_judge`` too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from careerpilot.evals.judge import DIMENSIONS

__all__ = ["sft_records"]


def _qualifies(
    item: Mapping[str, Any], min_judge: float, min_supported: float, human: float | None
) -> bool:
    m = item["metrics"]
    if item.get("error") or not item.get("prompt") or not item["text"].strip():
        return False
    if m.get("router.correct") != 1.0 or m.get("judge.rai_violation"):
        return False
    scores = [m.get(f"judge.{d}") for d in DIMENSIONS]
    if any(s is None or s < min_judge for s in scores):
        return False
    supported = m.get("grounded.supported")
    if supported is not None and supported < min_supported:
        return False
    return human is None or human >= min_judge


def sft_records(
    doc: Mapping[str, Any],
    *,
    min_judge: float = 4.0,
    min_supported: float = 0.9,
    human_scores: Mapping[str, float] | None = None,
) -> Iterator[str]:
    """JSONL lines for the qualifying items of a results document."""
    for item in doc["items"]:
        human = (human_scores or {}).get(item["id"])
        if not _qualifies(item, min_judge, min_supported, human):
            continue
        messages = [*item["prompt"], {"role": "assistant", "content": item["text"].strip()}]
        metadata = {
            "case": item["id"],
            "agent": item["agent"],
            "judge": {d: item["metrics"][f"judge.{d}"] for d in DIMENSIONS},
            "suite": doc.get("suite"),
            "model": doc.get("model"),
        }
        yield json.dumps({"messages": messages, "metadata": metadata}, ensure_ascii=False)
