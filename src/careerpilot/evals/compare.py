"""Compare two evaluation runs, and gate a run against a baseline, on noise-aware statistics.

``compare``: for every item metric both runs have, the paired bootstrap interval of the mean
change (current − baseline) over the items both runs scored, and the items that got worse.

``gate``: fails only on what is unlikely to be noise:

* a metric whose interval lies entirely on the worse side of zero (95% by default); metrics in
  ``router``, ``schema``, ``grounded`` and ``judge`` are gated, latency is reported only (it
  depends on the machine);
* a judge metric counts by how far the judge can be trusted: its agreement with human labels
  (Cohen's kappa from annotation, ``--agreement``) must reach ``MIN_JUDGE_AGREEMENT``, otherwise
  its regression is a warning; without agreement figures every judge metric only warns;
* any regression on an item marked ``critical`` fails, however small the run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from careerpilot.evals.stats import Interval, paired_bootstrap

__all__ = ["Change", "GateResult", "compare", "gate", "lower_is_better"]

GATED_FAMILIES = ("router", "schema", "grounded", "judge")
MIN_JUDGE_AGREEMENT = 0.4
_LOWER_IS_BETTER = ("grounded.unsupported", "schema.unexpected_skills", "judge.rai_violation")
# An item regressed when a metric moved this far the wrong way (on its own scale).
_ITEM_THRESHOLD = {"judge": 1.0}
_DEFAULT_THRESHOLD = 0.25


def lower_is_better(metric: str) -> bool:
    return (
        metric.startswith("latency.") or metric in _LOWER_IS_BETTER or metric.endswith("unparsed")
    )


@dataclass
class Change:
    metric: str
    interval: Interval
    baseline_mean: float
    current_mean: float
    regressed_items: list[str] = field(default_factory=list)

    @property
    def worse(self) -> bool:
        """The whole interval is on the worse side of zero."""
        i = self.interval
        return i.low > 0 if lower_is_better(self.metric) else i.high < 0


def _by_id(doc: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in doc["items"]}


def _item_worse(metric: str, before: float, after: float) -> bool:
    threshold = _ITEM_THRESHOLD.get(metric.split(".")[0], _DEFAULT_THRESHOLD)
    delta = after - before
    return delta >= threshold if lower_is_better(metric) else delta <= -threshold


def compare(
    baseline: Mapping[str, Any], current: Mapping[str, Any], *, seed: int = 0
) -> list[Change]:
    before, after = _by_id(baseline), _by_id(current)
    shared = [i for i in before if i in after]
    metrics = sorted(
        {m for i in shared for m in before[i]["metrics"]}
        & {m for i in shared for m in after[i]["metrics"]}
    )
    changes: list[Change] = []
    for metric in metrics:
        pairs = [
            (b, a, item)
            for item in shared
            if (b := before[item]["metrics"].get(metric)) is not None
            and (a := after[item]["metrics"].get(metric)) is not None
        ]
        if not pairs:
            continue
        b_values = [p[0] for p in pairs]
        a_values = [p[1] for p in pairs]
        interval = paired_bootstrap(b_values, a_values, seed=seed)
        changes.append(
            Change(
                metric,
                interval,
                sum(b_values) / len(b_values),
                sum(a_values) / len(a_values),
                [item for b, a, item in pairs if _item_worse(metric, b, a)],
            )
        )
    return changes


@dataclass
class GateResult:
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def gate(
    baseline: Mapping[str, Any],
    current: Mapping[str, Any],
    *,
    agreement: Mapping[str, float] | None = None,
) -> GateResult:
    """``agreement``: judge dimension (``quality``...) → Cohen's kappa with human labels."""
    result = GateResult(changes=compare(baseline, current))
    critical = {item["id"] for item in current["items"] if item.get("critical")}
    for change in result.changes:
        family = change.metric.split(".")[0]
        i = change.interval
        line = (
            f"{change.metric}: {change.baseline_mean:.3f} -> {change.current_mean:.3f} "
            f"(change {i.mean:+.3f}, 95% CI [{i.low:+.3f}, {i.high:+.3f}], n={i.n})"
        )
        hurt = [item for item in change.regressed_items if item in critical]
        if hurt and family in GATED_FAMILIES and family != "judge":
            result.failures.append(f"critical items regressed on {change.metric}: {hurt}")
        if not change.worse:
            continue
        if family not in GATED_FAMILIES:
            result.warnings.append(f"{line} [not gated]")
        elif family == "judge":
            kappa = (agreement or {}).get(change.metric.split(".", 1)[1])
            if kappa is not None and kappa >= MIN_JUDGE_AGREEMENT:
                result.failures.append(f"{line} [judge agrees with humans: kappa {kappa:.2f}]")
            else:
                shown = "unknown" if kappa is None else f"{kappa:.2f}"
                result.warnings.append(f"{line} [judge-human kappa {shown}: warning only]")
        else:
            result.failures.append(line)
    for item in current["items"]:
        if item["id"] in critical and item.get("error"):
            result.failures.append(f"critical item {item['id']} failed: {item['error']}")
    return result
