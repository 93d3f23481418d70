"""``careerpilot annotate``: feed the human annotation queue and read agreement figures."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from careerpilot.config import Settings

__all__ = ["annotate_app"]

annotate_app = typer.Typer(
    help="Human annotation (the queue behind /annotate).", no_args_is_help=True
)
out = Console()


async def _with_store(action: Any) -> Any:
    from careerpilot.store.annotations import AnnotationStore
    from careerpilot.store.conversations import ConversationStore

    settings = Settings()
    settings.ensure_data_dir()
    store = ConversationStore(settings.app_db_url)
    try:
        await store.create_schema()
        return await action(AnnotationStore(store.database))
    finally:
        await store.aclose()


@annotate_app.command("import")
def import_command(
    results: Annotated[
        Path, typer.Argument(help="an evaluation's results.json (or its directory)")
    ],
) -> None:
    """Queue the answers of an evaluation run for review, prioritised by judge uncertainty."""
    from careerpilot.evals.results import load_results

    doc = load_results(results)
    count = asyncio.run(_with_store(lambda s: s.import_results(doc)))
    out.print(f"{count} answers queued for annotation (suite {doc['suite']})")


@annotate_app.command("agreement")
def agreement_command(
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    kappa_out: Annotated[
        Path | None, typer.Option("--kappa-out", help="write judge-vs-human kappas for `eval gate`")
    ] = None,
) -> None:
    """Inter-annotator alpha and judge-vs-human kappa per rubric dimension."""
    figures: dict[str, Any] = asyncio.run(_with_store(lambda s: s.agreement()))
    if kappa_out is not None:
        kappas = {d: k for d, k in figures["judge_kappa"].items() if k is not None}
        kappa_out.write_text(json.dumps(kappas, indent=1) + "\n", encoding="utf-8")
    if as_json:
        out.print_json(json.dumps(figures))
        return
    table = Table("dimension", "alpha (annotators)", "kappa (judge vs humans)", "n judged")
    for dim, alpha in figures["alpha"].items():
        kappa = figures["judge_kappa"][dim]
        table.add_row(
            dim,
            "—" if alpha is None else f"{alpha:.3f}",
            "—" if kappa is None else f"{kappa:.3f}",
            str(figures["judge_n"][dim]),
        )
    out.print(table)
    out.print(
        f"[dim]{figures['labels']} labels on {figures['items_labelled']} items by "
        f"{figures['annotators']} annotators[/]"
    )
