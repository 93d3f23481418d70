"""The one error the parser raises."""

from __future__ import annotations

from careerpilot.errors import OutputError

__all__ = ["ParseError"]


class ParseError(OutputError):
    """The intended object could not be recovered without guessing.

    ``problems`` lists every reason found, e.g. ``"seniority: 'guru' matches no value"``.
    """

    code = "bad_model_output"

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems: list[str] = list(problems) if problems else [message]
        detail = "; ".join(self.problems[:5])
        super().__init__(f"{message}: {detail}" if detail != message else message)
