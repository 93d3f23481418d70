"""The events a turn emits, in order: the server sends them as SSE, ``ask --json`` prints them.

``done`` or ``error`` is always the last event of a turn.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter

__all__ = [
    "CitationEvent",
    "ComponentEvent",
    "DoneEvent",
    "ErrorEvent",
    "Event",
    "PatchEvent",
    "RouteEvent",
    "StatusEvent",
    "SuggestionsEvent",
    "TextEvent",
    "event_adapter",
]


class RouteEvent(BaseModel):
    type: Literal["route"] = "route"
    agent: str
    confidence: float
    fallback: bool = Field(description="True when the LLM fallback chose the agent")
    follow_up: bool = Field(
        default=False, description="True when a follow-up stayed with the previous agent"
    )


class StatusEvent(BaseModel):
    type: Literal["status"] = "status"
    stage: str = Field(description="agent, skill, reasoning, or an agent's own stage")
    state: Literal["started", "finished", "failed"]
    skill: str | None = None
    detail: str | None = None
    duration_ms: float | None = None


class TextEvent(BaseModel):
    type: Literal["text"] = "text"
    delta: str


class ComponentEvent(BaseModel):
    type: Literal["component"] = "component"
    id: str = Field("", description="unique within the turn; patches name it")
    component: dict[str, Any] = Field(description="a UI component; its `type` names it")


class PatchEvent(BaseModel):
    """Fills a component sent earlier: ``set`` replaces the value at ``path``, ``append`` adds
    ``value`` to the list there. ``path`` is dotted keys and list indexes (``sources.0.cited``)."""

    type: Literal["patch"] = "patch"
    id: str
    op: Literal["set", "append"]
    path: str
    value: Any


class CitationEvent(BaseModel):
    """From an agent: a source the answer may cite. On the wire: the answer cites source
    ``index`` at this point of its text (the sources travel in a ``citations`` component)."""

    type: Literal["citation"] = "citation"
    index: int
    title: str
    url: str
    snippet: str | None = None


class SuggestionsEvent(BaseModel):
    """From an agent: follow-up questions. On the wire: a ``suggestion_chips`` component."""

    type: Literal["suggestions"] = "suggestions"
    suggestions: list[str]


class ErrorEvent(BaseModel):
    type: Literal["error"] = "error"
    code: str
    message: str
    retryable: bool = False


class DoneEvent(BaseModel):
    type: Literal["done"] = "done"
    usage: dict[str, int]
    timings: dict[str, float] = Field(
        description="milliseconds per stage, plus ttft_ms and total_ms"
    )
    cost_usd: float = Field(0.0, description="what the turn's LLM calls cost (endpoint prices)")


Event = Annotated[
    RouteEvent
    | StatusEvent
    | TextEvent
    | ComponentEvent
    | PatchEvent
    | CitationEvent
    | SuggestionsEvent
    | ErrorEvent
    | DoneEvent,
    Field(discriminator="type"),
]

event_adapter: TypeAdapter[Event] = TypeAdapter(Event)
