"""``careerpilot data``: seed the sample network, index it for search, show what is in it."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from careerpilot.config import NetworkSize, Settings

if TYPE_CHECKING:
    from rich.progress import TaskID

__all__ = ["data_app"]

data_app = typer.Typer(help="The sample professional network.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)


@data_app.command()
def seed(
    seed: Annotated[int | None, typer.Option(help="generator seed (default: settings)")] = None,
    companies: Annotated[int | None, typer.Option(min=1)] = None,
    members: Annotated[int | None, typer.Option(min=2)] = None,
    jobs: Annotated[int | None, typer.Option(min=1)] = None,
    posts: Annotated[int | None, typer.Option(min=1)] = None,
) -> None:
    """Generate the deterministic sample network and store it (replaces what is there)."""
    from careerpilot.network.seeding import seed_network

    settings = Settings()
    if seed is not None:
        settings.seed = seed
    base = settings.network
    size = NetworkSize(
        companies=companies or base.companies,
        members=members or base.members,
        jobs=jobs or base.jobs,
        posts=posts or base.posts,
    )
    with err.status("seeding the sample network") as status:
        report = seed_network(settings, size=size, progress=lambda m: status.update(m))
    _print_counts(report.counts)
    err.print(
        f"[dim]generated in {report.generate_s:.1f} s, written in {report.write_s:.1f} s "
        f"to {report.path}[/]"
    )
    build_indexes(settings)


@data_app.command()
def index() -> None:
    """Build or refresh the search indexes (only new or changed documents are embedded)."""
    settings = Settings()
    if not settings.network_db_path.exists():
        err.print("[bold red]error:[/] no network yet: run `careerpilot data seed`")
        raise typer.Exit(1)
    build_indexes(settings)


def build_indexes(settings: Settings) -> None:
    """Refresh every index with a progress bar per collection, then print what changed."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from careerpilot.retrieval.embedder import OnnxEmbedder
    from careerpilot.retrieval.setup import SearchStack, refresh_indexes

    columns = (*Progress.get_default_columns()[:1], BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeRemainingColumn(), console=err, transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(collection: str, done: int, total: int) -> None:
            if collection not in tasks:
                tasks[collection] = bar.add_task(f"indexing {collection}", total=total or 1)
            bar.update(tasks[collection], completed=done if total else 1)

        stack = SearchStack.open(settings, OnnxEmbedder(settings.embedder))
        reports = asyncio.run(refresh_indexes(settings, stack, progress, check_documents=True))
    table = Table("index", "documents", "embedded", "deleted", "seconds")
    for r in reports:
        table.add_row(
            r.collection, f"{r.total:,}", f"{r.embedded:,}", f"{r.deleted:,}", f"{r.seconds:.1f}"
        )
    out.print(table)


@data_app.command()
def stats() -> None:
    """Print how many companies, members, jobs, posts, connections and reactions there are."""
    from careerpilot.network.seeding import network_stats

    settings = Settings()
    if not settings.network_db_path.exists():
        err.print("[bold red]error:[/] no network yet: run `careerpilot data seed`")
        raise typer.Exit(1)
    _print_counts(network_stats(settings.network_db_path))


def _print_counts(counts: dict[str, int]) -> None:
    table = Table("table", "rows")
    for name, count in counts.items():
        table.add_row(name, f"{count:,}")
    out.print(table)
