"""Reading one YAML scalar's raw text: quotes, inner quotes, comments, line classification."""

from __future__ import annotations

import re

from careerpilot.parsing.tree import Scalar

__all__ = ["KEY_LINE", "fill_scalar", "indent_of", "key_match", "unbalanced"]

# ``key: value`` where the key is a short identifier-ish phrase (``Min Salary``, ``minSalary``)
# or a quoted string. The value is everything after the first ": ", so values may hold ": ".
KEY_LINE = re.compile(
    r"(?P<key>\"[^\"\n]{1,60}\"|'[^'\n]{1,60}'|[A-Za-z_$][\w .$/-]{0,60}?)"
    r"[ \t]*:(?:[ \t]+(?P<val>.*)|$)"
)
_CLOSE_OK = re.compile(r"[ \t]*(?:#|$)")
_COMMENT = re.compile(r"([ \t]+)#(?=[ \t]|$)")
_DQ_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)")
_ESC = {"n": "\n", "t": "\t", "r": "\r", "0": "\0"}
_QUOTED_SPAN = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"")


def key_match(text: str) -> re.Match[str] | None:
    """A key line, or None; keys of more than four words are prose, not keys."""
    m = KEY_LINE.match(text)
    if m is None or m.group("key").count(" ") > 3:
        return None
    return m


def indent_of(line: str) -> tuple[int, str]:
    """Width of the leading whitespace (tabs count four) and the rest of the line."""
    stripped = line.lstrip(" \t")
    lead = line[: len(line) - len(stripped)]
    return len(lead.expandtabs(4)), stripped


def unbalanced(text: str) -> int:
    """Open brackets minus closed ones outside double-quoted strings (a rough flow check)."""
    text = _QUOTED_SPAN.sub("", text)
    return sum(text.count(c) for c in "[{") - sum(text.count(c) for c in "]}")


def _unescape(match: re.Match[str]) -> str:
    esc = match.group(1)
    if esc.startswith("u") and len(esc) == 5:
        return chr(int(esc[1:], 16))
    return _ESC.get(esc, esc)


def fill_scalar(node: Scalar, raw: str) -> Scalar:
    """Set ``node`` from a raw value. Quotes are taken off only when the value is one quoted
    string (inner unescaped quotes allowed, a trailing comment allowed)."""
    value = raw.strip()
    quote = value[:1]
    if quote in ('"', "'") and len(value) > 1:
        j = value.find(quote, 1)
        while j != -1:
            if quote == '"' and _escaped(value, j):
                j = value.find(quote, j + 1)
                continue
            if _CLOSE_OK.match(value, j + 1):
                inner = value[1:j]
                if quote == '"':
                    inner = _DQ_ESCAPE.sub(_unescape, inner)
                else:
                    inner = inner.replace("''", "'")
                node.text, node.quoted = inner, True
                return node
            j = value.find(quote, j + 1)
    node.text, node.quoted = value, False
    m = _COMMENT.search(value)
    if m is not None:
        node.text, node.full = value[: m.start()].rstrip(), value
        node.wide_comment = len(m.group(1).expandtabs(4)) >= 2
    return node


def _escaped(value: str, j: int) -> bool:
    count = 0
    while j - 1 - count >= 0 and value[j - 1 - count] == "\\":
        count += 1
    return count % 2 == 1
