"""Inline markup in the LLM's answer, parsed while tokens arrive.

The answer may carry two kinds of markup:

* citations: ``[1]``, ``[1, 3]`` (one or two digits each), the way answers cite numbered
  sources;
* tags: ``{{chip: How do I learn SQL?}}`` (a follow-up suggestion) and ``{{job: 42}}`` (show
  job 42 as a card).

``MarkupStream.feed(delta)`` returns the segments that are complete: ``Text`` to show, and
``Cite`` and ``Tag`` to turn into events. Text that could still become markup is held back
until it is decided, so raw markup never reaches the member, even split across tokens:
``"[", "1", "]"`` is one citation. Holding back is bounded. A ``[`` that cannot start a
citation (``[note]``) is released at once. A ``{{`` tag is held for at most ``MAX_TAG`` characters.

Malformed markup is dropped, never shown, and reported as ``Dropped`` so it can be counted:
an unknown tag kind, a tag with a bad argument, an unclosed tag (no ``}}`` within ``MAX_TAG``
characters, or another ``{{`` first: dropped up to the end of its line or that ``{{``), or a
citation cut off at the end of the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["MAX_TAG", "TAG_KINDS", "Cite", "Dropped", "MarkupStream", "Segment", "Tag", "Text"]

MAX_TAG = 200
TAG_KINDS = frozenset({"chip", "job"})

_CITE = re.compile(r"\[(\d{1,2}(?:\s*,\s*\d{1,2})*)\]")
# What a citation may look like before its closing bracket arrives.
_CITE_PREFIX = re.compile(r"\[(?:\d{1,2}(?:\s*,\s*\d{0,2})*\s*,?\s*)?")
_MAX_CITE = 24
_TAG = re.compile(r"\{\{\s*([a-z_]+)\s*:\s*(.*?)\s*\}\}", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class Cite:
    indexes: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Tag:
    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class Dropped:
    raw: str
    reason: str


Segment = Text | Cite | Tag | Dropped


def _tag(raw: str) -> Tag | Dropped:
    match = _TAG.fullmatch(raw)
    if match is None:
        return Dropped(raw, "not a tag")
    kind, value = match.group(1), match.group(2)
    if kind not in TAG_KINDS:
        return Dropped(raw, f"unknown tag {kind!r}")
    if not value:
        return Dropped(raw, "empty tag")
    if kind == "job" and not value.isdigit():
        return Dropped(raw, "a job tag needs a job id")
    return Tag(kind, value)


class MarkupStream:
    """Feed it deltas; it returns what can be shown or acted on so far."""

    def __init__(self) -> None:
        self._pending = ""

    def feed(self, delta: str) -> list[Segment]:
        self._pending += delta
        out: list[Segment] = []
        while self._pending:
            if not self._step(out):
                break
        return _merge(out)

    def close(self) -> list[Segment]:
        """The end of the answer: decide whatever is still held back."""
        out: list[Segment] = []
        while self._pending:
            if not self._step(out):
                self._drop_held(out)
        return _merge(out)

    def _step(self, out: list[Segment]) -> bool:
        """Consume from the front of the pending text; False when waiting for more."""
        pending = self._pending
        start = _next_opener(pending)
        if start is None:
            out.append(Text(pending))
            self._pending = ""
            return True
        if start > 0:
            out.append(Text(pending[:start]))
            self._pending = pending[start:]
            return True
        if pending[0] == "[":
            return self._citation(out)
        return self._tag_at_front(out)

    def _citation(self, out: list[Segment]) -> bool:
        pending = self._pending
        match = _CITE.match(pending)
        if match is not None:
            indexes = tuple(int(n) for n in re.findall(r"\d+", match.group(1)))
            out.append(Cite(indexes))
            self._pending = pending[match.end() :]
            return True
        prefix = _CITE_PREFIX.match(pending)
        if prefix is not None and prefix.end() == len(pending) and len(pending) <= _MAX_CITE:
            return False  # could still become a citation
        out.append(Text("["))  # an ordinary bracket
        self._pending = pending[1:]
        return True

    def _tag_at_front(self, out: list[Segment]) -> bool:
        pending = self._pending
        if len(pending) == 1:
            return False  # "{" may become "{{"
        if pending[1] != "{":
            out.append(Text("{"))
            self._pending = pending[1:]
            return True
        end = pending.find("}}", 2)
        opener = pending.find("{{", 2)
        if opener >= 0 and (end < 0 or opener < end):
            # Another tag opens first: this one was never closed, and the "}}" that comes
            # later is the other's. Drop this one up to its line's end or the other's start,
            # whichever comes first; what follows is parsed as usual, however it was cut.
            newline = pending.find("\n", 2)
            cut = opener if newline < 0 else min(newline, opener)
            out.append(Dropped(pending[:cut], "unclosed tag"))
            self._pending = pending[cut:]
            return True
        if end >= 0:
            out.append(_tag(pending[: end + 2]))
            self._pending = pending[end + 2 :]
            return True
        if len(pending) > MAX_TAG:
            self._drop_held(out)
            return True
        return False

    def _drop_held(self, out: list[Segment]) -> None:
        """Drop held-back markup that will never complete: a tag up to its line's end, a
        citation prefix whole."""
        pending = self._pending
        if pending.startswith("{{"):
            newline = pending.find("\n")
            cut = len(pending) if newline < 0 else newline
            out.append(Dropped(pending[:cut], "unclosed tag"))
            self._pending = pending[cut:]
        elif pending.startswith("{"):
            out.append(Text("{"))
            self._pending = pending[1:]
        else:
            out.append(Dropped(pending, "unfinished citation"))
            self._pending = ""


def _next_opener(text: str) -> int | None:
    positions = [i for i in (text.find("["), text.find("{")) if i >= 0]
    return min(positions) if positions else None


def _merge(segments: list[Segment]) -> list[Segment]:
    """Join neighbouring text segments, so that each feed yields at most one text per run."""
    merged: list[Segment] = []
    for segment in segments:
        if isinstance(segment, Text):
            if not segment.text:
                continue
            if merged and isinstance(merged[-1], Text):
                merged[-1] = Text(merged[-1].text + segment.text)
                continue
        merged.append(segment)
    return merged
