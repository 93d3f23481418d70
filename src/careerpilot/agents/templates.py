"""The prompt templates: Jinja2 files in ``agents/prompts``, read once at import."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import jinja2

__all__ = ["render"]


def _read_templates() -> dict[str, str]:
    folder = resources.files("careerpilot.agents").joinpath("prompts")
    return {
        entry.name: entry.read_text(encoding="utf-8")
        for entry in folder.iterdir()
        if entry.name.endswith(".j2")
    }


# Read once, at import: rendering inside a turn must not touch the file system (it runs on the
# event loop), and prompts do not change while the process runs.
_TEMPLATES = _read_templates()


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.DictLoader(_TEMPLATES),
        auto_reload=False,
        undefined=jinja2.StrictUndefined,  # a missing variable is a bug, not an empty string
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,
    )


def render(template: str, **values: Any) -> str:
    return _environment().get_template(template).render(**values).strip()
