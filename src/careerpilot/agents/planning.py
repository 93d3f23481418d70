"""LLM planning: the model writes which skills to call; careerpilot never trusts it raw.

A plan is a short thought and a list of steps (a skill name and its arguments). The planner
asks for it with constrained decoding where the backend offers it (a JSON schema that allows
only the agent's skills with their own argument schemas), starts each skill the moment its step
is complete in the stream, parses the whole plan defensively, validates every step against the
skill's input model, re-asks once showing what was wrong, and otherwise falls back to the
agent's deterministic plan. Schema errors, repairs, re-asks and fallbacks are counted per
backend.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncGenerator, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Any, Literal, Union

from pydantic import BaseModel, Field, create_model

from careerpilot.agents.base import SkillCall, TurnContext
from careerpilot.agents.plan_metrics import PlanMetrics
from careerpilot.agents.plan_stream import JsonStepScanner
from careerpilot.errors import CareerpilotError
from careerpilot.llm.base import ChatMessage, GenerationOptions
from careerpilot.parsing import ParseError, parse
from careerpilot.pipeline.events import StatusEvent
from careerpilot.skills.base import SkillRegistry

__all__ = [
    "Plan",
    "PlanExample",
    "PlanOutcome",
    "PlanStep",
    "Planner",
    "StepOutcome",
    "plan_json_schema",
]

PLANNER_SYSTEM = (
    "You plan which skills to call to answer a member's question. Reply with a plan only: "
    "a short thought and the steps, each a skill name and its args. Use only these skills "
    "and only the args they list.\nSkills:\n"
)


class PlanStep(BaseModel):
    # Both required: a step that writes its arguments beside ``skill`` (not under ``args``),
    # or a plan with a thought and no ``steps`` key, is refused and re-asked, not half-read.
    skill: str
    args: dict[str, Any]


class Plan(BaseModel):
    thought: str = ""
    steps: list[PlanStep]


@dataclass(frozen=True, slots=True)
class PlanExample:
    question: str
    plan: Plan


@dataclass(slots=True)
class StepOutcome:
    call: SkillCall
    output: Any = None
    error: CareerpilotError | None = None


@dataclass(slots=True)
class PlanOutcome:
    plan: Plan
    source: Literal["llm", "reask", "fallback"]
    steps: list[StepOutcome]
    repairs: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def plan_json_schema(
    registry: SkillRegistry, names: Sequence[str], max_steps: int
) -> dict[str, Any]:
    """A schema that admits only these skills, each with its own argument schema."""
    variants = []
    for name in names:
        args = registry.get(name).input_model.model_json_schema()
        args.pop("title", None)
        variants.append(
            {
                "type": "object",
                "properties": {"skill": {"const": name}, "args": args},
                "required": ["skill", "args"],
            }
        )
    return {
        "type": "object",
        "properties": {
            "thought": {"type": "string", "maxLength": 160},
            "steps": {"type": "array", "items": {"anyOf": variants}, "maxItems": max_steps},
        },
        "required": ["thought", "steps"],
    }


def typed_step_models(registry: SkillRegistry, names: Sequence[str]) -> dict[str, type[BaseModel]]:
    """One step model per skill, ``skill`` a literal and ``args`` the skill's input model, so the
    defensive parser coerces each step's arguments by that skill's own schema."""
    models: dict[str, type[BaseModel]] = {}
    for name in names:
        args_model = registry.get(name).input_model
        args_field: Any = (args_model, ...)
        skill_field: Any = (Literal[name], ...)
        models[name] = create_model(
            f"{name.title().replace('_', '')}Step", skill=skill_field, args=args_field
        )
    return models


def typed_plan_model(steps: dict[str, type[BaseModel]], max_steps: int) -> type[BaseModel]:
    union: Any = Union[tuple(steps.values())]  # noqa: UP007 - built at run time
    model: type[BaseModel] = create_model(
        "TypedPlan",
        thought=(str, ""),
        steps=(list[union], Field(max_length=max_steps)),
    )
    return model


def _key(call: SkillCall) -> str:
    return f"{call.skill}:{json.dumps(dict(call.args), sort_keys=True, default=str)}"


class Planner:
    def __init__(self, metrics: PlanMetrics | None = None, max_steps: int = 4) -> None:
        self.metrics = metrics or PlanMetrics()
        self.max_steps = max_steps

    def messages(
        self,
        registry: SkillRegistry,
        skills: Sequence[str],
        request: str,
        examples: Sequence[PlanExample],
    ) -> list[ChatMessage]:
        # Static first (instructions, skills, examples), the turn's request last: prefix caches.
        out = [ChatMessage("system", PLANNER_SYSTEM + registry.describe(skills))]
        for example in examples:
            out.append(ChatMessage("user", example.question))
            out.append(ChatMessage("assistant", example.plan.model_dump_json()))
        out.append(ChatMessage("user", request))
        return out

    @staticmethod
    def _step_call(text: str, step_models: dict[str, type[BaseModel]]) -> SkillCall | None:
        """The call of one streamed step, or None when it is not (yet) usable."""
        try:
            loose = parse(text, PlanStep).value
            model = step_models.get(loose.skill)
            if model is None:
                return None
            return _call(parse(text, model).value)
        except ParseError:
            return None

    async def run(
        self,
        turn: TurnContext,
        *,
        skills: Sequence[str],
        request: str,
        examples: Sequence[PlanExample] = (),
        fallback: Callable[[], list[SkillCall]],
    ) -> AsyncGenerator[StatusEvent | PlanOutcome, None]:
        """Plan, run the steps as they complete, and finish with one ``PlanOutcome``."""
        registry = turn.skills
        model = turn.planner_model or turn.model
        backend = model.name
        schema = plan_json_schema(registry, skills, self.max_steps)
        options = GenerationOptions(
            max_tokens=60 + 60 * self.max_steps,
            temperature=0.0,
            seed=turn.generation.seed,
            json_schema=schema,
        )
        messages = self.messages(registry, skills, request, examples)
        step_models = typed_step_models(registry, skills)
        plan_model = typed_plan_model(step_models, self.max_steps)
        running: dict[str, asyncio.Task[Any]] = {}
        durations_ms: dict[str, float] = {}  # each call's own time, whenever it started
        self.metrics.incr(backend, "plans")

        async def timed(key: str, call: SkillCall) -> Any:
            started = time.perf_counter()
            try:
                return await registry.get(call.skill).invoke(dict(call.args))
            finally:
                durations_ms[key] = round((time.perf_counter() - started) * 1000, 2)

        def start(call: SkillCall) -> StatusEvent | None:
            key = _key(call)
            if key in running:
                return None
            running[key] = asyncio.create_task(timed(key, call))
            return StatusEvent(stage="skill", state="started", skill=call.skill)

        final: list[SkillCall] = []
        source: Literal["llm", "reask", "fallback"] = "fallback"
        plan = Plan(steps=[])
        repairs: list[str] = []
        problems: list[str] = []
        try:
            for attempt in (1, 2):
                scanner = JsonStepScanner()
                with turn.timer.stage("planning"):
                    async with aclosing(model.stream(messages, options)) as stream:  # type: ignore[type-var]
                        async for chunk in stream:
                            if chunk.usage is not None:
                                turn.usage.add(chunk.usage)
                            for step_text in scanner.feed(chunk.delta):
                                call = self._step_call(step_text, step_models)
                                if call is None:
                                    continue  # judged again with the whole plan below
                                event = start(call)
                                if event is not None:
                                    self.metrics.incr(backend, "steps_started_in_stream")
                                    yield event
                problems, calls, repairs, plan = self._judge(scanner.text, plan_model, skills)
                if repairs:
                    self.metrics.incr(backend, "repairs")
                if not problems:
                    final, source = calls, ("llm" if attempt == 1 else "reask")
                    break
                self.metrics.incr(backend, "schema_errors")
                if attempt == 1:
                    self.metrics.incr(backend, "reasks")
                    messages = [
                        *messages,
                        ChatMessage("assistant", scanner.text),
                        ChatMessage(
                            "user",
                            "That plan is invalid: "
                            + "; ".join(problems)
                            + ". Reply with a corrected plan only.",
                        ),
                    ]
            else:
                self.metrics.incr(backend, "fallbacks")
                final = fallback()[: self.max_steps]
                plan = Plan(
                    thought="fallback plan",
                    steps=[PlanStep(skill=c.skill, args=dict(c.args)) for c in final],
                )
            for call in final:
                event = start(call)
                if event is not None:
                    yield event
            wanted = {_key(c) for c in final}
            for key, task in running.items():
                if key not in wanted:  # started early from a plan that was then rejected
                    task.cancel()
            outcomes: list[StepOutcome] = []
            with turn.timer.stage("skills"):
                for call in final:
                    task = running[_key(call)]
                    try:
                        output = await task
                        outcomes.append(StepOutcome(call, output=output))
                        turn.skill_outputs[call.skill] = output
                        yield StatusEvent(
                            stage="skill",
                            state="finished",
                            skill=call.skill,
                            duration_ms=durations_ms.get(_key(call)),
                        )
                    except CareerpilotError as exc:
                        outcomes.append(StepOutcome(call, error=exc))
                        yield StatusEvent(
                            stage="skill",
                            state="failed",
                            skill=call.skill,
                            detail=exc.message,
                            duration_ms=durations_ms.get(_key(call)),
                        )
            yield PlanOutcome(plan, source, outcomes, repairs, problems)
        finally:
            for task in running.values():
                task.cancel()

    def _judge(
        self, text: str, plan_model: type[BaseModel], skills: Sequence[str]
    ) -> tuple[list[str], list[SkillCall], list[str], Plan]:
        """Problems with the whole plan (empty when usable), its calls, the parser's repairs."""
        try:
            parsed = parse(text, plan_model)
        except ParseError as typed_error:
            problems = list(typed_error.problems) or [typed_error.message]
            try:  # name unknown skills plainly: the re-ask must say what to change
                loose = parse(text, Plan).value
                problems = [
                    f"step {i + 1}: {s.skill!r} is not a skill you may use; use one of "
                    f"{list(skills)}"
                    for i, s in enumerate(loose.steps)
                    if s.skill not in skills
                ] or problems
            except ParseError:
                pass
            return problems, [], [], Plan(steps=[])
        steps = getattr(parsed.value, "steps", [])
        calls = [_call(step) for step in steps]
        plan = Plan(
            thought=str(getattr(parsed.value, "thought", "")),
            steps=[PlanStep(skill=c.skill, args=dict(c.args)) for c in calls],
        )
        return [], calls, list(parsed.repairs), plan


def _call(step: BaseModel) -> SkillCall:
    args: BaseModel = getattr(step, "args")  # noqa: B009 - dynamic step model
    return SkillCall(str(getattr(step, "skill")), args.model_dump(mode="json", exclude_none=True))  # noqa: B009
