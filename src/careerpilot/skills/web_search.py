"""Web search for the assistant's general-knowledge answers.

``WebSearch`` is the skill; it wraps a ``SearchBackend``. Two backends ship:

* ``offline_search.OfflineWebSearch`` (the default) ranks the bundled professional-knowledge
  corpus with BM25. It needs no network or key and is deterministic, so answers and tests are
  reproducible.
* ``bing.BingWebSearch`` calls the Bing Web Search v7 API.

The backends import this module's models, so this module imports them only where it builds one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import httpx
from pydantic import BaseModel, Field

from careerpilot.config import WebSearchSettings
from careerpilot.errors import ConfigurationError
from careerpilot.skills.base import Skill

if TYPE_CHECKING:
    from careerpilot.skills.offline_search import DenseRanking

__all__ = [
    "SearchBackend",
    "WebResult",
    "WebSearch",
    "WebSearchQuery",
    "WebSearchResults",
    "WebSearchSettings",
    "build_backend",
]

SKILL_NAME = "web_search"
SNIPPET_MAX = 300


class WebSearchQuery(BaseModel):
    query: str = Field(min_length=1, max_length=300, description="what to look up, in plain words")
    count: int = Field(5, ge=1, le=20, description="how many results to return")


class WebResult(BaseModel):
    title: str
    url: str
    snippet: str
    source: str = Field(description="which backend found it: 'offline' or 'bing'")
    last_crawled: str | None = None


class WebSearchResults(BaseModel):
    query: str
    results: list[WebResult]


class SearchBackend(Protocol):
    async def search(self, query: str, count: int) -> list[WebResult]: ...


def build_backend(
    settings: WebSearchSettings,
    client: httpx.AsyncClient | None = None,
    *,
    dense: DenseRanking | None = None,
) -> SearchBackend:
    """The backend ``settings`` ask for; ``client`` is used by Bing (one per call if omitted),
    ``dense`` by the offline corpus (hybrid ranking when given)."""
    # Imported here: the backends import this module's models.
    from careerpilot.skills.bing import BingWebSearch
    from careerpilot.skills.offline_search import OfflineWebSearch

    if settings.backend == "offline":
        return OfflineWebSearch(dense=dense)
    if not settings.bing_api_key.get_secret_value():
        raise ConfigurationError(
            "web_search.backend is 'bing' but web_search.bing_api_key is empty"
        )
    return BingWebSearch(
        settings.bing_api_key,
        endpoint=settings.bing_endpoint,
        market=settings.market,
        client=client,
        timeout_s=settings.timeout_s,
    )


class WebSearch(Skill[WebSearchQuery, WebSearchResults]):
    name = SKILL_NAME
    description = (
        "Search the web for general professional knowledge: what a job or profession involves, "
        "hiring and workplace terms (ATS, notice period, at-will, OKRs), interviewing, "
        "negotiation, compensation (RSUs, vesting, 401(k), bonus), job-search strategy, "
        "résumés, management and business concepts. Returns titles, URLs and snippets to cite. "
        "Not for members, jobs, companies or posts on the network: use their own skills."
    )
    input_model = WebSearchQuery
    output_model = WebSearchResults

    def __init__(self, backend: SearchBackend | None = None) -> None:
        self.backend: SearchBackend = (
            backend if backend is not None else build_backend(WebSearchSettings())
        )

    async def run(self, args: WebSearchQuery) -> WebSearchResults:
        results = await self.backend.search(args.query, args.count)
        return WebSearchResults(query=args.query, results=results[: args.count])
