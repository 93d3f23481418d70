"""``loads`` and ``parse``: one reply in, one validated instance (or ParseError) out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from pydantic import BaseModel

from careerpilot.parsing.coerce import CoerceFailedError, Context, coerce
from careerpilot.parsing.document import Reader, fenced_blocks
from careerpilot.parsing.errors import ParseError
from careerpilot.parsing.tree import Node

__all__ = ["Parsed", "build", "loads", "parse"]

M = TypeVar("M", bound=BaseModel)


@dataclass(slots=True)
class Parsed(Generic[M]):
    """The recovered value and the repairs made to get it (``"min_salary: dropped ..."``)."""

    value: M
    repairs: list[str] = field(default_factory=list)


def read_tree(text: str, schema: type[BaseModel]) -> Node:
    reader = Reader(schema)
    for line in text.splitlines(keepends=True):
        reader.push_line(line)
        if reader.done:
            break
    return reader.finish()


def build(root: Node, schema: type[M], ctx: Context) -> M:
    """Convert a tree to ``schema`` or raise ParseError listing every problem."""
    try:
        value = coerce(root, schema, (), ctx)
    except CoerceFailedError:
        raise ParseError(f"could not recover a {schema.__name__}", ctx.problems) from None
    assert isinstance(value, schema)
    return value


def _parse_block(text: str, schema: type[M]) -> Parsed[M]:
    ctx = Context()
    value = build(read_tree(text, schema), schema, ctx)
    return Parsed(value, ctx.repairs)


def parse(text: str, schema: type[M]) -> Parsed[M]:
    """Recover a ``schema`` instance from a model's reply, with the repairs made.

    Tries each fenced block, then the whole reply; raises the first block's ParseError when
    none yields a valid instance.
    """
    first: ParseError | None = None
    for candidate in [*fenced_blocks(text), text]:
        try:
            return _parse_block(candidate, schema)
        except ParseError as exc:
            first = first or exc
    assert first is not None
    raise first


def loads(text: str, schema: type[M], *, report: list[str] | None = None) -> M:
    """Like ``parse`` but returns the instance; repairs are appended to ``report`` if given."""
    result = parse(text, schema)
    if report is not None:
        report.extend(result.repairs)
    return result.value
