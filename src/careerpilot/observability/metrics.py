"""Prometheus metrics, in one ``CollectorRegistry`` per app (never the global one).

Label values are bounded sets (agents, outcomes, stages, skills, error codes, endpoints,
backends): never a member, a conversation or a path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import generate_latest
from prometheus_client.metrics_core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector

from careerpilot.agents.plan_metrics import PLAN_COUNTERS

__all__ = ["CONTENT_TYPE_LATEST", "Metrics", "PlanCollector"]

TTFT_BUCKETS = (0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 7.5, 10, 15, 30)
TBT_BUCKETS = (0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1)
STAGE_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30)

# PlanMetrics counter -> (metric name without _total, help)
_PLAN_METRICS = {
    "plans": ("careerpilot_plans", "Plans the planner produced"),
    "schema_errors": ("careerpilot_schema_errors", "Plans that failed their JSON schema"),
    "repairs": ("careerpilot_repairs", "Plans the defensive parser repaired"),
    "reasks": ("careerpilot_plan_reasks", "Re-asks after an invalid plan"),
    "fallbacks": ("careerpilot_plan_fallbacks", "Plans replaced by the agent's fallback plan"),
    "steps_started_in_stream": (
        "careerpilot_plan_steps_streamed",
        "Plan steps started while the plan was still streaming",
    ),
}
assert set(_PLAN_METRICS) == set(PLAN_COUNTERS)


class PlanCollector(Collector):
    """The planners' own counters (``PlanMetrics.snapshot``, summed per backend), read at
    scrape time: schema errors, repairs, re-asks and planner fallbacks."""

    def __init__(self, snapshots: Callable[[], Iterable[Mapping[str, Mapping[str, int]]]]) -> None:
        self._snapshots = snapshots

    def collect(self) -> Iterator[Metric]:
        totals: dict[str, dict[str, int]] = {}
        for snapshot in self._snapshots():
            for backend, counts in snapshot.items():
                mine = totals.setdefault(backend, dict.fromkeys(PLAN_COUNTERS, 0))
                for counter, n in counts.items():
                    mine[counter] = mine.get(counter, 0) + n
        for counter, (name, doc) in _PLAN_METRICS.items():
            family = CounterMetricFamily(name, doc, labels=["backend"])
            for backend, counts in sorted(totals.items()):
                family.add_metric([backend], counts.get(counter, 0))
            yield family


class Metrics:
    def __init__(self) -> None:
        r = self.registry = CollectorRegistry()
        self.turns = Counter(
            "careerpilot_turns", "Turns by agent and outcome", ["agent", "outcome"], registry=r
        )
        self.turn_errors = Counter(
            "careerpilot_turn_errors", "Turns that ended with an error event", ["code"], registry=r
        )
        self.ttft = Histogram(
            "careerpilot_ttft_seconds",
            "Time to the first generated token",
            ["agent"],
            buckets=TTFT_BUCKETS,
            registry=r,
        )
        self.tbt = Histogram(
            "careerpilot_tbt_seconds",
            "Time between generated tokens (every gap of every turn)",
            ["agent"],
            buckets=TBT_BUCKETS,
            registry=r,
        )
        self.stage = Histogram(
            "careerpilot_stage_seconds",
            "Time a turn spent in each stage",
            ["stage"],
            buckets=STAGE_BUCKETS,
            registry=r,
        )
        self.turn_duration = Histogram(
            "careerpilot_turn_seconds",
            "Whole turns, from the question to done or error",
            ["agent"],
            buckets=STAGE_BUCKETS,
            registry=r,
        )
        self.prompt_tokens = Counter(
            "careerpilot_prompt_tokens", "Prompt tokens", ["agent"], registry=r
        )
        self.completion_tokens = Counter(
            "careerpilot_completion_tokens", "Completion tokens", ["agent"], registry=r
        )
        self.cost = Counter(
            "careerpilot_cost_usd", "LLM cost in US dollars", ["endpoint"], registry=r
        )
        self.skill_errors = Counter(
            "careerpilot_skill_errors", "Skill calls that failed", ["skill"], registry=r
        )
        self.route_fallbacks = Counter(
            "careerpilot_route_fallbacks",
            "Turns the LLM route fallback routed (the classifier was unsure)",
            ["agent"],
            registry=r,
        )

        self.endpoint_fallbacks = Counter(
            "careerpilot_llm_fallbacks",
            "LLM requests an endpoint passed on to the next of its chain, and why",
            ["endpoint", "reason"],
            registry=r,
        )
        self.endpoint_tokens = Counter(
            "careerpilot_llm_tokens",
            "Tokens each LLM endpoint processed (every task: planner, narration, router)",
            ["endpoint", "kind"],
            registry=r,
        )

    def record_cost(self, endpoint: str, usd: float) -> None:
        """Add what a call to ``endpoint`` cost (the endpoint pool calls this)."""
        if usd > 0:
            self.cost.labels(endpoint=endpoint).inc(usd)

    def add_plan_source(
        self, snapshots: Callable[[], Iterable[Mapping[str, Mapping[str, int]]]]
    ) -> None:
        """Export planner counters read from ``snapshots()`` at each scrape."""
        self.registry.register(PlanCollector(snapshots))

    def render(self) -> bytes:
        """The text exposition format (``CONTENT_TYPE_LATEST``)."""
        return generate_latest(self.registry)
