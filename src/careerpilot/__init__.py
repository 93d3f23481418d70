"""careerpilot: a streaming, grounded, multi-agent assistant for professional networking.

The names a library user needs are importable from here; they load on first use so that
``import careerpilot`` stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__all__ = [
    "Agent",
    "Assistant",
    "ChatModel",
    "Embedder",
    "Settings",
    "Skill",
    "__version__",
]

__version__ = "0.1.0"

_LAZY = {
    "Agent": "careerpilot.agents.base",
    "Assistant": "careerpilot.pipeline.assistant",
    "ChatModel": "careerpilot.llm.base",
    "Embedder": "careerpilot.retrieval.embedder",
    "Settings": "careerpilot.config",
    "Skill": "careerpilot.skills.base",
}

if TYPE_CHECKING:
    from careerpilot.agents.base import Agent
    from careerpilot.config import Settings
    from careerpilot.llm.base import ChatModel
    from careerpilot.pipeline.assistant import Assistant
    from careerpilot.retrieval.embedder import Embedder
    from careerpilot.skills.base import Skill


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'careerpilot' has no attribute {name!r}")
