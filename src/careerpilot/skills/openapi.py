"""Skills made from OpenAPI operations: any HTTP API a team already documents becomes a skill.

``skill_from_openapi(spec, operation_id, api)`` reads the operation's path and query parameters
into a Pydantic input model (types, enums, bounds, defaults, descriptions) and returns a
``Skill`` whose ``run`` calls the operation. The output is validated against ``output_model``
when one is given (the typed view agents rely on), else passed through as JSON.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, create_model

from careerpilot.skills.base import Skill
from careerpilot.skills.http import NetworkApi

__all__ = ["JsonResult", "OpenApiSkill", "input_model_from_operation", "skill_from_openapi"]


class JsonResult(RootModel[Any]):
    """Output of an operation with no typed model: the JSON as the API sent it."""


class OpenApiSkill(Skill[BaseModel, BaseModel]):
    """Base of generated skills; subclasses carry the operation in class attributes."""

    method: ClassVar[str]
    path: ClassVar[str]
    path_params: ClassVar[frozenset[str]]

    def __init__(self, api: NetworkApi) -> None:
        self.api = api

    async def run(self, args: BaseModel) -> BaseModel:
        values = args.model_dump(mode="json", exclude_none=True)
        path = self.path.format(**{k: values.pop(k) for k in self.path_params})
        data = await self.api.get(self.name, path, params=values or None)
        return self.output_model.model_validate(data)


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        node: Any = spec
        for part in ref[2:].split("/"):
            node = node[part]
        return dict(node)
    return schema


def _python_type(spec: dict[str, Any], schema: dict[str, Any]) -> tuple[Any, bool]:
    """The Python type for a JSON schema, and whether it admits null."""
    schema = _resolve(spec, schema)
    variants = schema.get("anyOf") or schema.get("oneOf")
    if variants:
        nullable = any(v.get("type") == "null" for v in variants)
        rest = [v for v in variants if v.get("type") != "null"]
        inner, _ = _python_type(spec, rest[0]) if len(rest) == 1 else (Any, False)
        return inner, nullable
    if "enum" in schema:
        return Literal[tuple(schema["enum"])], False
    kind = schema.get("type")
    if kind == "integer":
        return int, False
    if kind == "number":
        return float, False
    if kind == "boolean":
        return bool, False
    if kind == "array":
        item, _ = _python_type(spec, schema.get("items", {}))
        return list[item], False  # type: ignore[valid-type]
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date":
            return dt.date, False
        if fmt == "date-time":
            return dt.datetime, False
        return str, False
    return Any, False


def _bounds(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """Numeric and length limits, wherever they sit in an anyOf."""
    out: dict[str, Any] = {}
    for node in [schema, *(schema.get("anyOf") or [])]:
        node = _resolve(spec, node)
        for key, name in (
            ("minimum", "ge"),
            ("maximum", "le"),
            ("minLength", "min_length"),
            ("maxLength", "max_length"),
        ):
            if key in node:
                out[name] = node[key]
    return out


def input_model_from_operation(
    spec: dict[str, Any], operation: dict[str, Any], model_name: str
) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for raw in operation.get("parameters", []):
        param = _resolve(spec, raw)
        if param.get("in") not in ("path", "query"):
            continue
        schema = param.get("schema", {})
        annotation, nullable = _python_type(spec, schema)
        required = bool(param.get("required")) or param.get("in") == "path"
        description = param.get("description") or schema.get("description")
        if required:
            default: Any = ...
        elif "default" in schema:
            default = schema["default"]
        else:
            default = None
            nullable = True
        if nullable:
            annotation = annotation | None
        fields[param["name"]] = (
            annotation,
            Field(default, description=description, **_bounds(spec, schema)),
        )
    config = ConfigDict(extra="forbid")
    model: type[BaseModel] = create_model(model_name, __config__=config, **fields)
    return model


def skill_from_openapi(
    spec: dict[str, Any],
    operation_id: str,
    api: NetworkApi,
    *,
    name: str | None = None,
    description: str | None = None,
    output_model: type[BaseModel] | None = None,
    timeout_s: float = 5.0,
    retries: int = 1,
) -> OpenApiSkill:
    """A skill that calls one GET operation of ``spec``; ``description`` overrides a thin one."""
    for path, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                if method.lower() != "get":
                    raise ValueError(f"{operation_id}: only GET operations become skills")
                skill_name = name or operation_id
                text = description or operation.get("description") or operation.get("summary")
                if not text:
                    raise ValueError(f"{operation_id} has no description: pass one")
                cls = type(
                    f"{''.join(p.title() for p in skill_name.split('_'))}Skill",
                    (OpenApiSkill,),
                    {
                        "name": skill_name,
                        "description": text,
                        "input_model": input_model_from_operation(
                            spec, operation, f"{skill_name.title().replace('_', '')}Args"
                        ),
                        "output_model": output_model or JsonResult,
                        "method": "GET",
                        "path": path,
                        "path_params": frozenset(
                            _resolve(spec, p)["name"]
                            for p in operation.get("parameters", [])
                            if _resolve(spec, p).get("in") == "path"
                        ),
                        "timeout_s": timeout_s,
                        "retries": retries,
                    },
                )
                skill: OpenApiSkill = cls(api)
                return skill
    raise ValueError(f"no operation {operation_id!r} in the OpenAPI spec")
