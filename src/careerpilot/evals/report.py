"""``report.html``: one self-contained page (inline SVG, no scripts) of a results file.

Score distributions per judge dimension, the routing confusion matrix, latency histograms,
the family tables, and the items that failed or had unsupported claims.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

import numpy as np

__all__ = ["render_report"]

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1d2226;
padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5rem 0}
td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:right}
th{background:#f3f6f8}td:first-child,th:first-child{text-align:left}
.charts{display:flex;flex-wrap:wrap;gap:1rem}.chart{border:1px solid #e0e0e0;padding:.5rem}
.bad{color:#b24020}.muted{color:#666}
"""


def _histogram(title: str, values: Sequence[float], bins: int | Sequence[float] = 12) -> str:
    if not values:
        return ""
    counts, edges = np.histogram(values, bins=bins)
    width, height, pad = 320, 150, 24
    top = max(int(counts.max()), 1)
    bar = (width - 2 * pad) / len(counts)
    rects = []
    for i, count in enumerate(counts):
        h = (height - 2 * pad) * count / top
        x, y = pad + i * bar, height - pad - h
        label = f"{edges[i]:.4g}–{edges[i + 1]:.4g}: {count}"
        rects.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar - 2:.1f}" height="{h:.1f}" '
            f'fill="#0a66c2"><title>{escape(label)}</title></rect>'
        )
    axis = (
        f'<text x="{pad}" y="{height - 6}" font-size="10">{edges[0]:.4g}</text>'
        f'<text x="{width - pad}" y="{height - 6}" font-size="10" text-anchor="end">'
        f"{edges[-1]:.4g}</text>"
        f'<text x="{pad}" y="14" font-size="11">{escape(title)} (n={len(values)}, max {top})</text>'
    )
    return (
        f'<div class="chart"><svg width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}">{"".join(rects)}{axis}</svg></div>'
    )


def _confusion(router: Mapping[str, Any]) -> str:
    confusion: Mapping[str, Mapping[str, int]] = router["confusion"]
    labels = list(confusion)
    top = max((v for row in confusion.values() for v in row.values()), default=1) or 1
    head = "".join(f"<th>{escape(label)}</th>" for label in labels)
    rows = []
    for true in labels:
        cells = []
        for routed in labels:
            count = confusion[true][routed]
            shade = 255 - int(180 * count / top)
            colour = f"rgb({shade},{shade + 10 if shade < 245 else 255},255)"
            cells.append(f'<td style="background:{colour}">{count}</td>')
        rows.append(f"<tr><th>{escape(true)}</th>{''.join(cells)}</tr>")
    return f"<table><tr><th>true \\ routed</th>{head}</tr>{''.join(rows)}</table>"


def _family_table(name: str, family: Mapping[str, Any]) -> str:
    rows = []
    for metric, figures in family.items():
        if isinstance(figures, Mapping) and "mean" in figures:
            mean = figures["mean"]
            shown = "—" if mean is None else f"{mean:.3f}"
            rows.append(
                f"<tr><td>{escape(metric)}</td><td>{shown}</td><td>{figures['n']}</td></tr>"
            )
        elif isinstance(figures, Mapping) and "p50" in figures:
            rows.append(
                f"<tr><td>{escape(metric)}</td><td>{figures['p50']:.1f}</td>"
                f"<td>{figures['p90']:.1f}</td><td>{figures['p99']:.1f}</td>"
                f"<td>{figures['n']}</td></tr>"
            )
    if not rows:
        return ""
    head = (
        "<tr><th>metric</th><th>p50</th><th>p90</th><th>p99</th><th>n</th></tr>"
        if name == "latency"
        else "<tr><th>metric</th><th>mean</th><th>n</th></tr>"
    )
    return f"<h2>{escape(name)}</h2><table>{head}{''.join(rows)}</table>"


def _values(items: Sequence[Mapping[str, Any]], metric: str) -> list[float]:
    return [v for item in items if (v := item["metrics"].get(metric)) is not None]


def render_report(doc: Mapping[str, Any]) -> str:
    items: Sequence[Mapping[str, Any]] = doc["items"]
    agg = doc["aggregate"]
    router = agg["router"]
    accuracy = router["accuracy"]
    judge_charts = "".join(
        _histogram(f"judge {d}", _values(items, f"judge.{d}"), bins=[0.5, 1.5, 2.5, 3.5, 4.5, 5.5])
        for d in ("quality", "groundedness", "coherence", "style")
    )
    grounded_charts = _histogram("grounded supported", _values(items, "grounded.supported"), 10)
    latency_charts = "".join(
        _histogram(f"{k} (ms)", _values(items, f"latency.{k}"))
        for k in ("ttft_ms", "tbt_p50_ms", "total_ms")
    )
    problems = []
    for item in items:
        unsupported = item.get("notes", {}).get("unsupported") or []
        if item.get("error") or unsupported or item["metrics"].get("router.correct") == 0:
            problems.append(
                f"<tr><td>{escape(item['id'])}</td><td>{escape(item['question'])}</td>"
                f"<td>{escape(str(item.get('agent')))} / {escape(item['agent_expected'])}</td>"
                f"<td class='bad'>{escape(item.get('error') or ', '.join(unsupported))}</td></tr>"
            )
    shown_accuracy = "—" if accuracy is None else f"{accuracy:.3f}"
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>careerpilot evaluation: {escape(doc["suite"])}</title><style>{_STYLE}</style></head><body>
<h1>Evaluation: suite <code>{escape(doc["suite"])}</code></h1>
<p class="muted">{len(items)} cases · model {escape(str(doc.get("model")))} ·
judge {escape(str(doc.get("judge")))} · {escape(doc["created"])}</p>
<h2>router</h2><p>accuracy <strong>{shown_accuracy}</strong> (n={router["n"]})</p>
{_confusion(router)}
<h2>judge scores</h2><div class="charts">{judge_charts}</div>
{_family_table("judge", agg["judge"])}
<h2>groundedness</h2><div class="charts">{grounded_charts}</div>
{_family_table("grounded", agg["grounded"])}
{_family_table("schema", agg["schema"])}
<h2>latency</h2><div class="charts">{latency_charts}</div>
{_family_table("latency", agg["latency"])}
<h2>items to look at</h2>
<table><tr><th>id</th><th>question</th><th>routed / expected</th><th>problem</th></tr>
{"".join(problems) or "<tr><td colspan=4>none</td></tr>"}</table>
</body></html>
"""
