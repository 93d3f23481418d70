"""``careerpilot eval``: offline evaluations with their headline figures."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from careerpilot.config import Settings

if TYPE_CHECKING:
    from careerpilot.evals.router_eval import RouterReport

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


@eval_app.command()
def router(
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    fallback: Annotated[
        bool, typer.Option(help="let the LLM decide below the confidence threshold")
    ] = False,
    errors: Annotated[bool, typer.Option(help="list the misrouted queries")] = False,
) -> None:
    """Accuracy, per-label precision/recall and the confusion matrix on the router test split."""
    from careerpilot.evals.router_eval import evaluate_router, load_router_test
    from careerpilot.retrieval.embedder import OnnxEmbedder
    from careerpilot.routing.router import LABELS

    settings = Settings()

    async def run() -> RouterReport:
        from careerpilot.routing.router import Router

        model = None
        route_fallback = None
        if fallback:
            from careerpilot.llm.factory import create_chat_model
            from careerpilot.routing.fallback import LLMRouteFallback

            model = create_chat_model(settings.llm)
            route_fallback = LLMRouteFallback(model)
        cache = settings.ensure_data_dir() / "cache"
        embedder = OnnxEmbedder(settings.embedder)
        try:
            return await evaluate_router(
                Router(embedder, cache_dir=cache, fallback=route_fallback), load_router_test()
            )
        finally:
            close = getattr(model, "aclose", None)
            if close is not None:
                await close()

    report = asyncio.run(run())
    if as_json:
        out.print_json(json.dumps(report.to_dict()))
        return
    short = {label: label.replace("_", " ")[:10] for label in LABELS}
    matrix = Table("true \\ routed", *short.values(), "recall", title="confusion matrix")
    for label in LABELS:
        row = [str(report.confusion[label][other]) for other in LABELS]
        matrix.add_row(short[label], *row, f"{report.recall(label):.3f}")
    matrix.add_row("precision", *(f"{report.precision(lb):.3f}" for lb in LABELS), "")
    out.print(matrix)
    out.print(
        f"accuracy [bold]{report.accuracy:.4f}[/] on {report.total} queries; out of scope "
        f"precision {report.precision('out_of_scope'):.3f}, recall "
        f"{report.recall('out_of_scope'):.3f}; LLM fallback decided {report.fallbacks}"
    )
    if errors:
        from rich.markup import escape

        for e in report.errors:
            where = f"[{e['context']}]" if e["context"] else ""
            line = f"  {e['label']} → {e['routed']} ({e['confidence']:.2f}) {where} {e['query']}"
            out.print(escape(line))
