"""The untyped tree both front ends produce: raw strings, lists and mappings.

Scalars keep their raw text and whether they were quoted, so the schema (not YAML's implicit
typing) decides later whether ``NO`` is a string or a boolean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["MAX_DEPTH", "Map", "Node", "Scalar", "Seq", "normalize_key", "to_plain"]

# Deeper documents are refused: nothing we ask a model for nests this deep, and it keeps the
# (schema-bounded) recursion of later steps far from Python's limit.
MAX_DEPTH = 200


@dataclass(slots=True, eq=False)
class Scalar:
    text: str
    quoted: bool = False
    # Text after a " # " that may be a comment; ``text`` excludes it, ``full`` keeps it.
    full: str | None = None
    # A comment set off by two or more spaces is a comment even in string fields.
    wide_comment: bool = False
    cache: tuple[Any, Any] | None = None


@dataclass(slots=True, eq=False)
class Seq:
    items: list[Node] = field(default_factory=list)
    # Items written one per line without dashes: a list, or one folded string.
    dashless: bool = False
    source: str | None = None
    cache: tuple[Any, Any] | None = None


@dataclass(slots=True, eq=False)
class Map:
    entries: list[tuple[str, Node]] = field(default_factory=list)
    source: str | None = None
    cache: tuple[Any, Any] | None = None


Node = Scalar | Seq | Map

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalize_key(key: str) -> str:
    """``Min Salary``, ``minSalary``, ``min-salary`` -> ``min_salary``."""
    key = _CAMEL.sub("_", key.strip().strip("\"'"))
    return _NON_WORD.sub("_", key.lower()).strip("_")


_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+")


def _plain_scalar(node: Scalar) -> Any:
    # Conservative core-schema typing for untyped (Any) slots: yes/no/0755 stay strings.
    if node.quoted:
        return node.text
    text = node.text.strip()
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("null", "none", "~", ""):
        return None
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return node.text


def to_plain(node: Node) -> Any:
    """Convert a subtree to plain Python data, iteratively (depth is bounded anyway)."""
    if isinstance(node, Scalar):
        return _plain_scalar(node)
    root: Any = [] if isinstance(node, Seq) else {}
    stack: list[tuple[Node, Any]] = [(node, root)]
    while stack:
        src, dst = stack.pop()
        pairs: list[tuple[Any, Node]] = (
            list(enumerate(src.items)) if isinstance(src, Seq) else list(src.entries)  # type: ignore[union-attr]
        )
        for key, child in pairs:
            if isinstance(child, Scalar):
                value: Any = _plain_scalar(child)
            else:
                value = [] if isinstance(child, Seq) else {}
                stack.append((child, value))
            if isinstance(dst, list):
                dst.append(value)
            else:
                dst[key] = value
    return root
