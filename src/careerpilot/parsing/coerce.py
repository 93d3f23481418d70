"""Schema-directed conversion of the untyped tree into a validated Pydantic instance.

The target type decides how raw text is read (``NO`` is a string in a ``str`` field and False in
a ``bool`` one). Every repair is recorded; anything that would need a guess becomes a problem.
"""

from __future__ import annotations

import enum
import functools
import re
import types
import typing
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from careerpilot.parsing.tree import Map, Node, Scalar, Seq, normalize_key, to_plain

__all__ = [
    "CoerceFailedError",
    "Context",
    "coerce",
    "field_index",
    "is_absent",
    "lookup",
    "step_into",
]

_TRUE = frozenset({"true", "yes", "y", "on", "1"})
_FALSE = frozenset({"false", "no", "n", "off", "0"})
_NULL = frozenset({"", "null", "none", "~", "nil"})
_INT = re.compile(r"[-+]?[0-9]+")
_GROUPED_INT = re.compile(r"[-+]?[0-9]{1,3}(?:,[0-9]{3})+")
_INTEGRAL_FLOAT = re.compile(r"([-+]?[0-9]+)\.0*")
_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_LIST_SEP = re.compile(r",\s+")
_GROUPED_FLOAT = re.compile(r"[-+]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")


class CoerceFailedError(Exception):
    """A value could not be converted; the problem is already recorded."""


@dataclass(slots=True)
class Context:
    problems: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    # Streaming reuses values converted when their events fired instead of converting twice.
    use_cache: bool = False

    def fail(self, path: tuple[str | int, ...], message: str) -> CoerceFailedError:
        self.problems.append(f"{_where(path)}: {message}")
        return CoerceFailedError()

    def repair(self, path: tuple[str | int, ...], message: str) -> None:
        self.repairs.append(f"{_where(path)}: {message}")


def _where(path: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in path) or "<root>"


@functools.cache
def field_index(model: type[BaseModel]) -> dict[str, str]:
    """Normalized spelling (name, alias, squashed) -> field name."""
    index: dict[str, str] = {}
    squashed: dict[str, list[str]] = {}
    for name, info in model.model_fields.items():
        for spelling in (name, info.alias, info.validation_alias):
            if isinstance(spelling, str):
                index[normalize_key(spelling)] = name
                squashed.setdefault(normalize_key(spelling).replace("_", ""), []).append(name)
    for flat, names in squashed.items():
        if len(set(names)) == 1:
            index.setdefault(flat, names[0])
    return index


def _strip(tp: Any) -> Any:
    if isinstance(tp, type):
        return tp  # plain classes (the common case) carry no Annotated metadata
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _arms(tp: Any) -> tuple[Any, ...] | None:
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        return typing.get_args(tp)
    return None


def step_into(tp: Any, step: str | int) -> tuple[Any, str | int] | None:
    """The type one path step below ``tp`` and the step as the schema names it (for stream
    events); None when the schema has nothing there."""
    tp = _strip(tp)
    arms = _arms(tp)
    if arms is not None:
        real = [a for a in arms if a is not type(None)]
        if len(real) != 1:
            return None
        tp = _strip(real[0])
    origin = typing.get_origin(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if not isinstance(step, str):
            return None
        name = lookup(field_index(tp), step)
        return (tp.model_fields[name].annotation, name) if name else None
    if origin in (list, set, frozenset, tuple) and isinstance(step, int):
        args = typing.get_args(tp)
        return (args[0] if args else Any), step
    if origin is dict and isinstance(step, str):
        args = typing.get_args(tp)
        return (args[1] if len(args) == 2 else Any), step
    if tp is Any:
        return Any, step
    return None


def lookup(index: dict[str, str], key: str) -> str | None:
    norm = normalize_key(key)
    return index.get(norm) or index.get(norm.replace("_", ""))


def coerce(node: Node, tp: Any, path: tuple[str | int, ...], ctx: Context) -> Any:
    if ctx.use_cache and node.cache is not None and node.cache[0] == tp:
        return node.cache[1]
    value = _coerce(node, tp, path, ctx)
    if ctx.use_cache:
        node.cache = (tp, value)
    return value


def _coerce(node: Node, tp: Any, path: tuple[str | int, ...], ctx: Context) -> Any:
    tp = _strip(tp)
    if tp is Any or tp is object:
        return to_plain(node)
    arms = _arms(tp)
    if arms is not None:
        return _union(node, arms, path, ctx)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return _model(node, tp, path, ctx)
    origin = typing.get_origin(tp)
    if origin in (list, set, frozenset, tuple):
        return _sequence(node, tp, origin, path, ctx)
    if origin is dict or tp is dict:
        return _mapping(node, tp, path, ctx)
    if origin is typing.Literal:
        return _literal(node, typing.get_args(tp), path, ctx)
    if not isinstance(node, Scalar):
        if tp is str and node.source is not None:
            return node.source
        raise ctx.fail(path, f"expected a single value, got a {type(node).__name__.lower()}")
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _enum(node, tp, path, ctx)
    if tp is bool:
        return _bool(node, path, ctx)
    if tp is int:
        return _int(node, path, ctx)
    if tp is float:
        return _float(node, path, ctx)
    if tp is str:
        return _str(node)
    return node.text  # other types (dates, URLs...): Pydantic validates the text


def _is_null(node: Node) -> bool:
    return isinstance(node, Scalar) and not node.quoted and node.text.strip().lower() in _NULL


def is_absent(node: Node, tp: Any, parent: Any) -> bool:
    """A model field written with no value (``steps:``) counts as not written."""
    if not _is_null(node):
        return False
    parent = _strip(parent)
    is_model = isinstance(parent, type) and issubclass(parent, BaseModel)
    return is_model and not _accepts_none(tp)


def _accepts_none(tp: Any) -> bool:
    tp = _strip(tp)
    if tp is Any or tp is object or tp is None or tp is type(None):
        return True
    arms = _arms(tp)
    return arms is not None and any(_accepts_none(a) for a in arms)


def _union(node: Node, arms: tuple[Any, ...], path: tuple[str | int, ...], ctx: Context) -> Any:
    if type(None) in arms and _is_null(node):
        return None
    real = [a for a in arms if a is not type(None)]
    first_problems: list[str] | None = None
    for arm in real:
        trial = Context(use_cache=ctx.use_cache)
        try:
            value = coerce(node, arm, path, trial)
        except CoerceFailedError:
            first_problems = first_problems or trial.problems
            continue
        ctx.repairs.extend(trial.repairs)
        return value
    ctx.problems.extend(first_problems or [f"{_where(path)}: no type fits"])
    raise CoerceFailedError()


def _str(node: Scalar) -> str:
    # "C #1" keeps its '#'; a comment set off by two spaces is dropped even from text.
    if node.full is not None and not node.wide_comment:
        return node.full
    return node.text


def _bool(node: Scalar, path: tuple[str | int, ...], ctx: Context) -> bool:
    low = node.text.strip().lower()
    if low in _TRUE or low in _FALSE:
        if low not in ("true", "false"):
            ctx.repair(path, f"read {node.text!r} as a boolean")
        return low in _TRUE
    raise ctx.fail(path, f"{node.text!r} is not a yes/no value")


def _int(node: Scalar, path: tuple[str | int, ...], ctx: Context) -> int:
    text = node.text.strip()
    if _INT.fullmatch(text):
        return int(text)
    if _GROUPED_INT.fullmatch(text):
        ctx.repair(path, f"dropped thousands separators from {text!r}")
        return int(text.replace(",", ""))
    m = _INTEGRAL_FLOAT.fullmatch(text)
    if m:
        ctx.repair(path, f"read {text!r} as an integer")
        return int(m.group(1))
    if _NUMBER.fullmatch(text) or _GROUPED_FLOAT.fullmatch(text):
        raise ctx.fail(path, f"{text!r} is fractional; an integer is required")
    raise ctx.fail(path, f"{text!r} is not an integer")


def _float(node: Scalar, path: tuple[str | int, ...], ctx: Context) -> float:
    text = node.text.strip()
    if _NUMBER.fullmatch(text):
        return float(text)
    if _GROUPED_FLOAT.fullmatch(text):
        ctx.repair(path, f"dropped thousands separators from {text!r}")
        return float(text.replace(",", ""))
    raise ctx.fail(path, f"{text!r} is not a number")


def _canon(value: str) -> str:
    return re.sub(r"[\s\-_]+", "_", value.strip().lower())


def _enum(node: Scalar, tp: type[enum.Enum], path: tuple[str | int, ...], ctx: Context) -> Any:
    want = _canon(node.text)
    hits = {m for m in tp if _canon(str(m.value)) == want or _canon(m.name) == want}
    if len(hits) == 1:
        member = hits.pop()
        if str(member.value) != node.text:
            ctx.repair(path, f"read {node.text!r} as {member.value!r}")
        return member
    allowed = ", ".join(repr(m.value) for m in tp)
    raise ctx.fail(path, f"{node.text!r} matches none of {allowed}")


def _literal(
    node: Node, options: tuple[Any, ...], path: tuple[str | int, ...], ctx: Context
) -> Any:
    if isinstance(node, Scalar):
        want = _canon(node.text)
        hits = [o for o in options if _canon(str(o)) == want]
        if len(hits) == 1:
            return hits[0]
    raise ctx.fail(path, f"{to_plain(node)!r} is not one of {list(options)!r}")


def _sequence(node: Node, tp: Any, origin: Any, path: tuple[str | int, ...], ctx: Context) -> Any:
    args = typing.get_args(tp)
    item_tp = args[0] if args else Any
    if isinstance(node, Seq):
        items = node.items
    elif _is_null(node):
        items = []
    elif isinstance(node, Scalar) and not node.quoted and _LIST_SEP.search(node.text):
        # "python, rust" is how models write a short list inline without brackets.
        ctx.repair(path, f"split {node.text!r} at commas into a list")
        items = [Scalar(part.strip()) for part in _LIST_SEP.split(node.text)]
    else:
        what = "mapping" if isinstance(node, Map) else "single value"
        ctx.repair(path, f"wrapped a {what} in a list")
        items = [node]
    out: list[Any] = []
    failed = False
    for i, item in enumerate(items):
        try:
            out.append(coerce(item, item_tp, (*path, i), ctx))
        except CoerceFailedError:
            failed = True
    if failed:
        raise CoerceFailedError()
    return out if origin is list else origin(out)


def _mapping(node: Node, tp: Any, path: tuple[str | int, ...], ctx: Context) -> Any:
    args = typing.get_args(tp)
    value_tp = args[1] if len(args) == 2 else Any
    if _is_null(node):
        return {}
    if not isinstance(node, Map):
        raise ctx.fail(path, "expected a mapping")
    out: dict[str, Any] = {}
    failed = False
    for key, child in node.entries:
        try:
            out[key] = coerce(child, value_tp, (*path, key), ctx)
        except CoerceFailedError:
            failed = True
    if failed:
        raise CoerceFailedError()
    return out


def _model(node: Node, tp: type[BaseModel], path: tuple[str | int, ...], ctx: Context) -> Any:
    if not isinstance(node, Map):
        raise ctx.fail(path, f"expected a {tp.__name__} mapping")
    index = field_index(tp)
    found: dict[str, Node] = {}
    for key, child in node.entries:
        name = lookup(index, key)
        if name is None:
            ctx.repair(path, f"ignored unknown key {key!r}")
            continue
        if name in found:
            # The first wins: a stream has already reported it, and later ones are usually
            # prose after the document ("Remote: up to you").
            ctx.repair(path, f"ignored repeated key {key!r}")
            continue
        if key != name:
            ctx.repair(path, f"read key {key!r} as {name!r}")
        found[name] = child
    data: dict[str, Any] = {}
    failed = False
    for name, info in tp.model_fields.items():
        if name in found and is_absent(found[name], info.annotation, tp):
            del found[name]  # "steps:" with nothing after it is an absent value, not []
        if name not in found:
            if info.is_required():
                ctx.problems.append(f"{_where((*path, name))}: required field is missing")
                failed = True
            continue
        try:
            data[info.alias or name] = coerce(found[name], info.annotation, (*path, name), ctx)
        except CoerceFailedError:
            failed = True
    if failed:
        raise CoerceFailedError()
    try:
        return tp.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            where = _where((*path, *(str(p) for p in err["loc"])))
            ctx.problems.append(f"{where}: {err['msg']}")
        raise CoerceFailedError() from None
