"""Health and the server-driven UI schema."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from careerpilot.server.deps import State
from careerpilot.ui.components import component_schema

__all__ = ["router"]

router = APIRouter(tags=["system"])


@router.get("/healthz")
async def get_health(state: State) -> dict[str, Any]:
    """Liveness and what the assistant runs on."""
    return {"status": "ok", "model": state.assistant.model.name}


@router.get("/v1/ui/schema")
async def get_ui_schema() -> dict[str, Any]:
    """JSON Schema of every UI component the assistant may send."""
    return component_schema()
