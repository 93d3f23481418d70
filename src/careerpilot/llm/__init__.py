"""Chat models: the ``ChatModel`` protocol, its two backends, a test double, and a factory."""

from careerpilot.llm.base import (
    ChatMessage,
    ChatModel,
    Chunk,
    Completion,
    GenerationOptions,
    Usage,
    complete,
)
from careerpilot.llm.factory import create_chat_model
from careerpilot.llm.llamacpp import LlamaCppModel
from careerpilot.llm.openai_compat import OpenAICompatModel
from careerpilot.llm.testing import ScriptedModel

__all__ = [
    "ChatMessage",
    "ChatModel",
    "Chunk",
    "Completion",
    "GenerationOptions",
    "LlamaCppModel",
    "OpenAICompatModel",
    "ScriptedModel",
    "Usage",
    "complete",
    "create_chat_model",
]
