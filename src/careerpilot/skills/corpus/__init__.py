"""The bundled professional-knowledge corpus that backs offline web search.

Articles live in YAML files next to this module, one file per theme; each file has a list of
``articles`` with ``id``, ``title``, ``topic`` and ``body`` (2–4 paragraphs separated by blank
lines). The URL is derived from the id so that it is stable and cannot drift out of sync.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, Field

__all__ = ["CORPUS_URL_PREFIX", "Article", "load_corpus"]

CORPUS_URL_PREFIX = "https://knowledge.careerpilot.invalid/"

# The C loader is ~10x faster when libyaml is present; the pure-Python one is the fallback.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Article(BaseModel):
    id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    title: str = Field(min_length=1)
    topic: str = Field(min_length=1)
    body: str = Field(min_length=1)

    @property
    def url(self) -> str:
        return CORPUS_URL_PREFIX + self.id

    @property
    def paragraphs(self) -> list[str]:
        return [" ".join(p.split()) for p in self.body.split("\n\n") if p.strip()]


@cache
def load_corpus() -> tuple[Article, ...]:
    """Every bundled article, in a stable order (file name, then position in the file)."""
    articles: list[Article] = []
    package = resources.files(__name__)
    for entry in sorted(package.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        data = yaml.load(entry.read_text(encoding="utf-8"), Loader=_Loader)
        for raw in data["articles"]:
            articles.append(Article.model_validate(raw))
    return tuple(articles)
