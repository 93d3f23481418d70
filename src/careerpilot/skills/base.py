"""Skills: typed, described, timed wrappers over the APIs an agent may call.

To write a skill, subclass ``Skill`` with a ``name``, an LLM-facing ``description``, Pydantic
``input_model`` and ``output_model``, and implement ``run``. Callers use ``invoke``, which validates
arguments, applies the skill's timeout and retries what is retryable, and turns every failure
into a ``SkillError`` (or ``NotFoundError`` for an id that does not exist).
"""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any, ClassVar, Generic, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from careerpilot.errors import NotFoundError, SkillError
from careerpilot.pipeline.trace import SkillTrace, current_trace

__all__ = ["Skill", "SkillRegistry", "describe_args"]

In = TypeVar("In", bound=BaseModel)
Out = TypeVar("Out", bound=BaseModel)


class Skill(ABC, Generic[In, Out]):
    name: ClassVar[str]
    description: ClassVar[str]
    input_model: ClassVar[type[BaseModel]]
    output_model: ClassVar[type[BaseModel]]
    timeout_s: float = 5.0
    retries: int = 1

    @abstractmethod
    async def run(self, args: In) -> Out:
        """Do the work; raise ``SkillError`` (retryable or not) or ``NotFoundError``."""

    async def invoke(self, args: In | dict[str, Any]) -> Out:
        trace = current_trace()
        if trace is None:
            return await self._invoke(args)
        record = SkillTrace(self.name, args.model_dump() if isinstance(args, BaseModel) else args)
        trace.skills.append(record)
        start = time.perf_counter()
        try:
            result = await self._invoke(args)
        except Exception as exc:
            record.error = str(exc)
            raise
        finally:
            record.ms = (time.perf_counter() - start) * 1000
        record.output = result.model_dump(mode="json") if isinstance(result, BaseModel) else result
        return result

    async def _invoke(self, args: In | dict[str, Any]) -> Out:
        try:
            parsed = args if isinstance(args, BaseModel) else self.input_model.model_validate(args)
        except ValidationError as exc:
            raise SkillError(self.name, f"invalid arguments: {exc}", retryable=False) from exc
        attempt = 0
        while True:
            try:
                async with asyncio.timeout(self.timeout_s):
                    return await self.run(parsed)  # type: ignore[arg-type]
            except NotFoundError:
                raise
            except TimeoutError as exc:
                error = SkillError(self.name, f"timed out after {self.timeout_s:g} s")
                error.__cause__ = exc
            except SkillError as exc:
                error = exc
            if not error.retryable or attempt >= self.retries:
                raise error
            attempt += 1
            await asyncio.sleep(0.05 * attempt)


class SkillRegistry:
    """Skills by name, so that agents (and, later, LLM plans) can look them up."""

    def __init__(self) -> None:
        self._skills: dict[str, Skill[Any, Any]] = {}

    def register(self, skill: Skill[Any, Any]) -> None:
        if skill.name in self._skills:
            raise ValueError(f"a skill named {skill.name!r} is already registered")
        self._skills[skill.name] = skill

    def get(self, name: str) -> Skill[Any, Any]:
        try:
            return self._skills[name]
        except KeyError:
            raise SkillError(
                name, f"no such skill; known: {', '.join(self.names())}", retryable=False
            ) from None

    def names(self) -> list[str]:
        return sorted(self._skills)

    def describe(self, names: Iterable[str] | None = None) -> str:
        """The skills' descriptions and arguments as compact YAML, for planning prompts."""
        chosen = [self.get(n) for n in (names if names is not None else self.names())]
        entries = [
            {"name": s.name, "does": s.description, "args": describe_args(s.input_model)}
            for s in chosen
        ]
        text: str = yaml.safe_dump(entries, sort_keys=False, width=100, allow_unicode=True)
        return text


def _type_label(schema: dict[str, Any], defs: dict[str, Any]) -> str:
    ref = schema.get("$ref")
    if isinstance(ref, str):
        schema = defs.get(ref.rsplit("/", 1)[-1], {})
    if "enum" in schema:
        return "|".join(str(v) for v in schema["enum"])
    if "const" in schema:
        return str(schema["const"])
    variants = schema.get("anyOf")
    if variants:
        return " or ".join(_type_label(v, defs) for v in variants if v.get("type") != "null")
    kind = str(schema.get("type", "any"))
    if kind == "array":
        return f"list of {_type_label(schema.get('items', {}), defs)}"
    if schema.get("format") in ("date", "date-time"):
        return str(schema["format"])
    return {"string": "text", "integer": "int", "boolean": "bool", "number": "number"}.get(
        kind, kind
    )


def describe_args(model: type[BaseModel]) -> dict[str, str]:
    """``{arg: "type, required|default X — description"}``: what a planner needs, no more."""
    schema = model.model_json_schema()
    defs = schema.get("$defs", {})
    required = set(schema.get("required", []))
    out: dict[str, str] = {}
    for name, prop in schema.get("properties", {}).items():
        label = _type_label(prop, defs)
        if name in required:
            label += ", required"
        elif prop.get("default") is not None:
            label += f", default {prop['default']}"
        if prop.get("description"):
            label += f" — {prop['description']}"
        out[name] = label
    return out
