"""Structured filters over document payloads, understood by every retrieval backend.

A document carries a flat ``payload`` (``dict[str, PayloadValue]``). A :class:`Filter` is a
conjunction of conditions on payload fields:

* :class:`Eq` — equality on a keyword, bool or int field (``Eq("remote", True)``);
* :class:`AnyOf` — membership, the field equals any of the values (``AnyOf("seniority", [...])``);
* :class:`Range` — numeric bounds (``Range("posted_on", gte=date(2024, 1, 1))``).

Dates are stored as ordinal ints (:func:`date_ordinal`); a ``Range`` accepts ``date`` bounds and
converts them. When the payload value is a list of strings (e.g. ``skills``), ``Eq`` and
``AnyOf`` match if any element matches — the same semantics as Qdrant. A document that lacks
the field never matches. ``Filter.matches(payload)`` is the reference implementation that the
embedded backends use; :mod:`careerpilot.retrieval.qdrant` translates the same model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

__all__ = [
    "AnyOf",
    "Condition",
    "Eq",
    "Filter",
    "Keyword",
    "Payload",
    "PayloadValue",
    "Range",
    "date_ordinal",
]

Keyword = str | int | bool
PayloadValue = str | int | bool | float | list[str]
Payload = dict[str, PayloadValue]


def date_ordinal(value: date) -> int:
    """The int a date is stored as in payloads (``date.toordinal()``)."""
    return value.toordinal()


def _same(a: object, b: Keyword) -> bool:
    # bool is an int subclass: keep True from matching 1 (and vice versa).
    return a == b and isinstance(a, bool) == isinstance(b, bool)


def _values(value: PayloadValue) -> list[object]:
    return list(value) if isinstance(value, list) else [value]


@dataclass(frozen=True, slots=True)
class Eq:
    """``payload[field] == value`` (or, for a list field, ``value in payload[field]``)."""

    field: str
    value: Keyword

    def matches(self, payload: Mapping[str, PayloadValue]) -> bool:
        got = payload.get(self.field)
        return got is not None and any(_same(v, self.value) for v in _values(got))


@dataclass(frozen=True, slots=True)
class AnyOf:
    """``payload[field]`` equals one of ``values`` (any-of membership)."""

    field: str
    values: tuple[Keyword, ...]

    def __init__(self, field: str, values: Iterable[Keyword]) -> None:
        object.__setattr__(self, "field", field)
        object.__setattr__(self, "values", tuple(values))
        kinds = {type(v) for v in self.values}
        if len(kinds) > 1 or kinds & {float}:
            raise ValueError(f"AnyOf({field!r}) needs values of one type: str, int or bool")

    def matches(self, payload: Mapping[str, PayloadValue]) -> bool:
        got = payload.get(self.field)
        if got is None:
            return False
        return any(_same(v, w) for v in _values(got) for w in self.values)


def _bound(value: float | date | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, date):
        return float(date_ordinal(value))
    return float(value)


@dataclass(frozen=True, slots=True)
class Range:
    """Numeric bounds on ``payload[field]``; any subset of ``gt``/``gte``/``lt``/``lte``.

    ``date`` bounds are converted to ordinals, so they compare with fields stored by
    :func:`date_ordinal`.
    """

    field: str
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None

    def __init__(
        self,
        field: str,
        *,
        gt: float | date | None = None,
        gte: float | date | None = None,
        lt: float | date | None = None,
        lte: float | date | None = None,
    ) -> None:
        object.__setattr__(self, "field", field)
        object.__setattr__(self, "gt", _bound(gt))
        object.__setattr__(self, "gte", _bound(gte))
        object.__setattr__(self, "lt", _bound(lt))
        object.__setattr__(self, "lte", _bound(lte))

    def matches(self, payload: Mapping[str, PayloadValue]) -> bool:
        got = payload.get(self.field)
        if got is None or isinstance(got, bool | str | list):
            return False
        return (
            (self.gt is None or got > self.gt)
            and (self.gte is None or got >= self.gte)
            and (self.lt is None or got < self.lt)
            and (self.lte is None or got <= self.lte)
        )


Condition = Eq | AnyOf | Range


@dataclass(frozen=True, slots=True)
class Filter:
    """All of ``must`` hold and none of ``must_not`` does. An empty filter matches everything."""

    must: tuple[Condition, ...] = ()
    must_not: tuple[Condition, ...] = field(default=())

    @classmethod
    def of(cls, *conditions: Condition) -> Filter:
        """Shorthand for ``Filter(must=conditions)``."""
        return cls(must=conditions)

    def matches(self, payload: Mapping[str, PayloadValue]) -> bool:
        """Whether a document with this payload passes the filter."""
        return all(c.matches(payload) for c in self.must) and not any(
            c.matches(payload) for c in self.must_not
        )

    def is_empty(self) -> bool:
        return not self.must and not self.must_not
