"""Finding the structured block in a model's reply and reading it into the untyped tree.

Works line by line so that ``loads`` and ``StreamParser`` share one code path: prose and code
fences are skipped until a line starts the document (a ``key:`` naming a top-level field, or a
``{``), then lines go to the YAML or the JSON reader.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from careerpilot.parsing.coerce import field_index, lookup
from careerpilot.parsing.errors import ParseError
from careerpilot.parsing.jsonish import JsonBuilder, OnComplete
from careerpilot.parsing.scalars import indent_of, key_match
from careerpilot.parsing.tree import Map, Seq
from careerpilot.parsing.yamlish import YamlBuilder

__all__ = ["Reader", "fenced_blocks"]

# A "{" that opens an object: followed by a quoted or bare key or "}", or alone on its line.
# Prose such as "fill in {fields}" does not qualify.
_JSON_START = re.compile(r"\{\s*(?:[\"']|[A-Za-z_][\w \-]{0,60}[\"']?\s*:|\})|^\s*\{\s*$")
_FENCE = re.compile(r"^[ \t]*```[^\n]*\n(.*?)(?:^[ \t]*```|\Z)", re.M | re.S)


def fenced_blocks(text: str) -> list[str]:
    return [m.group(1) for m in _FENCE.finditer(text)]


class Reader:
    """Feed lines (with their newline); ``finish`` returns the document's root node."""

    def __init__(self, schema: type[BaseModel], on_complete: OnComplete | None = None) -> None:
        self._index = field_index(schema)
        self._on_complete = on_complete
        self.yaml: YamlBuilder | None = None
        self.json: JsonBuilder | None = None

    @property
    def done(self) -> bool:
        return (self.yaml is not None and self.yaml.done) or (
            self.json is not None and self.json.done
        )

    def push_line(self, line: str) -> None:
        if self.yaml is not None:
            self.yaml.push_line(line)
        elif self.json is not None:
            if not self.json.done:
                self.seek_json(self.feed_json(line))
        elif self.starts_yaml(line):
            self.yaml = YamlBuilder(self._on_complete)
            self.yaml.push_line(line)
        else:
            self.seek_json(line)

    def seek_json(self, text: str) -> None:
        """Start the JSON document at the first object in ``text`` that holds a known key."""
        while text and self.json is None:
            start = _JSON_START.search(text)
            if start is None:
                return
            self.json = JsonBuilder(self._on_complete)
            text = self.feed_json(text[start.start() :])

    def feed_json(self, piece: str) -> str:
        """Feed the JSON reader. If what it read was an object in the prose (no known key; no
        event can have fired for it) drop it and return the rest of ``piece`` to seek on."""
        assert self.json is not None
        self.json.feed(piece)
        return self.check_json(piece)

    def check_json(self, piece: str) -> str:
        """After feeding ``piece``: the rest of it to seek on if the object was prose."""
        json = self.json
        assert json is not None
        if not json.done:
            return ""
        root = json.root
        if isinstance(root, Map) and any(lookup(self._index, k) for k, _ in root.entries):
            return ""
        self.json = None
        return piece[max(json.end, 1) :]

    def starts_yaml(self, text: str) -> bool:
        """Whether a line beginning with ``text`` would start the YAML document."""
        m = key_match(indent_of(text)[1])
        return m is not None and lookup(self._index, m.group("key").strip("\"' ")) is not None

    def finish(self) -> Map | Seq:
        if self.yaml is not None:
            return self.yaml.finish()
        if self.json is not None:
            return self.json.finish()
        raise ParseError(
            "no structured data", ["no line starts a mapping with a known field or a JSON object"]
        )
