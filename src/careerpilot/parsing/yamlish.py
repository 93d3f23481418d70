"""A tolerant, line-at-a-time YAML reader producing the untyped tree.

It never types scalars (the schema does that later) and it tolerates what models write: tabs and
inconsistent indentation, list items without dashes, values holding ": " or "#", flow collections.
It is iterative and incremental: ``push_line`` takes one line at a time and reports each value
through ``on_complete`` once a later line (or ``finish``) shows nothing can extend it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from careerpilot.parsing.errors import ParseError
from careerpilot.parsing.jsonish import OnComplete, Path, parse_flow
from careerpilot.parsing.scalars import fill_scalar, indent_of, key_match, unbalanced
from careerpilot.parsing.tree import MAX_DEPTH, Map, Node, Scalar, Seq

__all__ = ["YamlBuilder"]

_BLOCK_STYLES = frozenset({"|", "|-", "|+", ">", ">-", ">+"})
_FAR = 1 << 30  # an indent no line reaches: nothing continues this scalar


@dataclass(slots=True)
class _Frame:
    node: Map | Seq
    indent: int
    path: Path
    pending: bool = False  # the last key / item has no value yet; children may follow


@dataclass(slots=True)
class _Open:
    """A scalar whose text may continue on the following, more indented lines."""

    node: Scalar
    path: Path
    owner: int
    parts: list[str] = field(default_factory=list)
    block: str = ""  # "|" or ">" style for block scalars
    flow: bool = False  # an unclosed "[" or "{" gathering lines
    balance: int = 0  # brackets still open (kept as a running count: one pass per line)


def _kind(frame: _Frame) -> str:
    if isinstance(frame.node, Map):
        return "key"
    return "plain" if frame.node.dashless else "dash"


class YamlBuilder:
    """Push lines (without or with their newline); ``finish`` returns the root mapping."""

    def __init__(self, on_complete: OnComplete | None = None) -> None:
        self.on_complete = on_complete
        self.stack: list[_Frame] = []
        self.root: Map | None = None
        self.done = False
        self.error: str | None = None
        self._open: _Open | None = None
        self._blank = False
        self._stray: str | None = None

    def push_line(self, line: str) -> None:
        if self.done:
            return
        line = line.rstrip("\r\n")
        indent, text = indent_of(line)
        text = text.rstrip()
        if self._open is not None and self._continues(indent, text, line):
            return
        if not text:
            self._blank = True
            return
        if text.startswith("```") or (text in ("---", "...") and self.root is not None):
            self.finish_values()
            self.done = True
            return
        if text in ("---", "...") or (text[0] == "#" and text[1:2] in ("", " ", "#", "!")):
            return
        self._close_open()
        self._line(indent, text)
        self._blank = False

    def finish_values(self) -> None:
        """Complete every open value (end of document)."""
        self._close_open()
        while self.stack:
            self._pop()

    def finish(self) -> Map:
        self.finish_values()
        if self.error is not None:
            raise ParseError("malformed YAML", [self.error])
        if self.root is None:
            raise ParseError("no structured data", ["no 'key: value' lines were found"])
        return self.root

    # -- continuation of multi-line scalars -------------------------------------------------
    def _continues(self, indent: int, text: str, line: str) -> bool:
        op = self._open
        assert op is not None
        if op.block:
            if not text or indent > op.owner:
                op.parts.append(line)
                return True
            return False
        if op.flow:
            if text and (indent > op.owner or text[0] in "]}"):
                op.parts.append(text)
                op.balance += unbalanced(text)
                if op.balance <= 0:
                    self._close_open()
                return True
            return False
        if (
            text
            and indent > op.owner
            and key_match(text) is None
            and not _is_dash(text)
            and not text.startswith("# ")
        ):
            op.parts.append(text)
            return True
        return False

    def _close_open(self) -> None:
        op, self._open = self._open, None
        if op is None:
            return
        node: Node = op.node
        if op.block:
            node = self._block_text(op)
        else:
            raw = " ".join(op.parts)
            flow = parse_flow(raw) if raw[:1] in "[{" else None
            node = flow or fill_scalar(op.node, raw)
            if flow is not None:
                self._replace(op.node, flow)
        self._emit(op.path, node)

    def _block_text(self, op: _Open) -> Scalar:
        lines = list(op.parts)
        while lines and not lines[-1].strip():
            lines.pop()
        widths = [indent_of(ln)[0] for ln in lines if ln.strip()]
        cut = min(widths) if widths else 0
        body = [ln.expandtabs(4)[cut:] if ln.strip() else "" for ln in lines]
        text = "\n".join(body) if op.block == "|" else " ".join(b for b in body if b)
        op.node.text, op.node.quoted = text, True
        return op.node

    def _replace(self, old: Node, new: Node) -> None:
        top = self.stack[-1].node
        if isinstance(top, Map) and top.entries and top.entries[-1][1] is old:
            top.entries[-1] = (top.entries[-1][0], new)
        elif isinstance(top, Seq) and top.items and top.items[-1] is old:
            top.items[-1] = new

    # -- structure ---------------------------------------------------------------------------
    def _line(self, indent: int, text: str) -> None:
        kind = "dash" if _is_dash(text) else ("key" if key_match(text) else "plain")
        if not self.stack:
            if kind != "key":
                return
            self.root = Map()
            self.stack.append(_Frame(self.root, indent, ()))
        if indent < self.stack[0].indent:
            self._end()
            return
        while len(self.stack) > 1:
            top, below = self.stack[-1], self.stack[-2]
            fits = kind == _kind(top)
            if kind == "dash" and isinstance(top.node, Map) and not top.pending:
                self._pop()  # a dash cannot continue a mapping: it is the next list item
                continue
            if indent >= top.indent and (fits or isinstance(top.node, Map) or indent > top.indent):
                break
            if fits and (indent > below.indent or _compact(kind, below, indent)):
                break  # inconsistent indentation: still inside ``top``
            self._pop()
        top = self.stack[-1]
        if isinstance(top.node, Map):
            placed = self._in_map(top, indent, text, kind)
        elif kind == "dash":
            placed = True
            self._dash(top, indent, text)
        elif kind == "plain" and top.node.dashless:
            placed = True
            self._item(top, text)
        elif top.pending and kind == "key":
            placed = True
            self._nest(top, Map(), indent)._key_into(indent, text)
        else:
            placed = False
        # A line that fits nowhere is fine as trailing prose, but if the document goes on
        # after it, dropping it would silently lose data: refuse instead.
        if not placed:
            self._stray = self._stray or text
        elif self._stray is not None and not self.done:
            self.error = f"cannot place the line {self._stray[:40]!r} in the document"
            self._end()

    def _in_map(self, top: _Frame, indent: int, text: str, kind: str) -> bool:
        if kind == "key":
            if top.pending and indent > top.indent:
                self._nest(top, Map(), indent)
            self._key_into(indent, text)
        elif top.pending and kind == "dash":
            self._nest(top, Seq(), indent)
            if not self.done:
                self._dash(self.stack[-1], indent, text)
        elif top.pending and kind == "plain" and not (indent == top.indent and self._blank):
            self._nest(top, Seq(dashless=True), indent)
            if not self.done:
                self._item(self.stack[-1], text)
        elif len(self.stack) == 1 and (kind == "plain" or self._blank):
            self._end()  # prose (or bullets after a blank line) after the document
        else:
            return False
        return True

    def _nest(self, top: _Frame, node: Map | Seq, indent: int) -> YamlBuilder:
        if len(self.stack) >= MAX_DEPTH:
            self.error, self.done = f"nested deeper than {MAX_DEPTH} levels", True
            return self
        parent = top.node
        if isinstance(parent, Map):
            key = parent.entries[-1][0]
            parent.entries[-1] = (key, node)
            path: Path = (*top.path, key)
        else:
            parent.items[-1] = node
            path = (*top.path, len(parent.items) - 1)
        top.pending = False
        self.stack.append(_Frame(node, indent, path))
        return self

    def _key_into(self, indent: int, text: str) -> None:
        if self.done:
            return
        top = self.stack[-1]
        assert isinstance(top.node, Map)
        self._settle(top)
        m = key_match(text)
        assert m is not None
        key = m.group("key").strip()
        if key[:1] in ('"', "'"):
            key = key[1:-1]
        value = (m.group("val") or "").strip()
        node = Scalar("")
        top.node.entries.append((key, node))
        path = (*top.path, key)
        if not value or value.startswith("# "):
            top.pending = True
        elif value in _BLOCK_STYLES:
            self._open = _Open(node, path, indent, block=value[0])
        elif value[0] in "[{" and unbalanced(value) > 0:
            self._open = _Open(node, path, indent, [value], flow=True, balance=unbalanced(value))
        else:
            self._open = _Open(node, path, indent, [value])

    def _dash(self, top: _Frame, indent: int, text: str) -> None:
        # ``- - x`` nests on one line; loop rather than recurse.
        while not self.done:
            seq = top.node
            assert isinstance(seq, Seq)
            self._settle(top)
            rest = text[1:]
            dash_col = indent
            indent += 1 + len(rest) - len(rest.lstrip(" \t"))
            text = rest.strip()
            seq.items.append(Scalar(""))
            if not text:
                top.pending = True
                return
            if _is_dash(text):
                self._nest(top, Seq(), indent)
                top = self.stack[-1]
                continue
            if key_match(text):
                self._nest(top, Map(), indent)._key_into(indent, text)
                return
            self._plain_item(top, seq, dash_col, text)
            return

    def _plain_item(self, top: _Frame, seq: Seq, owner: int, text: str) -> None:
        node = seq.items[-1]
        assert isinstance(node, Scalar)
        path = (*top.path, len(seq.items) - 1)
        balance = unbalanced(text) if text[0] in "[{" else 0
        self._open = _Open(node, path, owner, [text], flow=balance > 0, balance=balance)

    def _item(self, top: _Frame, text: str) -> None:
        seq = top.node
        assert isinstance(seq, Seq)
        seq.items.append(Scalar(""))
        self._plain_item(top, seq, _FAR, text)

    def _settle(self, top: _Frame) -> None:
        # A key or item left without a value is complete (empty) once a sibling arrives.
        if not top.pending:
            return
        top.pending = False
        node = top.node
        if isinstance(node, Map):
            self._emit((*top.path, node.entries[-1][0]), node.entries[-1][1])
        else:
            self._emit((*top.path, len(node.items) - 1), node.items[-1])

    def _pop(self) -> None:
        frame = self.stack[-1]
        self._settle(frame)
        self.stack.pop()
        if frame.path:
            self._emit(frame.path, frame.node)

    def _end(self) -> None:
        self.finish_values()
        self.done = True

    def _emit(self, path: Path, node: Node) -> None:
        if self.on_complete is not None:
            self.on_complete(path, node)


def _is_dash(text: str) -> bool:
    return text == "-" or text.startswith(("- ", "-\t"))


def _compact(kind: str, below: _Frame, indent: int) -> bool:
    # "key:\n- a" puts dashes at the key's column; a dash there still continues the list.
    return kind == "dash" and isinstance(below.node, Map) and indent >= below.indent
