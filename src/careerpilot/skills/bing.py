"""A ``SearchBackend`` over the Bing Web Search v7 API (``GET {endpoint}/v7.0/search``).

Only the ``webPages`` answer is requested and read. Failures become ``SkillError``s a planner can
act on: a bad key is not retryable, rate limiting, 5xx and unreachable endpoints are.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import SecretStr

from careerpilot.errors import SkillError
from careerpilot.skills.web_search import SKILL_NAME, SNIPPET_MAX, WebResult

__all__ = ["BingWebSearch"]


class BingWebSearch:
    """A client for ``GET {endpoint}/v7.0/search``; only the ``webPages`` answer is used."""

    source = "bing"

    def __init__(
        self,
        api_key: SecretStr,
        *,
        endpoint: str = "https://api.bing.microsoft.com",
        market: str = "en-US",
        client: httpx.AsyncClient | None = None,
        timeout_s: float = 5.0,
    ) -> None:
        self._key = api_key  # SecretStr so that reprs and logs never show it
        self.endpoint = endpoint.rstrip("/")
        self.market = market
        self._client = client
        self.timeout_s = timeout_s

    async def search(self, query: str, count: int) -> list[WebResult]:
        if self._client is not None:
            return await self._search(self._client, query, count)
        async with httpx.AsyncClient(timeout=self.timeout_s) as client:
            return await self._search(client, query, count)

    async def _search(self, client: httpx.AsyncClient, query: str, count: int) -> list[WebResult]:
        params: dict[str, str | int] = {
            "q": query,
            "count": count,
            "mkt": self.market,
            "responseFilter": "Webpages",
            "textDecorations": "false",
        }
        headers = {"Ocp-Apim-Subscription-Key": self._key.get_secret_value()}
        try:
            response = await client.get(
                f"{self.endpoint}/v7.0/search", params=params, headers=headers
            )
        except httpx.TimeoutException as exc:
            raise SkillError(SKILL_NAME, f"Bing at {self.endpoint} timed out") from exc
        except httpx.TransportError as exc:
            raise SkillError(
                SKILL_NAME, f"cannot reach Bing at {self.endpoint} ({type(exc).__name__})"
            ) from exc
        _raise_for_status(response)
        try:
            payload = response.json()
        except ValueError as exc:
            raise SkillError(SKILL_NAME, "Bing answered with malformed JSON") from exc
        return self._parse(payload, count)

    def _parse(self, payload: Any, count: int) -> list[WebResult]:
        if not isinstance(payload, dict):
            raise SkillError(SKILL_NAME, "Bing answered with an unexpected JSON shape")
        pages = payload.get("webPages")  # absent when Bing found nothing
        if not isinstance(pages, dict):
            return []
        results: list[WebResult] = []
        for item in pages.get("value") or []:
            if not isinstance(item, dict) or not item.get("url"):
                continue
            results.append(
                WebResult(
                    title=str(item.get("name") or item.get("displayUrl") or item["url"]),
                    url=str(item["url"]),
                    snippet=str(item.get("snippet") or "")[:SNIPPET_MAX],
                    source=self.source,
                    last_crawled=item.get("dateLastCrawled"),
                )
            )
        return results[:count]


def _raise_for_status(response: httpx.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    if status in (401, 403):
        raise SkillError(
            SKILL_NAME,
            f"Bing rejected the subscription key ({status}); the key is wrong or not "
            "allowed to call Web Search — fix the configuration, retrying will not help",
            retryable=False,
        )
    if status == 429:
        wait = response.headers.get("Retry-After", "").strip()
        # Retry-After is either delay-seconds or an HTTP date; pass on whichever Bing sent.
        hint = (
            f"; retry after {wait} s" if wait.isdigit() else f"; retry after {wait}" if wait else ""
        )
        raise SkillError(SKILL_NAME, f"rate limited by Bing (429){hint}")
    if status >= 500:
        raise SkillError(SKILL_NAME, f"Bing answered {status}")
    raise SkillError(
        SKILL_NAME, f"Bing refused the query ({status}): {_bing_error(response)}", retryable=False
    )


def _bing_error(response: httpx.Response) -> str:
    """The message out of Bing's ``ErrorResponse`` (``errors[]``) or APIM's ``error`` shape."""
    try:
        body = response.json()
        errors = body.get("errors") or [body.get("error") or {}]
        return str(errors[0].get("message") or response.text[:200])
    except (ValueError, AttributeError, IndexError, TypeError):
        return response.text[:200]
