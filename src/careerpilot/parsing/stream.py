"""``StreamParser``: values of a reply as they become final, while it is still being written.

Only complete lines are read, each once, by the same readers ``loads`` uses; a value is reported
when a later line (or ``close``) shows nothing can extend it, so events never change afterwards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from careerpilot.parsing.api import build, parse
from careerpilot.parsing.coerce import CoerceFailedError, Context, coerce, is_absent, step_into
from careerpilot.parsing.document import Reader
from careerpilot.parsing.errors import ParseError
from careerpilot.parsing.jsonish import Path
from careerpilot.parsing.tree import Node

__all__ = ["StreamEvent", "StreamParser"]

M = TypeVar("M", bound=BaseModel)

_EARLY_JSON = re.compile(r"\{\s*[\"']")


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """A field or list item (``path`` in schema names) and its final, converted value."""

    path: Path
    value: Any


class StreamParser(Generic[M]):
    """Incremental ``loads``: ``feed(chunk)`` returns the events completed so far; ``close()``
    returns the validated instance (or raises ParseError like ``loads``), after which
    ``events()`` returns the events the end of the text completed.

    YAML is read line by line (a value is final once the next line shows it does not
    continue); JSON piece by piece. A repeated key keeps its first value, as in ``loads``.
    """

    def __init__(self, schema: type[M]) -> None:
        self.schema = schema
        self._reader = Reader(schema, self._complete)
        self._partial: list[str] = []
        self._chunks: list[str] = []
        self._events: list[StreamEvent] = []
        self._emitted = 0
        # Values converted for events are cached on their nodes and reused by ``close``.
        self._ctx = Context(use_cache=True)
        self._types: dict[Path, tuple[Any, Path] | None] = {}
        self._tail = ""
        self._checked = False
        self._steps: dict[tuple[Any, Any], tuple[Any, str | int] | None] = {}
        self._seen: set[Path] = set()

    def feed(self, chunk: str) -> list[StreamEvent]:
        self._chunks.append(chunk)
        json = self._reader.json
        if json is not None and not json.done:
            json.feed(chunk)  # the hot path for JSON: one call per chunk
            if json.done:
                self._after_json(self._reader.check_json(chunk))
        else:
            self._feed(chunk)
        if not self._events:
            return []
        return self._drain()

    def _feed(self, chunk: str) -> None:
        json = self._reader.json
        if json is not None:
            # JSON is read piece by piece: models often write it on one long line.
            if not json.done:
                self._after_json(self._reader.feed_json(chunk))
            return
        if "\n" not in chunk:
            self._partial.append(chunk)
            self._maybe_json()
            return
        lines = chunk.split("\n")
        self._partial.append(lines[0])
        self._push("".join(self._partial))
        for line in lines[1:-1]:
            self._push(line)
        self._partial = [lines[-1]]
        self._tail, self._checked = "", False
        if self._reader.json is not None:
            self._partial = []
            self._feed(lines[-1])
        else:
            self._maybe_json()

    def _after_json(self, rest: str) -> None:
        if self._reader.json is None:  # that object was prose; look further
            self._partial, self._tail, self._checked = [], "", False
            self._feed(rest)

    def _maybe_json(self) -> None:
        # A JSON object can start mid-line; look only at the new text (plus a short tail) so
        # a long line costs one scan.
        if self._reader.yaml is not None or self._checked or not self._partial:
            return
        piece = self._partial[-1]
        window = self._tail + piece
        self._tail = window[-8:]
        m = _EARLY_JSON.search(window)
        if m is None:
            return
        line = "".join(self._partial)
        self._checked = True  # one decision per line
        if self._reader.starts_yaml(line):
            return
        start = len(line) - len(window) + m.start()
        self._partial = []
        self._reader.seek_json(line[start:])

    def close(self) -> M:
        tail = "".join(self._partial)
        self._partial = []
        if tail and self._reader.json is not None:
            self._feed(tail)
        elif tail:
            self._push(tail)
        try:
            return build(self._reader.finish(), self.schema, self._ctx)
        except ParseError:
            if self._emitted:
                raise
            # Nothing was promised yet, so the fence- and candidate-aware path may still win.
            return parse("".join(self._chunks), self.schema).value

    def events(self) -> list[StreamEvent]:
        """Events produced by ``close`` (a last value completes only at the end)."""
        return self._drain()

    def _push(self, line: str) -> None:
        if not self._reader.done:
            self._reader.push_line(line + "\n")

    def _drain(self) -> list[StreamEvent]:
        out, self._events = self._events, []
        self._emitted += len(out)
        return out

    def _resolve(self, raw: Path) -> tuple[Any, Path] | None:
        """Schema type and schema-named path of a raw path; parents are memoized so each
        event costs one step, not a walk from the root."""
        if not raw:
            return self.schema, ()
        parent = self._types.get(raw[:-1])
        if parent is None:
            if raw[:-1] in self._types:
                return None
            parent = self._resolve(raw[:-1]) if len(raw) < 64 else None
            self._types[raw[:-1]] = parent
        if parent is None:
            return None
        found = self._step(parent[0], raw[-1])
        return None if found is None else (found[0], (*parent[1], found[1]))

    def _step(self, tp: Any, step: str | int) -> tuple[Any, str | int] | None:
        # List items share one answer per list type; keys one per (type, key).
        key = (tp, step if isinstance(step, str) else int)
        try:
            cached = key in self._steps
        except TypeError:  # an unhashable annotation
            return step_into(tp, step)
        if not cached:
            self._steps[key] = step_into(tp, step)
        hit = self._steps[key]
        if hit is None or isinstance(step, str):
            return hit
        return hit[0], step

    def _complete(self, raw: Path, node: Node) -> None:
        resolved = self._resolve(raw)
        if resolved is None:
            return
        tp, path = resolved
        parent = self._types.get(raw[:-1])
        if parent is not None and is_absent(node, tp, parent[0]):
            return  # "key:" with no value: loads uses the default, so nothing final to report
        if path in self._seen:
            return  # a repeated key: the first value stays (as in ``loads``)
        # Repairs go straight to the final context; problems stay with ``close``, which will
        # meet the same node again (conversion failures are not cached).
        problems = len(self._ctx.problems)
        try:
            value = coerce(node, tp, path, self._ctx)
        except CoerceFailedError:
            del self._ctx.problems[problems:]
            return
        self._seen.add(path)
        self._events.append(StreamEvent(path, value))
