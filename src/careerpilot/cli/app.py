"""Typer commands. Each turns careerpilot errors into a one-line message and an exit code."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from typing import Annotated

import pydantic
import typer
from rich.console import Console

from careerpilot.agents.base import PageContext
from careerpilot.cli.annotate import annotate_app
from careerpilot.cli.capacity import capacity
from careerpilot.cli.data import data_app
from careerpilot.cli.eval_suite import eval_app
from careerpilot.cli.route import route
from careerpilot.cli.skills import plan, skills_app
from careerpilot.config import Settings
from careerpilot.errors import CareerpilotError, NotFoundError

__all__ = ["app", "main"]

app = typer.Typer(
    name="careerpilot",
    help="A streaming, grounded assistant for professional networking.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(data_app, name="data")
app.add_typer(skills_app, name="skills")
app.add_typer(eval_app, name="eval")
app.add_typer(annotate_app, name="annotate")
app.command("plan")(plan)
app.command("route")(route)
app.command("capacity")(capacity)

out = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def _page(job: int | None, post: int | None, company: int | None) -> PageContext | None:
    given = [
        (k, v) for k, v in (("job", job), ("post", post), ("company", company)) if v is not None
    ]
    if len(given) > 1:
        raise fail("give at most one of --job, --post, --company", 2)
    if not given:
        return None
    kind, ident = given[0]
    return PageContext(type=kind, id=ident)


async def _ask(
    settings: Settings,
    question: str,
    member: int,
    page: PageContext | None,
    as_json: bool,
    verbose: bool,
) -> int:
    from careerpilot.cli.render import TerminalRenderer
    from careerpilot.pipeline.assistant import Assistant

    def progress(message: str) -> None:
        err.print(f"[dim]first use: {message}…[/]")

    assistant = await Assistant.open(settings, progress=progress)
    renderer = TerminalRenderer(out, err, verbose)
    status = 0
    try:
        async for event in assistant.turn(question, member, page):
            if as_json:
                sys.stdout.write(event.model_dump_json() + "\n")
                sys.stdout.flush()
            else:
                renderer.show(event)
            if event.type == "error":
                status = 1
    finally:
        await assistant.aclose()
    return status


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="what to ask")],
    member: Annotated[int, typer.Option(help="the member asking", min=1)] = 1,
    job: Annotated[int | None, typer.Option(help="the job on screen", min=1)] = None,
    post: Annotated[int | None, typer.Option(help="the post on screen", min=1)] = None,
    company: Annotated[int | None, typer.Option(help="the company on screen", min=1)] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="one event object per line, as the server sends them")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="show every stage")] = False,
) -> None:
    """Ask a question and stream the answer."""
    page = _page(job, post, company)
    settings = Settings()
    try:
        code = asyncio.run(_ask(settings, question, member, page, json_output, verbose))
    except CareerpilotError as exc:
        raise fail(exc.message) from None
    except KeyboardInterrupt:
        raise fail("interrupted", 130) from None
    raise typer.Exit(code)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="address to bind")] = None,
    port: Annotated[int | None, typer.Option(help="port to listen on")] = None,
) -> None:
    """Run the HTTP server (assistant API, network API) on the embedded default."""
    import uvicorn

    from careerpilot.network.seeding import ensure_seeded
    from careerpilot.observability.logs import configure_logging
    from careerpilot.server.app import create_app

    settings = Settings()
    configure_logging(settings.observability)  # JSON lines (or text) with request/turn ids
    host = host or settings.server.host
    port = port or settings.server.port
    try:
        if ensure_seeded(settings, lambda m: err.print(f"[dim]first use: {m}…[/]")):
            err.print("[dim]seeded the sample network[/]")
        err.print(f"careerpilot: serving on [bold]http://{host}:{port}[/] (API docs at /docs)")
        uvicorn.run(create_app(settings), host=host, port=port, log_config=None)
    except CareerpilotError as exc:
        raise fail(exc.message) from None


@app.command()
def token(
    member: Annotated[int, typer.Option(help="the member the token identifies", min=1)],
) -> None:
    """Print a bearer token for a member (development sign-in)."""
    from careerpilot.network.seeding import ensure_seeded, member_exists
    from careerpilot.server.auth import TokenSigner, load_or_create_key

    settings = Settings()
    ensure_seeded(settings, lambda m: err.print(f"[dim]first use: {m}…[/]"))
    if not member_exists(settings, member):
        raise fail(NotFoundError("member", member).message)
    signer = TokenSigner(load_or_create_key(settings.signing_key_path), settings.token_ttl_s)
    out.print(signer.issue(member), soft_wrap=True, highlight=False)


def main() -> None:
    with contextlib.suppress(BrokenPipeError):
        try:
            app()
        except pydantic.ValidationError as exc:
            # Settings from the environment or careerpilot.toml that do not validate: name
            # each one, without a traceback.
            lines = [
                f"  {'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
                for error in exc.errors()
            ]
            err.print("[red]invalid settings[/]:\n" + "\n".join(lines), highlight=False)
            sys.exit(2)
