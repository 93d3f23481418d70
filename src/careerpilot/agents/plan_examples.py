"""The bundled planning examples (until the example store picks them by similarity)."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

from careerpilot.agents.planning import Plan, PlanExample

__all__ = ["bundled_plan_examples"]


@cache
def bundled_plan_examples() -> tuple[PlanExample, ...]:
    raw = yaml.safe_load(
        resources.files("careerpilot.agents").joinpath("data/plan_examples.yaml").read_text()
    )
    return tuple(
        PlanExample(question=item["question"], plan=Plan.model_validate(item["plan"]))
        for item in raw
    )
