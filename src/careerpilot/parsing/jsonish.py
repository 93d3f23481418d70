"""A tolerant, resumable JSON reader producing the untyped tree.

Accepts what models write instead of JSON: single quotes, unescaped inner quotes, trailing or
missing commas, bare words (``True``, ``None``, ``{query: rust}``), and a mismatched closer: a
stray ``}`` in a list is skipped, a ``]`` after an object's last entry closes the object first.
It is iterative (explicit stack) and resumable: ``feed`` takes consecutive pieces cut anywhere
(a bare word, a string or the look-ahead after a quote may straddle pieces), so a stream costs
one pass. Complete values are reported through ``on_complete``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from careerpilot.parsing.errors import ParseError
from careerpilot.parsing.tree import MAX_DEPTH, Map, Node, Scalar, Seq

__all__ = ["JsonBuilder", "OnComplete", "Path", "parse_flow"]

Path = tuple[str | int, ...]
OnComplete = Callable[[Path, Node], None]

_STOP = {'"': re.compile(r'["\\]'), "'": re.compile(r"['\\]")}
_VALUE_END = re.compile(r"[,\]}\n]")
_KEY_END = re.compile(r"[:,}\n]")
# A quote closes a string only when what follows it could follow a string; otherwise it is an
# unescaped inner quote and belongs to the text.
_AFTER_CLOSE = frozenset(",}]:\n\r")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "/": "/"}


@dataclass(slots=True)
class _Frame:
    node: Map | Seq
    path: Path
    key: str | None = None
    state: str = "key"  # maps: key -> colon -> value -> key ...; sequences stay "value"


class JsonBuilder:
    """Feed text in pieces cut anywhere; ``finish`` returns the root node."""

    def __init__(self, on_complete: OnComplete | None = None) -> None:
        self.on_complete = on_complete
        self.stack: list[_Frame] = []
        self.root: Map | Seq | None = None
        self.done = False
        self.error: str | None = None
        self._buf: list[str] | None = None  # an open string's text
        self._quote = '"'
        self.end = 0  # offset in the last piece where the root closed
        self._word: list[str] | None = None  # an unfinished bare word
        self._word_is_key = False
        self._after_quote: list[str] | None = None  # blanks after a quote that may close
        self._carry = ""  # an escape sequence cut by the piece boundary

    def feed(self, text: str) -> None:
        if self._carry:
            text, self._carry = self._carry + text, ""
        i, n = 0, len(text)
        while i < n and not self.done:
            if self._buf is not None:
                i = self._scan_string(text, i)
                continue
            if self._word is not None:
                i = self._scan_word(text, i)
                continue
            c = text[i]
            if c in " \t\r\n,":
                i += 1
                continue
            if not self.stack:
                if self.root is not None or c not in "{[":
                    self._fail(f"unexpected {c!r} outside the document")
                    break
                self._push(Map() if c == "{" else Seq(), ())
                i += 1
                continue
            top = self.stack[-1]
            if c in "}]":
                is_map = isinstance(top.node, Map)
                if (c == "}") == is_map:
                    if is_map and top.state != "key":
                        self._fail(f"unexpected {c!r}")
                        break
                    self._pop()
                    i += 1
                elif is_map and top.state == "key" and self._seq_below():
                    self._pop()  # "]" right after an entry: the object's "}" was forgotten
                else:
                    i += 1  # a stray "}" in a list, or "]" in an object with none open: skip it
            elif top.state == "colon":
                if c not in ":=":
                    self._fail(f"expected ':' after key {top.key!r}")
                    break
                top.state = "value"
                i += 1
            elif top.state == "key":
                if c in "\"'":
                    self._open_string(c)
                    i += 1
                    continue
                self._word, self._word_is_key = [], True
            elif c in "{[":
                if len(self.stack) >= MAX_DEPTH:
                    self._fail(f"nested deeper than {MAX_DEPTH} levels")
                    break
                self._push(Map() if c == "{" else Seq(), self._child_path(top))
                i += 1
            elif c in "\"'":
                self._open_string(c)
                i += 1
            else:
                self._word, self._word_is_key = [], False
        self.end = i

    def _scan_word(self, text: str, i: int) -> int:
        word = self._word
        assert word is not None
        m = (_KEY_END if self._word_is_key else _VALUE_END).search(text, i)
        if m is None:
            word.append(text[i:])
            return len(text)
        end = m.start()
        word.append(text[i:end])
        self._word = None
        if self._word_is_key:
            if text[end] != ":":
                self._fail(f"expected ':' after {''.join(word)[:20]!r}")
                return end
            top = self.stack[-1]
            top.key, top.state = "".join(word).strip(), "colon"
        else:
            self._add(Scalar("".join(word).strip()))
        return end

    def finish(self) -> Map | Seq:
        # The end of the text ends a bare word and lets a pending quote close.
        if not self.done and self._word is not None and not self._word_is_key:
            self._scan_word("\n", 0)
        if not self.done and self._after_quote is not None:
            self._scan_string("\n", 0)
        if self.error is not None:
            raise ParseError("malformed JSON", [self.error])
        if self._buf is not None:
            raise ParseError("truncated JSON", ["a string is never closed"])
        if self.stack or self.root is None:
            raise ParseError("truncated JSON", ["the document ends before it is closed"])
        return self.root

    # -- internals -------------------------------------------------------------------------
    def _fail(self, message: str) -> None:
        self.error, self.done = message, True

    def _child_path(self, top: _Frame) -> Path:
        if isinstance(top.node, Map):
            return (*top.path, top.key or "")
        return (*top.path, len(top.node.items))

    def _seq_below(self) -> bool:
        return any(isinstance(frame.node, Seq) for frame in self.stack[:-1])

    def _push(self, node: Map | Seq, path: Path) -> None:
        if self.stack:
            self._attach(node)
        else:
            self.root = node
        self.stack.append(_Frame(node, path, state="key" if isinstance(node, Map) else "value"))

    def _pop(self) -> None:
        frame = self.stack.pop()
        if self.on_complete is not None and frame.path:
            self.on_complete(frame.path, frame.node)
        if not self.stack:
            self.done = True

    def _attach(self, node: Node) -> None:
        top = self.stack[-1]
        if isinstance(top.node, Map):
            top.node.entries.append((top.key or "", node))
            top.state = "key"
        else:
            top.node.items.append(node)

    def _add(self, node: Scalar) -> None:
        top = self.stack[-1]
        path = self._child_path(top)
        self._attach(node)
        if self.on_complete is not None:
            self.on_complete(path, node)

    def _open_string(self, quote: str) -> None:
        self._buf, self._quote = [], quote

    def _scan_string(self, text: str, i: int) -> int:
        buf, quote, n = self._buf, self._quote, len(text)
        assert buf is not None
        stop = _STOP[quote]
        if self._after_quote is not None:
            k = i
            while k < n and text[k] in " \t":
                k += 1
            if k >= n:
                self._after_quote.append(text[i:])
                return n
            blanks, self._after_quote = "".join(self._after_quote) + text[i:k], None
            if text[k] in _AFTER_CLOSE:
                self._buf = None
                self._close_string("".join(buf))
                return k
            buf.append(quote + blanks)
            i = k
        while True:
            m = stop.search(text, i)
            if m is None:
                buf.append(text[i:])
                return n
            j = m.start()
            buf.append(text[i:j])
            if text[j] == "\\":
                i = self._escape(text, j, buf)
                continue
            k = j + 1
            while k < n and text[k] in " \t":
                k += 1
            if k >= n:  # what follows the quote is in the next piece
                self._after_quote = [text[j + 1 :]]
                return n
            if text[k] in _AFTER_CLOSE:
                self._buf = None
                self._close_string("".join(buf))
                return j + 1
            buf.append(quote)
            i = j + 1

    def _escape(self, text: str, j: int, buf: list[str]) -> int:
        esc = text[j + 1 : j + 2]
        if not esc or (esc == "u" and len(text) < j + 6):
            self._carry = text[j:]  # finish the sequence with the next piece
            return len(text)
        if esc == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", text[j + 2 : j + 6]):
            buf.append(chr(int(text[j + 2 : j + 6], 16)))
            return j + 6
        buf.append(_ESCAPES.get(esc, esc))
        return j + 2

    def _close_string(self, value: str) -> None:
        top = self.stack[-1]
        if top.state == "key":
            top.key, top.state = value, "colon"
        else:
            self._add(Scalar(value, quoted=True))


def parse_flow(text: str) -> Map | Seq | None:
    """Parse a YAML flow value such as ``[a, b]``; None unless it is one whole collection."""
    builder = JsonBuilder()
    builder.feed(text)
    if builder.error is not None or builder._buf is not None or builder.stack:
        return None
    if builder.root is None:
        return None
    # Anything after the closing bracket means it was text that merely began with one.
    if text[builder.end :].strip():
        return None
    builder.root.source = text.strip()
    return builder.root
