"""Human annotation: items to review, a queue that spends reviews where they teach most,
labels from several annotators, and agreement figures.

Items come from evaluation runs (``careerpilot annotate import results.json``). Each carries
the judge's scores and the automatic metrics, from which its **priority** is computed: how
unsure or contradicted the judge is on it.

* The judge gave no readable scores: 1.0.
* Otherwise, the judge's groundedness disagrees with the measured share of supported claims:
  ``|(g - 1) / 4 - supported|``.
* Plus 0.3 when the quality score sits mid-scale (3), and 0.3 when the judge's hallucination
  verdict contradicts the automatic check outright.

The queue gives an annotator the items they have not labelled: first those with fewer than
``target`` labels, then by priority. A daily budget of reviews thus goes first to the answers
the automatic evaluation cannot settle.

Agreement: Krippendorff's alpha (ordinal) between annotators, per rubric dimension, and Cohen's
kappa (quadratic) between the judge and the humans' median score, per dimension. The gate uses
the latter to decide how much a judge metric may count.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from careerpilot.errors import NotFoundError
from careerpilot.evals.judge import DIMENSIONS, JudgeScores
from careerpilot.evals.stats import cohen_kappa, krippendorff_alpha
from careerpilot.store.database import Database
from careerpilot.store.models import AnnotationItemRow, LabelRow
from careerpilot.store.upsert import upsert
from careerpilot.store.values import bounded, clean, known_id

__all__ = ["AnnotationStore", "Label", "QueueItem", "priority"]


class Label(JudgeScores):
    """A human's scores on the judge's rubric (the same scale), with a comment."""

    comment: str = Field("", max_length=4000)
    guidelines: str = Field(description="the guidelines version the annotator followed")


class QueueItem(BaseModel):
    id: str
    case_id: str
    agent: str | None
    question: str
    answer: str
    components: list[dict[str, Any]]
    judge: dict[str, float | None]
    automatic: dict[str, float | None] = Field(description="the automatic metrics (grounded...)")
    priority: float
    labels: int


def priority(metrics: Mapping[str, float | None]) -> float:
    grounded = metrics.get("judge.groundedness")
    if grounded is None:
        return 1.0
    score = 0.0
    supported = metrics.get("grounded.supported")
    if supported is not None:
        score += abs((grounded - 1) / 4 - supported)
        if (grounded >= 4) != (supported >= 0.75):
            score += 0.3
    if metrics.get("judge.quality") == 3:
        score += 0.3
    return round(score, 4)


class AnnotationStore:
    def __init__(self, database: Database, *, target: int = 2) -> None:
        self.database = database
        self.target = target

    async def import_results(self, doc: Mapping[str, Any]) -> int:
        """Add (or refresh) an item per answered case of a results document."""
        rows = [_item_values(doc["suite"], item) for item in doc["items"] if _answered(item)]

        def write(session: Session) -> int:
            for values in rows:
                upsert(session, AnnotationItemRow, values, key=["id"], update=_REFRESHED)
            return len(rows)

        return await self.database.write(write)

    async def queue(self, annotator: str, limit: int = 20) -> list[QueueItem]:
        annotator = bounded("annotator", annotator, 80)
        async with self.database.reading() as session:
            counts = (
                select(LabelRow.item_id, func.count().label("n"))
                .group_by(LabelRow.item_id)
                .subquery()
            )
            mine = select(LabelRow.item_id).where(LabelRow.annotator == annotator)
            labels = func.coalesce(counts.c.n, 0)
            query = (
                select(AnnotationItemRow, labels)
                .outerjoin(counts, counts.c.item_id == AnnotationItemRow.id)
                .where(AnnotationItemRow.id.not_in(mine))
                .order_by(
                    (labels >= self.target).asc(),
                    AnnotationItemRow.priority.desc(),
                    AnnotationItemRow.id,
                )
                .limit(limit)
            )
            rows = (await session.execute(query)).all()
        return [
            QueueItem(
                id=row.id,
                case_id=row.case_id,
                agent=row.agent,
                question=row.question,
                answer=row.answer,
                components=row.components,
                judge=row.judge,
                automatic=row.automatic,
                priority=row.priority,
                labels=n,
            )
            for row, n in rows
        ]

    async def add_label(self, item_id: str, annotator: str, label: Label) -> None:
        """Store an annotator's label for an item, replacing their earlier one. An upsert, so
        two concurrent labels (a double submit) both succeed and the last one wins."""
        item_id = known_id("annotation item", item_id, 80)
        values = {
            "item_id": item_id,
            "annotator": bounded("annotator", annotator, 80),
            "scores": label.model_dump(exclude={"comment", "guidelines"}),
            "comment": clean(label.comment),
            "guidelines": bounded("guidelines", label.guidelines, 20),
        }

        def write(session: Session) -> None:
            if session.get(AnnotationItemRow, item_id) is None:
                raise NotFoundError("annotation item", item_id)
            upsert(
                session,
                LabelRow,
                values,
                key=["item_id", "annotator"],
                update=["scores", "comment", "guidelines"],
            )

        await self.database.write(write)

    async def agreement(self) -> dict[str, Any]:
        async with self.database.reading() as session:
            labels = (await session.scalars(select(LabelRow))).all()
            items = {i.id: i for i in (await session.scalars(select(AnnotationItemRow))).all()}
        by_item: dict[str, dict[str, dict[str, Any]]] = {}
        for label in labels:
            by_item.setdefault(label.item_id, {})[label.annotator] = label.scores
        annotators = sorted({label.annotator for label in labels})
        out: dict[str, Any] = {
            "items_labelled": len(by_item),
            "labels": len(labels),
            "annotators": len(annotators),
            "alpha": {},
            "judge_kappa": {},
            "judge_n": {},
        }
        for dim in DIMENSIONS:
            units = [
                [scores[a][dim] if a in scores else None for a in annotators]
                for scores in by_item.values()
            ]
            out["alpha"][dim] = _finite(krippendorff_alpha(units, level="ordinal"))
            judge, human = _judge_pairs(by_item, items, dim)
            out["judge_n"][dim] = len(judge)
            out["judge_kappa"][dim] = (
                _finite(cohen_kappa(judge, human, weights="quadratic")) if judge else None
            )
        return out


# What a re-import refreshes on an existing item (its id and created_at stay).
_REFRESHED = [
    "suite",
    "case_id",
    "agent",
    "question",
    "answer",
    "components",
    "judge",
    "automatic",
    "priority",
]


def _answered(item: Mapping[str, Any]) -> bool:
    return not item.get("error") and bool(item["text"] or item["components"])


def _item_values(suite: str, item: Mapping[str, Any]) -> dict[str, Any]:
    metrics = item["metrics"]
    agent = item.get("agent")
    return {
        "id": bounded("item id", f"{suite}:{item['id']}", 80),
        "suite": bounded("suite", suite, 80),
        "case_id": bounded("case id", item["id"], 80),
        "agent": bounded("agent", agent, 40) if agent is not None else None,
        "question": clean(item["question"]),
        "answer": clean(item["text"]),
        "components": item["components"],
        "judge": {k: v for k, v in metrics.items() if k.startswith("judge.")},
        "automatic": {k: v for k, v in metrics.items() if not k.startswith("judge.")},
        "priority": priority(metrics),
    }


def _judge_pairs(
    by_item: Mapping[str, Mapping[str, Mapping[str, Any]]],
    items: Mapping[str, AnnotationItemRow],
    dim: str,
) -> tuple[Sequence[int], Sequence[int]]:
    judge: list[int] = []
    human: list[int] = []
    for item_id, scores in by_item.items():
        row = items.get(item_id)
        value = row.judge.get(f"judge.{dim}") if row is not None else None
        if value is None:
            continue
        judge.append(round(value))
        human.append(round(statistics.median(s[dim] for s in scores.values())))
    return judge, human


def _finite(value: float) -> float | None:
    return None if value != value else round(value, 4)  # NaN: not enough data
