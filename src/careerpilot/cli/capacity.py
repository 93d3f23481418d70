"""``careerpilot capacity``: turns per second an endpoint holds, and replicas for a target load."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from careerpilot.config import Settings
from careerpilot.ops.capacity import TurnFigures, measured_turns, plan_capacity, typical

__all__ = ["capacity"]


def capacity(
    target_tps: Annotated[float, typer.Option(help="the load to plan for, in turns per second")],
    endpoint: Annotated[
        str, typer.Option(help="the endpoint whose concurrency limit to use")
    ] = "default",
    concurrency: Annotated[
        int | None, typer.Option(help="streams one replica serves at once (default: its limit)")
    ] = None,
    ttft_ms: Annotated[float | None, typer.Option(help="measured time to first token")] = None,
    tbt_ms: Annotated[float | None, typer.Option(help="measured time between tokens")] = None,
    tokens: Annotated[float | None, typer.Option(help="completion tokens per answer")] = None,
    prompt_tokens: Annotated[float, typer.Option(help="prompt tokens per turn")] = 0.0,
    quantile: Annotated[float, typer.Option(help="which quantile of stored turns to plan")] = 0.9,
    headroom: Annotated[float, typer.Option(help="the share of capacity to run at")] = 0.7,
    api_cpu_ms: Annotated[float, typer.Option(help="API CPU per turn (sse benchmark)")] = 27.0,
) -> None:
    """Size LLM endpoints and API processes for a target load from measured turns.

    Without --ttft-ms/--tbt-ms/--tokens, the figures are the --quantile of the last 1,000
    complete answers stored by `careerpilot serve` (their `done` timings)."""
    console = Console()
    settings = Settings()
    given = (ttft_ms, tbt_ms, tokens)
    if all(v is not None for v in given):
        figures = TurnFigures(ttft_ms or 0.0, tbt_ms or 0.0, tokens or 0.0, prompt_tokens)
        source = "given on the command line"
    elif any(v is not None for v in given):
        raise typer.BadParameter("give all of --ttft-ms, --tbt-ms and --tokens, or none")
    else:
        turns = asyncio.run(_stored(settings))
        if not turns:
            console.print(
                "[red]no measured turns stored yet[/]: answer some questions with "
                "`careerpilot serve` first, or give --ttft-ms, --tbt-ms and --tokens"
            )
            raise typer.Exit(1)
        figures = typical(turns, quantile)
        source = f"p{quantile * 100:g} of the last {len(turns):,} stored answers"
    endpoints = {"default": settings.llm, **settings.endpoints}
    if endpoint not in endpoints:
        raise typer.BadParameter(f"unknown endpoint {endpoint!r}; known: {', '.join(endpoints)}")
    llm = endpoints[endpoint]
    streams = concurrency or llm.max_concurrency or (1 if llm.backend == "llamacpp" else 16)
    plan = plan_capacity(
        figures,
        concurrency=streams,
        target_tps=target_tps,
        headroom=headroom,
        api_cpu_ms=api_cpu_ms,
    )
    table = Table(title=f"capacity of endpoint {endpoint!r} ({llm.backend}; figures {source})")
    table.add_column("")
    table.add_column("value", justify="right")
    for label, value in plan.rows():
        table.add_row(label, value)
    console.print(table)


async def _stored(settings: Settings) -> list[TurnFigures]:
    from careerpilot.store.database import Database

    settings.ensure_data_dir()
    database = Database(settings.app_db_url)
    try:
        await database.create_schema()  # a database `serve` never used: no turns, no error
        return await measured_turns(database)
    finally:
        await database.aclose()
