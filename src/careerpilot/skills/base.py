"""Skills: typed, described, timed wrappers over the APIs an agent may call.

To write a skill, subclass ``Skill`` with a ``name``, an LLM-facing ``description``, Pydantic
``input_model`` and ``output_model``, and implement ``run``. Callers use ``invoke``, which validates
arguments, applies the skill's timeout and retries what is retryable, and turns every failure
into a ``SkillError`` (or ``NotFoundError`` for an id that does not exist).
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from careerpilot.errors import NotFoundError, SkillError

__all__ = ["Skill", "SkillRegistry"]

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
