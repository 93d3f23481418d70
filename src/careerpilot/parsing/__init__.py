"""A defensive parser for YAML / JSON written by language models.

``loads(text, Schema)`` returns a validated ``Schema`` instance or raises ``ParseError`` (with
``.problems``); ``loads(..., report=list)`` also appends the repairs it made, and
``parse(text, Schema)`` returns them as ``Parsed(value, repairs)``. ``StreamParser(Schema)``
reports fields and list items as soon as they are final. The schema, not YAML's implicit typing,
decides how each value is read; anything that would need a guess is refused.
"""

from __future__ import annotations

from careerpilot.parsing.api import Parsed, loads, parse
from careerpilot.parsing.errors import ParseError
from careerpilot.parsing.stream import StreamEvent, StreamParser

__all__ = ["ParseError", "Parsed", "StreamEvent", "StreamParser", "loads", "parse"]
