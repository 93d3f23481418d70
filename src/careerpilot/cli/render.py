"""How ``careerpilot ask`` shows events in a terminal (``--json`` bypasses this)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from careerpilot.pipeline.events import Event

__all__ = ["TerminalRenderer"]

_VERDICT_STYLE = {"strong": "bold green", "good": "green", "partial": "yellow", "weak": "red"}


def _job_fit_panel(c: dict[str, Any]) -> Panel:
    job = c["job"]
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    verdict = c["verdict"]
    table.add_row(
        "Fit", f"[{_VERDICT_STYLE.get(verdict, '')}]{verdict} ({round(c['score'] * 100)}%)[/]"
    )
    table.add_row("Required, held", ", ".join(c["matched_required"]) or "—")
    table.add_row("Required, missing", ", ".join(c["missing_required"]) or "—")
    table.add_row("Nice to have, held", ", ".join(c["nice_to_have_held"]) or "—")
    high = c["required_years_max"]
    wanted = f"{c['required_years_min']}+" if high is None else f"{c['required_years_min']}–{high}"
    table.add_row(
        "Relevant experience", f"{c['relevant_years']} years (asks {wanted}: {c['experience']})"
    )
    for label in c["relevant_positions"][:4]:
        table.add_row("", f"[dim]{label}[/]")
    title = f"{job['title']} · {job['company_name']} · {job['location']} · {job['salary_range']}"
    return Panel(table, title=title, title_align="left", border_style="blue")


def _rows(rows: list[tuple[str, str]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for label, value in rows:
        table.add_row(label, escape(value))
    return table


def _takeaways_panel(c: dict[str, Any]) -> Panel:
    rows = [("•", f"“{t['quote']}”") for t in c["takeaways"]]
    title = f"{c['title']} · {c['author_name']} · {c['topic'].replace('_', ' ')}"
    return Panel(_rows(rows), title=escape(title), title_align="left", border_style="blue")


def _known(count: int | None) -> str:
    return "—" if count is None else str(count)


def _company_panel(c: dict[str, Any]) -> Panel:
    posts = "; ".join(p["title"] for p in c["recent_posts"]) or "—"
    rows = [
        ("Industry", f"{c['industry']} · {c['size_band']} employees"),
        (
            "On the network",
            f"{_known(c['members_on_network'])} members · {_known(c['open_jobs'])} open jobs",
        ),
        ("Hiring for", ", ".join(c["top_titles"]) or "—"),
        ("Headquarters", c["headquarters"]),
        ("Specialties", ", ".join(c["specialties"]) or "—"),
        ("Recent posts", posts),
    ]
    return Panel(_rows(rows), title=escape(c["name"]), title_align="left", border_style="blue")


def _plan_panel(c: dict[str, Any]) -> Panel:
    rows = [("Goal", c["goal"])]
    rows += [("Learn", f"{s['skill']} ({s['why']})") for s in c["skills_to_learn"]]
    rows += [(f"Step {n}", step) for n, step in enumerate(c["steps"], start=1)]
    rows += [
        ("Job", f"{j['title']} · {j['company_name']} · {j['location']}") for j in c["matching_jobs"]
    ]
    return Panel(_rows(rows), title="Action plan", title_align="left", border_style="blue")


_PANELS = {
    "job_fit": _job_fit_panel,
    "post_takeaways": _takeaways_panel,
    "company_card": _company_panel,
    "action_plan": _plan_panel,
}


_NOTICE_STYLES = {"info": "cyan", "warning": "yellow", "error": "red"}


def _show_sources(out: Console, c: dict[str, Any]) -> None:
    for source in c["sources"]:
        out.print(f"[{source['index']}] {source['title']} — {source['url']}", markup=False)


class TerminalRenderer:
    def __init__(self, console: Console, err: Console, verbose: bool = False) -> None:
        self.out = console
        self.err = err
        self.verbose = verbose
        self._in_text = False

    def _component(self, component: dict[str, Any]) -> None:
        kind = str(component.get("type"))
        panel = _PANELS.get(kind)
        if panel is not None:
            self.out.print(panel(component))
        elif kind == "citations":
            _show_sources(self.out, component)
        elif kind == "suggestion_chips":
            self.out.print("[dim]Try: " + escape(" · ".join(component["chips"])) + "[/]")
        elif kind == "notice":
            style = _NOTICE_STYLES.get(str(component.get("level")), "dim")
            self.out.print(f"[{style}]{escape(str(component['text']))}[/]")
        else:  # a type this renderer does not know (or plain text): its text
            self.out.print(Panel(escape(str(component.get("text", ""))), border_style="dim"))

    def _end_text(self) -> None:
        if self._in_text:
            self.out.print()
            self._in_text = False

    def show(self, event: Event) -> None:
        if event.type == "text":
            self.out.print(event.delta, end="", markup=False, highlight=False)
            self._in_text = True
            return
        if event.type == "citation":  # a reference inside the text
            self.out.print(f"[{event.index}]", end="", markup=False, highlight=False)
            return
        if event.type == "patch":
            return  # the terminal shows components once; only the web client re-renders
        self._end_text()
        if event.type == "route":
            self.err.print(f"[dim]→ {event.agent} ({event.confidence:.0%})[/]")
        elif event.type == "status":
            if self.verbose or event.stage == "skill":
                what = event.skill or event.detail or event.stage
                took = f" {event.duration_ms:.0f} ms" if event.duration_ms is not None else ""
                self.err.print(f"[dim]  {what}: {event.state}{took}[/]")
        elif event.type == "component":
            self._component(event.component)
        elif event.type == "suggestions":
            self.out.print("[dim]Try: " + escape(" · ".join(event.suggestions)) + "[/]")
        elif event.type == "error":
            self.err.print(f"[bold red]error[/] ({event.code}): {escape(event.message)}")
        elif event.type == "done":
            t = event.timings
            ttft = f"first token {t['ttft_ms']:.0f} ms, " if "ttft_ms" in t else ""
            self.err.print(
                f"[dim]{ttft}total {t.get('total_ms', 0):.0f} ms, "
                f"{event.usage.get('total_tokens', 0)} tokens[/]"
            )
