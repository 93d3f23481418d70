"""``careerpilot eval run | compare | gate | export-sft``: end-to-end evaluation."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from careerpilot.cli.evals import eval_app
from careerpilot.config import Settings

if TYPE_CHECKING:
    from careerpilot.evals.evaluators import Evaluator
    from careerpilot.evals.judge import LLMJudge
    from careerpilot.evals.runner import ItemResult

__all__ = ["eval_app"]

out = Console()
err = Console(stderr=True)


def _judge_spend(judge: LLMJudge) -> dict[str, dict[str, float]]:
    """What the judge's calls cost, per endpoint (a fallback's share shows apart)."""
    return {
        name: {k: round(v, 6) for k, v in dataclasses.asdict(spend).items()}
        for name, spend in judge.ledger.by_endpoint.items()
    }


async def _run(
    settings: Settings, suite: str, out_dir: Path, cache_on: bool, judge_on: bool, extra: list[Path]
) -> dict[str, object]:
    from careerpilot.evals.cases import load_cases
    from careerpilot.evals.evaluators import default_evaluators
    from careerpilot.evals.judge import JudgeEvaluator, LLMJudge, judge_settings, pooled_judge
    from careerpilot.evals.report import render_report
    from careerpilot.evals.results import write_results
    from careerpilot.evals.runner import RunCache, run_suite
    from careerpilot.pipeline.assistant import Assistant

    cases = load_cases(suite, extra)
    if not cases:
        raise typer.BadParameter(f"no case is in suite {suite!r}", param_hint="--suite")
    if judge_on:  # a legacy [eval] judge becomes an endpoint of the pool (see judge_settings)
        settings = judge_settings(settings)
    assistant = await Assistant.open(settings, progress=lambda m: err.print(f"[dim]{m}…[/]"))
    judge: LLMJudge | None = None
    evaluators: list[Evaluator] = default_evaluators()
    if judge_on:
        # The judge shares the assistant's pool (its slots, breakers and fallbacks), like
        # every other LLM task; the pool closes its model with the assistant.
        assert assistant.pool is not None, "Assistant.open builds the endpoint pool"
        judge = LLMJudge(pooled_judge(assistant.pool), max_tokens=settings.eval.judge_max_tokens)
        evaluators.append(JudgeEvaluator(judge))
    cache = RunCache(settings.ensure_data_dir() / "cache" / "eval" if cache_on else None)
    started = time.perf_counter()
    try:
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
        ) as progress:
            task = progress.add_task(f"suite {suite}", total=len(cases))

            def done(_item: ItemResult) -> None:
                progress.advance(task)

            items = await run_suite(
                assistant,
                cases,
                evaluators,
                cache=cache,
                concurrency=settings.eval.concurrency,
                on_done=done,
            )
    finally:
        await assistant.aclose()
    meta = {
        "model": assistant.model.name,
        "judge": judge.model.name if judge is not None else None,
        "judge_spend": _judge_spend(judge) if judge is not None else None,
        "seconds": round(time.perf_counter() - started, 1),
        "cached": sum(item.cached for item in items),
    }
    doc = write_results(out_dir, suite, items, meta)
    (out_dir / "report.html").write_text(render_report(doc), encoding="utf-8")
    return doc


def _summary(doc: dict[str, object]) -> Table:
    aggregate = doc["aggregate"]
    assert isinstance(aggregate, dict)
    table = Table("family", "metric", "value", "n")
    router = aggregate["router"]
    table.add_row("router", "accuracy", f"{router['accuracy']:.3f}", str(router["n"]))
    for family in ("schema", "grounded", "judge"):
        for metric, figures in aggregate[family].items():
            mean = figures["mean"]
            table.add_row(family, metric, "—" if mean is None else f"{mean:.3f}", str(figures["n"]))
    for metric, figures in aggregate["latency"].items():
        if metric in ("ttft_ms", "tbt_p50_ms", "total_ms"):
            table.add_row(
                "latency",
                f"{metric} p50/p99",
                f"{figures['p50']:.0f}/{figures['p99']:.0f}",
                str(figures["n"]),
            )
    return table


@eval_app.command("run")
def run_command(
    suite: Annotated[
        str, typer.Option(help="smoke, full, or a suite named in the case files")
    ] = "smoke",
    out_dir: Annotated[
        Path, typer.Option("--out", help="where results.json and report.html go")
    ] = Path("eval-results"),
    cache: Annotated[bool, typer.Option(help="reuse cached runs and judge scores")] = True,
    judge: Annotated[bool, typer.Option(help="score answers with the LLM judge")] = True,
    concurrency: Annotated[int | None, typer.Option(min=1, help="cases at a time")] = None,
    cases_dir: Annotated[
        list[Path] | None, typer.Option("--cases", help="extra case directories")
    ] = None,
) -> None:
    """Run a suite of cases end to end and evaluate every answer."""
    settings = Settings()
    if concurrency is not None:
        settings.eval.concurrency = concurrency
    doc = asyncio.run(_run(settings, suite, out_dir, cache, judge, list(cases_dir or [])))
    out.print(_summary(doc))
    err.print(
        f"[dim]{len(doc['items'])} cases ({doc['cached']} from cache) in {doc['seconds']} s → "  # type: ignore[arg-type]
        f"{out_dir / 'results.json'}, {out_dir / 'report.html'}[/]"
    )
    spend = doc.get("judge_spend") or {}
    assert isinstance(spend, dict)
    if spend:
        tokens = sum(s["prompt_tokens"] + s["completion_tokens"] for s in spend.values())
        cost = sum(s["cost_usd"] for s in spend.values())
        err.print(f"[dim]judge: {tokens:,} tokens, ${cost:.4f} ({', '.join(spend)})[/]")


async def _pairwise(before: dict[str, Any], after: dict[str, Any]) -> None:
    from careerpilot.evals.judge import LLMJudge, judge_settings, pairwise, pooled_judge
    from careerpilot.llm.pool import EndpointPool

    pool = EndpointPool(judge_settings(Settings()))
    try:
        tally = await pairwise(LLMJudge(pooled_judge(pool), max_tokens=16), before, after)
    finally:
        await pool.aclose()
    out.print(
        f"pairwise judge on {tally['compared']} changed answers: after better {tally['B']}, "
        f"before better {tally['A']}, tie {tally['tie']} "
        f"({tally['inconsistent']} ties from position bias: the order swap disagreed)"
    )


@eval_app.command("compare")
def compare_command(
    baseline: Annotated[Path, typer.Argument(help="results.json (or its directory) before")],
    current: Annotated[Path, typer.Argument(help="results.json (or its directory) after")],
    pairwise: Annotated[
        bool, typer.Option(help="also ask the judge which answer is better, in both orders")
    ] = False,
) -> None:
    """Paired bootstrap intervals per metric, and the items that regressed."""
    from careerpilot.evals.compare import compare, lower_is_better
    from careerpilot.evals.results import load_results

    before, after = load_results(baseline), load_results(current)
    changes = compare(before, after)
    table = Table("metric", "before", "after", "change", "95% CI", "n", "regressed items")
    for change in changes:
        i = change.interval
        style = "red" if change.worse else ("green" if i.excludes_zero() else "")
        arrow = " (lower is better)" if lower_is_better(change.metric) else ""
        table.add_row(
            change.metric + arrow,
            f"{change.baseline_mean:.3f}",
            f"{change.current_mean:.3f}",
            f"[{style}]{i.mean:+.3f}[/]" if style else f"{i.mean:+.3f}",
            f"[{i.low:+.3f}, {i.high:+.3f}]",
            str(i.n),
            ", ".join(change.regressed_items[:6])
            + ("…" if len(change.regressed_items) > 6 else ""),
        )
    out.print(table)
    if pairwise:
        asyncio.run(_pairwise(before, after))


@eval_app.command("gate")
def gate_command(
    baseline: Annotated[Path, typer.Option(help="the baseline results.json")],
    current: Annotated[
        Path, typer.Option(help="this run's results.json (or its directory)")
    ] = Path("eval-results"),
    agreement: Annotated[
        Path | None, typer.Option(help="JSON: judge dimension -> kappa with humans")
    ] = None,
) -> None:
    """Fail (exit 1) on statistically significant regressions or any critical item regressing."""
    from careerpilot.evals.compare import gate
    from careerpilot.evals.results import load_results

    kappas = json.loads(agreement.read_text()) if agreement is not None else None
    result = gate(load_results(baseline), load_results(current), agreement=kappas)
    for warning in result.warnings:
        err.print(f"[yellow]warning[/] {warning}")
    for failure in result.failures:
        err.print(f"[bold red]FAIL[/] {failure}")
    checked = len(result.changes)
    if result.passed:
        out.print(f"[green]gate passed[/]: {checked} metrics compared, no significant regression")
        return
    raise typer.Exit(1)


@eval_app.command("export-sft")
def export_sft_command(
    results: Annotated[Path, typer.Argument(help="results.json (or its directory)")],
    output: Annotated[Path, typer.Option("--out", help="JSONL file to write")] = Path("sft.jsonl"),
    min_judge: Annotated[float, typer.Option(help="every judge score at least this")] = 4.0,
) -> None:
    """Well-rated conversations as a fine-tuning dataset (JSONL, chat format)."""
    from careerpilot.evals.export import sft_records
    from careerpilot.evals.results import load_results

    lines = list(sft_records(load_results(results), min_judge=min_judge))
    output.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    out.print(f"{len(lines)} conversations → {output}")
