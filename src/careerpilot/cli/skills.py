"""``careerpilot skills`` and ``careerpilot plan``: see and call skills, watch the planner work."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

import typer
from rich.console import Console

from careerpilot.config import Settings
from careerpilot.errors import CareerpilotError

__all__ = ["plan", "skills_app"]

skills_app = typer.Typer(help="The skills agents call.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)

SEARCH_SKILLS = ["search_jobs", "search_companies", "search_people", "search_posts", "web_search"]


async def _with_assistant(settings: Settings, work: Any) -> Any:
    from careerpilot.pipeline.assistant import Assistant

    assistant = await Assistant.open(settings)
    try:
        return await work(assistant)
    finally:
        await assistant.aclose()


@skills_app.command("list")
def list_skills() -> None:
    """Print every skill's description and arguments, as the planner sees them."""
    import httpx

    from careerpilot.skills.defaults import default_skills
    from careerpilot.skills.http import NetworkApi

    registry = default_skills(NetworkApi(httpx.AsyncClient()), Settings())
    out.print(registry.describe(), highlight=False, markup=False)


@skills_app.command("call")
def call_skill(
    name: Annotated[str, typer.Argument(help="skill name, e.g. search_jobs")],
    args: Annotated[str, typer.Argument(help='arguments as JSON, e.g. \'{"q": "nurse"}\'')] = "{}",
    raw: Annotated[bool, typer.Option("--raw", help="print the full JSON output")] = False,
) -> None:
    """Call one skill and print its LLM-friendly view (or the raw output)."""
    from careerpilot.skills.views import render, view

    try:
        parsed = json.loads(args)
    except json.JSONDecodeError as exc:
        err.print(f"[bold red]error:[/] the arguments are not JSON: {exc}")
        raise typer.Exit(2) from None

    async def work(assistant: Any) -> Any:
        return await assistant.skills.get(name).invoke(parsed)

    try:
        result = asyncio.run(_with_assistant(Settings(), work))
    except CareerpilotError as exc:
        err.print(f"[bold red]error:[/] {exc.message}")
        raise typer.Exit(1) from None
    text = result.model_dump_json(indent=2) if raw else render(view(result))
    out.print(text, highlight=False, markup=False)


def plan(
    question: Annotated[str, typer.Argument(help="what the member asks")],
    member: Annotated[int, typer.Option(help="the member asking", min=1)] = 1,
) -> None:
    """Have the LLM plan search-skill calls for a question, run them, and show what happened."""
    from careerpilot.agents.base import SkillCall, TurnContext
    from careerpilot.agents.plan_examples import bundled_plan_examples
    from careerpilot.agents.planning import Planner, PlanOutcome
    from careerpilot.skills.views import render, view

    def fallback() -> list[SkillCall]:
        return [SkillCall("search_jobs", {"q": question[:200], "limit": 5})]

    async def work(assistant: Any) -> None:
        ctx = TurnContext(
            question=question,
            member_id=member,
            page=None,
            skills=assistant.skills,
            model=assistant.model,
            generation=assistant.generation,
        )
        planner = Planner()
        async for item in planner.run(
            ctx,
            skills=SEARCH_SKILLS,
            request=question,
            examples=bundled_plan_examples(),
            fallback=fallback,
        ):
            if isinstance(item, PlanOutcome):
                out.print(f"[bold]plan ({item.source})[/]: {item.plan.thought}")
                for problem in item.problems:
                    out.print(f"[yellow]  problem:[/] {problem}")
                for repair in item.repairs:
                    out.print(f"[dim]  repaired: {repair}[/]")
                for step in item.steps:
                    out.print(f"[bold]- {step.call.skill}[/] {json.dumps(dict(step.call.args))}")
                    body = step.error.message if step.error else render(view(step.output))
                    out.print(body[:1500], highlight=False, markup=False)
            else:
                err.print(f"[dim]  {item.skill}: {item.state}[/]")
        err.print(f"[dim]{planner.metrics.snapshot()}  timings {ctx.timer.summary()}[/]")

    try:
        asyncio.run(_with_assistant(Settings(), work))
    except CareerpilotError as exc:
        err.print(f"[bold red]error:[/] {exc.message}")
        raise typer.Exit(1) from None
