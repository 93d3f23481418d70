"""Find plan steps the moment they are complete in a streamed JSON plan.

Constrained decoding makes the planner write JSON, token by token. ``JsonStepScanner`` tracks
strings, escapes and nesting one character at a time (so each chunk costs its own length, never
a re-parse of the prefix) and hands back the text of each element of the top-level ``steps``
array as soon as its closing brace arrives, so its skill can start while the plan goes on.
"""

from __future__ import annotations

__all__ = ["JsonStepScanner"]


class JsonStepScanner:
    def __init__(self, array_key: str = "steps") -> None:
        self._key = f'"{array_key}"'
        self._depth = 0
        self._in_string = False
        self._escape = False
        self._string_start = -1
        self._last_key: str | None = None
        self._in_steps = False  # inside the top-level steps array (depth 2)
        self._item_start = -1
        self._buffer: list[str] = []
        self._pos = 0

    def feed(self, chunk: str) -> list[str]:
        """Append ``chunk``; return the JSON text of every step completed by it."""
        done: list[str] = []
        for ch in chunk:
            self._buffer.append(ch)
            index = self._pos
            self._pos += 1
            if self._in_string:
                if self._escape:
                    self._escape = False
                elif ch == "\\":
                    self._escape = True
                elif ch == '"':
                    self._in_string = False
                    if self._depth == 1:  # a key (or value) of the top-level object
                        self._last_key = "".join(self._buffer[self._string_start : index + 1])
                continue
            if ch == '"':
                self._in_string = True
                self._string_start = index
            elif ch in "{[":
                self._depth += 1
                if ch == "[" and self._depth == 2 and self._last_key == self._key:
                    self._in_steps = True
                elif self._in_steps and self._depth == 3 and ch == "{":
                    self._item_start = index
            elif ch in "}]":
                if self._in_steps and self._depth == 3 and ch == "}" and self._item_start >= 0:
                    done.append("".join(self._buffer[self._item_start : index + 1]))
                    self._item_start = -1
                if self._in_steps and self._depth == 2 and ch == "]":
                    self._in_steps = False
                self._depth -= 1
        return done

    @property
    def text(self) -> str:
        return "".join(self._buffer)
