"""Evaluators: each looks at one case's run and returns its metrics, named ``family.metric``.

``Evaluator`` is the extension point: one async ``evaluate(run)`` returning a flat dict of
numbers (``None`` when the metric does not apply to the case). The families are:

* ``router``: did the expected agent answer (``router.correct``);
* ``schema``: the planner's output was schema-valid at once / after repair, and the skill calls
  made match the expected ones (``schema.skills_recall``, ``schema.calls_correct``);
* ``grounded``: every number, skill, title and proper name the answer states is found in the
  turn's skill outputs or question (``grounded.supported``; the unsupported claims are listed),
  and the reference facts are stated (``grounded.facts``, ``grounded.facts_in_text``);
* ``latency``: TTFT, TBT and stage durations from the turn's ``done`` timings;
* ``judge``: an LLM's rubric scores (``careerpilot.evals.judge``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

from careerpilot.evals.cases import Case, ExpectedCall
from careerpilot.network.taxonomy import all_skills

__all__ = [
    "CaseRun",
    "Evaluator",
    "GroundedEvaluator",
    "LatencyEvaluator",
    "Metrics",
    "RouterEvaluator",
    "SchemaEvaluator",
    "claims",
    "default_evaluators",
]

Metrics = dict[str, float | None]


@dataclass
class CaseRun:
    """What running a case produced (its last turn), as stored in results and the cache."""

    case: Case
    agent: str | None = None
    text: str = ""
    components: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    skills: list[dict[str, Any]] = field(default_factory=list)  # skill, args, output, error
    plan: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    usage: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    notes: dict[str, Any] = field(default_factory=dict)  # evaluators' details (unsupported...)

    @property
    def answer(self) -> str:
        """The text and every component's text: what the member was shown."""
        shown = [self.text, *(str(c.get("text", "")) for c in self.components)]
        return "\n".join(part for part in shown if part)


class Evaluator(Protocol):
    async def evaluate(self, run: CaseRun) -> Metrics: ...


class RouterEvaluator:
    async def evaluate(self, run: CaseRun) -> Metrics:
        return {"router.correct": float(run.agent == run.case.agent)}


def _matches(expected: ExpectedCall, made: dict[str, Any]) -> bool:
    if made.get("skill") != expected.skill:
        return False
    args = made.get("args") or {}
    return all(args.get(key) == value for key, value in expected.args.items())


class SchemaEvaluator:
    async def evaluate(self, run: CaseRun) -> Metrics:
        case = run.case
        made = {s["skill"] for s in run.skills}
        metrics: Metrics = {
            "schema.skills_recall": (
                len(made & set(case.skills)) / len(case.skills) if case.skills else None
            ),
            "schema.unexpected_skills": float(len(made - set(case.skills))),
            "schema.calls_correct": (
                sum(any(_matches(c, s) for s in run.skills) for c in case.calls) / len(case.calls)
                if case.calls
                else None
            ),
        }
        plans = run.plan.get("plans", 0)
        if plans:
            metrics["schema.valid_first"] = float(run.plan.get("schema_errors", 0) == 0)
            metrics["schema.valid_after_repair"] = float(run.plan.get("fallbacks", 0) == 0)
        else:
            metrics["schema.valid_first"] = metrics["schema.valid_after_repair"] = None
        return metrics


_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?%?")
_PROPER = re.compile(r"\b[A-Z][\w'-]*(?:(?:\s+(?:&|of)\s+|\s+)[A-Z][\w'-]*)*")
# Capitalised words that are not claims about the data.
_COMMON = frozenset(
    (  # noqa: SIM905 (a word list reads better as text)
        "I I'm I've You Your The This That These Those It Its A An And But Or If In On At For To "
        "With As By From Of Focus Next Start Try Also However Here There Yes No Based Since "
        "Consider Learn Build Apply Keep Good Great Overall Finally First Then Many Most Some "
        "Each Every Other Both Such What When Where Which Who Why How We They He She My Our"
    ).split()
)


@cache
def _skill_pattern() -> re.Pattern[str]:
    names = sorted(all_skills(), key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b", re.IGNORECASE)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace(",", "")).strip().lower()


def claims(text: str) -> list[str]:
    """What an answer states that the data must back: numbers, skills and proper names."""
    found: list[str] = []
    for match in _NUMBER.finditer(text):
        found.append(match.group(0).rstrip("%"))
    for match in _skill_pattern().finditer(text):
        found.append(match.group(0))
    for match in _PROPER.finditer(text):
        words = [w for w in match.group(0).split() if w not in _COMMON]
        if words:
            found.append(" ".join(words))
    return list(dict.fromkeys(found))


def evidence(run: CaseRun) -> str:
    """Everything a grounded answer may draw on: skill outputs and the question."""
    parts = [json.dumps(s.get("output"), ensure_ascii=False) for s in run.skills]
    parts += [t.text for t in run.case.turns]
    parts += [json.dumps(c, ensure_ascii=False) for c in run.components]
    return _norm("\n".join(parts))


class GroundedEvaluator:
    async def evaluate(self, run: CaseRun) -> Metrics:
        stated = claims(run.text)
        source = evidence(run)
        unsupported = [c for c in stated if _norm(c) not in source]
        run.notes["unsupported"] = unsupported
        facts = run.case.facts
        answer, text = _norm(run.answer), _norm(run.text)
        return {
            "grounded.supported": (1 - len(unsupported) / len(stated)) if stated else None,
            "grounded.unsupported": float(len(unsupported)),
            "grounded.facts": (
                sum(_norm(f) in answer for f in facts) / len(facts) if facts else None
            ),
            "grounded.facts_in_text": (
                sum(_norm(f) in text for f in facts) / len(facts) if facts else None
            ),
        }


LATENCY_KEYS = ("ttft_ms", "tbt_p50_ms", "tbt_p99_ms", "first_component_ms", "total_ms")


class LatencyEvaluator:
    async def evaluate(self, run: CaseRun) -> Metrics:
        metrics: Metrics = {f"latency.{k}": run.timings.get(k) for k in LATENCY_KEYS}
        for key, value in run.timings.items():
            if key.endswith("_ms") and key not in LATENCY_KEYS:
                metrics[f"latency.stage.{key}"] = value
        return metrics


def default_evaluators() -> list[Evaluator]:
    """Every automatic evaluator (the judge is added by the runner when configured)."""
    return [RouterEvaluator(), SchemaEvaluator(), GroundedEvaluator(), LatencyEvaluator()]
