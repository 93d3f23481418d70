"""Human annotation API: the guidelines, a prioritised queue, labels, agreement. The page at
``/annotate`` uses it; the signed-in member is the annotator."""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from careerpilot.server.deps import CurrentMember, State
from careerpilot.server.errors import ErrorResponse
from careerpilot.store.annotations import Label, QueueItem

__all__ = ["GUIDELINES_VERSION", "router"]

router = APIRouter(prefix="/v1/annotate", tags=["annotation"])

GUIDELINES_VERSION = "v1"


class Guidelines(BaseModel):
    version: str
    markdown: str


def annotator(member_id: int) -> str:
    return f"member-{member_id}"


@router.get("/guidelines")
async def get_guidelines(_member: CurrentMember) -> Guidelines:
    """The current annotation guidelines (versioned files; labels record the version)."""
    path = resources.files("careerpilot.evals").joinpath(f"data/guidelines/{GUIDELINES_VERSION}.md")
    return Guidelines(version=GUIDELINES_VERSION, markdown=path.read_text(encoding="utf-8"))


@router.get("/queue")
async def get_queue(state: State, member_id: CurrentMember, limit: int = 20) -> list[QueueItem]:
    """Items this annotator has not labelled: under-labelled first, then the judge's least
    certain."""
    return await state.annotations.queue(annotator(member_id), min(max(limit, 1), 100))


@router.post("/items/{item_id}/labels", status_code=201, responses={404: {"model": ErrorResponse}})
async def post_label(
    item_id: str, label: Label, state: State, member_id: CurrentMember
) -> dict[str, str]:
    """Record this annotator's rubric scores and comment for an item (again: replaces)."""
    await state.annotations.add_label(item_id, annotator(member_id), label)
    return {"status": "stored"}


@router.get("/agreement")
async def get_agreement(state: State, _member: CurrentMember) -> dict[str, Any]:
    """Krippendorff's alpha between annotators and Cohen's kappa judge vs humans, per
    rubric dimension."""
    return await state.annotations.agreement()
