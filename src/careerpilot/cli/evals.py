"""``careerpilot eval``: offline evaluations with their headline figures."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from careerpilot.config import Settings

__all__ = ["eval_app"]

eval_app = typer.Typer(help="Offline evaluations.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)


@eval_app.command()
def retrieval(
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    k: Annotated[int, typer.Option(min=1, max=100, help="cut-off rank")] = 10,
) -> None:
    """recall@k and nDCG@k of BM25, dense and hybrid search on the labelled relevance set."""
    from careerpilot.cli.data import build_indexes
    from careerpilot.evals.retrieval_eval import evaluate_retrieval
    from careerpilot.network.seeding import ensure_seeded
    from careerpilot.retrieval.embedder import OnnxEmbedder
    from careerpilot.retrieval.setup import SearchStack, index_root

    settings = Settings()
    ensure_seeded(settings, lambda m: err.print(f"[dim]first use: {m}…[/]"))
    stack = SearchStack.open(settings, OnnxEmbedder(settings.embedder))
    if not all(stack.store.is_built(c) for c in ("jobs", "people", "posts")):
        err.print(f"[dim]building the search indexes in {index_root(settings)}…[/]")
        build_indexes(settings)
        stack = SearchStack.open(settings, stack.store.embedder)
    results = asyncio.run(evaluate_retrieval(settings, stack, k=k))
    recall, ndcg = f"recall@{k}", f"ndcg@{k}"
    if as_json:
        doc = {m: {recall: s.overall[recall], ndcg: s.overall[ndcg]} for m, s in results.items()}
        out.print_json(json.dumps(doc))
        return
    kinds = sorted(next(iter(results.values())).by_kind)
    table = Table("mode", recall, ndcg, *(f"{kind}\nrecall" for kind in kinds))
    for mode, summary in results.items():
        per_kind = [f"{summary.by_kind[kind][recall]:.3f}" for kind in kinds]
        table.add_row(
            mode, f"{summary.overall[recall]:.3f}", f"{summary.overall[ndcg]:.3f}", *per_kind
        )
    out.print(table)
    queries = int(next(iter(results.values())).overall["queries"])
    err.print(f"[dim]{queries} labelled queries[/]")
