"""The example store: curated few-shot examples, picked per question by similarity.

Each agent has a YAML file of examples (``agents/examples/<agent>.yaml`` in the package, plus
any ``*.yaml`` in extra directories such as ``<data dir>/examples``): a query, its page
context, the facts the agent computed and a model answer grounded in them. An agent embeds the
member's question and takes the ``k`` most similar examples of its own into its prompt, so a
small model copies a grounded answer of the right shape.

An example marked ``pinned: true`` goes into every prompt of its agent, before the similar
ones. Pinned examples never change between turns, so they belong to the static prompt prefix
that llama.cpp (or vLLM's prefix caching) reuses; similar examples change with the question and
must be processed again each turn (about 150-250 tokens each, ~0.4 s on the embedded model).

Files are re-read when they change: ``select`` compares modification times (a few ``stat``
calls), and ``reload()`` forces it; adding a file needs no restart.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import BaseModel, ValidationError

from careerpilot.agents.base import PageContext
from careerpilot.errors import ConfigurationError
from careerpilot.retrieval.embedder import Embedder, Vectors

__all__ = ["Example", "ExampleStore", "bundled_examples_dir"]


class Example(BaseModel):
    agent: str
    query: str
    context: PageContext | None = None
    facts: str
    answer: str
    # In every prompt of the agent, part of its static prefix.
    pinned: bool = False


def bundled_examples_dir() -> Path:
    return Path(str(resources.files("careerpilot.agents").joinpath("examples")))


@dataclass
class _Loaded:
    examples: dict[str, list[Example]]
    vectors: dict[str, Vectors]
    stamps: dict[Path, int]


def _read(path: Path) -> list[Example]:
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
        items = raw["examples"] if isinstance(raw, dict) else raw
        return [Example.model_validate({"agent": path.stem, **item}) for item in items]
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValidationError) as exc:
        raise ConfigurationError(f"example file {path} is not valid: {exc}") from exc


class ExampleStore:
    def __init__(
        self, embedder: Embedder, directories: Iterable[Path] = (), *, use_pinned: bool = True
    ) -> None:
        self.embedder = embedder
        # False: pinned examples are ordinary ones, picked only when similar.
        self.use_pinned = use_pinned
        self.directories = [bundled_examples_dir(), *directories]
        self._loaded: _Loaded | None = None
        self._lock = asyncio.Lock()

    def _files(self) -> dict[Path, int]:
        files: dict[Path, int] = {}
        for directory in self.directories:
            if directory.is_dir():
                for path in sorted(directory.glob("*.yaml")):
                    files[path] = path.stat().st_mtime_ns
        return files

    async def reload(self) -> None:
        """Read every example file again and embed the queries (cached by the embedder)."""
        async with self._lock:
            await self._load(self._files())

    async def _load(self, stamps: dict[Path, int]) -> None:
        by_agent: dict[str, list[Example]] = {}
        for path in stamps:
            for example in await asyncio.to_thread(_read, path):
                by_agent.setdefault(example.agent, []).append(example)
        vectors = {
            agent: await self.embedder.embed([e.query for e in examples])
            for agent, examples in by_agent.items()
        }
        self._loaded = _Loaded(by_agent, vectors, stamps)

    async def _current(self) -> _Loaded:
        stamps = await asyncio.to_thread(self._files)
        if self._loaded is None or self._loaded.stamps != stamps:
            async with self._lock:
                if self._loaded is None or self._loaded.stamps != stamps:
                    await self._load(stamps)
        assert self._loaded is not None
        return self._loaded

    async def examples(self, agent: str) -> Sequence[Example]:
        return (await self._current()).examples.get(agent, [])

    async def select(self, agent: str, query: str, k: int) -> list[Example]:
        """The pinned examples of ``agent``, then the ``k`` unpinned ones most similar to
        ``query``, most similar last (the position nearest the question, where a small model
        copies from most)."""
        loaded = await self._current()
        examples = loaded.examples.get(agent, [])
        pinned = [e for e in examples if e.pinned and self.use_pinned]
        if k <= 0 or len(pinned) == len(examples):
            return pinned
        vector = (await self.embedder.embed([query]))[0]
        sims = loaded.vectors[agent] @ vector
        ranked = [int(i) for i in np.argsort(-sims) if examples[int(i)] not in pinned]
        return pinned + [examples[i] for i in ranked[:k][::-1]]
