"""``careerpilot route --jsonl FILE``: route many queries, one JSON line in, one out."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from pydantic import BaseModel, ValidationError

from careerpilot.agents.base import PageContext
from careerpilot.config import Settings

__all__ = ["route"]


class RouteRequest(BaseModel):
    query: str
    context: PageContext | None = None


def _error(line: int, message: str) -> dict[str, Any]:
    return {"error": {"code": "invalid_input", "line": line, "message": message}}


async def _route_lines(source: TextIO, sink: TextIO, fallback: bool) -> int:
    from careerpilot.retrieval.embedder import OnnxEmbedder
    from careerpilot.routing.router import Router

    settings = Settings()
    model = None
    route_fallback = None
    if fallback:
        from careerpilot.llm.factory import create_chat_model
        from careerpilot.routing.fallback import LLMRouteFallback

        model = create_chat_model(settings.llm)
        route_fallback = LLMRouteFallback(model)
    embedder = OnnxEmbedder(settings.embedder)
    router = Router(
        embedder, cache_dir=settings.ensure_data_dir() / "cache", fallback=route_fallback
    )
    failures = 0
    try:
        for number, raw in enumerate(source, start=1):
            if not raw.strip():
                continue
            try:
                request = RouteRequest.model_validate_json(raw)
                if not request.query.strip():
                    raise ValueError("the query is empty")
            except (ValidationError, ValueError) as exc:
                failures += 1
                reason = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
                sink.write(json.dumps(_error(number, reason)) + "\n")
                continue
            context = request.context.type if request.context else None
            found = await router.route(request.query, context)
            answer = {
                "agent": found.agent,
                "confidence": found.confidence,
                "fallback": found.fallback,
            }
            sink.write(json.dumps(answer) + "\n")
            sink.flush()
    finally:
        close = getattr(model, "aclose", None)
        if close is not None:
            await close()
    return failures


def route(
    jsonl: Annotated[
        Path,
        typer.Option(
            "--jsonl",
            help='lines {"query": ..., "context": {"type": ..., "id": ...} | null}; - for stdin',
        ),
    ],
    fallback: Annotated[
        bool, typer.Option(help="let the LLM decide below the confidence threshold")
    ] = True,
) -> None:
    """Route each query of a JSONL file: one line {"agent", "confidence", "fallback"} per input.

    A malformed line gets an {"error": ...} line in its place; the exit code is then 1.
    """
    if str(jsonl) == "-":
        failures = asyncio.run(_route_lines(sys.stdin, sys.stdout, fallback))
    else:
        if not jsonl.is_file():
            typer.echo(f"error: no such file: {jsonl}", err=True)
            raise typer.Exit(2)
        with jsonl.open(encoding="utf-8") as source:
            failures = asyncio.run(_route_lines(source, sys.stdout, fallback))
    raise typer.Exit(1 if failures else 0)
