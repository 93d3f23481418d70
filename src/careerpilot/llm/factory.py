"""Build the configured ChatModel backend."""

from __future__ import annotations

from careerpilot.config import LLMSettings
from careerpilot.errors import ConfigurationError
from careerpilot.llm.base import ChatModel
from careerpilot.llm.llamacpp import LlamaCppModel
from careerpilot.llm.openai_compat import OpenAICompatModel

__all__ = ["create_chat_model"]


def create_chat_model(settings: LLMSettings) -> ChatModel:
    """``llamacpp``: the GGUF in process (loaded lazily); ``openai``: an HTTP server."""
    if settings.backend == "llamacpp":
        return LlamaCppModel(settings)
    if settings.backend == "openai":
        return OpenAICompatModel(settings)
    raise ConfigurationError(f"unknown LLM backend {settings.backend!r}; use llamacpp or openai")
